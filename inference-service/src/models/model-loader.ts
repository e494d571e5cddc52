import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type ort from 'onnxruntime-node';
import { ModelCard } from '@byom/contracts/model-card';
import { describeSchemaIssues } from '@byom/contracts/schema-issues';
import { runRowsWith, setUpExplanations } from '../explanations/explanation-setup.ts';
import { baselineValue } from './feature-encoder.ts';
import type { InputBinding, ModelValue } from './feature-encoder.ts';
import { bindInputs, checkBatchAxes } from './input-binding.ts';
import { knownCategories } from './known-categories.ts';
import { ModelLoadError } from './model-load-error.ts';
import { openSession } from './onnx-session.ts';
import type { SessionSource } from './onnx-session.ts';
import { decodePredictions, decodingOutputs } from './prediction-decoding.ts';
import type { Predictions, ScoreDecoding } from './prediction-decoding.ts';
import { buildFeeds } from './row-batch.ts';
import { ScoringModel, runScore } from './scoring-model.ts';
import type { ScoringModelParts, ScoringOptions } from './scoring-model.ts';

/**
 * Loads one model version from its directory: reads the card and the graph (with its external
 * data), creates the onnxruntime session (onnx-session.ts), checks the card against the
 * session's real inputs and outputs, and scores the feature baselines once, so a mismatch
 * stops the boot instead of failing requests. Then it sets up how the model's scores are
 * explained (explanations/explanation-setup.ts). Every problem is a ModelLoadError naming the
 * file (and the card field where there is one).
 */

export interface LoadOptions extends ScoringOptions {
  intraOpNumThreads: number;
}

export async function loadScoringModel(directory: string, options: LoadOptions): Promise<ScoringModel> {
  const cardFile = path.join(directory, 'model.json');
  const onnxFile = path.join(directory, 'model.onnx');
  const card = await readCard(cardFile);
  const source: SessionSource = { onnxFile, cardFile, card, intraOpNumThreads: options.intraOpNumThreads };
  const { session, file, decoding, graph } = await openSession(source);

  try {
    checkBatchAxes(session.inputMetadata, onnxFile);
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
      source,
      bindings,
      decoding,
      baselines,
      categories: knownCategories(card, file.model.graph!),
      explainer: explanations.explainer,
      improvements: explanations.improvements,
      explanation: explanations.summary,
      addedOutputs: graph.addedOutputs,
    };
    return new ScoringModel(parts, options);
  } catch (error) {
    await session.release();
    throw error;
  }
}

/**
 * Scores two rows of baselines, as requests will be scored, so shape and class mismatches
 * surface at boot; and checks that a classifier whose card applies no transform really
 * outputs probabilities (a logit would otherwise be clamped to 0 or 1 without a word).
 */
async function dryRun(
  session: ort.InferenceSession,
  bindings: InputBinding[],
  decoding: ScoreDecoding,
  baselines: ModelValue[],
  cardFile: string,
): Promise<void> {
  let predictions: Predictions;
  let raw: ort.Tensor;
  try {
    const feeds = buildFeeds(bindings, [{ records: [{ values: baselines }, { values: baselines }] }]);
    const outputs = await session.run(feeds, decodingOutputs(decoding));
    raw = outputs[decoding.tensor]!;
    predictions = decodePredictions(outputs, 2, decoding);
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
  if (decoding.task === 'classification' && decoding.transform === 'none') {
    const outside = Array.from(raw.data as Float32Array | Float64Array).find(
      (v) => v < -PROBABILITY_SLACK || v > 1 + PROBABILITY_SLACK,
    );
    if (outside !== undefined) {
      throw new ModelLoadError(
        cardFile,
        'output.transform',
        `output "${decoding.tensor}" gave ${outside} for the feature baselines, which is not a probability: ` +
          'if the graph ends in logits, set output.transform to "sigmoid" (one column) or "softmax" (one per class)',
      );
    }
  }
}

/** float32 rounding can put a probability a hair outside [0, 1]. */
const PROBABILITY_SLACK = 1e-6;

/** The model card in `cardFile`, parsed and checked; a ModelLoadError saying why not. */
export async function readCard(cardFile: string): Promise<ModelCard> {
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
    throw new ModelLoadError(cardFile, undefined, describeSchemaIssues(parsed.error.issues, ModelCard));
  }
  return parsed.data;
}
