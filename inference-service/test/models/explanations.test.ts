import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { ScoreResponse } from '../../src/scoring/score-schemas.ts';
import { createTestApp } from '../support/test-app.ts';
import type { TestApp } from '../support/test-app.ts';
import {
  COLUMN_WEIGHTS,
  REGRESSOR_WEIGHTS,
  TENSOR_WEIGHTS,
  columnsZipMapClassifier,
  linearRegressor,
  tensorClassifier,
  treeEnsemble,
  writeModelDir,
} from '../support/test-models.ts';

async function explain(
  t: TestApp,
  model: string,
  features: Record<string, unknown>,
  topK = 10,
): Promise<Map<string, number>> {
  const response = await t.call('POST', '/v1/score', { model, explain: true, topK, records: [{ id: 'r', features }] });
  const json = (await response.json()) as ScoreResponse;
  assert.equal(response.status, 200, JSON.stringify(json));
  return new Map(json.results[0]!.factors!.map((f) => [f.feature, f.impact]));
}

const close = (actual: number | undefined, expected: number, what: string) =>
  assert.ok(
    actual !== undefined && Math.abs(actual - expected) < 1e-4,
    `${what}: impact ${actual} should be ${expected}`,
  );

describe('explanations', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp([
      await writeModelDir([tensorClassifier(), columnsZipMapClassifier(), linearRegressor(), treeEnsemble()]),
    ]);
  });

  it('equal the exact per-feature log-odds contributions w·(x − baseline) for a logistic model', async () => {
    const x = { a: 2.5, b: -1.5, flag: true };
    const impacts = await explain(t, 'tensor-classifier', x);
    close(impacts.get('a'), TENSOR_WEIGHTS[0]! * (2.5 - 0), 'a');
    close(impacts.get('b'), TENSOR_WEIGHTS[1]! * (-1.5 - 0), 'b');
    close(impacts.get('flag'), TENSOR_WEIGHTS[2]! * (1 - 0), 'flag');
  });

  it('sum to the log-odds difference between the record and the all-baseline record for a linear model', async () => {
    const impacts = await explain(t, 'tensor-classifier', { a: 1, b: 2, flag: false });
    const total = [...impacts.values()].reduce((s, v) => s + v, 0);
    close(total, 0.8 * 1 - 1.2 * 2, 'sum of impacts');
  });

  it('equal exact contributions through per-column inputs, one-hot categories and graph imputation', async () => {
    const impacts = await explain(t, 'columns-zipmap', { Amount: 400, Visits: 4, Region: 'north' });
    close(impacts.get('Amount'), COLUMN_WEIGHTS.amount * (400 - 100), 'Amount vs baseline 100');
    close(impacts.get('Visits'), COLUMN_WEIGHTS.visits * (4 - 1), 'Visits vs baseline 1');
    close(impacts.get('Region'), COLUMN_WEIGHTS.region.north - COLUMN_WEIGHTS.region.south, 'north vs baseline south');
    const missing = await explain(t, 'columns-zipmap', { Amount: null, Visits: 1, Region: 'south' });
    close(missing.get('Amount'), COLUMN_WEIGHTS.amount * (50 - 100), 'a missing Amount is imputed to 50 in the graph');
    close(missing.get('Region'), 0, 'a feature at its baseline has no impact');
  });

  it('are in output units for a regressor: w·(x − baseline)', async () => {
    const impacts = await explain(t, 'deal-size', { size: 20, age: 3 });
    close(impacts.get('size'), REGRESSOR_WEIGHTS[0]! * (20 - 5), 'size');
    close(impacts.get('age'), REGRESSOR_WEIGHTS[1]! * (3 - 1), 'age');
  });

  it('return the top-k features by absolute impact, largest first, with the values the model saw', async () => {
    const response = await t.call('POST', '/v1/score', {
      model: 'columns-zipmap',
      explain: true,
      topK: 2,
      records: [{ id: 'r', features: { Amount: 100, Visits: 11, Region: 'north' } }],
    });
    const factors = ((await response.json()) as ScoreResponse).results[0]!.factors!;
    assert.deepEqual(
      factors.map((f) => f.feature),
      ['Visits', 'Region'],
      '|0.3·10| > |0.9 + 0.4| > |0|',
    );
    assert.deepEqual(
      factors.map((f) => f.value),
      [11, 'north'],
    );
  });

  it('show each factor as the caller would recognise it: booleans, defaults, and null for missing', async () => {
    const factorsOf = async (model: string, features: Record<string, unknown>) => {
      const response = await t.call('POST', '/v1/score', { model, explain: true, records: [{ id: 'r', features }] });
      const factors = ((await response.json()) as ScoreResponse).results[0]!.factors!;
      return Object.fromEntries(factors.map((f) => [f.feature, f.value]));
    };
    assert.deepEqual(await factorsOf('tensor-classifier', { a: 1, b: -2, flag: true }), { a: 1, b: -2, flag: true });
    // Amount is missing (imputed in the graph), Visits and Region take their card defaults.
    assert.deepEqual(await factorsOf('columns-zipmap', { Amount: null }), { Region: '', Visits: 0, Amount: null });
  });

  it('show what moved a nonlinear model: only the feature that crossed a split has impact', async () => {
    const impacts = await explain(t, 'tree-ensemble', { p: 1, q: 0 });
    close(impacts.get('p'), 2, 'p crosses its split (leaf −1 → +1)');
    close(impacts.get('q'), 0, 'q stays on the baseline side of its split');
  });

  it('explain every record of a batch in one response, each against the same baselines', async () => {
    const records = Array.from({ length: 200 }, (_, i) => ({
      id: `r${i}`,
      features: { a: i / 100, b: 0, flag: false },
    }));
    const response = await t.call('POST', '/v1/score', { model: 'tensor-classifier', explain: true, records });
    const json = (await response.json()) as ScoreResponse;
    assert.equal(json.results.length, 200);
    json.results.forEach((result, i) => {
      close(result.factors!.find((f) => f.feature === 'a')?.impact, 0.8 * (i / 100), `record ${i}`);
    });
  });
});
