import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { createTestApp } from '../support/test-app.ts';
import type { TestApp } from '../support/test-app.ts';
import { writeModelDir } from '../support/test-models.ts';

// The test vector from docs/request-signing.md, byte for byte.
const VECTOR_SECRET = 'test-signing-secret';
const VECTOR_BODY =
  '{"model":"lead-scoring","records":[{"id":"00Q5g00000AbCdEAAV","features":{"LeadSource":"Web","HasEmail":true}}],"explain":true,"topK":5,"requestId":"3f1c9a1e-5d0b-4c55-9a57-0d5c1f0b9e21","sentAt":"2026-01-15T09:30:00.000Z"}';
const VECTOR_SIGNATURE = 'v1=03d81f47c4db5b93664ad88549d4f4a62de1dfb0fe7ef406a22a1a64e8937253';
const VECTOR_TIME = Date.parse('2026-01-15T09:30:00.000Z');

const SECRET = 'a-signing-secret-of-at-least-32-characters';
const ROTATED = 'the-next-signing-secret-also-32-characters+';

const sign = (secret: string, body: string) => `v1=${createHmac('sha256', secret).update(body).digest('hex')}`;

function body(sentAt: number, requestId: string): string {
  return JSON.stringify({
    model: 'missing-model',
    records: [{ id: 'r', features: {} }],
    requestId,
    sentAt: new Date(sentAt).toISOString(),
  });
}

async function post(t: TestApp, raw: string, signature?: string) {
  const response = await t.call(
    'POST',
    '/v1/score',
    raw,
    signature === undefined ? {} : { 'x-byom-signature': signature },
  );
  const json = (await response.json()) as { error?: { code: string; message: string } };
  return { status: response.status, code: json.error?.code, message: json.error?.message ?? '' };
}

describe('request signing (X-BYOM-Signature)', () => {
  const models = writeModelDir([]);
  const clock = { now: VECTOR_TIME };
  const app = async (secrets: string[]) =>
    createTestApp([await models], { signingSecrets: secrets, now: () => clock.now });

  it('accepts the documented test vector, signed by the Salesforce header formula', async () => {
    clock.now = VECTOR_TIME;
    const result = await post(await app([VECTOR_SECRET]), VECTOR_BODY, VECTOR_SIGNATURE);
    assert.equal(
      result.code,
      'MODEL_NOT_FOUND',
      `a verified request reaches the route (got ${result.status} ${result.message})`,
    );
  });

  it('hands the verified body to the route, where the validator parses it once more', async (ctx) => {
    clock.now = VECTOR_TIME;
    const t = await app([VECTOR_SECRET]);
    const parses = ctx.mock.method(JSON, 'parse');
    const response = await t.call('POST', '/v1/score', VECTOR_BODY, { 'x-byom-signature': VECTOR_SIGNATURE });
    const parsedBody = parses.mock.calls.filter((call) => call.arguments[0] === VECTOR_BODY).length;
    parses.mock.restore();
    assert.equal(response.status, 404, 'the verified request reached the route (MODEL_NOT_FOUND)');
    assert.equal(parsedBody, 2, 'parsed for sentAt, then by the validator');
  });

  it('rejects a body with one changed byte, and a wrong secret', async () => {
    clock.now = VECTOR_TIME;
    const t = await app([VECTOR_SECRET]);
    const tampered = await post(t, VECTOR_BODY.replace('"topK":5', '"topK":6'), VECTOR_SIGNATURE);
    assert.deepEqual([tampered.status, tampered.message], [401, 'invalid request signature']);
    const other = await post(await app([SECRET]), VECTOR_BODY, VECTOR_SIGNATURE);
    assert.deepEqual([other.status, other.message], [401, 'invalid request signature']);
  });

  it('accepts any configured secret, so secrets can rotate', async () => {
    clock.now = Date.now();
    const t = await app([SECRET, ROTATED]);
    const raw = body(clock.now, 'rotation-1');
    assert.equal((await post(t, raw, sign(ROTATED, raw))).code, 'MODEL_NOT_FOUND');
  });

  it('rejects a missing or malformed signature when a secret is configured', async () => {
    clock.now = Date.now();
    const t = await app([SECRET]);
    const raw = body(clock.now, 'missing-1');
    for (const header of [undefined, 'v1=abc', sign(SECRET, raw).replace('v1=', 'v2=')]) {
      const result = await post(t, raw, header);
      assert.equal(result.status, 401, `signature ${header} is refused`);
      assert.match(result.message, /missing or malformed request signature/);
    }
  });

  it('ignores signatures when no secret is configured', async () => {
    const result = await post(await app([]), VECTOR_BODY);
    assert.equal(result.code, 'MODEL_NOT_FOUND');
  });

  it('accepts a request sent 299 s ago and rejects one sent 301 s ago or 301 s ahead', async () => {
    clock.now = Date.now();
    const t = await app([SECRET]);
    const fresh = body(clock.now - 299_000, 'fresh-1');
    assert.equal((await post(t, fresh, sign(SECRET, fresh))).code, 'MODEL_NOT_FOUND');
    for (const [sentAt, id] of [
      [clock.now - 301_000, 'stale-1'],
      [clock.now + 301_000, 'future-1'],
    ] as const) {
      const raw = body(sentAt, id);
      const result = await post(t, raw, sign(SECRET, raw));
      assert.equal(result.status, 401);
      assert.match(result.message, /request expired or not yet valid/);
    }
    const undated = JSON.stringify({ model: 'm', records: [{ id: 'r', features: {} }] });
    assert.match((await post(t, undated, sign(SECRET, undated))).message, /sentAt missing or not a string/);
  });

  it('rejects a replayed body within the window, whatever it holds', async () => {
    clock.now = Date.now();
    const t = await app([SECRET]);
    const sentAt = new Date(clock.now).toISOString();
    const bodies = [
      body(clock.now, 'once-only'),
      JSON.stringify({ model: 'm', records: [{ id: 'r', features: {} }], sentAt }),
      JSON.stringify({ model: 'm', records: [{ id: 'r', features: {} }], sentAt, requestId: 42 }),
      JSON.stringify({ model: 'm', records: [{ id: 'r', features: {} }], sentAt, requestId: null }),
    ];
    for (const raw of bodies) {
      // Past the signature check the first time (a non-string requestId then fails validation).
      assert.notEqual((await post(t, raw, sign(SECRET, raw))).status, 401, `first time: ${raw}`);
      const replay = await post(t, raw, sign(SECRET, raw));
      assert.deepEqual([replay.status, replay.message], [401, 'replayed request'], `replayed: ${raw}`);
    }
  });

  it('answers a signed body that is not JSON with INVALID_JSON', async () => {
    const raw = '{"model": ';
    const result = await post(await app([SECRET]), raw, sign(SECRET, raw));
    assert.equal(result.code, 'INVALID_JSON');
  });
});
