import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { baselineValue, buildFeeds } from './feature-encoder.ts';
import { bindInputs } from './input-binding.ts';
import { ModelCard } from './model-card.ts';
import { ModelLoadError } from './model-load-error.ts';
import { scoreDecoding } from './prediction-decoding.ts';
import type { Predictions } from './prediction-decoding.ts';
import { openSession } from './onnx-session.ts';
import type { SessionSource } from './onnx-session.ts';
import { ScoringModel, runScore } from './scoring-model.ts';
import type { ScoringModelParts, ScoringOptions } from './scoring-model.ts';

/**
 * Loads one model version from its directory: reads the card and the graph, creates the
 * onnxruntime session, checks the card against the session's real inputs and outputs, and
 * scores the feature baselines once, so a mismatch stops the boot instead of failing requests.
 * Every problem is a ModelLoadError naming the file (and the card field where there is one).
 */

export interface LoadOptions extends ScoringOptions {
  intraOpNumThreads: number;
}

export async function loadScoringModel(directory: string, options: LoadOptions): Promise<ScoringModel> {
  const cardFile = path.join(directory, 'model.json');
  const card = await readCard(cardFile);
  const source: SessionSource = {
    onnxFile: path.join(directory, 'model.onnx'),
    scoreOutput: card.output.name,
    intraOpNumThreads: options.intraOpNumThreads,
  };
  const { session, scoreOutput } = await openSession(source);

  const parts: ScoringModelParts = {
    card,
    directory,
    session,
    source,
    bindings: bindInputs(card, session.inputMetadata, cardFile),
    decoding: scoreDecoding(card, scoreOutput, cardFile),
    baselines: card.features.map(baselineValue),
  };
  await dryRun(parts, cardFile);
  return new ScoringModel(parts, options);
}

/** Scores two rows of baselines, as requests will be scored, so shape and class mismatches surface at boot. */
async function dryRun(parts: ScoringModelParts, cardFile: string): Promise<void> {
  const { session, bindings, decoding, baselines } = parts;
  let predictions: Predictions;
  try {
    const feeds = buildFeeds(bindings, [{ records: [baselines, baselines] }], baselines);
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
