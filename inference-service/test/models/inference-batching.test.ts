import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { ModelRegistry } from '../../src/models/model-registry.ts';
import type { ScoringModel } from '../../src/models/scoring-model.ts';
import { ServiceMetrics } from '../../src/observability/metrics.ts';
import { columnsZipMapClassifier, writeModelDir } from '../support/test-models.ts';

describe('inference batching', () => {
  let model: ScoringModel;
  let metrics: ServiceMetrics;
  before(async () => {
    metrics = new ServiceMetrics({ collectProcessMetrics: false });
    const registry = await ModelRegistry.load([await writeModelDir([columnsZipMapClassifier()])], {
      intraOpNumThreads: 1,
      metrics,
    });
    model = registry.get('columns-zipmap')!;
  });

  /** The session runs and rows counted so far for the model. */
  const counted = async () => {
    const value = async (counter: ServiceMetrics['inferenceRuns']) =>
      (await counter.get()).values.find((v) => v.labels.model === 'columns-zipmap' && v.labels.version === '2.0.0')
        ?.value ?? 0;
    return { runs: await value(metrics.inferenceRuns), rows: await value(metrics.inferenceRows) };
  };

  it('runs calls made in the same event-loop turn as one session run, each getting its own rows back', async () => {
    const before = await counted();
    const calls = Array.from({ length: 10 }, (_, i) => model.predict({ records: [{ values: [i * 100, i, 'north'] }] }));
    const results = await Promise.all(calls);
    const after = await counted();
    assert.equal(after.runs - before.runs, 1, 'ten concurrent calls share one run');
    assert.equal(after.rows - before.rows, 10);
    results.forEach((predictions, i) => {
      const z = 0.002 * i * 100 + 0.3 * i + 0.9 - 1;
      assert.ok(Math.abs(predictions.scores[0]! - 1 / (1 + Math.exp(-z))) < 1e-6, `call ${i} gets its own score`);
    });
  });

  it('fails only the caller whose rows break a shared run', async () => {
    // A non-numeric value cannot become an int64 tensor element, so that caller's rows fail to encode.
    const good = model.predict({ records: [{ values: [100, 1, 'south'] }] });
    const bad = model.predict({ records: [{ values: [100, 'many' as unknown as number, 'south'] }] });
    const alsoGood = model.predict({ records: [{ values: [200, 2, 'north'] }] });
    const [first, second, third] = await Promise.allSettled([good, bad, alsoGood]);
    assert.equal(first.status, 'fulfilled', 'the first caller still gets its scores');
    assert.equal(second.status, 'rejected', 'the broken caller gets the error');
    assert.equal(third.status, 'fulfilled', 'the last caller still gets its scores');
  });

  it('keeps batching after a failure', async () => {
    const results = await Promise.all([
      model.predict({ records: [{ values: [1, 1, 'north'] }] }),
      model.predict({ records: [{ values: [2, 2, 'south'] }] }),
    ]);
    assert.equal(results.length, 2);
  });
});
