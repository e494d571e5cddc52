import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { buildService } from '../bench/production-command.ts';
import { LEAD_EXAMPLE } from '../src/scoring/lead-example.ts';
import { startProductionCommand, waitUntilReady } from './support/service-process.ts';
import type { ServiceProcess } from './support/service-process.ts';

const KEY = 'procfile-test-key-0123456789';

describe('the production command (Procfile web process)', () => {
  let service: ServiceProcess | undefined;
  after(() => service?.child.kill('SIGKILL'));

  it(
    'builds with npm run build, boots the compiled service and scores the bundled model, loading no TypeScript',
    { timeout: 60_000 },
    async () => {
      buildService();
      service = await startProductionCommand({
        NODE_ENV: 'production',
        BYOM_API_KEYS: KEY,
        // Node then refuses any .ts file: the compiled service must load @byom/contracts' dist/ too.
        NODE_OPTIONS: '--no-experimental-strip-types',
      });
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

      service.child.kill('SIGTERM');
      assert.equal(await service.exited, 0, `a SIGTERM drains and exits 0: ${service.stderr()}`);
    },
  );
});
