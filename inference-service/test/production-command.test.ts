import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { procfileWebCommand, REPO_ROOT } from '../bench/procfile.ts';
import { LEAD_EXAMPLE } from '../src/scoring/lead-example.ts';
import { freePort, waitUntilReady } from './support/service-process.ts';
import type { ServiceProcess } from './support/service-process.ts';

const SERVICE_DIR = new URL('..', import.meta.url).pathname;
const KEY = 'procfile-test-key-0123456789';

describe('the production command (Procfile web process)', () => {
  let service: ServiceProcess | undefined;
  after(() => service?.child.kill('SIGKILL'));

  it(
    'builds with npm run build, boots the compiled service and scores the bundled model',
    { timeout: 60_000 },
    async () => {
      const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
      const build = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
        cwd: SERVICE_DIR,
        encoding: 'utf8',
      });
      assert.equal(build.status, 0, `the build fails:\n${build.stdout}${build.stderr}`);

      const port = await freePort();
      // `exec` so SIGTERM reaches node itself, as it does on a dyno; this test's node first on PATH.
      const child = spawn('sh', ['-c', `exec ${procfileWebCommand()}`], {
        cwd: REPO_ROOT,
        env: {
          PATH: `${path.dirname(process.execPath)}:${process.env.PATH ?? ''}`,
          HOST: '127.0.0.1',
          PORT: String(port),
          NODE_ENV: 'production',
          BYOM_API_KEYS: KEY,
        },
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      service = {
        child,
        port,
        baseUrl: `http://127.0.0.1:${port}`,
        stdout: () => '',
        stderr: () => stderr,
        exited,
      };
      await waitUntilReady(service);

      const response = await fetch(`${service.baseUrl}/v1/score`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify(LEAD_EXAMPLE),
      });
      assert.equal(response.status, 200);
      const body = (await response.json()) as { results: Array<{ score: number; factors: unknown[] }> };
      assert.equal(body.results.length, 1);
      assert.ok(body.results[0]!.score > 0 && body.results[0]!.score < 1);
      assert.equal(body.results[0]!.factors.length, 3);

      child.kill('SIGTERM');
      assert.equal(await exited, 0, `a SIGTERM drains and exits 0: ${stderr}`);
    },
  );
});
