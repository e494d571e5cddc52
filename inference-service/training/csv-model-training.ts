import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FeatureMappingEntry } from '@byom/contracts/feature-mapping';
import { MODEL_NAME_PATTERN, MODEL_VERSION_PATTERN, ModelCard, scoreOfValue } from '@byom/contracts/model-card';
import type { Band, ModelTask } from '@byom/contracts/model-card';
import { pickDefaultVersion } from '@byom/contracts/model-versions';
import type {
  BinaryTrainingReport,
  MulticlassTrainingReport,
  RegressionTrainingReport,
  TrainingReport,
} from '@byom/contracts/training-reports';
import { loadScoringModel } from '../src/models/model-loader.ts';
import { formatCsv, parseCsv } from './csv-table.ts';
import { buildModelCard, exportOnnx, predictWithOnnx } from './export-onnx.ts';
import type { HoldoutMetrics } from './export-onnx.ts';
import { DatasetError, readUserFile } from './feature-spec.ts';
import type { DeclaredFeature } from './feature-spec.ts';
import { labelText } from './label-column.ts';
import type { LabelTarget } from './label-column.ts';
import { evaluateBinaryClassifier, evaluateMulticlassClassifier, evaluateRegressor } from './metrics.ts';
import { defaultScoreLabel, describeModel, trainerDescription } from './model-description.ts';
import {
  chooseValueRange,
  classifierBands,
  DEFAULT_BAND_NAMES,
  parseBandSpecs,
  regressionBands,
} from './score-bands.ts';
import { buildDataset } from './tabular-dataset.ts';
import type { Dataset } from './tabular-dataset.ts';
import { predictOutputs, splitTrainHoldout, trainTabularModel } from './tabular-trainer.ts';
import type { LabelledRows, TabularModel, TabularRow } from './tabular-trainer.ts';

/**
 * Trains a model from a CSV with the same trainer, ONNX export and card builder as the
 * bundled lead-scoring model, and writes `<modelsDir>/<name>/<version>/model.onnx` and
 * `model.json`. The label column chooses the task (label-column.ts) unless `task` says it:
 * a binary or multiclass classifier, or a regressor. Before anything is written the graph is
 * checked against the JS pipeline on the holdout rows, and after writing the directory is
 * loaded exactly as the service loads it at boot, so a model this returns is a model the
 * service serves.
 *
 * `sf byom model train` runs this through train-csv-model.ts; tests call it directly.
 */

export interface CsvTrainingOptions {
  dataFile: string;
  label: string;
  name: string;
  version: string;
  modelsDir: string;
  /** Overrides the task the label's values suggest. */
  task?: ModelTask;
  /** The class whose probability is the score (text classes); a true/false label scores true unless told false. */
  positiveClass?: string;
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
  /**
   * --bands as given (score-bands.ts): names best first, each optionally with where it starts.
   * Binary models get Hot, Warm, Cold without it; multiclass and regression models no bands.
   */
  bands?: string;
  /** Regressors: the values scored 0 and 1; the training labels' 1st to 99th percentile by default. */
  range?: [number, number];
  /** Where the rows came from, in words, for the card's trainingData.description. */
  source?: string;
  /** Replace `<name>/<version>` when it already exists. */
  force?: boolean;
  /** Also write the feature table the model was trained on (features and label) to this CSV. */
  saveFeatures?: string;
  /** Also write the holdout rows and the trainer's answers for them as a validate-models rows file. */
  saveExpected?: string;
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
  const bandSpecs = options.bands === undefined ? undefined : parseBandSpecs(options.bands);

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
    ...(options.task ? { task: options.task } : {}),
    ...(options.positiveClass !== undefined ? { positiveClass: options.positiveClass } : {}),
    ...(options.mapping ? { mapping: options.mapping } : {}),
    ...(options.declared ? { declared: options.declared } : {}),
    ...(options.include ? { include: options.include } : {}),
    ...(options.asOf ? { asOf: options.asOf } : {}),
  });
  const { target } = dataset;
  if (options.range && target.task !== 'regression') {
    throw new DatasetError(`--range places a regressor's values, but "${options.label}" is trained as a classifier`);
  }
  const { train, holdout } = splitTrainHoldout(dataset.data, holdoutFraction, seed);
  requireTrainable(target, options.label, train, holdout, dataset.data);

  const model = trainTabularModel(dataset.features, train, {
    target,
    ...(options.minCategoryCount !== undefined ? { minCategoryCount: options.minCategoryCount } : {}),
    ...(options.c !== undefined ? { c: options.c } : {}),
  });
  if (!model.training.converged) {
    throw new DatasetError(
      `training did not converge in ${model.training.iterations} iterations; lower the regularisation C or check for duplicated columns`,
    );
  }

  const holdoutOutputs = holdout.rows.map((row) => predictOutputs(model, row));
  const trainOutputs = train.rows.map((row) => predictOutputs(model, row));
  const range = model.task === 'regression' ? (options.range ?? chooseValueRange(train.labels)) : undefined;
  const scoreOf = scoring(model, range);
  const holdoutScores = holdoutOutputs.map(scoreOf);
  const metrics = holdoutMetrics(model, holdoutOutputs, holdout.labels);
  const specs =
    bandSpecs ?? (model.task === 'binary_classification' ? DEFAULT_BAND_NAMES.map((label) => ({ label })) : []);
  const bands: Band[] =
    specs.length === 0
      ? []
      : model.task === 'regression'
        ? regressionBands(
            trainOutputs.map((o) => o[0]!),
            specs,
            range!,
          )
        : classifierBands(trainOutputs.map(scoreOf), specs);

  const source = options.source ?? path.basename(options.dataFile);
  const description =
    options.description ??
    describeModel({
      model,
      label: options.label,
      features: dataset.features.map((feature) => feature.label ?? feature.name),
      rows: dataset.rowCount.used,
      source,
      ...(range ? { range } : {}),
    });
  const scoreLabel = options.scoreLabel ?? defaultScoreLabel(model, options.label, range);
  const onnxBytes = exportOnnx(model, { name: options.name, version: options.version, description });
  const card = buildModelCard(model, metrics, bands, {
    name: options.name,
    version: options.version,
    description,
    scoreLabel,
    ...(range ? { range } : {}),
    trainingData: {
      description:
        `${dataset.rowCount.used} labelled rows of ${source}, ` +
        `label "${options.label}", split ${Math.round((1 - holdoutFraction) * 100)}/${Math.round(holdoutFraction * 100)} ` +
        `into training and holdout rows. ${TRAINING_SUMMARY[model.task]} describe the training rows.`,
      seed,
      holdoutFraction,
      label: options.label,
      ...(options.asOf && options.mapping?.some((m) => m.transform === 'DAYS_SINCE')
        ? { daysSinceAsOf: options.asOf.toISOString().slice(0, 10) }
        : {}),
      trainer: trainerDescription(model),
    },
  });

  // The graph must predict exactly what the JS pipeline predicted, or the card's metrics are not the model's.
  const onnxOutputs = await predictWithOnnx(onnxBytes, model, holdout.rows);
  const worstGap = parityGap(model, onnxOutputs, holdoutOutputs, range);
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

  const savedFeatures = options.saveFeatures
    ? await saveFeatureTable(options.saveFeatures, dataset, options.label)
    : undefined;
  const savedExpected = options.saveExpected
    ? await saveExpectedRows(options.saveExpected, options, model, holdout, holdoutOutputs, holdoutScores, dataset)
    : undefined;

  const common = {
    name: options.name,
    version: options.version,
    directory,
    sha256: createHash('sha256').update(onnxBytes).digest('hex'),
    defaultVersion: pickDefaultVersion([
      ...siblings.filter((s) => s.directory !== directory),
      { version: options.version, directory },
    ]).version,
    rows: { ...dataset.rowCount, train: train.rows.length, holdout: holdout.rows.length },
    features: dataset.features.map((f) => ({ name: f.name, type: f.type })),
    parity: { worstGap, rows: holdout.rows.length },
    training: { iterations: model.training.iterations, converged: true, c: model.training.c, seed, holdoutFraction },
    notes: dataset.notes,
    ...(savedFeatures ? { savedFeatures } : {}),
    ...(savedExpected ? { savedExpected } : {}),
  };
  return taskReport(model, common, { train, holdout, metrics, holdoutScores, bands, range });
}

const TRAINING_SUMMARY: Record<ModelTask, string> = {
  binary_classification: 'rows and positiveRate',
  multiclass_classification: 'rows, positiveRate (of the scored class) and classRates',
  regression: 'rows, labelMean, labelMin and labelMax',
};

/** The score the service returns for a row's predicted outputs. */
function scoring(model: TabularModel, range: [number, number] | undefined): (outputs: readonly number[]) => number {
  switch (model.task) {
    case 'binary_classification':
      return (outputs) => outputs[0]!;
    case 'multiclass_classification': {
      const column = model.classes.indexOf(model.positiveClass);
      return (outputs) => outputs[column]!;
    }
    case 'regression':
      return (outputs) => scoreOfValue(outputs[0]!, range!);
  }
}

function holdoutMetrics(model: TabularModel, outputs: readonly number[][], labels: readonly number[]): HoldoutMetrics {
  switch (model.task) {
    case 'binary_classification':
      return evaluateBinaryClassifier(
        outputs.map((o) => o[0]!),
        labels,
      );
    case 'multiclass_classification':
      return evaluateMulticlassClassifier(outputs, labels, model.classes);
    case 'regression':
      return evaluateRegressor(
        outputs.map((o) => o[0]!),
        labels,
      );
  }
}

/**
 * The largest difference between graph and JS: in probability for classifiers; for a regressor
 * relative to the larger of the value and the range's width, since float32 keeps about seven
 * significant digits of a value however large.
 */
function parityGap(
  model: TabularModel,
  onnx: readonly number[][],
  js: readonly number[][],
  range: [number, number] | undefined,
): number {
  let worst = 0;
  onnx.forEach((row, i) => {
    row.forEach((value, c) => {
      const expected = js[i]![c]!;
      const scale = model.task === 'regression' ? Math.max(Math.abs(expected), range![1] - range![0]) : 1;
      worst = Math.max(worst, Math.abs(value - expected) / scale);
    });
  });
  return worst;
}

/** Refuses a split the task cannot be trained or measured on, saying what to change. */
function requireTrainable(
  target: LabelTarget,
  label: string,
  train: LabelledRows,
  holdout: LabelledRows,
  all: LabelledRows,
): void {
  switch (target.task) {
    case 'binary_classification':
      requireBothClasses(train.labels, 'training');
      requireBothClasses(holdout.labels, 'holdout');
      return;
    case 'multiclass_classification': {
      const seen = new Set(train.labels);
      const missing = target.classes.findIndex((_, k) => !seen.has(k));
      if (missing >= 0) {
        const rows = all.labels.filter((y) => y === missing).length;
        throw new DatasetError(
          `class "${target.classes[missing]}" of "${label}" has no training rows (${rows} in all, held out): ` +
            'add rows of it, merge it into another class, or change the holdout fraction',
        );
      }
      return;
    }
    case 'regression':
      for (const [part, rows] of [
        ['training', train],
        ['holdout', holdout],
      ] as const) {
        if (rows.labels.every((y) => y === rows.labels[0])) {
          throw new DatasetError(
            `every ${part} row (${rows.labels.length}) has the same "${label}" (${rows.labels[0]}): a regression needs ` +
              'varying values to learn from and to be measured on; add rows, or change the holdout fraction',
          );
        }
      }
  }
}

interface TaskOutcome {
  train: LabelledRows;
  holdout: LabelledRows;
  metrics: HoldoutMetrics;
  holdoutScores: number[];
  bands: Band[];
  range: [number, number] | undefined;
}

type CommonReport = Omit<BinaryTrainingReport, 'task' | 'positiveClass' | 'positiveRate' | 'metrics' | 'bands'>;

function taskReport(model: TabularModel, common: CommonReport, outcome: TaskOutcome): TrainingReport {
  const { train, holdout, metrics, holdoutScores, bands } = outcome;
  // Each band holds the scores from its min up to the next band's.
  const bandMembers = (index: number): number[] => {
    const upper = index === 0 ? Infinity : bands[index - 1]!.min;
    const band = bands[index]!;
    return holdoutScores.flatMap((s, i) => (s >= band.min && s < upper ? [i] : []));
  };
  const share = (members: readonly number[]) => members.length / holdoutScores.length;
  const rate = (labels: readonly number[], positive: number) =>
    labels.length === 0 ? 0 : labels.filter((y) => y === positive).length / labels.length;
  // A classifier's band: its share of the holdout rows, and the share of those of the scored class.
  const classBands = (positive: number) =>
    bands.map((band, index) => {
      const members = bandMembers(index).map((i) => holdout.labels[i]!);
      return {
        label: band.label,
        min: band.min,
        holdoutShare: share(members),
        holdoutPositiveRate: rate(members, positive),
      };
    });

  switch (model.task) {
    case 'binary_classification': {
      if (!('auc' in metrics)) break;
      const report: BinaryTrainingReport = {
        task: model.task,
        ...common,
        ...(model.classes ? { positiveClass: model.classes[1] } : {}),
        positiveRate: { train: model.training.positiveRate, holdout: metrics.positiveRate },
        metrics: {
          auc: metrics.auc,
          brier: metrics.brier,
          logLoss: metrics.logLoss,
          accuracy: metrics.accuracy,
          calibration: metrics.calibration,
        },
        bands: classBands(1),
      };
      return report;
    }
    case 'multiclass_classification': {
      if (!('macroF1' in metrics)) break;
      const positive = model.classes.indexOf(model.positiveClass);
      const report: MulticlassTrainingReport = {
        task: model.task,
        ...common,
        positiveClass: model.positiveClass,
        classes: model.classes.map((label, k) => ({
          label,
          train: rate(train.labels, k),
          holdout: rate(holdout.labels, k),
        })),
        positiveRate: { train: rate(train.labels, positive), holdout: rate(holdout.labels, positive) },
        metrics: {
          accuracy: metrics.accuracy,
          macroF1: metrics.macroF1,
          logLoss: metrics.logLoss,
          classes: metrics.classes,
        },
        bands: classBands(positive),
      };
      return report;
    }
    case 'regression': {
      if (!('r2' in metrics)) break;
      const summary = (labels: readonly number[]) => ({
        mean: labels.reduce((sum, y) => sum + y, 0) / labels.length,
        min: labels.reduce((a, b) => Math.min(a, b), Infinity),
        max: labels.reduce((a, b) => Math.max(a, b), -Infinity),
      });
      const report: RegressionTrainingReport = {
        task: model.task,
        ...common,
        range: outcome.range!,
        label: { train: summary(train.labels), holdout: summary(holdout.labels) },
        metrics: { mae: metrics.mae, rmse: metrics.rmse, r2: metrics.r2 },
        bands: bands.map((band, index) => {
          const members = bandMembers(index).map((i) => holdout.labels[i]!);
          return {
            label: band.label,
            min: band.min,
            minValue: band.minValue!,
            holdoutShare: share(members),
            ...(members.length > 0 ? { holdoutMeanLabel: members.reduce((a, b) => a + b, 0) / members.length } : {}),
          };
        }),
      };
      return report;
    }
  }
  throw new Error(`the holdout metrics are not those of a ${model.task} model`);
}

/** The features as the model saw them, and the label as the data had it. */
async function saveFeatureTable(file: string, dataset: Dataset, label: string): Promise<string> {
  const saved = path.resolve(file);
  const header = [...dataset.featureCells.names, label];
  const rows = dataset.data.labels.map((y, r) => [
    ...dataset.featureCells.columns.map((column) => (column[r] === null ? '' : String(column[r]))),
    labelText(dataset.target, y),
  ]);
  await mkdir(path.dirname(saved), { recursive: true });
  await writeFile(saved, formatCsv(header, rows));
  return saved;
}

/**
 * The holdout rows as a validate-models rows file (docs/models.md): each row's features as a
 * score request sends them, with what the trainer predicted for it: the score, and the value
 * (regressors) or every class's probability (multiclass). `npm run validate-models -- <dir>
 * --expected <file>` then checks that the service answers the same.
 */
async function saveExpectedRows(
  file: string,
  options: CsvTrainingOptions,
  model: TabularModel,
  holdout: LabelledRows,
  outputs: readonly number[][],
  scores: readonly number[],
  dataset: Dataset,
): Promise<string> {
  const saved = path.resolve(file);
  const lines = new Map(dataset.data.rows.map((row, i) => [row, dataset.featureCells.lines[i]!]));
  const features = (row: TabularRow) => Object.fromEntries(dataset.features.map((f) => [f.name, row[f.name] ?? null]));
  const rows = holdout.rows.map((row, i) => ({
    model: options.name,
    version: options.version,
    id: `line ${lines.get(row)}`,
    features: features(row),
    score: scores[i],
    ...(model.task === 'regression' ? { value: outputs[i]![0] } : {}),
    ...(model.task === 'multiclass_classification'
      ? { probabilities: Object.fromEntries(model.classes.map((label, k) => [label, outputs[i]![k]])) }
      : {}),
  }));
  // float32 keeps about seven significant digits: a regressor's values get a tolerance to match.
  const largest = model.task === 'regression' ? Math.max(1, ...outputs.map((o) => Math.abs(o[0]!))) : 1;
  const tolerance = Number((1e-5 * largest).toPrecision(2));
  await mkdir(path.dirname(saved), { recursive: true });
  await writeFile(saved, `${JSON.stringify({ tolerance, rows }, null, 2)}\n`);
  return saved;
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
