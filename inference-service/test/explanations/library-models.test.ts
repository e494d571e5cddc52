import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { ScoreResponse } from '../../src/scoring/score-schemas.ts';
import { createTestApp } from '../support/test-app.ts';
import type { TestApp } from '../support/test-app.ts';

/**
 * Models trained with scikit-learn and torch (test/fixtures/explanations/export-models.py):
 * gradient boosting and a random forest behind skl2onnx's preprocessing, a random forest
 * classifier, and a torch MLP exported by torch.onnx.export. Their Shapley values are checked
 * against brute force computed in Python from the libraries' own float64 predictions, so
 * against neither onnxruntime nor this service's code. The graphs hold float32 thresholds,
 * weights and leaf values, so they differ from the libraries by float32 rounding: 1e-5 here;
 * agreement with brute force over the graph itself (1e-6) is in shapley-exactness.test.ts.
 */

const FIXTURES = fileURLToPath(new URL('../fixtures/explanations/', import.meta.url));
const expected = JSON.parse(readFileSync(`${FIXTURES}expected.json`, 'utf8')) as {
  records: { sklearn: Array<Record<string, unknown>>; torch: Array<Record<string, unknown>> };
  shapley: Record<string, number[][]>;
};
const FLOAT32_AGREEMENT = 1e-5;

const models = [
  { name: 'sklearn-gradient-boosting', algorithm: 'tree-shap', method: 'tree-shap', records: expected.records.sklearn },
  { name: 'sklearn-forest-regressor', algorithm: 'tree-shap', method: 'tree-shap', records: expected.records.sklearn },
  {
    name: 'sklearn-forest-classifier',
    algorithm: 'coalitions',
    method: 'shapley-exact',
    records: expected.records.sklearn,
  },
  { name: 'torch-mlp', algorithm: 'coalitions', method: 'shapley-exact', records: expected.records.torch },
];

describe('Shapley values of models trained with scikit-learn and torch', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp([FIXTURES]);
  });

  for (const { name, algorithm, method, records } of models) {
    it(`${name}: ${algorithm}, within float32 rounding of brute force over the library's own predictions`, async (context) => {
      const model = t.registry.get(name)!;
      assert.equal(model.explanation.algorithm, algorithm, JSON.stringify(model.explanation));
      const response = await t.call('POST', '/v1/score', {
        model: name,
        explain: true,
        topK: 10,
        records: records.map((features, i) => ({ id: `r${i}`, features })),
      });
      const json = (await response.json()) as ScoreResponse;
      assert.equal(response.status, 200, JSON.stringify(json));
      let worst = 0;
      json.results.forEach((result, i) => {
        assert.equal(result.explanation?.method, method);
        const byName = new Map(result.factors!.map((f) => [f.feature, f.impact]));
        model.card.features.forEach((feature, f) => {
          const gap = Math.abs((byName.get(feature.name) ?? 0) - expected.shapley[name]![i]![f]!);
          worst = Math.max(worst, gap);
          assert.ok(gap <= FLOAT32_AGREEMENT, `${name} record ${i} ${feature.name}: off by ${gap}`);
        });
      });
      context.diagnostic(`largest |impact − library brute force|: ${worst.toExponential(2)}`);
    });
  }
});
