import type ort from 'onnxruntime-node';
import { ModelRegistry } from '../src/models/model-registry.ts';
import { scoreRecords } from '../src/scoring/score-records.ts';
import type { ScoreBody } from './request-bodies.ts';

/**
 * The inference half of a scoring scenario's floor: onnxruntime's own `session.run` time for
 * exactly the rows one request makes, measured in the benchmark's process (idle meanwhile) on
 * a session opened as the service opens it. The request goes through the service's scoring
 * code unchanged; only the session's `run` is timed (one run: a request alone is one batch). What
 * remains of a request's time is HTTP, parsing, checks, encoding and answering: the service's
 * own work, which the echo half of the floor bounds.
 */

export interface SessionFloor {
  /** Rows one request sends through the model (records, plus those its explanations and improvements need). */
  rows: number;
  /** Median over the repetitions of the summed session.run time of one request, in ms. */
  runMs: number;
}

const REPETITIONS = 30;

export async function measureSessionFloors(
  modelDirs: string[],
  requests: Map<string, ScoreBody>,
): Promise<Map<string, SessionFloor>> {
  const registry = await ModelRegistry.load(modelDirs, { intraOpNumThreads: 1 });
  const floors = new Map<string, SessionFloor>();
  try {
    for (const [name, request] of requests) {
      const model = registry.get(request.model, request.version);
      if (!model) throw new Error(`the benchmark has no model ${request.model}@${request.version}`);
      const session = model.session;
      const run = session.run.bind(session);
      let rows = 0;
      let runMs = 0;
      session.run = (async (feeds: Record<string, ort.Tensor>, fetches: string[]) => {
        rows += Object.values(feeds)[0]!.dims[0]!;
        const started = performance.now();
        const outputs = await run(feeds, fetches);
        runMs += performance.now() - started;
        return outputs;
      }) as typeof session.run;
      const input = { records: request.records, explain: request.explain, improve: request.improve, topK: 5 };
      const samples: number[] = [];
      for (let i = 0; i < REPETITIONS + 3; i++) {
        rows = 0;
        runMs = 0;
        await scoreRecords(model, input);
        // The first few warm onnxruntime's allocator up.
        if (i >= 3) samples.push(runMs);
      }
      session.run = run;
      samples.sort((a, b) => a - b);
      floors.set(name, { rows, runMs: Math.round(samples[Math.floor(samples.length / 2)]! * 1000) / 1000 });
    }
  } finally {
    await registry.close();
  }
  return floors;
}
