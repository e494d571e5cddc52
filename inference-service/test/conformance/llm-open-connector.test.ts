import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { z } from 'zod';
import { stubTarget, writeRoutesFile } from '../support/gateway-test-app.ts';
import { startService, waitUntilReady } from '../support/service-process.ts';
import type { ServiceProcess } from '../support/service-process.ts';
import { startStubLlmProvider } from '../support/stub-llm-provider.ts';
import type { StubLlmProvider } from '../support/stub-llm-provider.ts';
import {
  CREATE_CHAT_COMPLETION_REQUEST,
  CREATE_CHAT_COMPLETION_RESPONSE,
  ERROR_RESPONSE,
  exampleRequests,
} from './llm-open-connector-spec.ts';

const KEY = 'open-connector-key-0123456789';
const schema = (json: object) => z.fromJSONSchema(json as Parameters<typeof z.fromJSONSchema>[0]);
const RequestSchema = schema(CREATE_CHAT_COMPLETION_REQUEST);
const ResponseSchema = schema(CREATE_CHAT_COMPLETION_RESPONSE);
const ErrorSchema = schema(ERROR_RESPONSE);

/**
 * Salesforce's LLM Open Connector against the real service process: the spec's example requests,
 * sent the way the connector sends them (the key in `api-key`), answered in the spec's response
 * schema; errors in its error schema; `parameters` passed on to the provider.
 */
describe('LLM Open Connector conformance (api-specs/llm-open-connector/llm-open-connector.yml)', () => {
  let stub: StubLlmProvider;
  let service: ServiceProcess;

  const send = (body: unknown) =>
    fetch(`${service.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'api-key': KEY, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  before(async () => {
    stub = await startStubLlmProvider();
    const routesFile = await writeRoutesFile({
      routes: { 'gpt-4-turbo': { maxTokens: 500, targets: [stubTarget(stub.baseUrl, 'connector-model')] } },
    });
    service = await startService({ NODE_ENV: 'production', BYOM_API_KEYS: KEY, BYOM_ROUTES: routesFile });
    await waitUntilReady(service, 60_000);
  });
  beforeEach(() => stub.reset());
  after(async () => {
    service?.child.kill('SIGKILL');
    await stub.close();
  });

  for (const example of exampleRequests('gpt-4-turbo')) {
    it(`answers the example with ${example.name} in the spec's response schema`, async () => {
      RequestSchema.parse(example.body);
      const response = await send(example.body);
      const body = await response.json();
      assert.equal(response.status, 200, JSON.stringify(body));
      const parsed = ResponseSchema.safeParse(body);
      assert.ok(parsed.success, JSON.stringify(parsed.error?.issues));
      assert.equal(stub.requests.length, 1);
      const names = (example.body.messages as Array<{ name?: string }>).filter((m) => m.name !== undefined).length;
      const warnings = (body as { byom: { warnings: string[] } }).byom.warnings;
      assert.equal(
        warnings.filter((w) => /^messages\.\d+\.name: not forwarded/.test(w)).length,
        names,
        `participant names are reported, not silently dropped: ${warnings}`,
      );
    });
  }

  it('passes the parameters object on to the provider', async () => {
    const response = await send({
      model: 'gpt-4-turbo',
      messages: [{ role: 'user', content: 'Say hello.' }],
      parameters: { top_p: 0.5, top_k: 40, repetition_penalty: 1.1, seed: 7 },
    });
    assert.equal(response.status, 200);
    const sent = stub.requests[0]!.body!;
    assert.equal(sent.top_p, 0.5, 'a known parameter is applied');
    assert.equal(sent.seed, 7);
    assert.equal(
      sent.repetition_penalty,
      1.1,
      'a provider-specific one reaches an openai-compatible provider as it is',
    );
    const { byom } = (await response.json()) as { byom: { warnings: string[] } };
    assert.ok(
      byom.warnings.some((w) => /topK/.test(w)),
      `the provider package's own warning (no top_k in Chat Completions) is reported: ${byom.warnings}`,
    );
  });

  it('answers errors in the spec error schema, with type and param', async () => {
    const cases: Array<{ body: unknown; status: number; type: string; param: string | null; code: string }> = [
      {
        body: { model: 'gpt-4-turbo', messages: [] },
        status: 400,
        type: 'invalid_request_error',
        param: 'messages',
        code: 'VALIDATION_ERROR',
      },
      {
        body: { model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] },
        status: 404,
        type: 'not_found_error',
        param: null,
        code: 'ROUTE_NOT_FOUND',
      },
      {
        body: { model: 'gpt-4-turbo', n: 0, messages: [{ role: 'user', content: 'hi' }] },
        status: 400,
        type: 'invalid_request_error',
        param: 'n',
        code: 'VALIDATION_ERROR',
      },
    ];
    for (const c of cases) {
      const response = await send(c.body);
      const body = (await response.json()) as { error: Record<string, unknown> };
      assert.equal(response.status, c.status, JSON.stringify(body));
      const parsed = ErrorSchema.safeParse(body);
      assert.ok(parsed.success, JSON.stringify(parsed.error?.issues));
      assert.deepEqual(
        { type: body.error.type, param: body.error.param, code: body.error.code },
        { type: c.type, param: c.param, code: c.code },
      );
    }
    const unauthorized = await fetch(`${service.baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'api-key': 'wrong-key-0123456789abcdef', 'content-type': 'application/json' },
      body: JSON.stringify(exampleRequests('gpt-4-turbo')[0]!.body),
    });
    const body = await unauthorized.json();
    assert.equal(unauthorized.status, 401);
    assert.ok(ErrorSchema.safeParse(body).success);
    assert.equal((body as { error: { type: string } }).error.type, 'authentication_error');
  });

  it('answers n choices when the route can give them', async () => {
    const response = await send({ model: 'gpt-4-turbo', n: 3, messages: [{ role: 'user', content: 'Hi.' }] });
    const body = (await response.json()) as { choices: Array<{ index: number; message: { content: string } }> };
    assert.equal(response.status, 200, JSON.stringify(body));
    assert.ok(ResponseSchema.safeParse(body).success);
    assert.deepEqual(
      body.choices.map((c) => [c.index, c.message.content]),
      [
        [0, 'Echo: Hi.'],
        [1, 'Echo: Hi. (1)'],
        [2, 'Echo: Hi. (2)'],
      ],
    );
    assert.equal(stub.requests[0]!.body!.n, 3, 'n is passed through to the provider');
  });
});
