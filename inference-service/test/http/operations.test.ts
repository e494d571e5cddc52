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
