import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildScoreBody } from '../../bench/request-bodies.ts';
import type { ScoreResponse } from '../../src/scoring/score-schemas.ts';
import { createRandom } from '../../training/random.ts';
import { createTestApp } from '../support/test-app.ts';
import type { TestApp } from '../support/test-app.ts';
import {
  columnsZipMapClassifier,
  linearRegressor,
  tensorClassifier,
  torchStyleLogit,
  writeModelDir,
} from '../support/test-models.ts';
import type { TestModel } from '../support/test-models.ts';

/**
 * For a linear or logistic model (over per-feature preprocessing) Shapley values are the
 * one-at-a-time contributions w·(x − baseline): a card switching to shapley sees the same
 * impacts as before, for the same cost. The graph analysis finds every feature in a group of
 * its own, so each group's only coalition row is occlusion's row.
 */

const LEAD_DIR = fileURLToPath(new URL('../../models/lead-scoring/', import.meta.url));

function withMethod(model: TestModel, method: 'shapley' | 'occlusion'): TestModel {
  return {
    ...model,
    card: { ...model.card, name: `${model.card.name}-${method}`, explanations: { method, improve: 'raise' } },
  };
}

describe('linear models under Shapley values', () => {
  const linear = [tensorClassifier(), columnsZipMapClassifier(), linearRegressor(), torchStyleLogit()];
  let t: TestApp;
  before(async () => {
    const lead = {
      card: JSON.parse(await readFile(`${LEAD_DIR}model.json`, 'utf8')),
      onnx: await readFile(`${LEAD_DIR}model.onnx`),
    };
    t = await createTestApp([
      await writeModelDir([...linear, lead].flatMap((m) => [withMethod(m, 'shapley'), withMethod(m, 'occlusion')])),
    ]);
  });

  const factors = async (model: string, records: Array<{ id: string; features: Record<string, unknown> }>) => {
    const response = await t.call('POST', '/v1/score', { model, explain: true, topK: 20, records });
    const json = (await response.json()) as ScoreResponse;
    assert.equal(response.status, 200, JSON.stringify(json));
    return json.results.map((r) => r.factors);
  };

  for (const model of linear) {
    it(`${model.card.name}: the same impacts as occlusion, each feature in a group of its own`, async () => {
      const shapley = t.registry.get(`${model.card.name}-shapley`)!;
      assert.equal(shapley.explanation.algorithm, 'coalitions');
      assert.ok(
        shapley.explanation.groups!.every((g) => g.length === 1),
        JSON.stringify(shapley.explanation.groups),
      );
      const random = createRandom(3);
      const records = Array.from({ length: 50 }, (_, i) => ({
        id: `r${i}`,
        features: Object.fromEntries(
          model.card.features.map((f) => [
            f.name,
            f.type === 'category'
              ? f.categories![i % f.categories!.length]
              : f.type === 'boolean'
                ? i % 2 === 0
                : Math.round(random.uniform(0, 20)),
          ]),
        ),
      }));
      assert.deepEqual(
        await factors(`${model.card.name}-shapley`, records),
        await factors(`${model.card.name}-occlusion`, records),
      );
    });
  }

  it('the bundled lead model: the same impacts as occlusion on 200 leads, exact at one row per feature', async () => {
    const shapley = t.registry.get('lead-scoring-shapley')!;
    assert.deepEqual(
      shapley.explanation.groups,
      shapley.card.features.map((f) => [f.name]),
    );
    const body = buildScoreBody('lead-scoring', '1.0.0', shapley.card.features, 200, true);
    assert.deepEqual(
      await factors('lead-scoring-shapley', body.records),
      await factors('lead-scoring-occlusion', body.records),
    );
  });
});
