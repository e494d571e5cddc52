import path from 'node:path';
import type { FeatureMappingEntry } from '@byom/contracts/feature-mapping';
import type { FeatureSpec, ModelCard } from '@byom/contracts/model-card';
import type {
  ComparisonReport,
  MulticlassVersionEvaluation,
  RegressionVersionEvaluation,
  VersionEvaluation,
} from '@byom/contracts/training-reports';
import { loadScoringModel } from '../src/models/model-loader.ts';
import type { ScoringModel } from '../src/models/scoring-model.ts';
import { scoreRecords } from '../src/scoring/score-records.ts';
import { columnIndex, parseCsv } from './csv-table.ts';
import { cellsFromTable, DatasetError, readUserFile } from './feature-spec.ts';
import type { Cell, CellColumns } from './feature-spec.ts';
import { readLabelColumn } from './label-column.ts';
import { evaluateBinaryClassifier, evaluateMulticlassClassifier, evaluateRegressor, rocAuc } from './metrics.ts';
import { salesforceExportEvidence } from './salesforce-export.ts';
import { applyFeatureMapping } from './salesforce-feature-mapping.ts';

/**
 * Compares two model versions on one labelled data set, scoring every row through the
 * service's own scoring path (the card's validation, defaults and bands), so the numbers
 * are what Salesforce would get from each version. Rows that either version rejects are
 * left out of the comparison and reported, so both versions are measured on the same rows.
 *
 * The versions must share a task, and it decides the metrics: AUC, Brier, log loss and
 * calibration for binary models; accuracy, macro-F1, log loss and the score's AUC for
 * multiclass ones (which must score the same class); MAE, RMSE and R² on the raw value for
 * regressors. A multiclass row whose label a version has no class for is left out the same way.
 */

export interface ComparisonOptions {
  dataFile: string;
  label: string;
  /** Baseline first, candidate second. */
  modelDirs: [string, string];
  mapping?: FeatureMappingEntry[];
  asOf?: Date;
}

const CHUNK = 1000;
const MAX_REPORTED_REJECTIONS = 10;

export async function compareModelVersions(options: ComparisonOptions): Promise<ComparisonReport> {
  const models = await Promise.all(options.modelDirs.map((dir) => loadScoringModel(dir, { intraOpNumThreads: 1 })));
  try {
    const [baseline, candidate] = models as [ScoringModel, ScoringModel];
    const task = baseline.card.task;
    if (candidate.card.task !== task) {
      throw new DatasetError(
        `model eval compares versions of one task, but ${baseline.version} is ${words(task)} and ` +
          `${candidate.version} is ${words(candidate.card.task)}`,
      );
    }
    const positiveClass = scoredClass(baseline.card);
    if (scoredClass(candidate.card) !== positiveClass) {
      throw new DatasetError(
        `${baseline.version} scores "${positiveClass}" and ${candidate.version} scores "${scoredClass(candidate.card)}": ` +
          'the scores of different classes cannot be compared',
      );
    }
    const table = parseCsv(await readUserFile(options.dataFile), path.basename(options.dataFile));
    const labelIndex = columnIndex(table, options.label);
    if (labelIndex < 0) throw new DatasetError(`the data has no label column "${options.label}"`);
    const labelName = table.header[labelIndex]!;
    const truth = readTruth(baseline.card, cellsFromTable(table, [labelName]).columns[0]!, table.lines, labelName);

    const needed = [...new Set(models.flatMap((m) => m.card.features.map((f) => f.name)))];
    const cells: CellColumns = options.mapping
      ? applyFeatureMapping(options.mapping, table, options.asOf ?? new Date())
      : cellsFromTable(
          table,
          needed.filter((name) => columnIndex(table, name) >= 0),
        );
    const present = (name: string) => cells.names.some((n) => n.toLowerCase() === name.toLowerCase());
    if (!needed.some(present)) {
      // Every row would get the card's defaults and the same score: an AUC of 0.5 that means nothing.
      throw new DatasetError(
        `none of the columns of ${path.basename(options.dataFile)} is a feature of the model: it expected ${needed.join(', ')}` +
          (options.mapping ? ' (computed by the mapping from the record fields it reads)' : '') +
          `; the data has ${table.header.join(', ')}`,
      );
    }
    for (const model of models) {
      for (const feature of model.card.features) {
        const required = feature.default === undefined && !feature.allowMissing;
        if (required && !cells.names.some((n) => n.toLowerCase() === feature.name.toLowerCase())) {
          throw new DatasetError(
            `${model.name} ${model.version} needs feature "${feature.name}", which the data does not provide`,
          );
        }
      }
    }

    const labelled = truth.flatMap((label, i) => (label === null ? [] : [i]));
    const outcomes = await Promise.all(models.map((model) => scoreRows(model, cells, labelled)));
    if (task === 'multiclass_classification') {
      // A label the version has no class for has no probability to measure: leave the row out, as a rejection.
      outcomes.forEach((outcome) => {
        for (const row of labelled) {
          const scored = outcome.scores.get(row);
          const label = truth[row] as string;
          if (scored && !scored.probabilities?.some((p) => p.label === label)) {
            outcome.scores.delete(row);
            outcome.errors.set(row, {
              code: 'UNKNOWN_CLASS',
              message: `"${label}" is not a class of the model (${(scored.probabilities ?? []).map((p) => p.label).join(', ')})`,
            });
          }
        }
      });
    }
    const rejections: ComparisonReport['rejections'] = [];
    outcomes.forEach((outcome, m) => {
      for (const [row, error] of outcome.errors) {
        if (rejections.length < MAX_REPORTED_REJECTIONS) {
          rejections.push({ line: table.lines[row]!, version: models[m]!.version, ...error });
        }
      }
    });
    const compared = labelled.filter((row) => outcomes.every((o) => o.scores.has(row)));
    if (compared.length === 0) throw new DatasetError('no row could be scored by both versions; see the rejections');
    const y = compared.map((row) => truth[row]!);
    if (task !== 'multiclass_classification' && y.every((v) => v === y[0])) {
      throw new DatasetError(
        `every compared row has the same label (${y[0]}); the comparison needs ${task === 'regression' ? 'varying values' : 'both outcomes'}`,
      );
    }
    const scored = (m: number, row: number) => outcomes[m]!.scores.get(row)!;
    const identity = (m: number) => ({
      name: models[m]!.name,
      version: models[m]!.version,
      directory: models[m]!.directory,
      rejected: outcomes[m]!.errors.size,
    });

    const transitions = new Map<string, { from: string; to: string; count: number }>();
    let changed = 0;
    const scoreShift = shifts(compared.map((row) => [scored(0, row).score, scored(1, row).score]));
    for (const row of compared) {
      const from = scored(0, row).band ?? '(none)';
      const to = scored(1, row).band ?? '(none)';
      if (from !== to) changed++;
      const key = `${from}\u0000${to}`;
      const entry = transitions.get(key) ?? { from, to, count: 0 };
      entry.count++;
      transitions.set(key, entry);
    }

    const salesforceExport = options.mapping ? undefined : salesforceExportEvidence(table);
    const common = {
      missingFeatures: needed.filter((name) => !present(name)),
      ...(salesforceExport ? { salesforceExport } : {}),
      rows: {
        total: table.rows.length,
        labelled: labelled.length,
        compared: compared.length,
        skipped: labelled.length - compared.length,
      },
      rejections,
      bands: {
        changed,
        changedShare: changed / compared.length,
        transitions: [...transitions.values()].sort((a, b) => b.count - a.count),
      },
      scoreShift,
    };

    switch (task) {
      case 'binary_classification': {
        const evaluate = (m: number): VersionEvaluation => {
          const scores = compared.map((row) => scored(m, row).score);
          const metrics = evaluateBinaryClassifier(scores, y as number[]);
          return {
            ...identity(m),
            auc: metrics.auc,
            brier: metrics.brier,
            logLoss: metrics.logLoss,
            accuracy: metrics.accuracy,
            calibrationError: metrics.calibration.reduce(
              (sum, bin) => sum + (bin.count / scores.length) * Math.abs(bin.meanPredicted - bin.observedRate),
              0,
            ),
            calibration: metrics.calibration,
          };
        };
        return { task, ...common, baseline: evaluate(0), candidate: evaluate(1) };
      }
      case 'multiclass_classification': {
        const evaluate = (m: number): MulticlassVersionEvaluation => {
          const classes = scored(m, compared[0]!).probabilities!.map((p) => p.label);
          const metrics = evaluateMulticlassClassifier(
            compared.map((row) => scored(m, row).probabilities!.map((p) => p.probability)),
            y.map((label) => classes.indexOf(label as string)),
            classes,
          );
          const isPositive = y.map((label) => (label === positiveClass ? 1 : 0));
          const both = isPositive.includes(1) && isPositive.includes(0);
          return {
            ...identity(m),
            accuracy: metrics.accuracy,
            macroF1: metrics.macroF1,
            logLoss: metrics.logLoss,
            ...(both
              ? {
                  scoreAuc: rocAuc(
                    compared.map((row) => scored(m, row).score),
                    isPositive,
                  ),
                }
              : {}),
            classes: metrics.classes,
          };
        };
        return { task, ...common, positiveClass: positiveClass!, baseline: evaluate(0), candidate: evaluate(1) };
      }
      case 'regression': {
        const evaluate = (m: number): RegressionVersionEvaluation => {
          const metrics = evaluateRegressor(
            compared.map((row) => scored(m, row).value!),
            y as number[],
          );
          return { ...identity(m), mae: metrics.mae, rmse: metrics.rmse, r2: metrics.r2 };
        };
        return {
          task,
          ...common,
          baseline: evaluate(0),
          candidate: evaluate(1),
          valueShift: shifts(compared.map((row) => [scored(0, row).value!, scored(1, row).value!])),
        };
      }
    }
  } finally {
    await Promise.all(models.map((m) => m.session.release()));
  }
}

function words(task: ModelCard['task']): string {
  return task.replace('_', ' ');
}

/**
 * The class a classifier's score is the probability of, as text (a 0/1 model's as "true" or
 * "false", as its labels read); undefined for a regressor.
 */
function scoredClass(card: ModelCard): string | undefined {
  if (card.task === 'regression') return undefined;
  const positive = card.output.positiveClass;
  if (card.task === 'binary_classification' && (positive === undefined || typeof positive === 'number')) {
    return positive === 0 ? 'false' : 'true';
  }
  return positive === undefined ? undefined : String(positive);
}

/**
 * The label of every row as the versions' task reads it: 0/1 (1 is the scored class) for a
 * binary model, the class as text for a multiclass one, the value for a regressor; null when blank.
 */
function readTruth(
  card: ModelCard,
  cells: readonly Cell[],
  lines: readonly number[],
  column: string,
): Array<number | string | null> {
  if (card.task === 'multiclass_classification') {
    return cells.map((cell) => (cell === null || String(cell).trim() === '' ? null : String(cell).trim()));
  }
  const positiveClass = scoredClass(card);
  return readLabelColumn(cells, lines, column, {
    task: card.task,
    ...(positiveClass !== undefined ? { positiveClass } : {}),
  }).labels;
}

/** Mean and largest |after − before| over pairs. */
function shifts(pairs: ReadonlyArray<readonly [number, number]>): { meanAbsolute: number; largest: number } {
  let sum = 0;
  let largest = 0;
  for (const [before, after] of pairs) {
    const shift = Math.abs(after - before);
    sum += shift;
    largest = Math.max(largest, shift);
  }
  return { meanAbsolute: sum / pairs.length, largest };
}

interface RowOutcomes {
  scores: Map<
    number,
    {
      score: number;
      band: string | undefined;
      value?: number;
      probabilities?: Array<{ label: string; probability: number }>;
    }
  >;
  errors: Map<number, { code: string; message: string }>;
}

/** Scores the given rows with one model, in chunks, through the service's scoring path. */
async function scoreRows(model: ScoringModel, cells: CellColumns, rows: readonly number[]): Promise<RowOutcomes> {
  const columns = model.card.features.map((feature) => {
    const index = cells.names.findIndex((n) => n.toLowerCase() === feature.name.toLowerCase());
    return { feature, column: index < 0 ? undefined : cells.columns[index]! };
  });
  const outcomes: RowOutcomes = { scores: new Map(), errors: new Map() };
  for (let start = 0; start < rows.length; start += CHUNK) {
    const chunk = rows.slice(start, start + CHUNK);
    const records = chunk.map((row) => {
      const features: Record<string, unknown> = {};
      for (const { feature, column } of columns) {
        const value = column ? requestValue(feature, column[row]!) : null;
        if (value !== null) features[feature.name] = value;
      }
      return { id: String(row), features };
    });
    const response = await scoreRecords(model, { records, explain: false, topK: 0 });
    for (const result of response.results) {
      outcomes.scores.set(Number(result.id), {
        score: result.score,
        band: result.band ?? undefined,
        ...(result.value !== undefined ? { value: result.value } : {}),
        ...(result.probabilities ? { probabilities: result.probabilities } : {}),
      });
    }
    for (const error of response.errors)
      outcomes.errors.set(Number(error.id), { code: error.code, message: error.message });
  }
  return outcomes;
}

/** The JSON value Apex would send for a cell, given the card's type; what does not fit is left for the service to reject. */
function requestValue(feature: FeatureSpec, cell: Cell): unknown {
  if (cell === null || typeof cell !== 'string') return cell;
  switch (feature.type) {
    case 'number':
    case 'integer': {
      const value = Number(cell);
      return cell.trim() !== '' && Number.isFinite(value) ? value : cell;
    }
    case 'boolean': {
      const lower = cell.trim().toLowerCase();
      return lower === 'true' ? true : lower === 'false' ? false : cell;
    }
    case 'category':
      return cell;
  }
}
