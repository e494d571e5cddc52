import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startService, waitUntilReady } from '../support/service-process.ts';
import type { ServiceProcess } from '../support/service-process.ts';
import { stubTarget, writeRoutesFile } from '../support/gateway-test-app.ts';
import { startStubLlmProvider } from '../support/stub-llm-provider.ts';
import type { StubLlmProvider } from '../support/stub-llm-provider.ts';

const KEY = 'gateway-process-key-0123456789';

function post(service: ServiceProcess, route: string, body: unknown): Promise<Response> {
  return fetch(`${service.baseUrl}${route}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe('the service process with LLM routes', () => {
  let stub: StubLlmProvider;
  const started: ServiceProcess[] = [];
  const start = async (env: Record<string, string>) => {
    const service = await startService(env);
    started.push(service);
    return service;
  };
  before(async () => {
    stub = await startStubLlmProvider();
  });
  after(async () => {
    started.forEach((s) => s.child.kill('SIGKILL'));
    await stub.close();
  });

  it('loads BYOM_ROUTES at boot and serves /v1/generate and /v1/chat/completions, logging no PII', async () => {
    const routesFile = await writeRoutesFile({
      routes: { insights: { targets: [stubTarget(stub.baseUrl, 'model-a')] } },
    });
    const service = await start({
      NODE_ENV: 'production',
      BYOM_API_KEYS: KEY,
      BYOM_ROUTES: routesFile,
      LOG_LEVEL: 'debug',
    });
    await waitUntilReady(service);

    const prompt = 'Thank Maria Garcia (maria.garcia@example.com, card 4111 1111 1111 1111) for the order.';
    const response = await post(service, '/v1/generate', {
      route: 'insights',
      messages: [{ role: 'user', content: prompt }],
      pii: [{ field: 'Contact.Name', value: 'Maria Garcia' }],
    });
    const body = (await response.json()) as { text: string; masked: { total: number } };
    assert.equal(response.status, 200, JSON.stringify(body));
    assert.equal(body.text, `Echo: ${prompt}`);
    assert.equal(body.masked.total, 3);
    assert.match(response.headers.get('server-timing') ?? '', /^gateway;dur=[\d.]+, provider;dur=[\d.]+$/);

    const chat = await post(service, '/v1/chat/completions', {
      model: 'insights',
      messages: [{ role: 'user', content: 'Call Maria Garcia on +34 912 345 678' }],
      pii: [{ field: 'Contact.Name', value: 'Maria Garcia' }],
    });
    assert.equal(chat.status, 200);
    const answer = ((await chat.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message;
    assert.equal(answer.content, 'Echo: Call Maria Garcia on +34 912 345 678');

    for (const value of ['Maria Garcia', 'maria.garcia@example.com', '4111 1111 1111 1111', '912 345 678']) {
      assert.ok(!stub.receivedText().includes(value), `the provider never saw ${value}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    const log = service.stdout();
    assert.match(log, /"msg":"llm routes loaded"/);
    assert.match(log, /"msg":"llm request"/);
    for (const secret of ['Maria', 'maria.garcia', '4111', 'Thank', 'Echo:']) {
      assert.ok(!log.includes(secret), `the log never contains "${secret}"`);
    }
  });

  it('refuses to boot with a broken routes file, naming the file and the field', async () => {
    const routesFile = await writeRoutesFile({
      routes: { insights: { targets: [{ provider: 'openai', model: 'gpt-4o-mini', pricePer1K: { input: 'cheap' } }] } },
    });
    const service = await start({ BYOM_API_KEYS: KEY, BYOM_ROUTES: routesFile, OPENAI_API_KEY: 'sk-test' });
    assert.equal(await service.exited, 1);
    assert.match(
      service.stderr(),
      new RegExp(
        `BYOM_ROUTES=${routesFile.replaceAll('.', '\\.')}: invalid routes file:\\n\\s+routes\\.insights\\.targets\\[0\\]\\.pricePer1K\\.input: `,
      ),
    );
  });

  it('refuses to boot when a target has no credentials, naming the variable to set', async () => {
    const routesFile = await writeRoutesFile({
      routes: {
        insights: {
          targets: [{ provider: 'anthropic', model: 'claude-3-5-haiku-latest', pricePer1K: { input: 0, output: 0 } }],
        },
      },
    });
    const service = await start({ BYOM_API_KEYS: KEY, BYOM_ROUTES: routesFile });
    assert.equal(await service.exited, 1);
    assert.match(
      service.stderr(),
      /routes\.insights\.targets\[0\] \(anthropic claude-3-5-haiku-latest\): set ANTHROPIC_API_KEY/,
    );
  });

  it('starts without BYOM_ROUTES and says how to enable the gateway', async () => {
    const service = await start({ BYOM_API_KEYS: KEY });
    await waitUntilReady(service);
    const response = await post(service, '/v1/generate', {
      route: 'insights',
      messages: [{ role: 'user', content: 'hi' }],
    });
    assert.equal(response.status, 404);
    const body = (await response.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'ROUTE_NOT_FOUND');
    assert.match(body.error.message, /set BYOM_ROUTES/);
  });
});
