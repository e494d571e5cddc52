import ort from 'onnxruntime-node';
import { openSession } from '../models/onnx-session.ts';
import type { SessionSource } from '../models/onnx-session.ts';

/**
 * The tasks the worker pool's threads run (cpu-pool.ts starts them with this module). Each
 * thread opens its own onnxruntime session for a model the first time it is asked to run one,
 * from the same source and in the same way as the main thread did (models/onnx-session.ts).
 */

/** A tensor as it crosses between threads. */
export interface TensorPayload {
  type: ort.Tensor.Type;
  data: ort.Tensor.DataType;
  dims: readonly number[];
}

export interface InferenceTask {
  source: SessionSource;
  feeds: Record<string, TensorPayload>;
  outputs: string[];
}

const sessions = new Map<string, Promise<ort.InferenceSession>>();

function sessionFor(source: SessionSource): Promise<ort.InferenceSession> {
  const key = `${source.onnxFile}\u0000${source.scoreOutput}`;
  let session = sessions.get(key);
  if (session === undefined) {
    session = openSession(source).then((opened) => opened.session);
    // A failed open is not cached: the next task tries again.
    session.catch(() => sessions.delete(key));
    sessions.set(key, session);
  }
  return session;
}

/** One session run; the outputs come back as payloads. */
export async function runInference(task: InferenceTask): Promise<Record<string, TensorPayload>> {
  const session = await sessionFor(task.source);
  const feeds: Record<string, ort.Tensor> = {};
  for (const [name, tensor] of Object.entries(task.feeds))
    feeds[name] = new ort.Tensor(tensor.type, tensor.data, tensor.dims);
  const results = await session.run(feeds, task.outputs);
  const outputs: Record<string, TensorPayload> = {};
  for (const name of task.outputs) {
    const tensor = results[name]!;
    outputs[name] = { type: tensor.type, data: tensor.data, dims: tensor.dims };
  }
  return outputs;
}
