import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { resolveRecord } from '../../src/models/feature-encoder.ts';
import type { ModelValue } from '../../src/models/feature-encoder.ts';
import type { ScoringModel } from '../../src/models/scoring-model.ts';
import type { ScoreResult } from '../../src/scoring/score-schemas.ts';
import { createRandom } from '../../training/random.ts';
import { bruteForceShapley, referenceMargins } from '../support/brute-force-shapley.ts';
import { explainAll } from '../support/explain-records.ts';
import { randomMlp, randomPipelineTrees, randomRecord, randomTreeEnsemble } from '../support/random-models.ts';
import type { RandomTreeModel } from '../support/random-models.ts';
import { createTestApp } from '../support/test-app.ts';
import type { TestApp } from '../support/test-app.ts';
import type { TestModel } from '../support/test-models.ts';
import { writeModelDir } from '../support/test-models.ts';

/**
 * The exact Shapley methods against brute force (every coalition of every feature, scored and
 * weighted by the definition): random small MLPs and random forests explained by coalitions,
 * and tree ensembles in each converter layout explained by TreeSHAP. Responses round impacts to
 * 6 decimals (at most 5e-7 off), so agreement within 1e-6 leaves under 5e-7 for the method.
 */

const AGREEMENT = 1e-6;

const mlps = [1, 2, 3].flatMap((seed) => [
  randomMlp(seed, 6, 'logit'),
  randomMlp(seed + 10, 7, 'sigmoid-node'),
  randomMlp(seed + 20, 5, 'regression'),
]);
const forests = [
  ...[4, 5].map((seed) => randomTreeEnsemble(seed, 'forest-classifier', 6)),
  // Trees on rotated features: no tree column is one card feature, so coalitions, not TreeSHAP.
  randomTreeEnsemble(10, 'boosted-classifier', 5, { mixed: true }),
];
const treeModels: RandomTreeModel[] = [
  randomTreeEnsemble(6, 'forest-regressor', 7),
  randomTreeEnsemble(7, 'boosted-classifier', 7),
  randomTreeEnsemble(8, 'xgboost-classifier', 6),
  randomPipelineTrees(9),
];
const RECORDS = 15;

function impactsOf(result: ScoreResult, model: TestModel): number[] {
  const byName = new Map(result.factors!.map((f) => [f.feature, f.impact]));
  return model.card.features.map((f) => byName.get(f.name) ?? Number.NaN);
}

/** The largest disagreement seen per model, reported in the test output (the closing note's exactness figures). */
const worst = new Map<string, number>();

function assertAgrees(actual: number[], expected: number[], what: string, model?: string): void {
  actual.forEach((value, i) => {
    if (model) worst.set(model, Math.max(worst.get(model) ?? 0, Math.abs(value - expected[i]!)));
    assert.ok(
      Math.abs(value - expected[i]!) <= AGREEMENT,
      `${what}, feature ${i}: ${value} against brute force ${expected[i]} (off by ${Math.abs(value - expected[i]!)})`,
    );
  });
}

function valuesOf(model: ScoringModel, features: Record<string, unknown>): ModelValue[] {
  const resolved = resolveRecord(model.card.features, features);
  assert.ok(resolved.ok);
  return resolved.values;
}

describe('exact Shapley values', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp([await writeModelDir([...mlps, ...forests, ...treeModels])]);
  });

  const coalitionMargins = (model: ScoringModel) => async (rows: ModelValue[][]) =>
    (await model.predictAlone({ records: rows.map((values) => ({ values })) })).margins;

  for (const mlp of [...mlps, ...forests]) {
    it(`agree with brute force within 1e-6 for ${mlp.card.name} (coalitions, one batched run)`, async (context) => {
      const model = t.registry.get(mlp.card.name)!;
      assert.equal(model.explanation.algorithm, 'coalitions');
      if (mlp.card.name.endsWith('-mixed')) {
        assert.deepEqual(model.explanation.notes, [
          'TreeSHAP is not used: tree column 0 depends on several card features; TreeSHAP needs one per column',
        ]);
      }
      const random = createRandom(mlp.card.features.length * 31 + 7);
      const records = Array.from({ length: RECORDS }, () => randomRecord(random, mlp.card));
      const results = await explainAll(t, mlp, records);
      let interaction = 0;
      for (const [i, result] of results.entries()) {
        assert.equal(result.explanation?.method, 'shapley-exact');
        const exact = await bruteForceShapley(valuesOf(model, records[i]!), model.baselines, coalitionMargins(model));
        exact.impacts.forEach((phi, f) => (interaction = Math.max(interaction, Math.abs(phi - exact.occlusion[f]!))));
        assertAgrees(impactsOf(result, mlp), exact.impacts, `record ${i}`, mlp.card.name);
        assert.ok(Math.abs(result.explanation!.margin - exact.margin) <= AGREEMENT, 'the margin is the record row');
        assert.ok(
          Math.abs(result.explanation!.baselineMargin - exact.baselineMargin) <= AGREEMENT,
          'the baseline margin',
        );
      }
      assert.ok(interaction > 1e-3, 'the model has interactions, so occlusion would not pass this test');
      context.diagnostic(`largest |impact − brute force|: ${worst.get(mlp.card.name)!.toExponential(2)}`);
    });
  }

  for (const trees of treeModels) {
    it(`agree with brute force within 1e-6 for ${trees.card.name} (TreeSHAP from the graph's trees, no extra rows)`, async (context) => {
      const model = t.registry.get(trees.card.name)!;
      assert.equal(model.explanation.algorithm, 'tree-shap', JSON.stringify(model.explanation));
      const columns = trees.card.inputs.style === 'tensor';
      const reference = await referenceMargins(
        trees.marginReference,
        columns
          ? [{ name: 'X', type: 'float', features: trees.card.features.map((_, i) => i) }]
          : trees.card.features.map((f, i) => ({
              name: f.input!,
              type: f.type === 'category' ? ('string' as const) : ('float' as const),
              features: [i],
            })),
      );
      const random = createRandom(trees.card.features.length * 17 + 3);
      const spread: Record<string, number> = columns ? {} : { Amount: 100, Visits: 2 };
      const records = Array.from({ length: RECORDS * 2 }, () => randomRecord(random, trees.card, spread));
      const results = await explainAll(t, trees, records);
      for (const [i, result] of results.entries()) {
        assert.equal(result.explanation?.method, 'tree-shap');
        const exact = await bruteForceShapley(valuesOf(model, records[i]!), model.baselines, reference);
        assertAgrees(
          impactsOf(result, trees),
          exact.impacts,
          `record ${i} (${JSON.stringify(records[i])})`,
          trees.card.name,
        );
        assert.ok(Math.abs(result.explanation!.margin - exact.margin) <= AGREEMENT, 'the trees give the margin');
      }
      context.diagnostic(`largest |impact − brute force|: ${worst.get(trees.card.name)!.toExponential(2)}`);
    });
  }

  it('add up on every record: the impacts of all features sum to margin − baselineMargin', async () => {
    for (const testModel of [...mlps, ...forests, ...treeModels]) {
      const random = createRandom(99);
      const spread: Record<string, number> = testModel.card.name.startsWith('pipeline')
        ? { Amount: 100, Visits: 2 }
        : {};
      const records = Array.from({ length: 40 }, () => randomRecord(random, testModel.card, spread));
      for (const result of await explainAll(t, testModel, records)) {
        const sum = result.factors!.reduce((s, f) => s + f.impact, 0);
        const { margin, baselineMargin } = result.explanation!;
        // Each impact and both margins are rounded to 6 decimals.
        const rounding = (testModel.card.features.length + 2) * 5e-7;
        assert.ok(
          Math.abs(sum - (margin - baselineMargin)) <= rounding + 1e-9,
          `${testModel.card.name} ${result.id}: impacts sum to ${sum}, margin − baseline is ${margin - baselineMargin}`,
        );
      }
    }
  });

  it('give a feature at its baseline no impact, and cost it no row', async () => {
    const mlp = mlps[0]!;
    const model = t.registry.get(mlp.card.name)!;
    const atBaseline = Object.fromEntries(mlp.card.features.map((f) => [f.name, f.baseline]));
    const record = { ...atBaseline, f0: 1.5, f1: -0.5 };
    const [result] = await explainAll(t, mlp, [record]);
    const impacts = impactsOf(result!, mlp);
    assert.deepEqual(impacts.slice(2), [0, 0, 0, 0]);
    const exact = await bruteForceShapley(valuesOf(model, record), model.baselines, coalitionMargins(model));
    assertAgrees(impacts, exact.impacts, 'two features off their baselines');
  });
});
