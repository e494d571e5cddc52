import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { windowOf } from '../../src/generation/gateway/budget-ledger.ts';
import { keyIdOf } from '../../src/http/api-key-auth.ts';
import { stubTarget, writeRoutesFile } from '../support/gateway-test-app.ts';
import { startRedisServer } from '../support/redis-server.ts';
import type { RedisServer } from '../support/redis-server.ts';
import { startService, waitUntilReady } from '../support/service-process.ts';
import type { ServiceProcess } from '../support/service-process.ts';
import { startStubLlmProvider } from '../support/stub-llm-provider.ts';
import type { StubLlmProvider } from '../support/stub-llm-provider.ts';

const KEY = 'budgets-test-key-0123456789';
const OTHER_KEY = 'budgets-other-key-0123456789';
const ORG = '00D5g000000abcdEAA';
const USER_A = '0055g000001aaaaAAA';
const USER_B = '0055g000001bbbbAAA';
const PROMPT = 'Summarise the account.';

/**
 * What one request reserves on route "budgeted": input at most one token per byte of the prompt
 * plus 4 for the message and 3 for the chat, output the route's maxTokens (100), at the stub's
 * prices (USD 0.5 / 1.5 per 1,000 tokens): 29 × 0.0005 + 100 × 0.0015 = USD 0.1645. A daily cost
 * budget of USD 1.70 has room for exactly 10 such reservations.
 */
const RESERVED_USD = 0.1645;
const DAILY_BUDGET_USD = 1.7;

function routesFor(stub: StubLlmProvider) {
  return {
    routes: {
      budgeted: {
        maxTokens: 100,
        limits: { total: { costPerDayUsd: DAILY_BUDGET_USD } },
        targets: [stubTarget(stub.baseUrl, 'model-a')],
      },
      metered: {
        maxTokens: 100,
        limits: { perKey: { requestsPerMinute: 10 }, perUser: { tokensPerDay: 300 } },
        targets: [stubTarget(stub.baseUrl, 'model-b')],
      },
    },
  };
}

interface ErrorBody {
  error: {
    code: string;
    message: string;
    details: {
      limit: { scope: string; id?: string; route: string; name: string; value: number };
      used: number;
      requested: number;
      resetsAt: string;
      retryAfterSeconds: number;
    };
  };
}

function generate(service: ServiceProcess, route: string, extra: Record<string, unknown> = {}, key = KEY) {
  return fetch(`${service.baseUrl}/v1/generate`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ route, messages: [{ role: 'user', content: PROMPT }], ...extra }),
  });
}

async function statuses(responses: Response[]): Promise<{ ok: number; refused: ErrorBody[]; other: number[] }> {
  const refused: ErrorBody[] = [];
  const other: number[] = [];
  let ok = 0;
  for (const response of responses) {
    if (response.status === 200) ok++;
    else if (response.status === 429) refused.push((await response.json()) as ErrorBody);
    else other.push(response.status);
    if (response.status === 200) await response.body?.cancel();
  }
  return { ok, refused, other };
}

for (const store of ['memory', 'redis'] as const) {
  describe(`budgets and rate limits held ${store === 'redis' ? 'in a real redis-server, shared by two service processes' : 'in one service process’s memory'}`, () => {
    let stub: StubLlmProvider | undefined;
    let redis: RedisServer | undefined;
    const services: ServiceProcess[] = [];

    before(async () => {
      // Redis first: without redis-server installed this throws before anything is left running.
      if (store === 'redis') redis = await startRedisServer();
      stub = await startStubLlmProvider();
      // Slow answers, so all 50 requests have reserved before the first one settles.
      stub.setDefault({ type: 'reply', delayMs: 2500 });
      const routesFile = await writeRoutesFile(routesFor(stub));
      const env: Record<string, string> = {
        NODE_ENV: 'production',
        BYOM_API_KEYS: `${KEY},${OTHER_KEY}`,
        BYOM_ROUTES: routesFile,
      };
      if (redis) env.REDIS_URL = redis.url;
      const count = store === 'redis' ? 2 : 1;
      for (let i = 0; i < count; i++) services.push(await startService(env));
      await Promise.all(services.map((service) => waitUntilReady(service, 60_000)));
    });
    after(async () => {
      for (const service of services) service.child.kill('SIGKILL');
      await stub?.close();
      await redis?.close();
    });

    it('lets exactly 10 of 50 concurrent requests through a budget with room for 10, then settles to the real usage', async () => {
      const responses = await Promise.all(
        Array.from({ length: 50 }, (_, i) => generate(services[i % services.length]!, 'budgeted')),
      );
      const { ok, refused, other } = await statuses(responses);
      assert.deepEqual({ ok, refused: refused.length, other }, { ok: 10, refused: 40, other: [] });
      assert.equal(stub!.requests.length, 10, 'only the requests with room reached the provider');

      const body = refused[0]!;
      assert.equal(body.error.code, 'BUDGET_EXCEEDED');
      assert.deepEqual(body.error.details.limit, {
        scope: 'total',
        route: 'budgeted',
        name: 'costPerDayUsd',
        value: DAILY_BUDGET_USD,
      });
      assert.equal(body.error.details.requested, RESERVED_USD);
      const midnight = new Date();
      midnight.setUTCHours(24, 0, 0, 0);
      assert.equal(body.error.details.resetsAt, midnight.toISOString(), 'a daily budget resets at 00:00 UTC');
      assert.match(body.error.message, /daily cost budget \(USD 1\.7\) of route "budgeted" has no room/);
      const retryAfter = Number(responses.find((r) => r.status === 429)!.headers.get('retry-after'));
      assert.ok(retryAfter > 0 && retryAfter <= 86_400, `Retry-After ${retryAfter}`);

      // Settled: the ten answers cost far less than their reservations, so there is room again.
      const again = await generate(services[0]!, 'budgeted');
      assert.equal(again.status, 200, await again.text());
    });

    it('limits requests per minute per service key, and tokens per day per user', async () => {
      const burst = await Promise.all(
        Array.from({ length: 50 }, (_, i) => generate(services[i % services.length]!, 'metered')),
      );
      const { ok, refused } = await statuses(burst);
      assert.equal(ok, 10);
      assert.equal(refused[0]!.error.code, 'RATE_LIMITED');
      assert.deepEqual(refused[0]!.error.details.limit, {
        scope: 'key',
        id: keyIdOf(KEY),
        route: 'metered',
        name: 'requestsPerMinute',
        value: 10,
      });
      assert.ok(!JSON.stringify(refused[0]).includes(KEY), 'the key itself never appears');
      // Another key has its own minute.
      assert.equal((await generate(services[0]!, 'metered', {}, OTHER_KEY)).status, 200);

      // 300 tokens a day per user: each request reserves up to 129, so of five at once user A gets
      // two; user B's budget is their own.
      const asUser = (userId: string) =>
        generate(services[0]!, 'metered', { metadata: { orgId: ORG, userId } }, OTHER_KEY);
      const [a, b] = await Promise.all([
        Promise.all(Array.from({ length: 5 }, () => asUser(USER_A))).then(statuses),
        Promise.all(Array.from({ length: 2 }, () => asUser(USER_B))).then(statuses),
      ]);
      assert.deepEqual([a.ok, a.refused.length, b.ok], [2, 3, 2]);
      assert.equal(a.refused[0]!.error.code, 'BUDGET_EXCEEDED');
      assert.deepEqual(a.refused[0]!.error.details.limit, {
        scope: 'user',
        id: USER_A,
        route: 'metered',
        name: 'tokensPerDay',
        value: 300,
      });
    });

    it('puts the caller (key id, org, user) on the log line and in the cost metrics', async () => {
      const service = services[0]!;
      await new Promise((resolve) => setTimeout(resolve, 100));
      const line = service
        .stdout()
        .split('\n')
        .find((l) => l.includes('"msg":"llm request"') && l.includes(USER_B));
      assert.ok(line, 'a log line for user B');
      const logged = JSON.parse(line) as Record<string, unknown>;
      assert.equal(logged.keyId, keyIdOf(OTHER_KEY));
      assert.equal(logged.orgId, ORG);
      assert.equal(logged.userId, USER_B);
      assert.ok(!service.stdout().includes(KEY) && !service.stdout().includes(OTHER_KEY), 'keys are never logged');

      const metrics = await (await fetch(`${service.baseUrl}/metrics`, { headers: { 'x-api-key': KEY } })).text();
      assert.match(
        metrics,
        new RegExp(
          `byom_llm_caller_cost_usd_total\\{route="metered",key_id="${keyIdOf(OTHER_KEY)}",org_id="${ORG}",user_id="${USER_B}"\\} 0\\.\\d+`,
        ),
      );
      assert.match(
        metrics,
        /byom_llm_limit_refusals_total\{route="budgeted",scope="total",limit="costPerDayUsd"\} \d+/,
      );
    });
  });
}

describe('budgets when the budget store cannot be reached', () => {
  it('refuses with 503 LIMITS_UNAVAILABLE rather than letting requests through unmetered', async () => {
    // Redis first: without redis-server installed this throws before anything is left running.
    const redis = await startRedisServer();
    const stub = await startStubLlmProvider();
    const routesFile = await writeRoutesFile(routesFor(stub));
    const service = await startService({ BYOM_API_KEYS: KEY, BYOM_ROUTES: routesFile, REDIS_URL: redis.url });
    try {
      await waitUntilReady(service, 60_000);
      assert.equal((await generate(service, 'budgeted')).status, 200);
      await redis.close();
      const response = await generate(service, 'budgeted');
      assert.equal(response.status, 503);
      assert.equal(((await response.json()) as ErrorBody).error.code, 'LIMITS_UNAVAILABLE');
      assert.ok(Number(response.headers.get('retry-after')) > 0);
      assert.equal(stub.requests.length, 1, 'the refused request never reached the provider');
    } finally {
      service.child.kill('SIGKILL');
      await stub.close();
      await redis.close();
    }
  });
});

describe('budget windows', () => {
  it('are UTC minutes, days and months, each resetting when the next begins', () => {
    const at = Date.parse('2025-12-31T23:59:30.500Z');
    assert.deepEqual(windowOf('minute', at), {
      id: `m${Math.floor(at / 60_000)}`,
      resetsAt: Date.parse('2026-01-01T00:00:00Z'),
    });
    assert.deepEqual(windowOf('day', at), { id: '2025-12-31', resetsAt: Date.parse('2026-01-01T00:00:00Z') });
    assert.deepEqual(windowOf('month', at), { id: '2025-12', resetsAt: Date.parse('2026-01-01T00:00:00Z') });
    assert.deepEqual(windowOf('month', Date.parse('2024-02-10T12:00:00Z')), {
      id: '2024-02',
      resetsAt: Date.parse('2024-03-01T00:00:00Z'),
    });
  });
});
