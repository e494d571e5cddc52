import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type ort from 'onnxruntime-node';
import { baselineValue, buildFeeds } from './feature-encoder.ts';
import { bindInputs, checkBatchAxes } from './input-binding.ts';
import { knownCategories } from './known-categories.ts';
import { ModelCard } from '@byom/contracts/model-card';
import { describeSchemaIssues } from '@byom/contracts/schema-issues';
import { ModelLoadError } from './model-load-error.ts';
import { openSession } from './onnx-session.ts';
import type { SessionSource } from './onnx-session.ts';
import { decodePredictions, scoreDecoding } from './prediction-decoding.ts';
import type { Predictions } from './prediction-decoding.ts';
import { ScoringModel } from './scoring-model.ts';
import type { ScoringModelParts, ScoringOptions } from './scoring-model.ts';

/**
 * Loads one model version from its directory: reads the card and the graph (with its external
 * data), creates the onnxruntime session, checks the card against the session's real inputs
 * and outputs, and scores the feature baselines once, so a mismatch stops the boot instead of
 * failing requests. Every problem is a ModelLoadError naming the file (and the card field
 * where there is one).
 */

export interface LoadOptions extends ScoringOptions {
  intraOpNumThreads: number;
}

export async function loadScoringModel(directory: string, options: LoadOptions): Promise<ScoringModel> {
  const cardFile = path.join(directory, 'model.json');
  const onnxFile = path.join(directory, 'model.onnx');
  const card = await readCard(cardFile);
  const source: SessionSource = {
    onnxFile,
    cardFile,
    scoreOutput: card.output.name,
    intraOpNumThreads: options.intraOpNumThreads,
  };
  const { session, scoreOutput, file } = await openSession(source);

  try {
    checkBatchAxes(session.inputMetadata, onnxFile);
    const parts: ScoringModelParts = {
      card,
      directory,
      session,
      source,
      bindings: bindInputs(card, session.inputMetadata, cardFile),
      decoding: scoreDecoding(card, scoreOutput, cardFile),
      baselines: card.features.map(baselineValue),
      categories: knownCategories(card, file.model.graph!),
    };
    await dryRun(parts, cardFile);
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
async function dryRun(parts: ScoringModelParts, cardFile: string): Promise<void> {
  const { session, bindings, decoding, baselines } = parts;
  let predictions: Predictions;
  let raw: ort.Tensor;
  try {
    const feeds = buildFeeds(bindings, [{ records: [baselines, baselines] }], baselines);
    raw = (await session.run(feeds, [decoding.tensor]))[decoding.tensor]!;
    predictions = decodePredictions(raw, 2, decoding);
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
    throw new ModelLoadError(cardFile, undefined, describeSchemaIssues(parsed.error.issues, ModelCard));
  }
  return parsed.data;
}
