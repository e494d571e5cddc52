import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { ErrorBody } from '../../src/http/error-schemas.ts';
import { ScoreResponse } from '../../src/scoring/score-schemas.ts';
import { createTestApp } from '../support/test-app.ts';
import type { TestApp } from '../support/test-app.ts';
import {
  columnsZipMapClassifier,
  linearRegressor,
  multiclassStringLabels,
  tensorClassifier,
  torchStyleLogit,
  treeEnsemble,
  writeModelDir,
} from '../support/test-models.ts';

async function score(t: TestApp, body: unknown): Promise<{ status: number; json: ScoreResponse }> {
  const response = await t.call('POST', '/v1/score', body);
  const json = await response.json();
  if (response.status === 200) ScoreResponse.parse(json);
  return { status: response.status, json: json as ScoreResponse };
}

async function expectError(response: Response, status: number, code: string): Promise<ErrorBody> {
  const body = ErrorBody.parse(await response.json());
  assert.equal(response.status, status, `expected HTTP ${status}, got ${response.status}: ${JSON.stringify(body)}`);
  assert.equal(body.error.code, code, `expected error code ${code}`);
  assert.ok(!/\bat .+:\d+:\d+/.test(body.error.message), 'an error message never contains a stack trace');
  return body;
}

describe('POST /v1/score', () => {
  let t: TestApp;
  before(async () => {
    const dir = await writeModelDir([
      tensorClassifier(),
      columnsZipMapClassifier(),
      multiclassStringLabels(),
      linearRegressor(),
      torchStyleLogit(),
      treeEnsemble(),
    ]);
    t = await createTestApp([dir], { maxRecordsPerRequest: 50, maxBodyBytes: 64 * 1024 });
  });

  it('scores a float-tensor model and bands the score from the card thresholds', async () => {
    const { status, json } = await score(t, {
      model: 'tensor-classifier',
      records: [{ id: 'a', features: { a: 2, b: 0, flag: true } }],
    });
    assert.equal(status, 200);
    const expected = 1 / (1 + Math.exp(-(0.8 * 2 + 0.5 - 0.3)));
    assert.ok(
      Math.abs(json.results[0]!.score - expected) < 1e-6,
      `score ${json.results[0]!.score} should be ${expected}`,
    );
    assert.equal(json.results[0]!.band, 'High', 'a score of 0.87 falls in the High band (min 0.7)');
    assert.equal(json.results[0]!.factors, undefined, 'no factors unless explain is true');
    assert.deepEqual(json.errors, []);
  });

  it('scores an skl2onnx-style model: one input per column (float, int64, string) and a ZipMap output', async () => {
    const { json } = await score(t, {
      model: 'columns-zipmap',
      records: [{ id: 'r', features: { Amount: 200, Visits: 2, Region: 'north' } }],
    });
    const z = 0.002 * 200 + 0.3 * 2 + 0.9 - 1;
    assert.ok(Math.abs(json.results[0]!.score - 1 / (1 + Math.exp(-z))) < 1e-6, 'score is the probability of class 1');
    assert.equal(json.version, '2.0.0');
  });

  it("scores a multiclass model as the probability of the card's positive class", async () => {
    const { json } = await score(t, { model: 'deal-stage', records: [{ id: 'r', features: { x1: 0, x2: 0 } }] });
    assert.ok(Math.abs(json.results[0]!.score - 1 / 3) < 1e-6, 'three equal logits give "won" a third');
  });

  it("returns every class's probability for a multiclass model, in the model's class order", async () => {
    const { json } = await score(t, {
      model: 'deal-stage',
      explain: true,
      records: [{ id: 'r', features: { x1: 2, x2: -1 } }],
    });
    const [result] = json.results;
    // Logits from the graph's coefficients: lost = x1, open = x2, won = -x1 - x2.
    const logits = [2, -1, -1];
    const sum = logits.reduce((a, z) => a + Math.exp(z), 0);
    assert.deepEqual(
      result!.probabilities!.map((p) => p.label),
      ['lost', 'open', 'won'],
    );
    result!.probabilities!.forEach((p, i) =>
      assert.ok(Math.abs(p.probability - Math.exp(logits[i]!) / sum) < 1e-6, `${p.label}: ${p.probability}`),
    );
    assert.equal(result!.score, result!.probabilities![2]!.probability, 'the score stays the positive class ("won")');
    const binary = await score(t, { model: 'tensor-classifier', records: [{ id: 'r', features: { a: 1, b: 1 } }] });
    assert.equal(binary.json.results[0]!.probabilities, undefined, 'a binary model answers with its score alone');
  });

  it('warns, per record, about a category the model was not trained on, and still scores it', async () => {
    const { status, json } = await score(t, {
      model: 'columns-zipmap',
      records: [
        { id: 'known', features: { Amount: 1, Visits: 1, Region: 'north' } },
        { id: 'unseen', features: { Amount: 1, Visits: 1, Region: 'west' } },
        { id: 'defaulted', features: { Amount: 1, Visits: 1 } },
        { id: 'long', features: { Amount: 1, Visits: 1, Region: `<script>${'x'.repeat(500)}` } },
      ],
    });
    assert.equal(status, 200);
    const byId = new Map(json.results.map((r) => [r.id, r]));
    assert.equal(byId.get('known')!.warnings, undefined, 'a known category has no warning');
    assert.equal(byId.get('defaulted')!.warnings, undefined, "the card's own default is never warned about");
    assert.deepEqual(byId.get('unseen')!.warnings, [
      {
        code: 'UNSEEN_CATEGORY',
        feature: 'Region',
        message:
          'feature "Region": "west" is not a category the model was trained on ("north", "south"); ' +
          'it was scored the way the model treats unknown categories, usually as none of them',
      },
    ]);
    assert.ok(byId.get('unseen')!.score > 0, 'the record is still scored');
    const echoed = byId.get('long')!.warnings![0]!.message;
    assert.ok(echoed.length < 300, `the echoed value is cut short: ${echoed.length} characters`);
    assert.deepEqual(json.errors, []);
    const metrics = await (await t.call('GET', '/metrics')).text();
    assert.match(metrics, /byom_record_warnings_total\{model="columns-zipmap",code="UNSEEN_CATEGORY"\} 2/);
  });

  it("takes the categories to check from the graph's encoder when the card lists none", async () => {
    const model = columnsZipMapClassifier();
    const region = { ...model.card.features[2]! };
    delete region.categories;
    const bare = {
      ...model,
      card: { ...model.card, features: [model.card.features[0]!, model.card.features[1]!, region] },
    };
    const graphOnly = await createTestApp([await writeModelDir([bare])]);
    const { json } = await score(graphOnly, {
      model: 'columns-zipmap',
      records: [{ id: 'r', features: { Amount: 1, Visits: 1, Region: 'east' } }],
    });
    assert.match(json.results[0]!.warnings![0]!.message, /"east" is not a category .*\("north", "south"\)/);
  });

  it('names every missing feature in one error', async () => {
    const { json } = await score(t, { model: 'deal-size', records: [{ id: 'r', features: { unrelated: 1 } }] });
    assert.deepEqual(json.errors, [
      {
        id: 'r',
        code: 'MISSING_FEATURE',
        message: 'features "size", "age" are missing and the model card gives them no default',
      },
    ]);
  });

  it("maps a regressor's value onto [0, 1] with output.range and returns the raw value", async () => {
    const { json } = await score(t, {
      model: 'deal-size',
      records: [
        { id: 'r', features: { size: 20, age: 3 } },
        { id: 'big', features: { size: 100, age: 0 } },
      ],
    });
    assert.equal(json.results[0]!.value, 41, '2·20 − 3·3 + 10');
    assert.ok(Math.abs(json.results[0]!.score - 0.41) < 1e-6);
    assert.equal(json.results[1]!.score, 1, 'values past the range clamp to 1');
  });

  it("applies the card's sigmoid to a torch-style logit output", async () => {
    const { json } = await score(t, { model: 'torch-logit', records: [{ id: 'r', features: { u: 1, v: 1 } }] });
    assert.ok(Math.abs(json.results[0]!.score - 1 / (1 + Math.exp(-1.25))) < 1e-6);
  });

  it('scores a nonlinear tree ensemble', async () => {
    const { json } = await score(t, { model: 'tree-ensemble', records: [{ id: 'r', features: { p: 1, q: 3 } }] });
    assert.ok(
      Math.abs(json.results[0]!.score - 1 / (1 + Math.exp(-3))) < 1e-6,
      'both stumps take their right leaf: 1 + 2',
    );
  });

  it('reports bad records as per-record errors and still scores the others', async () => {
    const { status, json } = await score(t, {
      model: 'tensor-classifier',
      records: [
        { id: 'ok', features: { a: 1, b: 1 } },
        { id: 'missing', features: { b: 1 } },
        { id: 'wrong-type', features: { a: 'high', b: 1 } },
        { id: 'ok', features: { a: 1, b: 1 } },
        { id: 'bool-as-number', features: { a: 1, b: 1, flag: 1 } },
        { id: 'object-value', features: { a: { amount: 1 }, b: 1 } },
        { id: 'array-value', features: { a: 1, b: [1, 2] } },
      ],
    });
    assert.equal(status, 200, 'bad records never fail the request');
    assert.deepEqual(
      json.results.map((r) => r.id),
      ['ok'],
      'only the valid record is scored',
    );
    const byId = Object.fromEntries(json.errors.map((e) => [e.id + ':' + e.code, e.message]));
    assert.match(byId['missing:MISSING_FEATURE'] ?? '', /feature "a" is missing/);
    assert.match(byId['wrong-type:INVALID_FEATURE'] ?? '', /"a" must be a number, got string "high"/);
    assert.match(byId['ok:DUPLICATE_ID'] ?? '', /more than once/);
    assert.match(byId['bool-as-number:INVALID_FEATURE'] ?? '', /"flag" must be true or false/);
    assert.match(byId['object-value:INVALID_FEATURE'] ?? '', /"a" must be a number, got object/);
    assert.match(byId['array-value:INVALID_FEATURE'] ?? '', /"b" must be a number, got an array/);
  });

  it('names a number too large for JSON (it parses as Infinity) as out of range', async () => {
    const body = '{"model":"tensor-classifier","records":[{"id":"big","features":{"a":1e400,"b":-1e400}}]}';
    const { status, json } = await score(t, body);
    assert.equal(status, 200);
    assert.match(json.errors[0]?.message ?? '', /"a" must be a number, got Infinity \(out of range\)/);
  });

  it('fails only the record the model cannot score, on its own, as INFERENCE_FAILED', async () => {
    const strict = await createTestApp([await writeModelDir([columnsZipMapClassifier('fails')])]);
    const region = (id: string, Region: string) => ({ id, features: { Amount: 10, Visits: 1, Region } });
    const { status, json } = await score(strict, {
      model: 'columns-zipmap',
      records: [region('a', 'north'), region('b', 'west'), region('c', 'south')],
    });
    assert.equal(status, 200);
    assert.deepEqual(
      json.results.map((r) => r.id),
      ['a', 'c'],
    );
    assert.equal(json.errors.length, 1);
    assert.equal(json.errors[0]!.id, 'b');
    assert.equal(json.errors[0]!.code, 'INFERENCE_FAILED');
    assert.match(json.errors[0]!.message, /^the model could not score this record: /);
    const alone = await score(strict, { model: 'columns-zipmap', records: [region('d', 'east')] });
    assert.deepEqual(alone.json.results, []);
    assert.equal(alone.json.errors[0]!.code, 'INFERENCE_FAILED');
  });

  it('uses card defaults and graph imputation for missing features', async () => {
    const { json } = await score(t, { model: 'columns-zipmap', records: [{ id: 'r', features: { Amount: null } }] });
    const z = 0.002 * 50 + 0 - 1; // Amount imputed to 50 in the graph, Visits default 0, Region default "" (no one-hot)
    assert.ok(Math.abs(json.results[0]!.score - 1 / (1 + Math.exp(-z))) < 1e-6, 'defaults and imputation are applied');
  });

  it('ignores features the model does not use', async () => {
    const { json } = await score(t, {
      model: 'tensor-classifier',
      records: [{ id: 'r', features: { a: 0, b: 0, Extra__c: 'x' } }],
    });
    assert.equal(json.results.length, 1);
  });

  it('serves a named version and answers 404 with the known versions for an unknown one', async () => {
    const ok = await score(t, { model: 'columns-zipmap', version: '2.0.0', records: [{ id: 'r', features: {} }] });
    assert.equal(ok.status, 200);
    const response = await t.call('POST', '/v1/score', {
      model: 'columns-zipmap',
      version: '9.9.9',
      records: [{ id: 'r', features: {} }],
    });
    const body = await expectError(response, 404, 'MODEL_NOT_FOUND');
    assert.match(body.error.message, /no version "9.9.9" \(versions: 2.0.0\)/);
  });

  it('answers an unknown model with 404 and the list of known models', async () => {
    const response = await t.call('POST', '/v1/score', { model: 'lead-scorng', records: [{ id: 'r', features: {} }] });
    const body = await expectError(response, 404, 'MODEL_NOT_FOUND');
    assert.match(body.error.message, /unknown model "lead-scorng" \(known models: columns-zipmap, deal-size/);
    const known = (body.error.details as { knownModels: Array<{ name: string }> }).knownModels.map((m) => m.name);
    assert.ok(known.includes('tensor-classifier'), 'details list every known model');
  });

  it('rejects a body that does not match the schema with a readable 400', async () => {
    const body = await expectError(
      await t.call('POST', '/v1/score', { model: 'tensor-classifier', records: [] }),
      400,
      'VALIDATION_ERROR',
    );
    assert.match(body.error.message, /records:/, 'the message names the field');
    await expectError(
      await t.call('POST', '/v1/score', { records: [{ id: 'x', features: {} }] }),
      400,
      'VALIDATION_ERROR',
    );
    await expectError(
      await t.call('POST', '/v1/score', { model: 'tensor-classifier', records: [{ id: '', features: {} }] }),
      400,
      'VALIDATION_ERROR',
    );
    const notAnObject = await expectError(
      await t.call('POST', '/v1/score', { model: 'tensor-classifier', records: [{ id: 'x', features: [1, 2] }] }),
      400,
      'VALIDATION_ERROR',
    );
    assert.match(notAnObject.error.message, /records\.0\.features: features must be an object/);
    await expectError(
      await t.call('POST', '/v1/score', { model: 'tensor-classifier', topK: 0, records: [{ id: 'x', features: {} }] }),
      400,
      'VALIDATION_ERROR',
    );
  });

  it('parses the request body once, checking the record count before any record', async (ctx) => {
    const records = Array.from({ length: 20 }, (_, i) => ({ id: `r${i}`, features: { a: i, b: 1 } }));
    const body = JSON.stringify({ model: 'tensor-classifier', records });
    // JSON.parse of a 200-record body costs about a sixth of the request: it must happen once.
    const parse = ctx.mock.method(JSON, 'parse');
    const scored = await score(t, body);
    const ofBody = parse.mock.calls.filter((call) => call.arguments[0] === body).length;
    parse.mock.restore();
    assert.equal(scored.status, 200);
    assert.equal(scored.json.results.length, 20);
    assert.equal(ofBody, 1, `the body was parsed ${ofBody} times`);
  });

  it('rejects malformed JSON, non-JSON content and oversized requests with stable codes', async () => {
    await expectError(await t.call('POST', '/v1/score', '{"model": '), 400, 'INVALID_JSON');
    await expectError(
      await t.call('POST', '/v1/score', 'model=x', { 'content-type': 'application/x-www-form-urlencoded' }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    const records = Array.from({ length: 51 }, (_, i) => ({ id: `r${i}`, features: { a: 1, b: 1 } }));
    const tooMany = await expectError(
      await t.call('POST', '/v1/score', { model: 'tensor-classifier', records }),
      413,
      'TOO_MANY_RECORDS',
    );
    assert.match(tooMany.error.message, /limit is 50/);
    const huge = {
      model: 'tensor-classifier',
      records: [{ id: 'r', features: { note: 'x'.repeat(9000) } }],
      pad: 'y'.repeat(70_000),
    };
    await expectError(await t.call('POST', '/v1/score', huge), 413, 'PAYLOAD_TOO_LARGE');
  });

  it('answers 503 NOT_READY while models are loading', async () => {
    const { ServiceState } = await import('../../src/http/service-state.ts');
    const { createApp } = await import('../../src/app.ts');
    const { createLogger } = await import('../../src/observability/logger.ts');
    const { ServiceMetrics } = await import('../../src/observability/metrics.ts');
    const app = createApp({
      config: {
        apiKeys: ['k'.repeat(16)],
        maxRecordsPerRequest: 10,
        maxBodyBytes: 1000,
        signingSecrets: [],
        signatureToleranceSeconds: 300,
      },
      state: new ServiceState(),
      logger: createLogger('silent'),
      metrics: new ServiceMetrics({ collectProcessMetrics: false }),
    });
    const response = await app.request('/v1/score', {
      method: 'POST',
      headers: { 'x-api-key': 'k'.repeat(16), 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', records: [{ id: 'r', features: {} }] }),
    });
    await expectError(response, 503, 'NOT_READY');
  });
});
