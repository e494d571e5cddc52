import ort from 'onnxruntime-node';
import { encodeModel } from '../onnx/onnx-proto.ts';
import { ModelLoadError } from './model-load-error.ts';
import { readModelFile } from './model-file.ts';
import type { ModelFile } from './model-file.ts';
import { ModelGraphError, resolveScoreOutput } from './score-output.ts';
import type { ScoreOutput } from './score-output.ts';

/**
 * Where a model's session comes from: the worker pool opens its own copy of a session from
 * this, the same way, so a batch scores the same on either thread.
 */
export interface SessionSource {
  onnxFile: string;
  /** The card, named in errors about its fields. */
  cardFile: string;
  /** The card's output.name: a ZipMap output is replaced by the probabilities behind it (score-output.ts). */
  scoreOutput: string;
  intraOpNumThreads: number;
}

/**
 * Reads the graph (with its external data), resolves its score output and creates the
 * onnxruntime session; every problem is a ModelLoadError naming the file, or the card field.
 */
export async function openSession(
  source: SessionSource,
): Promise<{ session: ort.InferenceSession; scoreOutput: ScoreOutput; file: ModelFile }> {
  const file = await readModelFile(source.onnxFile);
  let scoreOutput: ScoreOutput;
  try {
    scoreOutput = resolveScoreOutput(file.model, source.scoreOutput);
  } catch (error) {
    if (error instanceof ModelGraphError) throw new ModelLoadError(source.cardFile, 'output.name', error.message);
    throw error;
  }
  const modelBytes = file.bytes && !scoreOutput.rewritten ? file.bytes : encodeModel(file.model);
  try {
    const session = await ort.InferenceSession.create(modelBytes, {
      intraOpNumThreads: source.intraOpNumThreads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      // A row the graph rejects reaches the caller as a per-record error and our JSON log;
      // onnxruntime's own unstructured stderr line for it would only be noise (fatal still shows).
      logSeverityLevel: 4,
    });
    return { session, scoreOutput, file };
  } catch (error) {
    throw new ModelLoadError(source.onnxFile, undefined, `onnxruntime cannot load it: ${(error as Error).message}`);
  }
}
