import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { QueueFullError } from '../../src/models/inference-batcher.ts';
import { ModelRegistry } from '../../src/models/model-registry.ts';
import type { ScoringModel } from '../../src/models/scoring-model.ts';
import { EXPLAINED_REQUESTS_AT_ONCE } from '../../src/models/scoring-model.ts';
import { ServiceMetrics } from '../../src/observability/metrics.ts';
import { scoreRecords } from '../../src/scoring/score-records.ts';
import { columnsZipMapClassifier, writeModelDir } from '../support/test-models.ts';

describe('inference batching', () => {
  let model: ScoringModel;
  let metrics: ServiceMetrics;
  let modelDir: string;
  before(async () => {
    metrics = new ServiceMetrics({ collectProcessMetrics: false });
    modelDir = await writeModelDir([columnsZipMapClassifier()]);
    const registry = await ModelRegistry.load([modelDir], {
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

  it('builds explanation state for a few explained requests at a time; the rest wait, then score alike', async (t) => {
    const records = Array.from({ length: 50 }, (_, i) => ({
      id: `r${i}`,
      features: { Amount: 10 * i, Visits: i % 7, Region: i % 2 ? 'north' : 'south' },
    }));
    const alone = await scoreRecords(model, { records, explain: true, topK: 3 });
    const begun = t.mock.method(model.explainer, 'begin');
    const requests = 3 * EXPLAINED_REQUESTS_AT_ONCE;
    const answers = Promise.all(
      Array.from({ length: requests }, () => scoreRecords(model, { records, explain: true, topK: 3 })),
    );
    // Before the first session run (the batcher runs in a later turn), only the first few
    // requests have begun their records' explanations.
    await new Promise((resolve) => process.nextTick(resolve));
    assert.equal(begun.mock.callCount(), EXPLAINED_REQUESTS_AT_ONCE * records.length);
    for (const answer of await answers) assert.deepEqual(answer, alone);
    assert.equal(begun.mock.callCount(), requests * records.length);
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

  it('refuses a new call when the queued rows are at their bound, never a later run of a request already admitted', async () => {
    const registry = await ModelRegistry.load([modelDir], { intraOpNumThreads: 1, maxQueuedRows: 4 });
    try {
      const bounded = registry.get('columns-zipmap')!;
      const rows = (n: number) => ({
        records: Array.from({ length: n }, (_, i) => ({ values: [i * 100, i, 'north'] as Array<number | string> })),
      });
      const first = bounded.predict(rows(3)); // an empty queue always takes a call
      const refused = bounded.predict(rows(3)); // 3 + 3 rows would pass the bound of 4
      const laterRun = bounded.predict(rows(3), true); // the next run of an admitted request
      await assert.rejects(refused, QueueFullError);
      const [a, b] = await Promise.all([first, laterRun]);
      assert.equal(a.scores.length, 3);
      assert.equal(b.scores.length, 3);
      // Once the queue has drained, a new call is taken again.
      assert.equal((await bounded.predict(rows(3))).scores.length, 3);
    } finally {
      await registry.close();
    }
  });

  it('closes a model only after its runs in flight have finished, and refuses runs after that', async () => {
    // A request whose caller hung up still runs when the service shuts down; onnxruntime aborts
    // the process if the session is released under that run (seen at SIGTERM after overload).
    const registry = await ModelRegistry.load([modelDir], { intraOpNumThreads: 1 });
    const closing = registry.get('columns-zipmap')!;
    const rows = 200_000;
    const inFlight = closing.predict({
      records: Array.from({ length: rows }, (_, i) => ({ values: [i % 1000, i % 7, i % 2 ? 'north' : 'south'] })),
    });
    // The batcher starts the run on the next turn; close once it is running.
    await new Promise((resolve) => setImmediate(resolve));
    let closed = false;
    const close = registry.close().then(() => (closed = true));
    const predictions = await inFlight;
    assert.equal(predictions.scores.length, rows, 'the run in flight finishes with every score');
    await close;
    assert.equal(closed, true);
    await assert.rejects(
      closing.predict({ records: [{ values: [1, 1, 'north'] }] }),
      /is closed: the service is shutting down/,
    );
  });

  it(
    'closes once when closed twice while a run is in flight, and both callers see it closed',
    { timeout: 10_000 },
    async () => {
      const registry = await ModelRegistry.load([modelDir], { intraOpNumThreads: 1 });
      const closing = registry.get('columns-zipmap')!;
      const inFlight = closing.predict({
        records: Array.from({ length: 50_000 }, (_, i) => ({ values: [i % 1000, i % 7, 'north'] })),
      });
      await new Promise((resolve) => setImmediate(resolve));
      // The registry at shutdown and a caller of its own: neither may wait forever or release twice.
      const both = Promise.all([closing.close(), registry.close()]);
      assert.equal((await inFlight).scores.length, 50_000);
      await both;
    },
  );
});
