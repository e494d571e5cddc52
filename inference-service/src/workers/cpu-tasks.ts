import ort from 'onnxruntime-node';
import type { ChatMessage } from '../generation/domain.ts';
import { MaskingError, maskRequest } from '../generation/pii/masking.ts';
import type { MaskingInput, MaskingOutput } from '../generation/pii/masking.ts';
import { openSession } from '../models/onnx-session.ts';
import type { SessionSource } from '../models/onnx-session.ts';

/**
 * The tasks the worker pool's threads run (cpu-pool.ts starts them with this module): session
 * runs, and masking a prompt with the very function the gateway calls for small ones. Each
 * thread opens its own onnxruntime session for a model the first time it is asked to run one,
 * from the same source and in the same way as the main thread did (models/onnx-session.ts).
 */

/**
 * A tensor as it crosses between threads: numbers as their typed array (moved, not copied),
 * strings packed into one string and their lengths, since copying a message costs per object:
 * 36,000 category strings cost the sending thread ~10 ms one by one, ~1 ms packed.
 */
export interface TensorPayload {
  type: ort.Tensor.Type;
  data: Exclude<ort.Tensor.DataType, string[]> | PackedStrings;
  dims: readonly number[];
}

export interface PackedStrings {
  joined: string;
  lengths: Int32Array;
}

export function toPayload(tensor: ort.Tensor): TensorPayload {
  const data = tensor.data;
  return { type: tensor.type, dims: tensor.dims, data: Array.isArray(data) ? packStrings(data) : data };
}

export function fromPayload(payload: TensorPayload): ort.Tensor {
  const data = payload.data;
  const values = 'joined' in data ? unpackStrings(data) : data;
  return new ort.Tensor(payload.type, values as never, payload.dims);
}

function packStrings(strings: readonly string[]): PackedStrings {
  const lengths = new Int32Array(strings.length);
  for (let i = 0; i < strings.length; i++) lengths[i] = strings[i]!.length;
  return { joined: strings.join(''), lengths };
}

function unpackStrings({ joined, lengths }: PackedStrings): string[] {
  const strings = new Array<string>(lengths.length);
  for (let i = 0, at = 0; i < lengths.length; i++) {
    strings[i] = joined.slice(at, (at += lengths[i]!));
  }
  return strings;
}

export interface InferenceTask {
  source: SessionSource;
  feeds: Record<string, TensorPayload>;
  outputs: string[];
}

const sessions = new Map<string, Promise<ort.InferenceSession>>();

function sessionFor(source: SessionSource): Promise<ort.InferenceSession> {
  const key = `${source.onnxFile}\u0000${source.cardFile}`;
  let session = sessions.get(key);
  if (session === undefined) {
    session = openSession(source).then((opened) => opened.session);
    // A failed open is not cached: the next task tries again.
    session.catch(() => sessions.delete(key));
    sessions.set(key, session);
  }
  return session;
}

export interface InferenceResult {
  outputs: Record<string, TensorPayload>;
  /** The session run's own time on this thread. */
  runMs: number;
}

/** One session run; the outputs come back as payloads. */
export async function runInference(task: InferenceTask): Promise<InferenceResult> {
  const session = await sessionFor(task.source);
  const feeds: Record<string, ort.Tensor> = {};
  for (const [name, payload] of Object.entries(task.feeds)) feeds[name] = fromPayload(payload);
  const started = performance.now();
  const results = await session.run(feeds, task.outputs);
  const runMs = performance.now() - started;
  const outputs: Record<string, TensorPayload> = {};
  for (const name of task.outputs) outputs[name] = toPayload(results[name]!);
  return { outputs, runMs };
}

/** A refusal crosses threads as data: an Error's class does not survive the trip. */
export type MaskingOutcome = { ok: true; output: MaskingOutput<ChatMessage> } | { ok: false; message: string };

export function maskPrompt(input: MaskingInput<ChatMessage>): MaskingOutcome {
  try {
    return { ok: true, output: maskRequest(input) };
  } catch (error) {
    if (error instanceof MaskingError) return { ok: false, message: error.message };
    throw error;
  }
}
