import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createGatewayTestApp, stubTarget, writeRoutesFile } from '../support/gateway-test-app.ts';
import type { GatewayTestApp } from '../support/gateway-test-app.ts';
import { startService, waitUntilReady } from '../support/service-process.ts';
import type { ServiceProcess } from '../support/service-process.ts';
import { startStubLlmProcess } from '../support/stub-llm-process.ts';
import type { StubLlmProcess } from '../support/stub-llm-process.ts';
import { startStubLlmProvider } from '../support/stub-llm-provider.ts';
import { TEST_KEY } from '../support/test-app.ts';
import type { StubLlmProvider } from '../support/stub-llm-provider.ts';

const KEY = 'circuit-breaker-key-0123456789';
const TIMEOUT_MS = 300;
const COOLDOWN_MS = 1500;

interface Attempt {
  provider: string;
  outcome: string;
  latencyMs: number;
  circuit?: string;
}
interface Answer {
  provider: string;
  latencyMs: number;
  attempts: Attempt[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const summary = (answer: Pick<Answer, 'attempts'>) =>
  answer.attempts.map((a) => `${a.provider}:${a.outcome}:${a.circuit}`);

/**
 * A primary provider process that hangs (SIGSTOP) and recovers (SIGCONT), behind the real
 * service process: the circuit opens after repeated timeouts, requests then go straight to the
 * secondary, and one probe closes it again once the primary answers.
 */
describe('circuit breakers against a provider process that hangs and recovers', () => {
  let primary: StubLlmProcess;
  let secondary: StubLlmProcess;
  let service: ServiceProcess;

  const generate = async (): Promise<Answer> => {
    const response = await fetch(`${service.baseUrl}/v1/generate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ route: 'insights', messages: [{ role: 'user', content: 'Summarise the account.' }] }),
    });
    const body = (await response.json()) as Answer;
    assert.equal(response.status, 200, JSON.stringify(body));
    return body;
  };
  const circuitGauge = async (): Promise<string | undefined> => {
    const text = await (await fetch(`${service.baseUrl}/metrics`, { headers: { 'x-api-key': KEY } })).text();
    return /byom_llm_circuit_state\{route="insights",provider="stub-primary",model="primary"\} (\d)/.exec(text)?.[1];
  };

  before(async () => {
    [primary, secondary] = await Promise.all([startStubLlmProcess(), startStubLlmProcess()]);
    const routesFile = await writeRoutesFile({
      routes: {
        insights: {
          timeoutMs: TIMEOUT_MS,
          retries: 0,
          breaker: { consecutiveFailures: 3, cooldownMs: COOLDOWN_MS },
          targets: [
            stubTarget(primary.baseUrl, 'primary', { name: 'stub-primary' }),
            stubTarget(secondary.baseUrl, 'secondary', { name: 'stub-secondary' }),
          ],
        },
      },
    });
    service = await startService({ NODE_ENV: 'production', BYOM_API_KEYS: KEY, BYOM_ROUTES: routesFile });
    await waitUntilReady(service, 60_000);
  });
  after(async () => {
    service?.child.kill('SIGKILL');
    await Promise.all([primary?.close(), secondary?.close()]);
  });

  it('opens after three timeouts, skips the dead primary at once, and closes after one successful probe', async (t) => {
    assert.deepEqual(summary(await generate()), ['stub-primary:ok:closed']);
    assert.equal(await circuitGauge(), '0');

    primary.hang();
    for (let i = 0; i < 3; i++) {
      const answer = await generate();
      assert.deepEqual(summary(answer), ['stub-primary:timeout:closed', 'stub-secondary:ok:closed']);
      assert.ok(
        // Half the timeout, not all of it: a timer counts from the event loop's cached time, so on a busy
        // machine it fires early by the length of the loop turn that set it.
        answer.attempts[0]!.latencyMs >= TIMEOUT_MS / 2,
        `a closed circuit pays the timeout: ${JSON.stringify(answer.attempts)}`,
      );
    }
    assert.equal(await circuitGauge(), '2', 'the gauge reports the circuit open');

    // Open: the primary is skipped without a call. How long a request takes to reach the
    // secondary is its latency minus the secondary's own attempt (docs/llm-gateway.md quotes it).
    const toSecondary: number[] = [];
    for (let i = 0; i < 20; i++) {
      const answer = await generate();
      assert.deepEqual(summary(answer), ['stub-primary:circuit_open:open', 'stub-secondary:ok:closed']);
      assert.equal(answer.attempts[0]!.latencyMs, 0);
      toSecondary.push(answer.latencyMs - answer.attempts[1]!.latencyMs);
    }
    toSecondary.sort((a, b) => a - b);
    t.diagnostic(
      `open circuit: request arrival to the secondary's call, over 20 requests: ` +
        `median ${toSecondary[10]!.toFixed(2)} ms, max ${toSecondary[19]!.toFixed(2)} ms ` +
        `(a closed circuit pays the ${TIMEOUT_MS} ms timeout)`,
    );

    primary.recover();
    await sleep(COOLDOWN_MS + 50);
    assert.deepEqual(summary(await generate()), ['stub-primary:ok:half_open'], 'one probe goes to the primary');
    assert.equal(await circuitGauge(), '0');
    assert.deepEqual(summary(await generate()), ['stub-primary:ok:closed']);
  });

  it('lets exactly one probe through while half-open, and reopens when the probe fails', async () => {
    primary.hang();
    for (let i = 0; i < 3; i++) await generate();
    await sleep(COOLDOWN_MS + 50);

    // Five requests at once after the cool-down: one probes the (still hanging) primary, the
    // other four skip it rather than queue behind the probe.
    const answers = await Promise.all(Array.from({ length: 5 }, () => generate()));
    const probes = answers.filter((a) => a.attempts[0]!.circuit === 'half_open');
    assert.equal(probes.length, 1, answers.map((a) => summary(a).join(' ')).join('\n'));
    assert.deepEqual(summary(probes[0]!), ['stub-primary:timeout:half_open', 'stub-secondary:ok:closed']);
    for (const answer of answers.filter((a) => a !== probes[0])) {
      assert.deepEqual(summary(answer), ['stub-primary:circuit_open:open', 'stub-secondary:ok:closed']);
    }
    assert.deepEqual(
      summary(await generate()),
      ['stub-primary:circuit_open:open', 'stub-secondary:ok:closed'],
      'a failed probe opens the circuit again',
    );
    assert.equal(await circuitGauge(), '2');
    primary.recover();
  });
});

describe('circuit breakers on a failure rate', () => {
  let stub: StubLlmProvider;
  let t: GatewayTestApp;

  before(async () => {
    stub = await startStubLlmProvider();
    t = await createGatewayTestApp({
      routes: {
        flaky: {
          retries: 0,
          // Never three in a row, but more than half of the last calls fail.
          breaker: {
            consecutiveFailures: 3,
            failureRate: 0.5,
            windowMs: 10_000,
            minimumRequests: 6,
            cooldownMs: 60_000,
          },
          targets: [stubTarget(stub.baseUrl, 'model-a'), stubTarget(stub.baseUrl, 'model-b')],
        },
        unguarded: { retries: 0, breaker: false, targets: [stubTarget(stub.baseUrl, 'model-c')] },
        strict: { retries: 0, breaker: { consecutiveFailures: 2 }, targets: [stubTarget(stub.baseUrl, 'model-d')] },
      },
    });
  });
  beforeEach(() => stub.reset());
  after(() => stub.close());

  const generate = async (route: string) => {
    const response = await t.post('/v1/generate', { route, messages: [{ role: 'user', content: 'hi' }] });
    return (await response.json()) as { attempts?: Attempt[]; error?: { details: { attempts: Attempt[] } } };
  };

  it('opens when more than the failure rate of the calls in the window fail, even with no three in a row', async () => {
    const fail = { type: 'error', status: 503 } as const;
    const ok = { type: 'reply' } as const;
    stub.scriptModel('model-a', fail, fail, ok, fail, fail, ok, fail);
    const outcomes: string[] = [];
    for (let i = 0; i < 8; i++) outcomes.push((await generate('flaky')).attempts![0]!.outcome);
    assert.deepEqual(outcomes, [
      'server_error',
      'server_error',
      'ok',
      'server_error',
      'server_error',
      'ok',
      'server_error', // 5 of 7 failed: over half, with at least 6 calls seen
      'circuit_open',
    ]);
    const metrics = await (await t.app.request('/metrics', { headers: { 'x-api-key': TEST_KEY } })).text();
    assert.match(metrics, /byom_llm_circuit_state\{route="flaky",provider="stub-model-a",model="model-a"\} 2/);
    assert.match(
      metrics,
      /byom_llm_circuit_transitions_total\{route="flaky",provider="stub-model-a",model="model-a",to="open"\} 1/,
    );
    assert.doesNotMatch(metrics, /byom_llm_circuit_state\{route="unguarded"/, 'breaker: false means no circuit');
  });

  it('never counts a request the provider rejected as invalid (400)', async () => {
    stub.scriptModel('model-d', ...Array.from({ length: 3 }, () => ({ type: 'error', status: 400 }) as const));
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(summary((await generate('strict')).error!.details), ['stub-model-d:client_error:closed']);
    }
    assert.deepEqual(summary((await generate('strict')) as Answer), ['stub-model-d:ok:closed']);
  });

  it('leaves routes with breaker: false alone: every request tries every target', async () => {
    stub.scriptModel('model-c', ...Array.from({ length: 6 }, () => ({ type: 'error', status: 503 }) as const));
    for (let i = 0; i < 6; i++) {
      const body = await generate('unguarded');
      assert.equal(body.error!.details.attempts[0]!.outcome, 'server_error');
      assert.equal(body.error!.details.attempts[0]!.circuit, undefined);
    }
  });
});
