import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { ModelRegistry } from '../src/models/model-registry.ts';
import ort from 'onnxruntime-node';
import type { ScoringModel } from '../src/models/scoring-model.ts';
import { LEAD_EXAMPLE } from '../src/scoring/lead-example.ts';
import { scoreRecords } from '../src/scoring/score-records.ts';
import { CpuPool } from '../src/workers/cpu-pool.ts';

const BENCH_MODELS = new URL('../bench/models/', import.meta.url).pathname;
const BUNDLED_MODELS = new URL('../models/', import.meta.url).pathname;
const EXPECTED = JSON.parse(
  readFileSync(new URL('../bench/models/account-churn-mlp/expected-scores.json', import.meta.url), 'utf8'),
) as { rows: Array<{ id: string; features: Record<string, number>; probability: number }> };

/**
 * The benchmark's torch model (bench/models/export_account_churn_mlp.py) scores as torch did
 * when it was exported, and a pool thread's session answers exactly as the main thread's.
 */
describe('the benchmark model account-churn-mlp', () => {
  let registry: ModelRegistry;
  let pool: CpuPool;
  before(async () => {
    pool = new CpuPool(1);
    registry = await ModelRegistry.load([BUNDLED_MODELS, BENCH_MODELS], { intraOpNumThreads: 1 });
  });
  after(async () => {
    await Promise.all([registry?.close(), pool?.close()]);
  });

  it('loads from its card and answers what torch answered, to float32 precision', async () => {
    const model = registry.get('account-churn-mlp')!;
    assert.equal(model.card.features.length, 30);
    const answer = await scoreRecords(model, { records: EXPECTED.rows, explain: false, topK: 5 });
    assert.deepEqual(answer.errors, []);
    for (const [i, result] of answer.results.entries()) {
      assert.ok(
        Math.abs(result.score - EXPECTED.rows[i]!.probability) < 2e-6,
        `${result.id}: ${result.score} vs torch ${EXPECTED.rows[i]!.probability}`,
      );
    }
  });

  it('answers the same on a pool thread as on the main thread, string inputs included', async () => {
    const lead = registry.get('lead-scoring')!;
    const cases: Array<[ScoringModel, Array<{ id: string; features: Record<string, unknown> }>]> = [
      [registry.get('account-churn-mlp')!, EXPECTED.rows],
      [lead, Array.from({ length: 64 }, (_, i) => ({ ...LEAD_EXAMPLE.records[0]!, id: `lead-${i}` }))],
    ];
    for (const [model, records] of cases) {
      // The feeds and outputs of the main thread's run, as the service builds them for an explained request.
      const runs: Array<{ feeds: Record<string, ort.Tensor>; outputs: Record<string, ort.Tensor> }> = [];
      const run = model.session.run.bind(model.session);
      model.session.run = (async (feeds: Record<string, ort.Tensor>, fetches: string[]) => {
        const copies = Object.fromEntries(
          Object.entries(feeds).map(([name, t]) => [
            name,
            new ort.Tensor(t.type, structuredClone(t.data) as never, t.dims),
          ]),
        );
        const outputs = await run(feeds, fetches);
        runs.push({ feeds: copies, outputs });
        return outputs;
      }) as typeof model.session.run;
      await scoreRecords(model, { records, explain: true, topK: 5 });
      model.session.run = run;

      const [{ feeds, outputs }] = runs as [(typeof runs)[number]];
      const fetched = Object.keys(outputs);
      const onPool = await pool.runInference(model.source, feeds, fetched);
      assert.ok(onPool.runMs > 0);
      for (const name of fetched) {
        assert.deepEqual(onPool.outputs[name]!.dims, outputs[name]!.dims, `${model.name} ${name}`);
        assert.deepEqual(
          Array.from(onPool.outputs[name]!.data as Float32Array),
          Array.from(outputs[name]!.data as Float32Array),
        );
      }
    }
  });
});
