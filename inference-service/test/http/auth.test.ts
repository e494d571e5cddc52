import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { createTestApp, ROTATED_KEY, TEST_KEY } from '../support/test-app.ts';
import type { TestApp } from '../support/test-app.ts';
import { tensorClassifier, writeModelDir } from '../support/test-models.ts';

describe('service key', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp([await writeModelDir([tensorClassifier()])]);
  });
  const get = (path: string, headers: Record<string, string> = {}) => t.app.request(path, { headers });

  it('accepts the key as a bearer token, an X-API-Key header or an api-key header', async () => {
    assert.equal((await get('/v1/models', { authorization: `Bearer ${TEST_KEY}` })).status, 200);
    assert.equal(
      (await get('/v1/models', { authorization: `bearer ${TEST_KEY}` })).status,
      200,
      'the scheme is case-insensitive',
    );
    assert.equal((await get('/v1/models', { 'x-api-key': TEST_KEY })).status, 200);
    assert.equal((await get('/v1/models', { 'api-key': TEST_KEY })).status, 200, 'as the LLM Open Connector sends it');
    assert.equal((await get('/v1/models', { 'api-key': `${TEST_KEY}x` })).status, 401);
  });

  it('accepts every key in BYOM_API_KEYS so keys can rotate', async () => {
    assert.equal((await get('/v1/models', { 'x-api-key': ROTATED_KEY })).status, 200);
  });

  it('refuses a missing or wrong key with 401 and a hint', async () => {
    const missing = await get('/v1/models');
    assert.equal(missing.status, 401);
    assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'UNAUTHORIZED');
    assert.match(missing.headers.get('www-authenticate') ?? '', /^Bearer/);
    const wrong = await get('/v1/models', { authorization: `Bearer ${TEST_KEY}x` });
    assert.equal(wrong.status, 401);
    assert.match(((await wrong.json()) as { error: { message: string } }).error.message, /invalid service key/);
    assert.equal((await get('/v1/models', { authorization: 'Basic abc' })).status, 401, 'only bearer tokens count');
  });

  it('protects every route but the health checks', async () => {
    for (const path of [
      '/v1/models',
      '/v1/models/tensor-classifier',
      '/metrics',
      '/openapi.json',
      '/docs',
      '/v2',
      '/v2/models/tensor-classifier',
      '/nope',
    ]) {
      assert.equal((await get(path)).status, 401, `${path} needs the key`);
    }
    const score = await t.app.request('/v1/score', {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(score.status, 401, 'POST /v1/score needs the key');
    for (const path of ['/healthz', '/readyz', '/v2/health/live', '/v2/health/ready']) {
      assert.equal((await get(path)).status, 200, `${path} is open for probes`);
    }
  });
});
