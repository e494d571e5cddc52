import assert from 'node:assert/strict';
import type { ScoreResponse, ScoreResult } from '../../src/scoring/score-schemas.ts';
import type { TestApp } from './test-app.ts';
import type { TestModel } from './test-models.ts';

/** Explains records (ids r0, r1, …) through POST /v1/score with every factor returned; the request must score them all. */
export async function explainAll(
  t: TestApp,
  model: TestModel,
  records: Array<Record<string, unknown>>,
): Promise<ScoreResult[]> {
  const response = await t.call('POST', '/v1/score', {
    model: model.card.name,
    explain: true,
    topK: 100,
    records: records.map((features, i) => ({ id: `r${i}`, features })),
  });
  const json = (await response.json()) as ScoreResponse;
  assert.equal(response.status, 200, JSON.stringify(json));
  assert.deepEqual(json.errors, []);
  return json.results;
}
