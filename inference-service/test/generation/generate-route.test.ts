import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createApp } from '../../src/app.ts';
import { GenerateResponse } from '../../src/routes/generate-schemas.ts';
import { buildModel } from '../../src/generation/providers/provider-factory.ts';
import { ErrorBody } from '../../src/http/error-schemas.ts';
import { ServiceState } from '../../src/http/service-state.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { ServiceMetrics } from '../../src/observability/metrics.ts';
import { createGatewayTestApp, stubTarget } from '../support/gateway-test-app.ts';
import type { GatewayTestApp } from '../support/gateway-test-app.ts';
import { startStubLlmProvider } from '../support/stub-llm-provider.ts';
import type { StubLlmProvider } from '../support/stub-llm-provider.ts';
import { TEST_KEY } from '../support/test-app.ts';

const LEAD_PROMPT =
  'Summarize the lead Jane Doe of Acme Corp (jane.doe@acme.example, +44 20 7946 0958). ' +
  'She paid with 4111 1111 1111 1111 from IBAN DE89 3704 0044 0532 0130 00; SSN 123-45-6789; last seen from 203.0.113.7.';
const PII_VALUES = [
  'Jane Doe',
  'Acme Corp',
  'jane.doe@acme.example',
  '+44 20 7946 0958',
  '4111 1111 1111 1111',
  'DE89 3704 0044 0532 0130 00',
  '123-45-6789',
  '203.0.113.7',
];

function generateBody(overrides: Record<string, unknown> = {}) {
  return {
    route: 'insights',
    messages: [
      { role: 'system', content: 'You write one-paragraph sales insights.' },
      { role: 'user', content: LEAD_PROMPT },
    ],
    pii: [
      { field: 'Lead.Name', value: 'Jane Doe' },
      { field: 'Lead.Company', value: 'Acme Corp' },
    ],
    ...overrides,
  };
}

async function expectError(response: Response, status: number, code: string): Promise<ErrorBody> {
  const body = ErrorBody.parse(await response.json());
  assert.equal(response.status, status, `expected HTTP ${status}, got ${response.status}: ${JSON.stringify(body)}`);
  assert.equal(body.error.code, code);
  return body;
}

async function expectOk(response: Response): Promise<GenerateResponse> {
  const json = await response.json();
  assert.equal(response.status, 200, `expected 200, got ${response.status}: ${JSON.stringify(json)}`);
  return GenerateResponse.parse(json);
}

describe('POST /v1/generate', () => {
  let stub: StubLlmProvider;
  let t: GatewayTestApp;

  before(async () => {
    stub = await startStubLlmProvider();
    t = await createGatewayTestApp({
      routes: {
        insights: {
          timeoutMs: 300,
          maxTokens: 200,
          retries: 1,
          backoffMs: 10,
          // These tests pin down retries and fallback one request at a time; circuit breakers,
          // which remember failures across requests, have their own tests.
          breaker: false,
          targets: [stubTarget(stub.baseUrl, 'model-a'), stubTarget(stub.baseUrl, 'model-b', { region: 'eu' })],
        },
        short: { maxChars: 40, targets: [stubTarget(stub.baseUrl, 'model-c')] },
      },
    });
  });
  beforeEach(() => stub.reset());
  after(() => stub.close());

  it('masks PII before the provider sees it, restores it in the answer, and reports what it did', async () => {
    const response = await t.post('/v1/generate', generateBody(), { 'x-request-id': 'req-mask-1' });
    const body = await expectOk(response);

    assert.equal(body.text, `Echo: ${LEAD_PROMPT}`, 'the stub echoed placeholders; the caller gets the values back');
    const sent = stub.receivedText();
    for (const value of PII_VALUES) assert.ok(!sent.includes(value), `the provider never saw ${value}`);
    assert.match(sent, /\[NAME_1\] of \[COMPANY_1\] \(\[EMAIL_1\], \[PHONE_1\]\)/);
    assert.deepEqual(body.masked, {
      total: 8,
      byType: { FIELD: 2, EMAIL: 1, PHONE: 1, CARD: 1, IBAN: 1, SSN: 1, IP: 1 },
    });

    assert.equal(body.id, 'req-mask-1');
    assert.equal(body.route, 'insights');
    assert.equal(body.provider, 'stub-model-a');
    assert.equal(body.model, 'model-a');
    assert.equal(body.finishReason, 'stop');
    assert.deepEqual(
      body.attempts.map((a) => [a.provider, a.outcome, a.status]),
      [['stub-model-a', 'ok', 200]],
    );
    const request = stub.requests[0]!;
    assert.equal(request.body?.model, 'model-a');
    assert.equal(request.body?.max_tokens, 200, "the route's maxTokens caps the answer");
    assert.ok(body.usage.inputTokens > 0 && body.usage.outputTokens > 0);
    assert.equal(body.usage.totalTokens, body.usage.inputTokens + body.usage.outputTokens);
    const expectedCost = (body.usage.inputTokens / 1000) * 0.5 + (body.usage.outputTokens / 1000) * 1.5;
    assert.ok(Math.abs(body.cost.total - expectedCost) < 1e-6, `cost ${body.cost.total} from the price table`);
    assert.equal(body.cost.currency, 'USD');

    assert.ok(body.latencyMs >= body.gatewayMs && body.gatewayMs >= 0);
    assert.ok(Math.abs(body.latencyMs - body.gatewayMs - body.providerMs!) < 0.05, 'latency = gateway + provider time');
    assert.equal(response.headers.get('x-byom-gateway-ms'), String(body.gatewayMs));
    assert.equal(
      response.headers.get('server-timing'),
      `gateway;dur=${body.gatewayMs}, provider;dur=${body.providerMs}`,
    );
  });

  it("passes the caller's options on, within the route's limits", async () => {
    await expectOk(await t.post('/v1/generate', generateBody({ options: { temperature: 0.2, maxTokens: 50 } })));
    await expectOk(await t.post('/v1/generate', generateBody({ options: { maxTokens: 5000 } })));
    assert.equal(stub.requests[0]!.body?.temperature, 0.2);
    assert.equal(stub.requests[0]!.body?.max_tokens, 50);
    assert.equal(stub.requests[1]!.body?.max_tokens, 200, 'never above the route cap');
  });

  it('retries a 5xx on the same target, then falls back to the next one', async () => {
    stub.scriptModel('model-a', { type: 'error', status: 500 }, { type: 'error', status: 503 });
    const body = await expectOk(await t.post('/v1/generate', generateBody()));
    assert.equal(body.provider, 'stub-model-b');
    assert.equal(body.region, 'eu', 'the answering target reports its region tag');
    assert.deepEqual(
      body.attempts.map((a) => `${a.model}:${a.outcome}:${a.status}`),
      ['model-a:server_error:500', 'model-a:server_error:503', 'model-b:ok:200'],
    );
    assert.ok(
      body.attempts.every((a) => !a.message?.includes('stub error')),
      "the provider's own text is not echoed",
    );
  });

  it('honours retry-after on a 429 before retrying the same target', async () => {
    stub.scriptModel('model-a', { type: 'error', status: 429, retryAfterMs: 150 });
    const body = await expectOk(await t.post('/v1/generate', generateBody()));
    assert.deepEqual(
      body.attempts.map((a) => `${a.model}:${a.outcome}`),
      ['model-a:rate_limited', 'model-a:ok'],
    );
    const [first, second] = stub.requests;
    assert.ok(second!.receivedAt - first!.receivedAt >= 140, 'the retry waited for retry-after');
    assert.match(body.attempts[0]!.message!, /retry after 150 ms/);
    assert.ok(body.providerMs! >= 150, 'the wait counts as time spent on providers, not in the gateway');
  });

  it('falls back at once when a provider asks to wait longer than the deadline allows', async () => {
    stub.scriptModel('model-a', { type: 'error', status: 429, retryAfter: '30' });
    const started = performance.now();
    const body = await expectOk(await t.post('/v1/generate', generateBody()));
    assert.deepEqual(
      body.attempts.map((a) => `${a.model}:${a.outcome}`),
      ['model-a:rate_limited', 'model-b:ok'],
    );
    assert.ok(performance.now() - started < 1000);
  });

  it('gives up on a provider that hangs past the route timeout and falls back', async () => {
    stub.scriptModel('model-a', { type: 'hang' });
    const body = await expectOk(await t.post('/v1/generate', generateBody()));
    assert.equal(body.provider, 'stub-model-b');
    const [timedOut] = body.attempts;
    assert.equal(timedOut!.outcome, 'timeout');
    assert.ok(timedOut!.latencyMs >= 290 && timedOut!.latencyMs < 600, `gave up after ${timedOut!.latencyMs} ms`);
  });

  it('treats a malformed body and a dropped connection as provider failures', async () => {
    stub.scriptModel('model-a', { type: 'malformed' }, { type: 'disconnect' });
    const malformed = await expectOk(await t.post('/v1/generate', generateBody()));
    assert.deepEqual(
      malformed.attempts.map((a) => `${a.model}:${a.outcome}`),
      ['model-a:invalid_response', 'model-b:ok'],
      'a malformed answer is not retried on the same target',
    );
    const dropped = await expectOk(await t.post('/v1/generate', generateBody()));
    assert.deepEqual(
      dropped.attempts.map((a) => `${a.model}:${a.outcome}`),
      ['model-a:network_error', 'model-a:ok'],
      'a network error is retried',
    );
  });

  it('falls back on 401/403/404 (a misconfigured target) but stops on 400 (a bad request)', async () => {
    stub.scriptModel('model-a', { type: 'error', status: 401 });
    const fellBack = await expectOk(await t.post('/v1/generate', generateBody()));
    assert.equal(fellBack.provider, 'stub-model-b');

    stub.reset();
    stub.scriptModel('model-a', { type: 'error', status: 400 });
    const body = await expectError(await t.post('/v1/generate', generateBody()), 502, 'PROVIDERS_FAILED');
    assert.equal(stub.requests.length, 1, 'no other target is asked to handle a request a provider called invalid');
    assert.deepEqual(
      (body.error.details as { attempts: Array<{ outcome: string; status: number }> }).attempts.map((a) => a.status),
      [400],
    );
  });

  it('answers PROVIDERS_FAILED with every attempt when all targets fail', async () => {
    stub.setDefault({ type: 'error', status: 502 });
    const response = await t.post('/v1/generate', generateBody());
    const body = await expectError(response, 502, 'PROVIDERS_FAILED');
    const attempts = (body.error.details as { attempts: Array<{ model: string; outcome: string }> }).attempts;
    assert.deepEqual(
      attempts.map((a) => `${a.model}:${a.outcome}`),
      ['model-a:server_error', 'model-a:server_error', 'model-b:server_error', 'model-b:server_error'],
    );
    assert.match(body.error.message, /every target of route "insights" failed/);
    assert.ok(response.headers.get('x-byom-gateway-ms'), 'errors carry the timing headers too');
  });

  it("never runs past the caller's deadline", async () => {
    stub.setDefault({ type: 'hang' });
    const started = performance.now();
    const response = await t.post('/v1/generate', generateBody({ deadlineMs: 450 }));
    const elapsed = performance.now() - started;
    const body = await expectError(response, 504, 'DEADLINE_EXCEEDED');
    assert.ok(elapsed < 450 + 60, `answered after ${Math.round(elapsed)} ms`);
    const attempts = (body.error.details as { attempts: Array<{ model: string; outcome: string }> }).attempts;
    assert.deepEqual(
      attempts.map((a) => `${a.model}:${a.outcome}`),
      ['model-a:timeout', 'model-b:deadline'],
      'the first target timed out; the second was cut off by the deadline',
    );
  });

  it('does not start an attempt when too little of the deadline is left', async () => {
    stub.scriptModel('model-a', { type: 'hang' });
    const body = await expectError(
      await t.post('/v1/generate', generateBody({ deadlineMs: 360 })),
      504,
      'DEADLINE_EXCEEDED',
    );
    assert.equal(stub.requests.length, 1, 'after the 300 ms timeout, under 60 ms was too little to try model-b');
    assert.match(body.error.message, /deadline of 360 ms/);
  });

  it('names the known routes when the route does not exist', async () => {
    const body = await expectError(
      await t.post('/v1/generate', generateBody({ route: 'nope' })),
      404,
      'ROUTE_NOT_FOUND',
    );
    assert.deepEqual(body.error.details, { knownRoutes: ['insights', 'short'] });
    assert.equal(stub.requests.length, 0);
  });

  it('refuses to send anything when masking fails (fail closed)', async () => {
    const refused = await expectError(
      await t.post(
        '/v1/generate',
        generateBody({
          messages: [{ role: 'user', content: 'Call Jane at home' }],
          pii: [
            { field: 'Lead.Name', value: 'Jane' },
            { field: 'Lead.Note', value: '] at' },
          ],
        }),
      ),
      500,
      'MASKING_FAILED',
    );
    assert.match(refused.error.message, /not sent to any provider/);
    assert.equal(stub.requests.length, 0, 'the provider received nothing');
    assert.ok(!t.logs().includes('Call Jane'), 'nor did the log');

    const broken = await createGatewayTestApp(
      { routes: { insights: { targets: [stubTarget(stub.baseUrl, 'model-a')] } } },
      {
        mask: () => {
          // Errors from inside masking can quote the text they choked on.
          throw new SyntaxError('Invalid regular expression: /Jane Doe|Acme Corp/');
        },
      },
    );
    await expectError(await broken.post('/v1/generate', generateBody()), 500, 'MASKING_FAILED');
    assert.equal(stub.requests.length, 0, 'an exception in masking never sends the raw text');
    assert.match(broken.logs(), /"reason":"SyntaxError in masking"/);
    assert.ok(!broken.logs().includes('Jane Doe'), 'and its message, which may quote the values, is not logged');
  });

  it('rejects an answer with placeholders the request never issued', async () => {
    stub.setDefault({ type: 'reply', text: 'Write to [EMAIL_1] or [EMAIL_2].' });
    const body = await expectError(await t.post('/v1/generate', generateBody()), 502, 'OUTPUT_REJECTED');
    const details = body.error.details as { reason: string; usage: { inputTokens: number }; cost: { total: number } };
    assert.equal(details.reason, 'invented_placeholder');
    assert.match(body.error.message, /\[EMAIL_2\]/);
    assert.ok(!body.error.message.includes('jane.doe@acme.example'), 'the rejection never carries a restored value');
    assert.ok(details.usage.inputTokens > 0 && details.cost.total > 0, 'the tokens were spent all the same');
  });

  it("rejects an answer over the length cap (the route's or the caller's)", async () => {
    const routeCap = await expectError(
      await t.post('/v1/generate', generateBody({ route: 'short' })),
      502,
      'OUTPUT_REJECTED',
    );
    assert.equal((routeCap.error.details as { reason: string }).reason, 'too_long');
    assert.match(routeCap.error.message, /the cap is 40/);
    const callerCap = await expectError(
      await t.post('/v1/generate', generateBody({ options: { maxChars: 30 } })),
      502,
      'OUTPUT_REJECTED',
    );
    assert.match(callerCap.error.message, /the cap is 30/);
  });

  it('returns JSON that satisfies the requested schema, with masked values restored inside it', async () => {
    stub.setDefault({
      type: 'reply',
      text: '```json\n{"summary": "Call [NAME_1] at [PHONE_1]", "risk": "low"}\n```',
    });
    const schema = {
      type: 'object',
      properties: { summary: { type: 'string' }, risk: { enum: ['low', 'medium', 'high'] } },
      required: ['summary', 'risk'],
      additionalProperties: false,
    };
    const body = await expectOk(
      await t.post('/v1/generate', generateBody({ options: { responseFormat: { type: 'json', schema } } })),
    );
    assert.deepEqual(body.json, { summary: 'Call Jane Doe at +44 20 7946 0958', risk: 'low' });
    assert.deepEqual(JSON.parse(body.text), body.json);
    const format = stub.requests[0]!.body?.response_format as { type: string };
    assert.ok(['json_object', 'json_schema'].includes(format.type), 'the provider was asked for JSON');

    stub.setDefault({ type: 'reply', text: '{"summary": "Call [NAME_1]", "risk": "extreme"}' });
    const mismatch = await expectError(
      await t.post('/v1/generate', generateBody({ options: { responseFormat: { type: 'json', schema } } })),
      502,
      'OUTPUT_REJECTED',
    );
    const details = mismatch.error.details as { reason: string; issues: Array<{ path: string }> };
    assert.equal(details.reason, 'schema_mismatch');
    assert.deepEqual(
      details.issues.map((i) => i.path),
      ['risk'],
    );

    stub.setDefault({ type: 'reply', text: 'Sure! Here is the JSON: {"summary":' });
    const invalid = await expectError(
      await t.post('/v1/generate', generateBody({ options: { responseFormat: { type: 'json', schema } } })),
      502,
      'OUTPUT_REJECTED',
    );
    assert.equal((invalid.error.details as { reason: string }).reason, 'invalid_json');
  });

  it('refuses a JSON Schema it cannot enforce before calling any provider', async () => {
    const schema = { if: { type: 'string' }, then: { minLength: 1 } };
    const body = await expectError(
      await t.post('/v1/generate', generateBody({ options: { responseFormat: { type: 'json', schema } } })),
      400,
      'VALIDATION_ERROR',
    );
    assert.match(body.error.message, /responseFormat\.schema: unsupported JSON Schema: .*if\/then\/else/);
    assert.equal(stub.requests.length, 0);
  });

  it('validates the request body against the contract', async () => {
    const body = await expectError(
      await t.post('/v1/generate', { route: 'insights', messages: [{ role: 'robot', content: 1 }], deadlineMs: 5 }),
      400,
      'VALIDATION_ERROR',
    );
    assert.match(body.error.message, /messages\.0\.role/);
    assert.match(body.error.message, /deadlineMs/);
  });

  it('counts requests, attempts, tokens, cost and masked values in /metrics', async () => {
    stub.scriptModel('model-a', { type: 'error', status: 500 }, { type: 'error', status: 500 });
    await expectOk(await t.post('/v1/generate', generateBody()));
    const text = await (await t.app.request('/metrics', { headers: { authorization: `Bearer ${TEST_KEY}` } })).text();
    assert.match(text, /byom_llm_requests_total\{route="insights",provider="stub-model-b",outcome="ok"\} \d+/);
    assert.match(
      text,
      /byom_llm_attempts_total\{route="insights",provider="stub-model-a",model="model-a",outcome="server_error"\} \d+/,
    );
    assert.match(
      text,
      /byom_llm_tokens_total\{route="insights",provider="stub-model-b",model="model-b",direction="output"\} \d+/,
    );
    assert.match(text, /byom_llm_cost_usd_total\{route="insights",provider="stub-model-b",model="model-b"\} [\d.]+/);
    assert.match(text, /byom_pii_values_masked_total\{type="CARD"\} \d+/);
    assert.match(text, /byom_llm_gateway_duration_seconds_bucket\{le="0.001",route="insights"\}/);
    assert.match(text, /byom_llm_requests_total\{route="unknown",provider="none",outcome="route_not_found"\} \d+/);
  });

  it('logs routes, outcomes, counts and timings, but never prompts, PII or answers', async () => {
    stub.setDefault({ type: 'reply', text: 'The answer mentions [NAME_1] and a secret plan.' });
    await expectOk(
      await t.post(
        '/v1/generate',
        generateBody({ metadata: { template: 'Lead_Summary', recordId: '00Q5g00000AbCdEAAV' } }),
      ),
    );
    const logs = t.logs();
    const entry = logs
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .findLast((e) => e.msg === 'llm request')!;
    assert.equal(entry.route, 'insights');
    assert.equal(entry.outcome, 'ok');
    assert.equal(entry.template, 'Lead_Summary');
    assert.deepEqual(entry.masked, { FIELD: 2, EMAIL: 1, PHONE: 1, CARD: 1, IBAN: 1, SSN: 1, IP: 1 });
    for (const secret of [...PII_VALUES, 'Summarize the lead', 'one-paragraph', 'secret plan', '[NAME_1]']) {
      assert.ok(!logs.includes(secret), `the log never contains "${secret}"`);
    }
  });
});

describe('the provider factory seam', () => {
  it('lets a test point any route, whatever its provider, at a local server', async () => {
    const stub = await startStubLlmProvider();
    try {
      const local = await buildModel(
        {
          provider: 'openai-compatible',
          model: 'claude-3-5-haiku-latest',
          baseUrl: stub.baseUrl,
          pricePer1K: { input: 0, output: 0 },
        },
        {},
      );
      const t = await createGatewayTestApp(
        {
          routes: {
            insights: {
              targets: [
                { provider: 'anthropic', model: 'claude-3-5-haiku-latest', pricePer1K: { input: 0.8, output: 4 } },
              ],
            },
          },
        },
        { env: { ANTHROPIC_API_KEY: 'not-used' }, providers: () => local },
      );
      const body = await expectOk(await t.post('/v1/generate', generateBody()));
      assert.equal(body.provider, 'anthropic');
      assert.equal(stub.requests[0]!.body?.model, 'claude-3-5-haiku-latest');
      assert.ok(body.cost.total > 0, "priced with the anthropic target's prices");
    } finally {
      await stub.close();
    }
  });
});

describe('POST /v1/generate without BYOM_ROUTES', () => {
  it('answers a clear ROUTE_NOT_FOUND while the rest of the service works', async () => {
    const app = createApp({
      config: {
        apiKeys: [TEST_KEY],
        maxRecordsPerRequest: 10,
        maxBodyBytes: 1024 * 1024,
        signingSecrets: [],
        signatureToleranceSeconds: 300,
      },
      state: new ServiceState(),
      logger: createLogger('silent'),
      metrics: new ServiceMetrics({ collectProcessMetrics: false }),
    });
    for (const [path, body] of [
      ['/v1/generate', generateBody()],
      ['/v1/chat/completions', { model: 'insights', messages: [{ role: 'user', content: 'hi' }] }],
    ] as const) {
      const response = await app.request(path, {
        method: 'POST',
        headers: { authorization: `Bearer ${TEST_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const error = await expectError(response, 404, 'ROUTE_NOT_FOUND');
      assert.match(error.error.message, /no LLM routes are configured on this service: set BYOM_ROUTES/);
      assert.deepEqual(error.error.details, { knownRoutes: [] });
    }
    assert.equal((await app.request('/healthz')).status, 200);
  });
});
