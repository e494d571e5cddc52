import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { buildScoreBody } from '../bench/request-bodies.ts';
import { buildService } from '../bench/production-command.ts';
import type { ModelCard } from '@byom/contracts/model-card';
import { startProductionCommand, waitUntilReady } from './support/service-process.ts';
import type { ServiceProcess } from './support/service-process.ts';

const KEY = 'overload-test-key-0123456789';
const CARD = JSON.parse(
  readFileSync(new URL('../models/lead-scoring/model.json', import.meta.url), 'utf8'),
) as ModelCard;
/** What Apex sends at most: 1,000 records, explained. About 270 KB and 9,000 rows of inference. */
const BODY = JSON.stringify(buildScoreBody(CARD.name, CARD.version, CARD.features, 1000, true));

interface Outcome {
  status: number;
  code?: string;
  retryAfter: string | null;
}

/**
 * Admission control, against the production command: when more work arrives than the limits
 * allow, the service answers the excess at once with 503 OVERLOADED and Retry-After, scores
 * what it admitted, never answers another 5xx, and keeps running. (Memory and latency under
 * this load are measured by `npm run bench`, not here.)
 */
describe('admission control under a burst of 1,000-record explained requests', () => {
  const started: ServiceProcess[] = [];
  after(() => started.forEach((s) => s.child.kill('SIGKILL')));

  const start = async (env: Record<string, string>) => {
    buildService();
    const service = await startProductionCommand({
      NODE_ENV: 'production',
      BYOM_API_KEYS: KEY,
      LOG_LEVEL: 'warn',
      ...env,
    });
    started.push(service);
    await waitUntilReady(service);
    return service;
  };

  const burst = async (service: ServiceProcess, callers: number): Promise<Outcome[]> =>
    Promise.all(
      Array.from({ length: callers }, async () => {
        const response = await fetch(`${service.baseUrl}/v1/score`, {
          method: 'POST',
          headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
          body: BODY,
        });
        const json = (await response.json()) as { error?: { code: string }; results?: unknown[] };
        if (response.status === 200) assert.equal(json.results?.length, 1000, 'an admitted request is fully scored');
        return { status: response.status, code: json.error?.code, retryAfter: response.headers.get('retry-after') };
      }),
    );

  const assertShedCleanly = (outcomes: Outcome[]) => {
    const statuses = new Set(outcomes.map((o) => o.status));
    assert.deepEqual(
      [...statuses].filter((s) => s !== 200 && s !== 503),
      [],
      'only 200 and 503 answers',
    );
    const shed = outcomes.filter((o) => o.status === 503);
    assert.ok(shed.length > 0, 'some requests are shed');
    assert.ok(
      outcomes.some((o) => o.status === 200),
      'some requests are scored',
    );
    for (const o of shed) assert.deepEqual([o.code, o.retryAfter], ['OVERLOADED', '1']);
  };

  const assertAlive = async (service: ServiceProcess) => {
    assert.equal(service.child.exitCode, null, 'the process is still running');
    assert.equal((await fetch(`${service.baseUrl}/healthz`)).status, 200);
  };

  it('sheds what would take request bytes in flight past MAX_BYTES_IN_FLIGHT', { timeout: 120_000 }, async () => {
    const service = await start({ MAX_BYTES_IN_FLIGHT: String(1024 * 1024) });
    assertShedCleanly(await burst(service, 48));
    await assertAlive(service);
  });

  it('sheds what would take the rows waiting for inference past MAX_QUEUED_ROWS', { timeout: 120_000 }, async () => {
    const service = await start({ MAX_QUEUED_ROWS: '20000' });
    assertShedCleanly(await burst(service, 48));
    const metrics = await fetch(`${service.baseUrl}/metrics`, { headers: { authorization: `Bearer ${KEY}` } });
    assert.match(await metrics.text(), /byom_inference_queued_rows\{model="lead-scoring",version="1\.0\.0"\} 0/);
    await assertAlive(service);
  });

  it('survives 256 concurrent callers with the default limits', { timeout: 180_000 }, async () => {
    const service = await start({});
    assertShedCleanly(await burst(service, 256));
    await assertAlive(service);
  });
});
