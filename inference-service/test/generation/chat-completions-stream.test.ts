import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import OpenAI from 'openai';
import { ChatCompletionChunk } from '../../src/routes/chat-completions-schemas.ts';
import { stubTarget, writeRoutesFile } from '../support/gateway-test-app.ts';
import { startService, waitUntilReady } from '../support/service-process.ts';
import type { ServiceProcess } from '../support/service-process.ts';
import { startStubLlmProvider } from '../support/stub-llm-provider.ts';
import type { StubLlmProvider } from '../support/stub-llm-provider.ts';

const KEY = 'stream-test-key-0123456789';

interface Byom {
  provider: string;
  attempts: Array<{ provider: string; outcome: string }>;
  usage: { totalTokens: number; source: string };
  warnings: string[];
}

/**
 * `stream: true` on /v1/chat/completions with the official openai client's streaming API,
 * against the real service process and the stub provider streaming in OpenAI's chunk format.
 */
describe('streamed chat completions with the openai client', () => {
  let stub: StubLlmProvider;
  let service: ServiceProcess;
  let client: OpenAI;

  before(async () => {
    stub = await startStubLlmProvider();
    const routesFile = await writeRoutesFile({
      routes: {
        insights: {
          timeoutMs: 500,
          retries: 0,
          breaker: false,
          targets: [stubTarget(stub.baseUrl, 'primary'), stubTarget(stub.baseUrl, 'secondary')],
        },
      },
    });
    service = await startService({
      NODE_ENV: 'production',
      BYOM_API_KEYS: KEY,
      BYOM_ROUTES: routesFile,
      LOG_LEVEL: 'info',
    });
    await waitUntilReady(service, 60_000);
    client = new OpenAI({ apiKey: KEY, baseURL: `${service.baseUrl}/v1`, maxRetries: 0 });
  });
  beforeEach(() => stub.reset());
  after(async () => {
    service?.child.kill('SIGKILL');
    await stub.close();
  });

  const collect = async (stream: AsyncIterable<OpenAI.ChatCompletionChunk>) => {
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    return { chunks, text, byom: (chunks.at(-1) as unknown as { byom: Byom }).byom };
  };

  it('streams the answer in chunks, restoring a placeholder split across chunks only once it is whole', async () => {
    stub.setDefault({
      type: 'reply',
      text: 'Write to [EMAIL_1] today.',
      chunks: ['Write to ', '[EMA', 'IL', '_1', '] to', 'day.'],
      chunkDelayMs: 20,
    });
    const stream = await client.chat.completions.create({
      model: 'insights',
      stream: true,
      messages: [{ role: 'user', content: 'Draft a note to jane.doe@acme.example' }],
    });
    const { chunks, text, byom } = await collect(stream);
    for (const chunk of chunks) ChatCompletionChunk.parse(chunk);
    assert.equal(text, 'Write to jane.doe@acme.example today.');
    const pieces = chunks.map((c) => c.choices[0]?.delta.content).filter((p) => p);
    assert.ok(pieces.length >= 3, `it streamed: ${JSON.stringify(pieces)}`);
    assert.ok(
      pieces.every((p) => !/\[|EMA|IL_|_1/.test(p!)),
      `no piece of a placeholder reaches the caller: ${JSON.stringify(pieces)}`,
    );
    assert.ok(!stub.receivedText().includes('jane.doe@acme.example'), 'the provider saw the placeholder only');
    assert.equal(stub.requests[0]!.body!.stream, true);

    const finish = chunks.find((c) => c.choices[0]?.finish_reason);
    assert.equal(finish?.choices[0]?.finish_reason, 'stop');
    const last = chunks.at(-1)!;
    assert.ok(last.usage && last.usage.total_tokens > 0, 'the final chunk carries usage');
    assert.equal(byom.usage.source, 'provider');
    assert.equal(byom.provider, 'stub-primary');
  });

  it('falls back to the next target when the first fails before its first token', async () => {
    stub.scriptModel('primary', { type: 'error', status: 503 });
    const { text, byom } = await collect(
      await client.chat.completions.create({
        model: 'insights',
        stream: true,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    );
    assert.equal(text, 'Echo: hi');
    assert.deepEqual(
      byom.attempts.map((a) => `${a.provider}:${a.outcome}`),
      ['stub-primary:server_error', 'stub-secondary:ok'],
    );

    stub.scriptModel('primary', { type: 'hang' });
    const afterHang = await collect(
      await client.chat.completions.create({
        model: 'insights',
        stream: true,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    );
    assert.deepEqual(
      afterHang.byom.attempts.map((a) => `${a.provider}:${a.outcome}`),
      ['stub-primary:timeout', 'stub-secondary:ok'],
    );
  });

  it('ends with a clear error event, and no fallback, when the provider fails after the first token', async () => {
    stub.scriptModel('primary', {
      type: 'reply',
      text: 'The account is growing fast and',
      chunks: ['The account ', 'is growing ', 'fast and'],
      chunkDelayMs: 10,
      breakAfterChunks: 2,
    });
    const stream = await client.chat.completions.create({
      model: 'insights',
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
    });
    const received: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const chunk of stream) received.push(chunk.choices[0]?.delta.content ?? '');
      })(),
      (error: unknown) => error instanceof OpenAI.APIError && /failed after the answer had started/.test(error.message),
    );
    assert.equal(received.join(''), 'The account is growing ', 'what arrived before the failure was streamed');
    assert.equal(stub.requests.length, 1, 'no other target is tried once the answer has started');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const line = service
      .stdout()
      .split('\n')
      .find((l) => l.includes('"outcome":"stream_interrupted"'));
    assert.ok(line, 'the interrupted stream is recorded');
    assert.match(line, /"code":"PROVIDERS_FAILED"/);
  });

  it('checks the assembled answer: an invented placeholder ends the stream with OUTPUT_REJECTED', async () => {
    stub.setDefault({ type: 'reply', text: 'Call [PHONE_9] now.', chunks: ['Call ', '[PHONE_9]', ' now.'] });
    const stream = await client.chat.completions.create({
      model: 'insights',
      stream: true,
      messages: [{ role: 'user', content: 'Call +44 20 7946 0958 please' }],
    });
    await assert.rejects(
      (async () => {
        for await (const _chunk of stream) void _chunk;
      })(),
      (error: unknown) => error instanceof OpenAI.APIError && /placeholder/.test(error.message),
    );
  });

  it('answers errors before the first token as JSON, as without streaming', async () => {
    await assert.rejects(
      client.chat.completions.create({ model: 'nope', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
      (error: unknown) => error instanceof OpenAI.NotFoundError && error.code === 'ROUTE_NOT_FOUND',
    );
    stub.setDefault({ type: 'error', status: 500 });
    await assert.rejects(
      client.chat.completions.create({ model: 'insights', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
      (error: unknown) => error instanceof OpenAI.APIError && error.status === 502 && error.code === 'PROVIDERS_FAILED',
    );
  });
});
