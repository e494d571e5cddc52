import { readFile } from 'node:fs/promises';
import ort from 'onnxruntime-node';
import { ModelLoadError } from './model-load-error.ts';
import { ModelGraphError, resolveScoreOutput } from './score-output.ts';
import type { ScoreOutput } from './score-output.ts';

/**
 * Where a model's session comes from: the worker pool opens its own copy of a session from
 * this, the same way, so a batch scores the same on either thread.
 */
export interface SessionSource {
  onnxFile: string;
  /** The card's output.name: a ZipMap output is replaced by the probabilities behind it (score-output.ts). */
  scoreOutput: string;
  intraOpNumThreads: number;
}

/** Reads the graph, resolves its score output and creates the onnxruntime session; problems are ModelLoadErrors. */
export async function openSession(
  source: SessionSource,
): Promise<{ session: ort.InferenceSession; scoreOutput: ScoreOutput }> {
  const { onnxFile } = source;
  let onnxBytes: Uint8Array;
  try {
    onnxBytes = await readFile(onnxFile);
  } catch (error) {
    throw new ModelLoadError(onnxFile, undefined, `cannot be read (${(error as NodeJS.ErrnoException).code})`);
  }
  let scoreOutput: ScoreOutput;
  try {
    scoreOutput = resolveScoreOutput(onnxBytes, source.scoreOutput);
  } catch (error) {
    if (error instanceof ModelGraphError) throw new ModelLoadError(onnxFile, 'output.name', error.message);
    throw error;
  }
  try {
    const session = await ort.InferenceSession.create(scoreOutput.modelBytes, {
      intraOpNumThreads: source.intraOpNumThreads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      // A row the graph rejects reaches the caller as a per-record error and our JSON log;
      // onnxruntime's own unstructured stderr line for it would only be noise (fatal still shows).
      logSeverityLevel: 4,
    });
    return { session, scoreOutput };
  } catch (error) {
    throw new ModelLoadError(onnxFile, undefined, `onnxruntime cannot load it: ${(error as Error).message}`);
  }
}
