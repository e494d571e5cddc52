import { readFile } from 'node:fs/promises';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { explanationMethod, ModelCard } from '@byom/contracts/model-card';
import { prepareExplanationGraph } from '../explanations/explanation-graph.ts';
import { runRowsWith, setUpExplanations } from '../explanations/explanation-setup.ts';
import { baselineValue } from './feature-encoder.ts';
import { bindInputs } from './input-binding.ts';
import { ModelLoadError } from './model-load-error.ts';
import { scoreDecoding } from './prediction-decoding.ts';
import type { Predictions } from './prediction-decoding.ts';
import { buildFeeds } from './row-batch.ts';
import { ModelGraphError, resolveScoreOutput } from './score-output.ts';
import { ScoringModel, runScore } from './scoring-model.ts';
import type { InferenceMetrics, ScoringModelParts } from './scoring-model.ts';

/**
 * Loads one model version from its directory: reads the card and the graph, creates the
 * onnxruntime session, checks the card against the session's real inputs and outputs, and
 * scores the feature baselines once, so a mismatch stops the boot instead of failing requests.
 * Then it sets up how the model's scores are explained (explanations/explanation-setup.ts).
 * Every problem is a ModelLoadError naming the file (and the card field where there is one).
 */

export interface LoadOptions {
  intraOpNumThreads: number;
  /** Where the model counts its session runs; uncounted without. */
  metrics?: InferenceMetrics;
}

export async function loadScoringModel(directory: string, options: LoadOptions): Promise<ScoringModel> {
  const cardFile = path.join(directory, 'model.json');
  const onnxFile = path.join(directory, 'model.onnx');
  const card = await readCard(cardFile);

  let onnxBytes: Uint8Array;
  try {
    onnxBytes = await readFile(onnxFile);
  } catch (error) {
    throw new ModelLoadError(onnxFile, undefined, `cannot be read (${(error as NodeJS.ErrnoException).code})`);
  }
  let scoreOutput;
  try {
    scoreOutput = resolveScoreOutput(onnxBytes, card.output.name);
  } catch (error) {
    if (error instanceof ModelGraphError) throw new ModelLoadError(onnxFile, 'output.name', error.message);
    throw error;
  }

  const decoding = scoreDecoding(card, scoreOutput, cardFile);
  const positiveColumn = decoding.task === 'classification' ? decoding.positiveColumn : 0;
  const graph = prepareExplanationGraph(
    scoreOutput.modelBytes,
    card,
    { name: decoding.tensor, positiveColumn },
    { trees: explanationMethod(card) === 'shapley' },
  );
  if (decoding.task === 'classification') decoding.margin = graph.margin;
  if (graph.trees && 'tensor' in graph.trees) decoding.treeInput = graph.trees.tensor;

  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(graph.modelBytes, {
      intraOpNumThreads: options.intraOpNumThreads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      // A row the graph rejects reaches the caller as a per-record error and our JSON log;
      // onnxruntime's own unstructured stderr line for it would only be noise (fatal still shows).
      logSeverityLevel: 4,
    });
  } catch (error) {
    throw new ModelLoadError(onnxFile, undefined, `onnxruntime cannot load it: ${(error as Error).message}`);
  }

  const bindings = bindInputs(card, session.inputMetadata, cardFile);
  const baselines = card.features.map(baselineValue);
  await dryRun(session, bindings, decoding, baselines, cardFile);
  const explanations = await setUpExplanations(
    card,
    decoding,
    graph,
    baselines,
    runRowsWith(session, bindings, decoding, runScore),
  );
  const parts: ScoringModelParts = {
    card,
    directory,
    session,
    bindings,
    decoding,
    baselines,
    explainer: explanations.explainer,
    improvements: explanations.improvements,
    explanation: explanations.summary,
    addedOutputs: graph.addedOutputs,
  };
  return new ScoringModel(parts, options.metrics);
}

/** Scores two rows of baselines, as requests will be scored, so shape and class mismatches surface at boot. */
async function dryRun(
  session: ort.InferenceSession,
  bindings: ScoringModelParts['bindings'],
  decoding: ScoringModelParts['decoding'],
  baselines: ScoringModelParts['baselines'],
  cardFile: string,
): Promise<void> {
  let predictions: Predictions;
  try {
    const feeds = buildFeeds(bindings, [{ records: [{ values: baselines }, { values: baselines }] }]);
    predictions = await runScore(session, feeds, 2, decoding);
  } catch (error) {
    throw new ModelLoadError(
      cardFile,
      'output',
      `a test prediction on the feature baselines failed: ${(error as Error).message}`,
    );
  }
  if (!predictions.scores.every(Number.isFinite)) {
    throw new ModelLoadError(
      cardFile,
      'features',
      'a test prediction on the feature baselines is not a number: give numeric features a baseline or a default the graph accepts',
    );
  }
}

async function readCard(cardFile: string): Promise<ModelCard> {
  let text: string;
  try {
    text = await readFile(cardFile, 'utf8');
  } catch (error) {
    throw new ModelLoadError(cardFile, undefined, `cannot be read (${(error as NodeJS.ErrnoException).code})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ModelLoadError(cardFile, undefined, `is not valid JSON (${(error as Error).message})`);
  }
  const parsed = ModelCard.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ModelLoadError(cardFile, issue.path.join('.') || undefined, issue.message);
  }
  return parsed.data;
}
