import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LEAD_EXAMPLE } from '../src/scoring/lead-example.ts';
import { startProductionService } from './support/production-service.ts';
import type { ProductionService } from './support/production-service.ts';
import type { ServiceProcess } from './support/service-process.ts';

const KEY = 'hostile-input-key-0123456789';

interface ErrorAnswer {
  status: number;
  bytes: number;
  error: { code: string; message: string; details?: { issues?: unknown[]; moreIssues?: number } };
}

/**
 * Bodies built to hurt, sent over HTTP to the production command (the Procfile's line on the
 * compiled service) with its V8 heap capped at 256 MB: each must be refused with a small 4xx
 * JSON error, and the process must still be serving afterwards.
 */
describe('hostile input against the production process (BYOM_HEAP_MB=256)', () => {
  let running: ProductionService;
  let service: ServiceProcess;

  before(async () => {
    running = await startProductionService({ BYOM_API_KEYS: KEY, BYOM_HEAP_MB: '256' });
    service = running.service;
  });
  after(async () => {
    if (service?.child.exitCode !== null) process.stderr.write(`service exited: ${service?.stderr()}\n`);
    await running?.stop();
  });

  const post = async (path: string, body: string, headers: Record<string, string> = {}): Promise<ErrorAnswer> => {
    const response = await fetch(`${service.baseUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', ...headers },
      body,
    });
    const text = await response.text();
    const parsed = JSON.parse(text) as { error: ErrorAnswer['error'] };
    return { status: response.status, bytes: Buffer.byteLength(text), error: parsed.error };
  };

  const assertStillServing = async () => {
    const response = await fetch(`${service.baseUrl}/v1/score`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(LEAD_EXAMPLE),
    });
    assert.equal(response.status, 200, 'the process still scores');
    await response.arrayBuffer();
  };

  const deep = (depth: number, leaf = '1') => '['.repeat(depth) + leaf + ']'.repeat(depth);

  it('refuses 1,000,000 empty records by their count, before checking any record', async () => {
    const body = `{"model":"lead-scoring","records":[${new Array(1_000_000).fill('{}').join(',')}]}`;
    const answer = await post('/v1/score', body);
    assert.equal(answer.status, 413);
    assert.equal(answer.error.code, 'TOO_MANY_RECORDS');
    assert.match(answer.error.message, /1000000 records in one request; the limit is 1000/);
    assert.ok(answer.bytes < 1000, `a small error body, got ${answer.bytes} bytes`);
    await assertStillServing();
  });

  it('refuses a 10 MB body of empty records the same way', async () => {
    const records = new Array(3_300_000).fill('{}').join(',');
    const answer = await post('/v1/score', `{"model":"lead-scoring","records":[${records}]}`);
    assert.equal(answer.status, 413);
    assert.equal(answer.error.code, 'TOO_MANY_RECORDS');
    await assertStillServing();
  });

  it('lists the first 20 issues and counts the rest', async () => {
    const body = JSON.stringify({ model: 'lead-scoring', records: new Array(1000).fill({}) });
    const answer = await post('/v1/score', body);
    assert.equal(answer.status, 400);
    assert.equal(answer.error.code, 'VALIDATION_ERROR');
    assert.equal(answer.error.details?.issues?.length, 20);
    assert.equal(answer.error.details?.moreIssues, 1980, 'an id and features missing from each of 1,000 records');
    assert.match(answer.error.message, /\(and 1995 more\)$/);
    assert.ok(answer.bytes < 4000, `a small error body, got ${answer.bytes} bytes`);
  });

  it('echoes at most about 100 characters of what the caller sent', async () => {
    const long = 'x'.repeat(50_000);
    const unknownModel = await post('/v1/score', JSON.stringify({ model: long, records: [{ id: 'a', features: {} }] }));
    assert.equal(unknownModel.status, 404);
    assert.ok(unknownModel.error.message.includes(`"${'x'.repeat(100)}…"`), unknownModel.error.message);
    assert.ok(unknownModel.bytes < 1000, `got ${unknownModel.bytes} bytes`);

    const response = await fetch(`${service.baseUrl}/${'y'.repeat(8000)}`, {
      headers: { authorization: `Bearer ${KEY}` },
    });
    const notFound = (await response.json()) as { error: { message: string } };
    assert.equal(response.status, 404);
    assert.ok(notFound.error.message.length < 250, notFound.error.message);

    const mediaType = await post('/v1/score', '{}', { 'content-type': `text/plain; x=${'z'.repeat(6000)}` });
    assert.equal(mediaType.status, 415);
    assert.ok(mediaType.error.message.length < 250, mediaType.error.message);

    const oip = await post(
      '/v2/models/lead-scoring/infer',
      JSON.stringify({ inputs: [{ name: long, shape: [1, 1], datatype: 'FP32', data: [1] }] }),
    );
    assert.equal(oip.status, 400);
    assert.ok(oip.error.message.length < 400, oip.error.message);

    const duplicate = await post(
      '/v1/score',
      JSON.stringify({
        model: 'lead-scoring',
        records: [LEAD_EXAMPLE.records[0], LEAD_EXAMPLE.records[0]].map((r) => ({ ...r, id: 'i'.repeat(255) })),
      }),
    );
    assert.equal(duplicate.status, 200);
  });

  it('answers depth-10,000 JSON with a 4xx JSON error on every route that takes a body', async () => {
    const nested = deep(10_000);
    const bodies: Array<[string, string]> = [
      [
        '/v2/models/lead-scoring/infer',
        `{"inputs":[{"name":"AnnualRevenue","shape":[1,1],"datatype":"FP32","data":${nested}}]}`,
      ],
      ['/v1/score', `{"model":"lead-scoring","records":[{"id":"a","features":{"AnnualRevenue":${nested}}}]}`],
      ['/v1/score', `{"model":${nested},"records":[]}`],
      [
        '/v1/generate',
        `{"route":"insights","messages":[{"role":"user","content":"hi"}],"options":{"responseFormat":{"type":"json","schema":{"type":"object","properties":{"a":${'{"type":"array","items":'.repeat(5000)}{"type":"string"}${'}'.repeat(5000)}}}}}}`,
      ],
      [
        '/v1/chat/completions',
        `{"model":"insights","messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_schema","json_schema":{"name":"x","schema":{"not":${'{"not":'.repeat(10_000)}{}${'}'.repeat(10_000)}}}}}`,
      ],
      ['/v1/generate', `{"route":"insights","messages":${nested}}`],
    ];
    for (const [path, body] of bodies) {
      const answer = await post(path, body);
      assert.ok(answer.status < 500, `${path} answered ${answer.status}: ${JSON.stringify(answer.error)}`);
      if (answer.status >= 400) assert.ok(answer.error.code, `${path}: a JSON error with a code`);
    }
    await assertStillServing();
  });

  it('answers 300,000 empty Open Inference Protocol inputs with a small 400', async () => {
    const inputs = `{"inputs":[${new Array(300_000).fill('{}').join(',')}]}`;
    const parameters = Object.fromEntries(Array.from({ length: 300_000 }, (_, i) => [`p${i}`, {}]));
    const manyParameters = JSON.stringify({
      parameters,
      inputs: [{ name: 'a', shape: [1], datatype: 'FP32', data: [1] }],
    });

    const answer = await post('/v2/models/lead-scoring/infer', inputs);
    assert.equal(answer.status, 400);
    assert.equal(answer.error.code, 'VALIDATION_ERROR');
    assert.ok(answer.bytes < 2000, `got ${answer.bytes} bytes`);

    const flood = await post('/v2/models/lead-scoring/infer', manyParameters);
    assert.equal(flood.status, 400);
    assert.ok(flood.bytes < 2000, `got ${flood.bytes} bytes`);
    await assertStillServing();
  });
});
