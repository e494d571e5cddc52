import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildService } from '../bench/production-command.ts';
import { LEAD_EXAMPLE } from '../src/scoring/lead-example.ts';
import { startProductionService } from './support/production-service.ts';
import type { ProductionService } from './support/production-service.ts';
import { lastJsonBody, openRaw } from './support/raw-http.ts';
import { startProductionCommand } from './support/service-process.ts';
import type { ServiceProcess } from './support/service-process.ts';
import { tensorClassifier, writeModelDir } from './support/test-models.ts';

const KEY = 'limits-test-key-0123456789';
const UNSIGNED_KEY = 'open-connector-key-0123456789';
const SECRET = 'limits-test-signing-secret-0123456789abcdef';
const MAX_CONNECTIONS = 16;

const sign = (body: string) => `v1=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
const signedScoreBody = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ ...LEAD_EXAMPLE, sentAt: new Date().toISOString(), ...extra });

/**
 * What the HTTP server does before a request reaches a route, against the production command:
 * Node's own refusals in the JSON error shape, timeouts, the connection cap, `100 Continue`
 * only after the key check, replays refused whatever the body holds, and keys for clients that
 * cannot sign.
 */
describe('the production HTTP server: limits, Node-level errors, 100-continue, replays', () => {
  let running: ProductionService;
  let service: ServiceProcess;

  before(async () => {
    running = await startProductionService({
      BYOM_API_KEYS: KEY,
      BYOM_UNSIGNED_KEYS: UNSIGNED_KEY,
      BYOM_SIGNING_SECRET: SECRET,
      HEADERS_TIMEOUT_MS: '1000',
      REQUEST_TIMEOUT_MS: '2000',
      MAX_CONNECTIONS: String(MAX_CONNECTIONS),
    });
    service = running.service;
  });
  after(async () => {
    await running?.stop();
  });

  const assertJsonRefusal = (text: string, status: number, code: string) => {
    assert.match(text, new RegExp(`^HTTP/1\\.1 ${status} `), text.slice(0, 200));
    assert.match(text, /\r\nContent-Type: application\/json\r\n/i);
    const body = lastJsonBody(text) as { error: { code: string; message: string; requestId: string } };
    assert.equal(body.error.code, code);
    assert.ok(body.error.message.length > 0 && body.error.requestId.length > 0);
  };

  it('answers HTTP it cannot parse with a 400, and headers over 16 KB with a 431, as JSON', async () => {
    const garbage = await openRaw(service.port);
    garbage.socket.write('HELLO THERE\r\n\r\n');
    assertJsonRefusal(await garbage.waitFor(/\}$/), 400, 'BAD_REQUEST');
    assert.equal(await garbage.closed(), true);

    const huge = await openRaw(service.port);
    huge.socket.write(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: ${'p'.repeat(20_000)}\r\n\r\n`);
    assertJsonRefusal(await huge.waitFor(/\}$/), 431, 'HEADERS_TOO_LARGE');
  });

  it('gives up on headers or a body that arrive too slowly, with a 408 as JSON', async () => {
    const slowHeaders = await openRaw(service.port);
    slowHeaders.socket.write(`POST /v1/score HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEY}\r\n`);
    assertJsonRefusal(await slowHeaders.waitFor(/\}$/, 5000), 408, 'REQUEST_TIMEOUT');
    assert.equal(await slowHeaders.closed(), true);

    const body = signedScoreBody();
    const slowBody = await openRaw(service.port);
    slowBody.socket.write(
      `POST /v1/score HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${KEY}\r\nContent-Type: application/json\r\n` +
        `X-BYOM-Signature: ${sign(body)}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 10)}`,
    );
    assertJsonRefusal(await slowBody.waitFor(/\}$/, 6000), 408, 'REQUEST_TIMEOUT');
    assert.equal(await slowBody.closed(), true, 'an authenticated body that stalls is not held');
  });

  it(`drops connections past MAX_CONNECTIONS (${MAX_CONNECTIONS}) and serves again once some close`, async () => {
    const held = await Promise.all(Array.from({ length: MAX_CONNECTIONS }, () => openRaw(service.port)));
    const extra = await openRaw(service.port);
    extra.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.equal(await extra.closed(2000), true, 'the connection over the cap is closed');
    assert.equal(extra.received(), '', 'and answered nothing');
    for (const connection of held) connection.socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal((await fetch(`${service.baseUrl}/healthz`)).status, 200);
  });

  it('sends 100 Continue only once the key is checked, and closes the connection it refuses', async () => {
    const body = signedScoreBody();
    const head = (key: string) =>
      `POST /v1/score HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\n` +
      `X-BYOM-Signature: ${sign(body)}\r\nExpect: 100-continue\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;

    const refused = await openRaw(service.port);
    refused.socket.write(head('not-the-key-0123456789'));
    const answer = await refused.waitFor(/\}$/);
    assert.doesNotMatch(answer, /100 Continue/, 'no 100 before the key is checked');
    assertJsonRefusal(answer, 401, 'UNAUTHORIZED');
    assert.match(answer, /\r\nConnection: close\r\n/i);
    assert.equal(await refused.closed(), true);

    const accepted = await openRaw(service.port);
    accepted.socket.write(head(KEY));
    await accepted.waitFor(/^HTTP\/1\.1 100 Continue\r\n\r\n/);
    accepted.socket.write(body);
    const scored = await accepted.waitFor(/\}$/);
    assert.match(scored, /HTTP\/1\.1 200 OK/);
    assert.equal((lastJsonBody(scored) as { results: unknown[] }).results.length, 1);
    accepted.socket.destroy();
  });

  it('refuses a replayed signed body whatever it holds, with or without a requestId', async () => {
    for (const body of [signedScoreBody(), signedScoreBody({ note: 7 }), signedScoreBody({ requestId: 'r-1' })]) {
      const send = () =>
        fetch(`${service.baseUrl}/v1/score`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${KEY}`,
            'content-type': 'application/json',
            'x-byom-signature': sign(body),
          },
          body,
        });
      assert.equal((await send()).status, 200, body);
      const replay = await send();
      assert.equal(replay.status, 401);
      assert.equal(((await replay.json()) as { error: { message: string } }).error.message, 'replayed request');
    }
  });

  it('lets a BYOM_UNSIGNED_KEYS key call /v1/chat/completions unsigned, and nothing else', async () => {
    const chat = (key: string) =>
      fetch(`${service.baseUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'api-key': key, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'insights', messages: [{ role: 'user', content: 'Say hello' }] }),
      });
    const completion = await chat(UNSIGNED_KEY);
    assert.equal(completion.status, 200, await completion.clone().text());
    assert.equal(
      ((await completion.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content,
      'Echo: Say hello',
    );
    assert.equal((await chat(KEY)).status, 401, 'a signing key still has to sign');

    const score = await fetch(`${service.baseUrl}/v1/score`, {
      method: 'POST',
      headers: { 'api-key': UNSIGNED_KEY, 'content-type': 'application/json' },
      body: JSON.stringify(LEAD_EXAMPLE),
    });
    assert.equal(score.status, 403);
    assert.equal(((await score.json()) as { error: { code: string } }).error.code, 'FORBIDDEN');
    const models = await fetch(`${service.baseUrl}/v1/models`, { headers: { 'api-key': UNSIGNED_KEY } });
    assert.equal(models.status, 403);
  });
});

describe('the production process while its models load', () => {
  let service: ServiceProcess;
  let modelDir: string;
  after(async () => {
    service?.child.kill('SIGKILL');
    if (modelDir) await rm(modelDir, { recursive: true, force: true });
  });

  it('answers 503 NOT_READY with Retry-After, and a SIGTERM then still exits 0', async () => {
    buildService();
    const model = tensorClassifier();
    modelDir = await writeModelDir([model]);
    // The graph is a named pipe: loading blocks on it until the test writes (or never does).
    const onnxFile = path.join(modelDir, model.card.name, model.card.version, 'model.onnx');
    await rm(onnxFile);
    execFileSync('mkfifo', [onnxFile]);
    service = await startProductionCommand({
      NODE_ENV: 'production',
      BYOM_API_KEYS: KEY,
      MODEL_DIR: modelDir,
      LOG_LEVEL: 'info',
    });
    await waitForLiveness(service);

    const response = await fetch(`${service.baseUrl}/v1/score`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(LEAD_EXAMPLE),
    });
    assert.equal(response.status, 503);
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'NOT_READY');
    assert.equal(response.headers.get('retry-after'), '2');
    assert.equal((await fetch(`${service.baseUrl}/readyz`)).status, 503);

    // The signal handlers are in place before the models load: the drain runs while loading is stuck.
    service.child.kill('SIGTERM');
    await waitForLog(service, /"msg":"stopped"/);
    assert.match(service.stdout(), /"msg":"draining in-flight requests"/);
    assert.doesNotMatch(service.stdout(), /"msg":"ready"/);
    // A read blocked on the pipe would hold the process's exit too: let it finish.
    await writeFile(onnxFile, model.onnx);
    assert.equal(await service.exited, 0, `exits 0: ${service.stderr()}`);
  });
});

async function waitForLog(service: ServiceProcess, pattern: RegExp): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!pattern.test(service.stdout())) {
    if (Date.now() > deadline) throw new Error(`no ${pattern} in the log: ${service.stdout()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function waitForLiveness(service: ServiceProcess): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${service.baseUrl}/healthz`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`not live: ${service.stderr()}`);
}
