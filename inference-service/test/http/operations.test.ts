import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { createTestApp } from '../support/test-app.ts';
import type { TestApp } from '../support/test-app.ts';
import { tensorClassifier, writeModelDir } from '../support/test-models.ts';

describe('operations endpoints', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp([await writeModelDir([tensorClassifier()])]);
  });

  it('reports liveness and readiness with the number of loaded models', async () => {
    assert.deepEqual(await (await t.app.request('/healthz')).json(), { status: 'ok' });
    assert.deepEqual(await (await t.app.request('/readyz')).json(), { status: 'ready', models: 1 });
    t.state.startDraining();
    const draining = await t.app.request('/readyz');
    assert.equal(draining.status, 503, 'a draining service is not ready, so the router stops sending traffic');
    assert.equal((await t.app.request('/v2/health/ready')).status, 503);
    const fresh = await createTestApp([await writeModelDir([tensorClassifier()])]);
    t = fresh;
  });

  it('echoes an incoming X-Request-Id and makes one up otherwise', async () => {
    const echoed = await t.call('GET', '/v1/models', undefined, { 'x-request-id': 'sf-job-7071' });
    assert.equal(echoed.headers.get('x-request-id'), 'sf-job-7071');
    const generated = await t.call('GET', '/v1/models');
    assert.match(generated.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    const error = await t.call('GET', '/v1/nothing-here', undefined, { 'x-request-id': 'trace-1' });
    assert.equal(
      ((await error.json()) as { error: { requestId: string } }).error.requestId,
      'trace-1',
      'errors carry the request id',
    );
  });

  it('gives POST /v1/score the request id, error bodies and metric labels every route gets', async () => {
    // An app of its own, so the metric counts below are this test's alone.
    const t = await createTestApp([await writeModelDir([tensorClassifier()])]);
    const body = { model: 'tensor-classifier', records: [{ id: 'a', features: { a: 1, b: 1 } }] };
    const scored = await t.call('POST', '/v1/score', body, { 'x-request-id': 'sf-score-1' });
    assert.equal(scored.status, 200);
    assert.equal(scored.headers.get('x-request-id'), 'sf-score-1');
    assert.match(scored.headers.get('content-type') ?? '', /^application\/json/);
    const generated = await t.call('POST', '/v1/score', body);
    assert.match(generated.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    const unsafe = await t.call('POST', '/v1/score', body, { 'x-request-id': 'no spaces; allowed' });
    assert.match(
      unsafe.headers.get('x-request-id') ?? '',
      /^[0-9a-f-]{36}$/,
      'an id with other characters is replaced',
    );

    const unauthorized = await t.app.request('/v1/score', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'sf-score-2' },
      body: JSON.stringify(body),
    });
    assert.equal(unauthorized.status, 401);
    assert.equal(unauthorized.headers.get('x-request-id'), 'sf-score-2');
    assert.match(unauthorized.headers.get('www-authenticate') ?? '', /^Bearer/);
    assert.deepEqual(await unauthorized.json(), {
      error: {
        code: 'UNAUTHORIZED',
        message: 'missing service key: send "Authorization: Bearer <key>", "X-API-Key: <key>" or "api-key: <key>"',
        type: 'authentication_error',
        param: null,
        requestId: 'sf-score-2',
      },
    });
    const invalid = await t.call('POST', '/v1/score', '{"model": ', { 'x-request-id': 'sf-score-3' });
    assert.equal(invalid.headers.get('x-request-id'), 'sf-score-3');
    assert.equal(((await invalid.json()) as { error: { requestId: string } }).error.requestId, 'sf-score-3');

    const text = await (await t.call('GET', '/metrics')).text();
    assert.match(text, /byom_http_requests_total\{route="\/v1\/score",method="POST",status="401"\} 1/);
    assert.match(text, /byom_http_requests_total\{route="\/v1\/score",method="POST",status="400"\} 1/);
  });

  it('answers other methods on /v1/score with a JSON 404, and HEAD requests like GET', async () => {
    const get = await t.call('GET', '/v1/score');
    assert.equal(get.status, 404);
    assert.equal(((await get.json()) as { error: { code: string } }).error.code, 'NOT_FOUND');
    const head = await t.app.request('/healthz', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
  });

  it('exposes Prometheus metrics: requests by route and status, latency, records scored per model', async () => {
    await t.call('POST', '/v1/score', {
      model: 'tensor-classifier',
      records: [
        { id: 'a', features: { a: 1, b: 1 } },
        { id: 'b', features: {} },
      ],
    });
    const response = await t.call('GET', '/metrics');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
    const text = await response.text();
    assert.match(text, /byom_http_requests_total\{route="\/v1\/score",method="POST",status="200"\} 1/);
    assert.match(text, /byom_http_request_duration_seconds_bucket\{le="0.005",route="\/v1\/score",method="POST"\}/);
    assert.match(text, /byom_records_scored_total\{model="tensor-classifier",version="1.0.0"\} 1/);
    assert.match(text, /byom_record_errors_total\{model="tensor-classifier",code="MISSING_FEATURE"\} 1/);
    assert.match(text, /# TYPE byom_inference_runs_total counter/);
    assert.match(text, /byom_inference_runs_total\{model="tensor-classifier",version="1.0.0"\} 1/);
    assert.match(text, /byom_inference_rows_total\{model="tensor-classifier",version="1.0.0"\} 1/);
  });

  it('labels unknown paths as "unmatched" so metrics stay bounded', async () => {
    await t.call('GET', '/random/path/12345');
    const text = await (await t.call('GET', '/metrics')).text();
    assert.match(text, /route="unmatched",method="GET",status="404"/);
    assert.ok(!text.includes('12345'), 'raw paths never become labels');
  });

  it('serves an OpenAPI 3 document generated from the schemas, and an HTML reference', async () => {
    const doc = (await (await t.call('GET', '/openapi.json')).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
      components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
    };
    assert.equal(doc.openapi, '3.0.3');
    for (const path of [
      '/v1/score',
      '/v1/models',
      '/v1/models/{name}',
      '/v2/models/{name}/infer',
      '/v2/models/{name}/versions/{version}/infer',
    ]) {
      assert.ok(path in doc.paths, `${path} is documented`);
    }
    for (const schema of ['ScoreRequest', 'ScoreResponse', 'Error', 'Factor']) {
      assert.ok(schema in doc.components.schemas, `${schema} schema is published`);
    }
    assert.ok('bearerAuth' in doc.components.securitySchemes && 'apiKeyHeader' in doc.components.securitySchemes);
    const page = await t.call('GET', '/docs');
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    const html = await page.text();
    assert.match(html, /<code>\/v1\/score<\/code>/);
    assert.ok(!/<script/i.test(html), 'the docs page loads nothing from a CDN');
  });

  it('answers unknown routes with a JSON 404', async () => {
    const response = await t.call('DELETE', '/v1/score');
    assert.equal(response.status, 404);
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'NOT_FOUND');
  });

  it('lists models and serves their cards', async () => {
    const list = (await (await t.call('GET', '/v1/models')).json()) as {
      models: Array<{ name: string; defaultVersion: string }>;
    };
    assert.deepEqual(
      list.models.map((m) => [m.name, m.defaultVersion]),
      [['tensor-classifier', '1.0.0']],
    );
    const detail = (await (await t.call('GET', '/v1/models/tensor-classifier')).json()) as {
      versions: Array<{ features: unknown[]; bands: unknown[] }>;
    };
    assert.equal(detail.versions[0]!.features.length, 3, 'the card lists the features');
    assert.equal(detail.versions[0]!.bands.length, 3, 'and the bands');
    assert.equal((await t.call('GET', '/v1/models/unknown')).status, 404);
  });
});
