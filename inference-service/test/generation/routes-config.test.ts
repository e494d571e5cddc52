import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { RoutesConfigError, loadRoutesFile, parseRoutes } from '../../src/generation/gateway/routes-config.ts';

const EXAMPLE = new URL('../../routes.example.json', import.meta.url).pathname;

/** Every variable the example routes file needs, with made-up values. */
const FULL_ENV = {
  OPENAI_API_KEY: 'sk-test',
  ANTHROPIC_API_KEY: 'sk-ant-test',
  AZURE_API_KEY: 'azure-test',
  AWS_REGION: 'eu-central-1',
  AWS_ACCESS_KEY_ID: 'AKIATEST',
  AWS_SECRET_ACCESS_KEY: 'secret',
  GOOGLE_VERTEX_PROJECT: 'my-project',
  MISTRAL_API_KEY: 'mistral-test',
  DEEPSEEK_API_KEY: 'deepseek-test',
};

const price = { input: 0.001, output: 0.002 };

async function writeRoutes(content: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'byom-routes-'));
  const file = path.join(dir, 'routes.json');
  await writeFile(file, content);
  return file;
}

function problemsOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof RoutesConfigError, `expected a RoutesConfigError, got ${String(error)}`);
    return error.message;
  }
  assert.fail('expected the routes to be refused');
}

describe('the routes file (BYOM_ROUTES)', () => {
  it('accepts the shipped example and fills in the defaults', () => {
    const routes = loadRoutesFile(EXAMPLE, FULL_ENV);
    assert.deepEqual(routes.names(), ['insights', 'insights-eu', 'local', 'deepseek']);
    const insights = routes.get('insights')!;
    assert.equal(insights.targets.length, 2);
    assert.equal(insights.timeoutMs, 8000);
    assert.equal(routes.get('deepseek')!.timeoutMs, 10_000, 'timeoutMs defaults to 10 s');
    assert.equal(routes.get('deepseek')!.maxTokens, 1024);
    assert.equal(routes.get('deepseek')!.retries, 1);
    assert.equal(routes.get('local')!.targets[0]!.name, 'ollama');
    assert.deepEqual(insights.breaker, {
      consecutiveFailures: 5,
      failureRate: 0.5,
      windowMs: 60_000,
      minimumRequests: 10,
      cooldownMs: 30_000,
    });
    assert.deepEqual(routes.get('deepseek')!.breaker, insights.breaker, 'every route gets a breaker by default');
    assert.deepEqual(insights.limits, { total: { requestsPerMinute: 600, tokensPerDay: 5_000_000 } });
    assert.deepEqual(routes.limits?.perUser, { requestsPerMinute: 10, costPerDayUsd: 2 });
    assert.ok(routes.hasLimits());
  });

  it('refuses limits and breaker settings that make no sense, naming each', () => {
    const target = { provider: 'openai', model: 'm', pricePer1K: { input: 0, output: 0 } };
    const problems = problemsOf(() =>
      parseRoutes(
        {
          limits: { perUser: {} },
          routes: {
            r: {
              targets: [target],
              breaker: { consecutiveFailures: 0, cooldownMs: 5 },
              limits: { perTeam: { requestsPerMinute: 5 }, total: { costPerDayUsd: -1 } },
            },
          },
        },
        'r.json',
        { OPENAI_API_KEY: 'sk' },
      ),
    );
    assert.match(problems, /limits\.perUser: set at least one limit/);
    assert.match(problems, /routes\.r\.breaker\.consecutiveFailures: /);
    assert.match(problems, /routes\.r\.breaker\.cooldownMs: /);
    assert.match(problems, /routes\.r\.limits: Unrecognized key: "perTeam"/);
    assert.match(problems, /routes\.r\.limits\.total\.costPerDayUsd: /);
  });

  it('names the file, the field and the problem for every mistake at once', async () => {
    const file = await writeRoutes(
      JSON.stringify({
        routes: {
          insights: {
            timeout: 5000,
            targets: [
              { provider: 'openia', model: 'gpt-4o-mini', pricePer1K: price },
              { provider: 'openai', model: '', baseUrl: 'ftp://example.com', pricePer1K: { input: -1, output: 0 } },
            ],
          },
          empty: { targets: [] },
        },
      }),
    );
    const message = problemsOf(() => loadRoutesFile(file, FULL_ENV));
    assert.match(message, new RegExp(`^BYOM_ROUTES=${file.replaceAll('.', '\\.')}: invalid routes file:`));
    assert.match(message, /routes\.insights: Unrecognized key: "timeout"/);
    assert.match(message, /routes\.insights\.targets\[0\]\.provider: .*"openai"/);
    assert.match(message, /routes\.insights\.targets\[1\]\.model: /);
    assert.match(message, /routes\.insights\.targets\[1\]\.baseUrl: must be an http\(s\) URL/);
    assert.match(message, /routes\.insights\.targets\[1\]\.pricePer1K\.input: /);
    assert.match(message, /routes\.empty\.targets: a route needs at least one target/);
  });

  it('refuses a target whose credentials are missing, naming the variable but never a value', () => {
    const routes = {
      routes: {
        insights: {
          targets: [
            { provider: 'openai', model: 'gpt-4o-mini', pricePer1K: price },
            { provider: 'bedrock', model: 'anthropic.claude-3-haiku', pricePer1K: price },
            { provider: 'openai-compatible', model: 'llama', pricePer1K: price },
            {
              provider: 'openai-compatible',
              model: 'deepseek-chat',
              baseUrl: 'https://api.deepseek.com/v1',
              apiKeyEnv: 'DEEPSEEK_API_KEY',
              pricePer1K: price,
            },
          ],
        },
      },
    };
    const message = problemsOf(() => parseRoutes(routes, 'routes.json', { ANTHROPIC_API_KEY: 'sk-ant-secret' }));
    assert.match(
      message,
      /targets\[0\] \(openai gpt-4o-mini\): set OPENAI_API_KEY \(or name another variable in apiKeyEnv\)/,
    );
    assert.match(message, /targets\[1\] \(bedrock .*\): set AWS_REGION or give the target a region/);
    assert.match(message, /targets\[1\] .*set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
    assert.match(message, /targets\[2\]\.baseUrl: required for provider "openai-compatible"/);
    assert.match(message, /targets\[3\] .*: set DEEPSEEK_API_KEY$/m);
    assert.ok(!message.includes('sk-ant-secret'));
  });

  it('says so when the file is missing or not JSON', async () => {
    assert.match(
      problemsOf(() => loadRoutesFile('/nowhere/routes.json', FULL_ENV)),
      /^BYOM_ROUTES=\/nowhere\/routes\.json: cannot read the routes file \(no such file\)/,
    );
    const file = await writeRoutes('{ "routes": { "insights": { ');
    assert.match(
      problemsOf(() => loadRoutesFile(file, FULL_ENV)),
      /: not valid JSON: /,
    );
    assert.match(
      problemsOf(() => parseRoutes({ routes: {} }, 'r.json', {})),
      /routes: define at least one route/,
    );
  });

  it('keeps every timeout under the 25 s the gateway may run', () => {
    const message = problemsOf(() =>
      parseRoutes(
        { routes: { slow: { timeoutMs: 60_000, targets: [{ provider: 'openai', model: 'm', pricePer1K: price }] } } },
        'r.json',
        FULL_ENV,
      ),
    );
    assert.match(message, /routes\.slow\.timeoutMs: .*25000/);
  });
});
