import ort from 'onnxruntime-node';
import { explanationMethod } from '@byom/contracts/model-card';
import type { ModelCard } from '@byom/contracts/model-card';
import { prepareExplanationGraph } from '../explanations/explanation-graph.ts';
import type { ExplanationGraph } from '../explanations/explanation-graph.ts';
import { encodeModel } from '../onnx/onnx-proto.ts';
import { ModelLoadError } from './model-load-error.ts';
import { readModelFile } from './model-file.ts';
import type { ModelFile } from './model-file.ts';
import { scoreDecoding } from './prediction-decoding.ts';
import type { ScoreDecoding } from './prediction-decoding.ts';
import { ModelGraphError, resolveScoreOutput } from './score-output.ts';

/**
 * Where a model's session comes from: the worker pool opens its own copy of a session from
 * this, the same way, so a batch scores the same on either thread (and the outputs added for
 * explanations exist on both).
 */
export interface SessionSource {
  onnxFile: string;
  /** The card's file, named in errors about its fields. */
  cardFile: string;
  /** The card: its output names the score tensor, its explanation method what the graph exposes. */
  card: ModelCard;
  intraOpNumThreads: number;
}

export interface OpenedSession {
  session: ort.InferenceSession;
  file: ModelFile;
  /** How the score output becomes scores and margins (logits or tree input when the graph has them). */
  decoding: ScoreDecoding;
  /** What was exposed in the graph for explanations (explanations/explanation-graph.ts). */
  graph: ExplanationGraph;
}

/**
 * Reads the graph (with its external data), resolves its score output (a ZipMap output is
 * replaced by the probabilities behind it: score-output.ts), exposes what explanations need
 * (logits, the trees' input), and creates the onnxruntime session; every problem is a
 * ModelLoadError naming the file, or the card field.
 */
export async function openSession(source: SessionSource): Promise<OpenedSession> {
  const { card, cardFile } = source;
  const file = await readModelFile(source.onnxFile);
  let scoreOutput;
  try {
    scoreOutput = resolveScoreOutput(file.model, card.output.name);
  } catch (error) {
    if (error instanceof ModelGraphError) throw new ModelLoadError(cardFile, 'output.name', error.message);
    throw error;
  }
  const decoding = scoreDecoding(card, scoreOutput, cardFile);
  const graph = prepareExplanationGraph(
    file.model,
    card,
    { name: decoding.tensor, positiveColumn: decoding.task === 'classification' ? decoding.positiveColumn : 0 },
    { trees: explanationMethod(card) === 'shapley' },
  );
  if (decoding.task === 'classification') decoding.margin = graph.margin;
  if (graph.trees && 'tensor' in graph.trees) decoding.treeInput = graph.trees.tensor;
  const rewritten = scoreOutput.rewritten || graph.addedOutputs.length > 0;
  const modelBytes = file.bytes && !rewritten ? file.bytes : encodeModel(file.model);
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
    return { session, file, decoding, graph };
  } catch (error) {
    throw new ModelLoadError(source.onnxFile, undefined, `onnxruntime cannot load it: ${(error as Error).message}`);
  }
}
