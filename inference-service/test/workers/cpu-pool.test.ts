import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import ort from 'onnxruntime-node';
import { ModelRegistry } from '../../src/models/model-registry.ts';
import { CpuPool } from '../../src/workers/cpu-pool.ts';

const BENCH_MODELS = new URL('../../bench/models/', import.meta.url).pathname;

/**
 * The pool serves tasks in arrival order. piscina's own queue kept abortable tasks (masking
 * carries the caller's deadline) ahead of the rest, so under steady masking load an inference
 * run never ran: the benchmark's mixed load saw its model score nothing for 11 s, until the
 * masking load stopped. With its `stricterFIFO` option, abortable tasks were served newest
 * first, and some masking requests waited past 10 s.
 */
describe('the worker pool', () => {
  it('runs an inference task in its turn while masking keeps its thread busy', async () => {
    const pool = new CpuPool(1);
    const registry = await ModelRegistry.load([BENCH_MODELS], { intraOpNumThreads: 1 });
    try {
      const model = registry.get('account-churn-mlp')!;
      // Over OFFLOAD_MIN_PROMPT_CHARS, so each is masked on the pool (a few ms apiece).
      const prompt = { messages: [{ role: 'user' as const, content: 'Call Jane at jane@acme.example. '.repeat(600) }] };
      const maskers = 4;
      const total = 80;
      let started = 0;
      let masked = 0;
      const masking = Array.from({ length: maskers }, async () => {
        while (started < total) {
          started++;
          await pool.mask({ ...prompt, pii: [] }, AbortSignal.timeout(60_000));
          masked++;
        }
      });
      // Once the thread is busy and masking tasks wait, a session run joins the queue.
      while (masked === 0) await sleep(1);
      const maskedBefore = masked;
      const rows = 64;
      const feeds = {
        [model.session.inputNames[0]!]: new ort.Tensor('float32', new Float32Array(rows * 30), [rows, 30]),
      };
      const run = await pool.runInference(model.source, feeds, [...model.session.outputNames]);
      const waitedFor = masked - maskedBefore;
      await Promise.all(masking);
      assert.equal(run.outputs[model.session.outputNames[0]!]!.dims[0], rows);
      assert.ok(waitedFor <= maskers, `the run waited for ${waitedFor} maskings; at most ${maskers} were ahead of it`);
    } finally {
      await Promise.all([pool.close(), registry.close()]);
    }
  });

  it('masks prompts in the order they came, and answers an abort while one waits at once', async () => {
    const pool = new CpuPool(1);
    try {
      const prompt = (i: number) => ({
        messages: [{ role: 'user' as const, content: `Prompt ${i}: mail jane@acme.example. `.repeat(500) }],
        pii: [],
      });
      const finished: number[] = [];
      const waiting = new AbortController();
      const tasks = Array.from({ length: 12 }, (_, i) =>
        pool.mask(prompt(i), i === 6 ? waiting.signal : AbortSignal.timeout(60_000)).then(
          () => finished.push(i),
          () => finished.push(-i),
        ),
      );
      waiting.abort();
      await Promise.all(tasks);
      assert.deepEqual(finished, [-6, 0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11], 'the aborted one first, the rest in order');
    } finally {
      await pool.close();
    }
  });

  it('lets go of a masked prompt once it is answered, though its deadline signal lives on', async () => {
    // A listener left on the deadline's signal kept each answer (prompt, vault) alive until the
    // deadline: 8 callers masking 256 KB prompts grew the heap by ~100 MB a minute.
    const pool = new CpuPool(1);
    try {
      const deadline = new AbortController();
      const prompt = {
        messages: [{ role: 'user' as const, content: 'Mail jane@acme.example. '.repeat(800) }],
        pii: [],
      };
      await pool.mask(prompt, deadline.signal);
      await pool.mask(prompt, deadline.signal);
      assert.equal(getEventListeners(deadline.signal, 'abort').length, 0, 'no listener is left on the signal');
    } finally {
      await pool.close();
    }
  });
});
