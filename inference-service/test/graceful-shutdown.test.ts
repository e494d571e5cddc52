import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { after, describe, it } from 'node:test';
import { buildService } from '../bench/production-command.ts';
import { LEAD_EXAMPLE } from '../src/scoring/lead-example.ts';
import { openRaw } from './support/raw-http.ts';
import { startProductionCommand, waitUntilReady } from './support/service-process.ts';
import type { ServiceProcess } from './support/service-process.ts';

const KEY = 'shutdown-test-key-0123456789';
const CALLERS = 32;

interface CallerResult {
  ok: number;
  failures: string[];
  toldToClose: boolean;
}

/**
 * SIGTERM under keep-alive load, against the production command: 32 callers each keep one
 * connection busy (the next request as soon as the last answer arrives), plus one idle
 * keep-alive connection. No request may fail, every caller must be told `Connection: close`,
 * the idle connection must be closed by the server, and the process must exit 0 before
 * SHUTDOWN_TIMEOUT_MS (10 s here; past it the process exits 1).
 */
describe('SIGTERM while 32 keep-alive callers are busy', () => {
  let service: ServiceProcess | undefined;
  after(() => service?.child.kill('SIGKILL'));

  it(
    'fails no request, closes every connection and exits 0 before the shutdown timeout',
    { timeout: 60_000 },
    async () => {
      service = await startReadyService();
      const running = service;
      const body = JSON.stringify(LEAD_EXAMPLE);

      const idle = await openRaw(running.port);
      idle.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
      await idle.waitFor(/"status":"ok"/);

      const caller = async (): Promise<CallerResult> => {
        const agent = new Agent({ keepAlive: true, maxSockets: 1 });
        const result: CallerResult = { ok: 0, failures: [], toldToClose: false };
        while (!result.toldToClose && result.failures.length === 0) {
          try {
            const { status, connection } = await post(running.port, agent, body);
            if (status === 200) result.ok++;
            else result.failures.push(`status ${status}`);
            result.toldToClose = connection === 'close';
          } catch (error) {
            result.failures.push((error as NodeJS.ErrnoException).code ?? (error as Error).message);
          }
        }
        agent.destroy();
        return result;
      };
      const callers = Array.from({ length: CALLERS }, caller);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      running.child.kill('SIGTERM');
      const results = await Promise.all(callers);

      const failures = results.flatMap((r) => r.failures);
      assert.deepEqual(failures, [], 'no request failed');
      assert.ok(
        results.every((r) => r.toldToClose),
        'every caller was told Connection: close',
      );
      assert.ok(results.reduce((n, r) => n + r.ok, 0) > CALLERS, 'the callers were busy before the signal');
      // Each caller had a request on the wire when the signal came (it sends the next as soon as
      // an answer arrives, until told to close), and none failed: the drain served them. Whether
      // a caller also sent one after the signal is a race with the answer it was waiting for.
      assert.equal(await idle.closed(5000), true, 'the idle keep-alive connection is closed by the server');
      assert.equal(await running.exited, 0, `exit 0 (1 would mean the 10 s timeout hit): ${running.stderr()}`);
      assert.match(running.stdout(), /"msg":"stopped"/);
    },
  );
});

/**
 * SIGTERM right after callers hung up on large explained requests: their runs are still going
 * (on the main thread and the worker pool) when the HTTP server has nothing left to drain.
 * onnxruntime aborted the process (exit 134, "terminate called after throwing an instance of
 * 'Napi::Error'") when the sessions were released under those runs; the models now close once
 * their runs finish.
 */
describe('SIGTERM while runs of callers who hung up are still going', () => {
  let service: ServiceProcess | undefined;
  after(() => service?.child.kill('SIGKILL'));

  it('waits for the runs, then exits 0', { timeout: 60_000 }, async () => {
    service = await startReadyService();
    const features = LEAD_EXAMPLE.records[0]!.features;
    const records = Array.from({ length: 1000 }, (_, i) => ({ id: `hung-up-${i}`, features }));
    // About 33 rows a record with explanations and suggestions: several runs per request, some on the pool.
    const body = JSON.stringify({ model: 'lead-scoring', explain: true, improve: true, records });
    const connections = await Promise.all(Array.from({ length: 8 }, () => openRaw(service!.port)));
    for (const raw of connections) {
      raw.socket.write(
        `POST /v1/score HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEY}\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
    }
    // Long enough for the bodies to be read and the first runs to start, far shorter than the requests.
    await new Promise((resolve) => setTimeout(resolve, 150));
    for (const raw of connections) raw.socket.destroy();
    service.child.kill('SIGTERM');
    assert.equal(await service.exited, 0, `exit 0: ${service.stderr()}`);
    assert.doesNotMatch(service.stderr(), /terminate called/);
    assert.match(service.stdout(), /"msg":"stopped"/);
  });
});

/** The production command with a 10 s shutdown timeout (past it the process exits 1), once ready. */
async function startReadyService(): Promise<ServiceProcess> {
  buildService();
  const service = await startProductionCommand({
    NODE_ENV: 'production',
    BYOM_API_KEYS: KEY,
    SHUTDOWN_TIMEOUT_MS: '10000',
    LOG_LEVEL: 'info',
  });
  await waitUntilReady(service);
  return service;
}

function post(port: number, agent: Agent, body: string): Promise<{ status: number; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/v1/score',
        method: 'POST',
        agent,
        headers: {
          authorization: `Bearer ${KEY}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
