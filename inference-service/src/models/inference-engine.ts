import ort from 'onnxruntime-node';
import { compileGraph } from '../onnx/js-graph.ts';
import type { JsGraph } from '../onnx/js-graph.ts';
import { UnsupportedGraphError, newTypedArray } from '../onnx/js-tensor.ts';
import type { JsTensor } from '../onnx/js-tensor.ts';
import type { Feed, ModelValue } from './feature-encoder.ts';
import type { FeatureSpec } from '@byom/contracts/model-card';

/**
 * What runs a model's graph for /v1/score: onnxruntime, or the JavaScript runner
 * (onnx/js-graph.ts) when every node the score needs has a JavaScript kernel and the two
 * agree on a set of probe rows at load. The JavaScript runner is the fast path for small
 * batches (no native call, no deferred turn: docs/performance.md); onnxruntime stays loaded
 * for every model and serves the Open Inference Protocol's raw /infer.
 */

export type EngineName = 'javascript' | 'onnxruntime';
/** `auto` uses the JavaScript runner wherever it is proven equal; `onnxruntime` never uses it. */
export type EngineChoice = 'auto' | 'onnxruntime';

/** The score output of a run: what ScoringModel reads predictions from. */
export interface OutputTensor {
  type: string;
  data: unknown;
  dims: readonly number[];
}

export interface InferenceEngine {
  readonly name: EngineName;
  run(feeds: Record<string, Feed>): Promise<OutputTensor>;
}

export function onnxRuntimeEngine(session: ort.InferenceSession, output: string): InferenceEngine {
  return {
    name: 'onnxruntime',
    async run(feeds) {
      const tensors: Record<string, ort.Tensor> = {};
      for (const name in feeds) {
        const feed = feeds[name]!;
        tensors[name] = new ort.Tensor(feed.dataType, feed.data, feed.dims);
      }
      const outputs = await session.run(tensors, [output]);
      return outputs[output]!;
    },
  };
}

export function javascriptEngine(graph: JsGraph): InferenceEngine {
  return {
    name: 'javascript',
    // Synchronous work behind the same promise interface: callers batch and isolate failures the same way.
    run: async (feeds) => graph.run(toJsFeeds(feeds)),
  };
}

function toJsFeeds(feeds: Record<string, Feed>): Record<string, JsTensor> {
  const tensors: Record<string, JsTensor> = {};
  for (const name in feeds) {
    const { dataType, data, dims } = feeds[name]!;
    switch (dataType) {
      case 'float32':
        tensors[name] = { type: 'float32', data: data as Float32Array, dims };
        break;
      case 'string':
        tensors[name] = { type: 'string', data: data as string[], dims };
        break;
      default:
        // float64 as is; int64 (BigInt64Array) and int32 become float64 values (js-tensor.ts says why).
        tensors[name] = {
          type: dataType,
          data: data instanceof Float64Array ? data : toFloat64(data as BigInt64Array | Int32Array),
          dims,
        };
    }
  }
  return tensors;
}

function toFloat64(data: BigInt64Array | Int32Array): Float64Array {
  const values = newTypedArray(Float64Array, data.length);
  for (let i = 0; i < data.length; i++) values[i] = Number(data[i]);
  return values;
}

export interface EngineSelection {
  engine: InferenceEngine;
  /** Why the model runs on onnxruntime, when it does. */
  reason?: string;
}

/** Largest difference allowed between the two engines' outputs: float32 rounding, summed in a different order. */
const TOLERANCE = 1e-5;

/**
 * Picks the engine for a model: the JavaScript runner when `choice` allows it, the graph
 * compiles, and it gives onnxruntime's output (or onnxruntime's failure) on every probe row.
 * `feedsFor` builds feeds for probe rows as requests would.
 */
export async function selectEngine(options: {
  choice: EngineChoice;
  modelBytes: Uint8Array;
  output: string;
  reference: InferenceEngine;
  probes: ModelValue[][];
  feedsFor: (rows: ModelValue[][]) => Record<string, Feed>;
}): Promise<EngineSelection> {
  const { choice, modelBytes, output, reference, probes, feedsFor } = options;
  if (choice === 'onnxruntime') return { engine: reference, reason: 'INFERENCE_ENGINE is onnxruntime' };
  let candidate: InferenceEngine;
  try {
    candidate = javascriptEngine(compileGraph(modelBytes, output));
  } catch (error) {
    if (error instanceof UnsupportedGraphError)
      return { engine: reference, reason: `no JavaScript kernel for ${error.message}` };
    throw error;
  }
  const disagreement = await compareEngines(reference, candidate, probes, feedsFor);
  if (disagreement)
    return { engine: reference, reason: `the JavaScript runner disagrees with onnxruntime: ${disagreement}` };
  return { engine: candidate };
}

/** The first difference between two engines on the probe rows, or undefined when they agree. */
export async function compareEngines(
  reference: InferenceEngine,
  candidate: InferenceEngine,
  probes: ModelValue[][],
  feedsFor: (rows: ModelValue[][]) => Record<string, Feed>,
): Promise<string | undefined> {
  const outcome = async (engine: InferenceEngine, rows: ModelValue[][]) => {
    try {
      return { output: await engine.run(feedsFor(rows)) };
    } catch (error) {
      return { error: (error as Error).message };
    }
  };
  const together = await outcome(reference, probes);
  // A batch onnxruntime rejects (say, a category a strict encoder refuses) is compared row by row,
  // so both engines must fail on exactly the same rows.
  const batches = together.error === undefined ? [probes] : probes.map((row) => [row]);
  for (const rows of batches) {
    const expected = rows === probes ? together : await outcome(reference, rows);
    const actual = await outcome(candidate, rows);
    if (expected.error !== undefined || actual.error !== undefined) {
      if ((expected.error === undefined) !== (actual.error === undefined)) {
        const where = rows.length === 1 ? `on row ${JSON.stringify(rows[0])}` : `on the ${rows.length} probe rows`;
        return `${where} onnxruntime ${expected.error ? `fails (${expected.error})` : 'scores'} but the JavaScript runner ${actual.error ? `fails (${actual.error})` : 'scores'}`;
      }
      continue;
    }
    const difference = differ(expected.output!, actual.output!);
    if (difference) return difference;
  }
  return undefined;
}

function differ(expected: OutputTensor, actual: OutputTensor): string | undefined {
  if (expected.dims.join() !== actual.dims.join()) return `output shape [${actual.dims}], expected [${expected.dims}]`;
  const a = expected.data as ArrayLike<number>;
  const b = actual.data as ArrayLike<number>;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (Number.isNaN(x) && Number.isNaN(y)) continue;
    if (!(Math.abs(x - y) <= TOLERANCE * Math.max(1, Math.abs(x)))) return `output value ${i} is ${y}, expected ${x}`;
  }
  return undefined;
}

/**
 * Rows that exercise every part of a card: the baselines; then, one feature at a time, each
 * category, the default, missing (NaN) where allowed, and numbers across the accepted range;
 * then seeded random mixes of all of these, so interactions between features are covered too.
 */
export function probeRecords(features: FeatureSpec[], baselines: ModelValue[]): ModelValue[][] {
  const choices = features.map(featureProbes);
  const rows: ModelValue[][] = [baselines];
  choices.forEach((values, index) => {
    for (const value of values) {
      const row = [...baselines];
      row[index] = value;
      rows.push(row);
    }
  });
  let seed = 0x2545f491;
  const random = () => {
    // xorshift32: the same probes on every boot, so a verdict can be reproduced.
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 0x100000000;
  };
  for (let r = 0; r < 64; r++) rows.push(choices.map((values) => values[Math.floor(random() * values.length)]!));
  return rows;
}

function featureProbes(spec: FeatureSpec): ModelValue[] {
  const values: ModelValue[] = [];
  if (spec.allowMissing) values.push(Number.NaN);
  if (spec.default !== undefined) values.push(typeof spec.default === 'boolean' ? Number(spec.default) : spec.default);
  switch (spec.type) {
    case 'boolean':
      values.push(0, 1);
      break;
    case 'category':
      values.push(...(spec.categories ?? []));
      break;
    case 'number':
    case 'integer': {
      const low = spec.min ?? -1000;
      const high = spec.max ?? 1_000_000;
      for (const x of [0, 1, 2, 7, 30, 365, 1000, 123_456, -1, -50, 0.5, 3.25]) {
        const value = spec.type === 'integer' ? Math.round(x) : x;
        if (value >= low && value <= high) values.push(value);
      }
      values.push(low, high);
    }
  }
  return values;
}
