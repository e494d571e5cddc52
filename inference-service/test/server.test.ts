import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import { startService, waitUntilReady } from './support/service-process.ts';
import type { ServiceProcess } from './support/service-process.ts';
import { columnsZipMapClassifier, tensorClassifier, writeModelDir } from './support/test-models.ts';

const KEY = 'process-test-key-0123456789';

/** What the shell makes of a single-quoted word the banner printed. */
async function shellWord(quoted: string): Promise<string> {
  const { stdout } = await promisify(execFile)('sh', ['-c', `printf %s ${quoted}`]);
  return stdout;
}

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the service process', () => {
  const started: ServiceProcess[] = [];
  const start = async (env: Record<string, string>) => {
    const service = await startService(env);
    started.push(service);
    return service;
  };
  after(() => started.forEach((s) => s.child.kill('SIGKILL')));

  it('boots, loads models from MODEL_DIR next to the bundled ones, and scores over HTTP', async () => {
    const modelDir = await writeModelDir([tensorClassifier()]);
    const service = await start({
      NODE_ENV: 'production',
      BYOM_API_KEYS: `${KEY},second-key-0123456789`,
      MODEL_DIR: modelDir,
    });
    await waitUntilReady(service);
    const response = await fetch(`${service.baseUrl}/v1/score`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', 'x-request-id': 'proc-1' },
      body: JSON.stringify({
        model: 'tensor-classifier',
        records: [{ id: 'r', features: { a: 1, b: 2, flag: true } }],
      }),
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-request-id'), 'proc-1');
    const models = (await (await fetch(`${service.baseUrl}/v1/models`, { headers: { 'x-api-key': KEY } })).json()) as {
      models: Array<{ name: string }>;
    };
    assert.ok(
      models.models.some((m) => m.name === 'tensor-classifier'),
      'MODEL_DIR models are served',
    );
  });

  it('serves a torch export with external data (model.onnx + model.onnx.data) from MODEL_DIR', async () => {
    const fixtures = new URL('fixtures/torch-external-data/', import.meta.url).pathname;
    const service = await start({ NODE_ENV: 'production', BYOM_API_KEYS: KEY, MODEL_DIR: fixtures });
    await waitUntilReady(service);
    const expected = JSON.parse(await readFile(path.join(fixtures, 'expected-rows.json'), 'utf8')) as {
      rows: Array<{ id: string; features: Record<string, number>; score: number }>;
    };
    const response = await fetch(`${service.baseUrl}/v1/score`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'torch-mlp',
        records: expected.rows.map(({ id, features }) => ({ id, features })),
      }),
    });
    const answer = (await response.json()) as { results: Array<{ id: string; score: number }> };
    assert.equal(response.status, 200, JSON.stringify(answer));
    answer.results.forEach((result, i) =>
      assert.ok(Math.abs(result.score - expected.rows[i]!.score) < 1e-6, `${result.id} scores as torch does`),
    );
  });

  it('logs structured JSON without feature values or keys', async () => {
    const modelDir = await writeModelDir([columnsZipMapClassifier()]);
    const service = await start({
      NODE_ENV: 'production',
      BYOM_API_KEYS: KEY,
      MODEL_DIR: modelDir,
      LOG_LEVEL: 'debug',
    });
    await waitUntilReady(service);
    await fetch(`${service.baseUrl}/v1/models/nope`, { headers: { authorization: `Bearer ${KEY}` } });
    await fetch(`${service.baseUrl}/v1/score`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'columns-zipmap',
        explain: true,
        records: [{ id: 'r', features: { Region: 'secret-region-value', Amount: 987654321 } }],
      }),
    });
    await new Promise((r) => setTimeout(r, 100));
    const lines = service.stdout().trim().split('\n');
    const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.ok(
      entries.some((e) => e.msg === 'request' && e.route === '/v1/score' && e.status === 200),
      'each request is logged',
    );
    assert.ok(
      entries.some((e) => e.msg === 'ready'),
      'readiness is logged',
    );
    assert.ok(
      !service.stdout().includes('secret-region-value') && !service.stdout().includes('987654321'),
      'feature values never reach the log',
    );
    assert.ok(!service.stdout().includes(KEY), 'the key never reaches the log');
  });

  it('refuses to start in production without BYOM_API_KEYS', async () => {
    const service = await start({ NODE_ENV: 'production' });
    assert.equal(await service.exited, 1);
    assert.match(service.stderr(), /BYOM_API_KEYS is required when NODE_ENV=production/);
  });

  it('keeps one development key across restarts, in its file, and prints a ready-to-paste request', async () => {
    const keyFile = path.join(await mkdtemp(path.join(tmpdir(), 'byom-dev-key-')), '.dev-key');
    const first = await start({ NODE_ENV: 'development', BYOM_DEV_KEY_FILE: keyFile });
    await waitUntilReady(first);
    const key = /export BYOM_KEY=(\S+)/.exec(first.stderr())?.[1];
    assert.ok(key, `a key is printed: ${first.stderr()}`);
    assert.doesNotMatch(key, /^-/);
    assert.match(first.stderr(), /curl -s http:\/\/127\.0\.0\.1:\d+\/v1\/score/);
    assert.match(first.stderr(), new RegExp(`saved in ${keyFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const response = await fetch(`${first.baseUrl}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(response.status, 200, 'the printed key works');
    first.child.kill('SIGTERM');
    await first.exited;

    const second = await start({ NODE_ENV: 'development', BYOM_DEV_KEY_FILE: keyFile });
    await waitUntilReady(second);
    assert.equal(/export BYOM_KEY=(\S+)/.exec(second.stderr())?.[1], key, 'a restart keeps the exported key working');
  });

  it('prints a request that works for a MODEL_DIR model, built from its card', async () => {
    // "columns-zipmap" sorts before "lead-scoring": the banner used to send it "records": [].
    const modelDir = await writeModelDir([columnsZipMapClassifier(), tensorClassifier()]);
    const service = await start({ NODE_ENV: 'development', MODEL_DIR: modelDir });
    await waitUntilReady(service);
    await waitFor(() => /-d '/.test(service.stderr()));
    const banner = service.stderr();
    assert.match(banner, /Score a record with columns-zipmap 2\.0\.0:/);
    const key = /export BYOM_KEY=(\S+)/.exec(banner)![1]!;
    const body = await shellWord(/-d ('.*')\n/.exec(banner)![1]!);
    const response = await fetch(`${service.baseUrl}/v1/score`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body,
    });
    const answer = (await response.json()) as { results: unknown[]; errors: unknown[] };
    assert.equal(response.status, 200, JSON.stringify(answer));
    assert.equal(answer.results.length, 1, `the printed request scores its record: ${body}`);
    assert.deepEqual(answer.errors, []);
  });

  it('prints the bundled lead example when no MODEL_DIR is set, and it scores', async () => {
    const service = await start({ NODE_ENV: 'development' });
    await waitUntilReady(service);
    await waitFor(() => /-d '/.test(service.stderr()));
    const banner = service.stderr();
    assert.match(banner, /Score a lead with the bundled model:/);
    const body = JSON.parse(await shellWord(/-d ('.*')\n/.exec(banner)![1]!)) as { model: string };
    assert.equal(body.model, 'lead-scoring');
  });

  it('logs a warning for a model directory with no model card', async () => {
    const modelDir = await writeModelDir([tensorClassifier()]);
    await mkdir(path.join(modelDir, 'churn'));
    const service = await start({ BYOM_API_KEYS: KEY, MODEL_DIR: modelDir });
    await waitUntilReady(service);
    const warning = service
      .stdout()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { level: number; msg: string; file?: string })
      .find((entry) => entry.msg.startsWith('model directory:'));
    assert.ok(warning, service.stdout());
    assert.equal(warning.file, path.join(modelDir, 'churn'));
    assert.match(warning.msg, /has no model\.json \(nor <version>\/model\.json\), so no model is served from it/);
  });

  it('says to set PORT when the port is taken, without a stack trace', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const { port } = busy.address() as AddressInfo;
    try {
      const service = await start({ BYOM_API_KEYS: KEY, PORT: String(port) });
      assert.equal(await service.exited, 1);
      assert.match(
        service.stderr(),
        new RegExp(`port ${port} on 127.0.0.1 is already in use.*PORT=${port + 1} npm start`),
      );
      assert.doesNotMatch(service.stderr(), /\n\s+at /, 'no stack trace');
    } finally {
      busy.close();
    }
  });

  it('stops with a readable error on bad configuration', async () => {
    const service = await start({ PORT: 'eighty', BYOM_API_KEYS: KEY });
    assert.equal(await service.exited, 1);
    assert.match(service.stderr(), /invalid configuration in the environment:\n\s+PORT:/);
    const short = await start({ BYOM_API_KEYS: 'short' });
    assert.equal(await short.exited, 1);
    assert.match(short.stderr(), /BYOM_API_KEYS: every key must be at least 16 characters/);
  });

  it('stops the boot when a model does not match its card, naming the file and field', async () => {
    const broken = tensorClassifier();
    const modelDir = await writeModelDir([
      { card: { ...broken.card, inputs: { style: 'tensor', name: 'wrong' } }, onnx: broken.onnx },
    ]);
    const service = await start({ BYOM_API_KEYS: KEY, MODEL_DIR: modelDir });
    assert.equal(await service.exited, 1);
    assert.match(
      service.stderr(),
      /cannot load models: .*tensor-classifier\/1\.0\.0\/model\.json: inputs\.name: model\.onnx has no input "wrong"/,
    );
  });

  it('finishes in-flight requests on SIGTERM, then exits 0', async () => {
    const modelDir = await writeModelDir([tensorClassifier()]);
    const service = await start({ BYOM_API_KEYS: KEY, MODEL_DIR: modelDir });
    await waitUntilReady(service);
    const body = JSON.stringify({ model: 'tensor-classifier', records: [{ id: 'late', features: { a: 1, b: 1 } }] });
    // Send the headers and half the body, signal, then the rest: the request is in flight during shutdown.
    const responded = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        `${service.baseUrl}/v1/score`,
        {
          method: 'POST',
          headers: {
            authorization: `Bearer ${KEY}`,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on('error', reject);
      req.write(body.slice(0, 20));
      setTimeout(() => {
        service.child.kill('SIGTERM');
        setTimeout(() => req.end(body.slice(20)), 300);
      }, 100);
    });
    const { status, text } = await responded;
    assert.equal(status, 200, `the in-flight request completes: ${text}`);
    assert.match(text, /"id":"late"/);
    assert.equal(await service.exited, 0, 'the process exits cleanly once drained');
    assert.match(service.stdout(), /draining in-flight requests/);
  });
});
