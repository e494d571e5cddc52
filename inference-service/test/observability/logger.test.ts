import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { CENSOR, createLogger, redactSensitive } from '../../src/observability/logger.ts';

function capture(): { stream: Writable; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
  };
}

describe('logger redaction', () => {
  it('censors sensitive keys at the top of a line and one level down', () => {
    const { stream, lines } = capture();
    const logger = createLogger('info', stream);
    logger.info(
      {
        requestId: 'r-1',
        text: 'the answer',
        pii: [{ field: 'Lead.Email', value: 'jane@acme.example' }],
        body: { records: [{ id: 'a', features: { Industry: 'Energy' } }], count: 1 },
        headers: { authorization: 'Bearer secret-key-value', accept: 'application/json' },
      },
      'line',
    );
    const [line] = lines();
    assert.equal(line!.text, CENSOR);
    assert.equal(line!.pii, CENSOR);
    assert.deepEqual(line!.body, { records: CENSOR, count: 1 });
    assert.deepEqual(line!.headers, { authorization: CENSOR, accept: 'application/json' });
    assert.equal(line!.requestId, 'r-1');
    const raw = JSON.stringify(line);
    for (const secret of ['the answer', 'jane@acme.example', 'Energy', 'secret-key-value']) {
      assert.ok(!raw.includes(secret), `the line does not contain ${secret}`);
    }
  });

  it('leaves clean objects as they are, and never changes the caller’s object', () => {
    const clean = { requestId: 'r', route: '/v1/score', latencyMs: 1.5, masked: { EMAIL: 1 } };
    assert.equal(redactSensitive(clean), clean, 'no copy when there is nothing to censor');

    const nested = { outer: { messages: ['hi'] } };
    const redacted = redactSensitive(nested);
    assert.deepEqual(redacted, { outer: { messages: CENSOR } });
    assert.deepEqual(nested, { outer: { messages: ['hi'] } }, 'the original keeps its value');
  });

  it('does not look below the first level, nor into arrays and errors', () => {
    const deep = { a: { b: { text: 'kept' } }, list: [{ text: 'kept too' }] };
    assert.equal(redactSensitive(deep), deep);
  });
});
