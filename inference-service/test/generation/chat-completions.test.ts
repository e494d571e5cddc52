import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { serve } from '@hono/node-server';
import type { ServerType } from '@hono/node-server';
import OpenAI from 'openai';
import { ChatCompletionResponse } from '../../src/routes/chat-completions-schemas.ts';
import { createGatewayTestApp, stubTarget } from '../support/gateway-test-app.ts';
import { startStubLlmProvider } from '../support/stub-llm-provider.ts';
import type { StubLlmProvider } from '../support/stub-llm-provider.ts';
import { TEST_KEY } from '../support/test-app.ts';

/**
 * The official OpenAI SDK against the gateway over real HTTP: what an OpenAI-compatible
 * client (or Salesforce's LLM Open Connector) sees.
 */
describe('POST /v1/chat/completions with the openai client', () => {
  let stub: StubLlmProvider;
  let server: ServerType;
  let client: OpenAI;

  before(async () => {
    stub = await startStubLlmProvider();
    const t = await createGatewayTestApp(
      {
        routes: {
          insights: {
            timeoutMs: 2000,
            maxTokens: 300,
            targets: [stubTarget(stub.baseUrl, 'model-a'), stubTarget(stub.baseUrl, 'model-b')],
          },
          // OpenAI's own package, pointed at the stub: it answers one choice per request.
          openai: {
            targets: [
              { provider: 'openai', model: 'gpt-4o-mini', baseUrl: stub.baseUrl, pricePer1K: { input: 1, output: 1 } },
            ],
          },
        },
      },
      { env: { OPENAI_API_KEY: 'sk-test-not-a-real-key' } },
    );
    server = await new Promise<ServerType>((resolve) => {
      const s = serve({ fetch: t.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    const { port } = server.address() as AddressInfo;
    // The SDK's own retries are off so each test sees the gateway's first answer.
    client = new OpenAI({ apiKey: TEST_KEY, baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 0 });
  });
  beforeEach(() => stub.reset());
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    await stub.close();
  });

  it('completes a chat, masking PII on the way out and restoring it on the way back', async () => {
    const params = {
      model: 'insights',
      messages: [
        { role: 'developer', content: 'Answer in one sentence.' },
        { role: 'user', content: 'Draft a follow-up to Jane Doe, jane.doe@acme.example, +1 (415) 555-0132.' },
      ],
      temperature: 0.3,
      top_p: 0.9,
      max_completion_tokens: 120,
      stop: ['\n\n'],
      pii: [{ field: 'Contact.Name', value: 'Jane Doe' }],
    } as OpenAI.ChatCompletionCreateParamsNonStreaming;
    const completion = await client.chat.completions.create(params);

    ChatCompletionResponse.parse(completion);
    assert.equal(completion.object, 'chat.completion');
    assert.equal(completion.model, 'model-a');
    assert.match(completion.id, /^chatcmpl-/);
    assert.equal(
      completion.choices[0]!.message.content,
      'Echo: Draft a follow-up to Jane Doe, jane.doe@acme.example, +1 (415) 555-0132.',
    );
    assert.equal(completion.choices[0]!.finish_reason, 'stop');
    assert.ok(completion.usage!.prompt_tokens > 0);
    assert.equal(completion.usage!.total_tokens, completion.usage!.prompt_tokens + completion.usage!.completion_tokens);

    const byom = (completion as unknown as ChatCompletionResponse).byom;
    assert.equal(byom.route, 'insights');
    assert.equal(byom.provider, 'stub-model-a');
    assert.deepEqual(byom.masked, { total: 3, byType: { FIELD: 1, EMAIL: 1, PHONE: 1 } });
    assert.ok(byom.cost.total > 0 && byom.gatewayMs >= 0);

    const sent = stub.requests[0]!.body!;
    assert.ok(!stub.receivedText().includes('Jane Doe') && !stub.receivedText().includes('555-0132'));
    assert.deepEqual(
      sent.messages!.map((m) => m.role),
      ['system', 'user'],
      'developer messages reach providers as system messages',
    );
    assert.equal(sent.max_tokens, 120);
    assert.equal(sent.temperature, 0.3);
    assert.equal(sent.top_p, 0.9);
    assert.deepEqual(sent.stop, ['\n\n']);
  });

  it('accepts content as text parts and answers JSON that satisfies a json_schema response format', async () => {
    stub.setDefault({ type: 'reply', text: '{"next_step": "Email [EMAIL_1]"}' });
    const completion = await client.chat.completions.create({
      model: 'insights',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Next step for bob@example.org? Answer in JSON.' }] }],
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'next_step',
          schema: { type: 'object', properties: { next_step: { type: 'string' } }, required: ['next_step'] },
        },
      },
    });
    assert.deepEqual(JSON.parse(completion.choices[0]!.message.content!), { next_step: 'Email bob@example.org' });
  });

  it('reports gateway errors the way OpenAI clients expect them', async () => {
    await assert.rejects(
      client.chat.completions.create({ model: 'no-such-route', messages: [{ role: 'user', content: 'hi' }] }),
      (error: unknown) =>
        error instanceof OpenAI.NotFoundError &&
        error.code === 'ROUTE_NOT_FOUND' &&
        /no route named "no-such-route"/.test(error.message),
    );

    stub.setDefault({ type: 'error', status: 500 });
    await assert.rejects(
      client.chat.completions.create({ model: 'insights', messages: [{ role: 'user', content: 'hi' }] }),
      (error: unknown) => error instanceof OpenAI.APIError && error.status === 502 && error.code === 'PROVIDERS_FAILED',
    );

    const stranger = new OpenAI({ apiKey: 'not-the-key-0123456789', baseURL: client.baseURL, maxRetries: 0 });
    await assert.rejects(
      stranger.chat.completions.create({ model: 'insights', messages: [{ role: 'user', content: 'hi' }] }),
      OpenAI.AuthenticationError,
    );
  });

  it('refuses what it cannot do instead of silently ignoring it: tools, log probabilities, logit bias', async () => {
    stub.reset();
    await assert.rejects(
      client.chat.completions.create({
        model: 'insights',
        messages: [{ role: 'user', content: 'hi' }],
        tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }],
      }),
      (error: unknown) => error instanceof OpenAI.BadRequestError && /tools are not supported/.test(error.message),
    );
    await assert.rejects(
      client.chat.completions.create({
        model: 'insights',
        logprobs: true,
        messages: [{ role: 'user', content: 'hi' }],
      }),
      (error: unknown) =>
        error instanceof OpenAI.BadRequestError &&
        error.param === 'logprobs' &&
        error.type === 'invalid_request_error' &&
        /logprobs are not supported/.test(error.message),
    );
    await assert.rejects(
      client.chat.completions.create({
        model: 'insights',
        logit_bias: { '1234': 5 },
        messages: [{ role: 'user', content: 'hi' }],
      }),
      (error: unknown) => error instanceof OpenAI.BadRequestError && error.param === 'logit_bias',
    );
    assert.equal(stub.requests.length, 0);
  });

  it('forwards seed and penalties, and reports what it did not forward or honour', async () => {
    const completion = (await client.chat.completions.create({
      model: 'insights',
      messages: [{ role: 'user', content: 'hi' }],
      seed: 42,
      frequency_penalty: 0.5,
      presence_penalty: -0.5,
      max_tokens: 5000,
      store: true,
      metadata: { purpose: 'test' },
    } as OpenAI.ChatCompletionCreateParamsNonStreaming)) as unknown as ChatCompletionResponse;
    const sent = stub.requests[0]!.body!;
    assert.deepEqual([sent.seed, sent.frequency_penalty, sent.presence_penalty], [42, 0.5, -0.5]);
    assert.equal(sent.max_tokens, 300, 'the route cap applies');
    const warnings = completion.byom.warnings.join('\n');
    assert.match(warnings, /max_tokens: 5000 is above route "insights"'s cap of 300/);
    assert.match(warnings, /store: not forwarded by the gateway/);
    assert.match(warnings, /metadata: not forwarded by the gateway/);
  });

  it('keeps text parts apart, each on its own line', async () => {
    await client.chat.completions.create({
      model: 'insights',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'hi' },
            { type: 'text', text: 'mail me the deck' },
          ],
        },
      ],
    });
    const content = stub.requests[0]!.body!.messages![0]!.content;
    assert.equal(content, 'hi\nmail me the deck');
  });

  it('flags a provider that reports no usage instead of reporting 0 tokens and $0', async () => {
    stub.setDefault({ type: 'reply', text: 'Hello.', usage: null });
    const completion = (await client.chat.completions.create({
      model: 'insights',
      messages: [{ role: 'user', content: 'hi' }],
    })) as unknown as ChatCompletionResponse;
    assert.equal(completion.usage, undefined, 'no made-up OpenAI usage object');
    assert.equal(completion.byom.usage.source, 'estimate');
    assert.ok(completion.byom.usage.totalTokens > 0 && completion.byom.cost.total > 0);
    assert.equal(completion.byom.cost.source, 'estimate');
    assert.match(completion.byom.warnings.join('\n'), /reported no token usage/);
  });

  it('answers n > 1 where the provider can, and refuses it naming the targets that cannot', async () => {
    const several = await client.chat.completions.create({
      model: 'insights',
      n: 2,
      messages: [{ role: 'user', content: 'hi' }],
    });
    assert.deepEqual(
      several.choices.map((c) => c.message.content),
      ['Echo: hi', 'Echo: hi (1)'],
    );
    await assert.rejects(
      client.chat.completions.create({ model: 'openai', n: 2, messages: [{ role: 'user', content: 'hi' }] }),
      (error: unknown) =>
        error instanceof OpenAI.BadRequestError && error.param === 'n' && /openai \(openai\)/.test(error.message),
    );
  });
});
