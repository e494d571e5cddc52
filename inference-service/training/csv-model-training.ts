import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FeatureMappingEntry } from '@byom/contracts/feature-mapping';
import { MODEL_NAME_PATTERN, MODEL_VERSION_PATTERN, ModelCard } from '@byom/contracts/model-card';
import { pickDefaultVersion } from '@byom/contracts/model-versions';
import type { TrainingReport } from '@byom/contracts/training-reports';
import { loadScoringModel } from '../src/models/model-loader.ts';
import { formatCsv, parseCsv } from './csv-table.ts';
import { buildModelCard, chooseScoreBands, DEFAULT_BAND_NAMES, exportOnnx, scoreWithOnnx } from './export-onnx.ts';
import { DatasetError, readUserFile } from './feature-spec.ts';
import type { DeclaredFeature } from './feature-spec.ts';
import { evaluateBinaryClassifier } from './metrics.ts';
import { buildDataset } from './tabular-dataset.ts';
import { predictProbability, splitTrainHoldout, trainTabularModel } from './tabular-trainer.ts';

/**
 * Trains a model from a CSV with the same trainer, ONNX export and card builder as the
 * bundled lead-scoring model, and writes `<modelsDir>/<name>/<version>/model.onnx` and
 * `model.json`. Before anything is written the graph is checked against the JS pipeline on
 * the holdout rows, and after writing the directory is loaded exactly as the service loads
 * it at boot, so a model this returns is a model the service serves.
 *
 * `sf byom model train` runs this through train-csv-model.ts; tests call it directly.
 */

export interface CsvTrainingOptions {
  dataFile: string;
  label: string;
  name: string;
  version: string;
  modelsDir: string;
  mapping?: FeatureMappingEntry[];
  declared?: DeclaredFeature[];
  include?: string[];
  asOf?: Date;
  holdoutFraction?: number;
  seed?: number;
  minCategoryCount?: number;
  c?: number;
  description?: string;
  /** The card's scoreLabel: what the score predicts, as the AI Score card shows it. */
  scoreLabel?: string;
  /** Band names, best first (two or three); Hot, Warm, Cold by default. */
  bandNames?: string[];
  /** Where the rows came from, in words, for the card's trainingData.description. */
  source?: string;
  /** Replace `<name>/<version>` when it already exists. */
  force?: boolean;
  /** Also write the feature table the model was trained on (features and label) to this CSV. */
  saveFeatures?: string;
}

/** "a, b and c": the feature list of a generated description. */
function listWords(words: readonly string[]): string {
  return words.length <= 1 ? (words[0] ?? 'no features') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

/** float32 in the graph against float64 in JS: anything beyond this is a real mismatch. */
const PARITY_TOLERANCE = 1e-5;

export async function trainModelFromCsv(options: CsvTrainingOptions): Promise<TrainingReport> {
  const holdoutFraction = options.holdoutFraction ?? 0.2;
  const seed = options.seed ?? 42;
  if (!MODEL_NAME_PATTERN.test(options.name)) {
    throw new DatasetError(
      `model name "${options.name}" must be letters, digits, ".", "_" and "-", starting with a letter or digit`,
    );
  }
  if (!MODEL_VERSION_PATTERN.test(options.version))
    throw new DatasetError(`version "${options.version}" must look like 1.2.0`);
  if (!(holdoutFraction > 0 && holdoutFraction < 1))
    throw new DatasetError('the holdout fraction must be between 0 and 1');
  if (!Number.isInteger(seed)) throw new DatasetError('the seed must be an integer');

  const family = path.join(options.modelsDir, options.name);
  const directory = path.join(family, options.version);
  const siblings = await readFamily(family);
  const clash = siblings.find(
    (s) => s.version === options.version && path.resolve(s.directory) !== path.resolve(directory),
  );
  if (clash)
    throw new DatasetError(
      `${options.name} ${options.version} already exists in ${clash.directory}; choose another version`,
    );
  if (!options.force && (await exists(directory))) {
    throw new DatasetError(`${directory} already exists; choose another version or replace it with --force`);
  }

  const table = parseCsv(await readUserFile(options.dataFile), path.basename(options.dataFile));
  const dataset = buildDataset(table, {
    label: options.label,
    ...(options.mapping ? { mapping: options.mapping } : {}),
    ...(options.declared ? { declared: options.declared } : {}),
    ...(options.include ? { include: options.include } : {}),
    ...(options.asOf ? { asOf: options.asOf } : {}),
  });
  const { train, holdout } = splitTrainHoldout(dataset.data, holdoutFraction, seed);
  requireBothClasses(train.labels, 'training');
  requireBothClasses(holdout.labels, 'holdout');

  const model = trainTabularModel(dataset.features, train, {
    ...(options.minCategoryCount !== undefined ? { minCategoryCount: options.minCategoryCount } : {}),
    ...(options.c !== undefined ? { c: options.c } : {}),
  });
  if (!model.training.converged) {
    throw new DatasetError(
      `training did not converge in ${model.training.iterations} iterations; lower the regularisation C or check for duplicated columns`,
    );
  }
  const holdoutScores = holdout.rows.map((row) => predictProbability(model, row));
  const metrics = evaluateBinaryClassifier(holdoutScores, holdout.labels);
  const bands = chooseScoreBands(
    train.rows.map((row) => predictProbability(model, row)),
    options.bandNames ?? DEFAULT_BAND_NAMES,
  );

  // Said from the data when not given: what is predicted, from which features, of which rows.
  const featureNames = dataset.features.map((feature) => feature.label ?? feature.name);
  const description =
    options.description ??
    `Probability that ${options.label} is true, from ${listWords(featureNames)}. Trained by sf byom model train on ` +
      `${dataset.rowCount.used} labelled rows of ${options.source ?? path.basename(options.dataFile)}.`;
  const scoreLabel = options.scoreLabel ?? `Likelihood that ${options.label} is true`;
  const onnxBytes = exportOnnx(model, { name: options.name, version: options.version, description });
  const card = buildModelCard(model, metrics, bands, {
    name: options.name,
    version: options.version,
    description,
    scoreLabel,
    trainingData: {
      description:
        `${dataset.rowCount.used} labelled rows of ${options.source ?? path.basename(options.dataFile)}, ` +
        `label "${options.label}", split ${Math.round((1 - holdoutFraction) * 100)}/${Math.round(holdoutFraction * 100)} ` +
        'into training and holdout rows. rows and positiveRate describe the training rows.',
      seed,
      holdoutFraction,
      label: options.label,
      ...(options.asOf && options.mapping?.some((m) => m.transform === 'DAYS_SINCE')
        ? { daysSinceAsOf: options.asOf.toISOString().slice(0, 10) }
        : {}),
      trainer: `training/tabular-trainer.ts: L2-regularised logistic regression (C = ${model.training.c}), Newton`,
    },
  });

  // The graph must score exactly what the JS pipeline scored, or the card's metrics are not the model's.
  const onnxScores = await scoreWithOnnx(onnxBytes, model, holdout.rows);
  const worstGap = onnxScores.reduce((worst, score, i) => Math.max(worst, Math.abs(score - holdoutScores[i]!)), 0);
  if (!(worstGap <= PARITY_TOLERANCE)) {
    throw new Error(`the ONNX graph disagrees with the JS pipeline by up to ${worstGap} on the holdout rows`);
  }

  if (options.force) await rm(directory, { recursive: true, force: true });
  await mkdir(directory, { recursive: true });
  await writeFile(path.join(directory, 'model.onnx'), onnxBytes);
  await writeFile(path.join(directory, 'model.json'), `${JSON.stringify(card, null, 2)}\n`);
  try {
    // What the service does at boot: card against graph, then a dry run.
    const loaded = await loadScoringModel(directory, { intraOpNumThreads: 1 });
    await loaded.session.release();
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw new Error(`the exported model does not load in the service: ${(error as Error).message}`, { cause: error });
  }

  let savedFeatures: string | undefined;
  if (options.saveFeatures) {
    savedFeatures = path.resolve(options.saveFeatures);
    const header = [...dataset.featureCells.names, options.label];
    const rows = dataset.data.labels.map((label, r) => [
      ...dataset.featureCells.columns.map((column) => (column[r] === null ? '' : String(column[r]))),
      label === 1 ? 'true' : 'false',
    ]);
    await mkdir(path.dirname(savedFeatures), { recursive: true });
    await writeFile(savedFeatures, formatCsv(header, rows));
  }

  return {
    name: options.name,
    version: options.version,
    directory,
    sha256: createHash('sha256').update(onnxBytes).digest('hex'),
    defaultVersion: pickDefaultVersion([
      ...siblings.filter((s) => s.directory !== directory),
      { version: options.version, directory },
    ]).version,
    rows: { ...dataset.rowCount, train: train.rows.length, holdout: holdout.rows.length },
    positiveRate: { train: model.training.positiveRate, holdout: metrics.positiveRate },
    features: dataset.features.map((f) => ({ name: f.name, type: f.type })),
    metrics: {
      auc: metrics.auc,
      brier: metrics.brier,
      logLoss: metrics.logLoss,
      accuracy: metrics.accuracy,
      calibration: metrics.calibration,
    },
    bands: bands.map((band, index) => {
      const upper = index === 0 ? Infinity : bands[index - 1]!.min;
      const members = holdoutScores.flatMap((s, i) => (s >= band.min && s < upper ? [holdout.labels[i]!] : []));
      return {
        label: band.label,
        min: band.min,
        holdoutShare: members.length / holdoutScores.length,
        holdoutPositiveRate: members.length ? members.reduce((sum, y) => sum + y, 0) / members.length : 0,
      };
    }),
    parity: { worstGap, rows: holdout.rows.length },
    training: { iterations: model.training.iterations, converged: true, c: model.training.c, seed, holdoutFraction },
    notes: dataset.notes,
    ...(savedFeatures ? { savedFeatures } : {}),
  };
}

interface FamilyMember {
  version: string;
  directory: string;
  default?: boolean;
}

/** Every version already under `<modelsDir>/<name>`, in either layout the service reads. */
async function readFamily(family: string): Promise<FamilyMember[]> {
  const members: FamilyMember[] = [];
  const read = async (directory: string) => {
    try {
      const card = ModelCard.safeParse(JSON.parse(await readFile(path.join(directory, 'model.json'), 'utf8')));
      if (card.success) members.push({ version: card.data.version, directory, default: card.data.default === true });
    } catch {
      // No card here (or not JSON): not a model version the service would load either.
    }
  };
  await read(family);
  let children: string[];
  try {
    children = (await readdir(family, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return members;
  }
  for (const child of children.sort()) await read(path.join(family, child));
  return members;
}

function requireBothClasses(labels: readonly number[], part: string): void {
  const positives = labels.reduce((sum, y) => sum + y, 0);
  if (positives === 0 || positives === labels.length) {
    throw new DatasetError(
      `the ${part} rows (${labels.length}) hold only ${positives === 0 ? 'negative' : 'positive'} labels; ` +
        'a model needs both: add rows of the other outcome, or change the holdout fraction',
    );
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}
