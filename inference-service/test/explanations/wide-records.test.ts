import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { resolveRecord } from '../../src/models/feature-encoder.ts';
import type { ModelValue } from '../../src/models/feature-encoder.ts';
import { createRandom } from '../../training/random.ts';
import { explainAll } from '../support/explain-records.ts';
import { randomMlp, randomRecord } from '../support/random-models.ts';
import { createTestApp } from '../support/test-app.ts';
import type { TestApp } from '../support/test-app.ts';
import type { TestModel } from '../support/test-models.ts';
import { writeModelDir } from '../support/test-models.ts';

/**
 * Records with more than 32 features off their baselines: a coalition row's players then span
 * two 32-bit mask words (models/row-batch.ts fills derived rows by patching the players that
 * are off in each word). Occlusion is checked cell by cell against rows built by hand and
 * scored on their own; sampled Shapley values must add up, which fails if any player past the
 * first word kept its value in the empty coalition.
 */

const FEATURES = 40;
const occlusionMlp: TestModel = (() => {
  const model = randomMlp(71, FEATURES, 'logit');
  return {
    ...model,
    card: { ...model.card, name: 'wide-occlusion', explanations: { method: 'occlusion', improve: 'raise' } },
  };
})();
const shapleyMlp: TestModel = (() => {
  const model = randomMlp(72, FEATURES, 'logit');
  return { ...model, card: { ...model.card, name: 'wide-shapley' } };
})();

describe(`explanations of records with ${FEATURES} features (two mask words)`, () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp([await writeModelDir([occlusionMlp, shapleyMlp])]);
  });

  it('occlusion gives every feature, the 33rd to the 40th included, its own row', async () => {
    const model = t.registry.get('wide-occlusion')!;
    const random = createRandom(3);
    const records = Array.from({ length: 20 }, () => randomRecord(random, occlusionMlp.card));
    const results = await explainAll(t, occlusionMlp, records);
    for (const [i, result] of results.entries()) {
      const resolved = resolveRecord(model.card.features, records[i]!);
      assert.ok(resolved.ok);
      // The record's row, then one row per feature with that feature at its baseline, each built here.
      const rows: ModelValue[][] = [resolved.values];
      for (let f = 0; f < FEATURES; f++) rows.push(resolved.values.map((v, j) => (j === f ? model.baselines[j]! : v)));
      const margins = (await model.predictAlone({ records: rows.map((values) => ({ values })) })).margins;
      const impacts = new Map(result.factors!.map((factor) => [factor.feature, factor.impact]));
      assert.equal(impacts.size, FEATURES, 'every feature is off its baseline, so every one has a factor');
      model.card.features.forEach((feature, f) => {
        const expected = margins[0]! - margins[f + 1]!;
        assert.ok(
          Math.abs(impacts.get(feature.name)! - expected) <= 1e-6,
          `record ${i}, ${feature.name}: ${impacts.get(feature.name)} against ${expected}`,
        );
      });
    }
  });

  it('sampled Shapley values add up to the margin minus the baseline margin', async () => {
    const random = createRandom(4);
    const records = Array.from({ length: 10 }, () => randomRecord(random, shapleyMlp.card));
    const results = await explainAll(t, shapleyMlp, records);
    for (const [i, result] of results.entries()) {
      const explanation = result.explanation!;
      assert.equal(explanation.method, 'shapley-sampled');
      assert.equal(result.factors!.length, FEATURES);
      const sum = result.factors!.reduce((s, f) => s + f.impact, 0);
      assert.ok(
        Math.abs(sum - (explanation.margin - explanation.baselineMargin)) <= FEATURES * 5e-7,
        `record ${i} adds up: ${sum} against ${explanation.margin - explanation.baselineMargin}`,
      );
    }
  });
});
