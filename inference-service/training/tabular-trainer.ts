import type { FeatureType } from '@byom/contracts/model-card';
import type { LabelTarget } from './label-column.ts';
import {
  fitLogisticRegression,
  fitMultinomialLogisticRegression,
  fitRidgeRegression,
  sigmoid,
  softmax,
} from './linear-fits.ts';
import { createRandom, deriveSeed } from './random.ts';

/**
 * A generic, deterministic trainer for tabular data: the bundled lead-scoring model is one
 * input to it, and `sf byom model train --data file.csv` is another. It fits a preprocessing
 * pipeline (imputation, optional log1p, scaling, one-hot encoding) and, on the encoded rows,
 * an L2-regularised linear model for the label's task (linear-fits.ts): logistic regression
 * for a binary label, multinomial (softmax) logistic regression for 3 or more classes, ridge
 * regression for a number. It returns everything export-onnx.ts needs to put the same
 * pipeline inside an ONNX graph, plus a JS predict used to check the exported graph against.
 *
 * Nothing here is random: the classifiers are fitted by full-batch Newton, the regression in
 * closed form, and every choice made from the data (medians, log1p or not, kept categories)
 * is a pure function of the rows.
 */

/** A column the model reads. `label` and `description` travel to the model card. */
export interface TabularFeature {
  name: string;
  type: FeatureType;
  label?: string;
  description?: string;
}

/** A missing value is `null`, `undefined` or (for numbers) NaN; a blank category is `''`. */
export type FeatureValue = number | string | boolean | null;
export type TabularRow = Readonly<Record<string, FeatureValue | undefined>>;

/**
 * Rows with a label each: binary 0/1 (1 = the positive class, whose probability is the score),
 * multiclass the index of the class, regression the value.
 */
export interface LabelledRows {
  rows: TabularRow[];
  labels: number[];
}

export interface TrainerOptions {
  /** What the labels are; binary (0/1, scoring 1) unless said. */
  target?: LabelTarget;
  /**
   * Inverse L2 strength, as scikit-learn's `C`: the fit minimises
   * sum(loss) + ||w||² / (2C); the intercepts are not penalised.
   */
  c?: number;
  /** Categories seen in fewer training rows than this get no column (they encode as all zeros, like unknowns). */
  minCategoryCount?: number;
  /** Non-negative numeric columns with a sample skewness above this are log1p-transformed, if that lowers it. */
  log1pSkewness?: number;
  /** Newton stops when no coefficient moves by more than this. */
  tolerance?: number;
  maxIterations?: number;
}

const DEFAULT_OPTIONS: Required<Omit<TrainerOptions, 'target'>> = {
  c: 1,
  minCategoryCount: 20,
  log1pSkewness: 1,
  tolerance: 1e-10,
  maxIterations: 100,
};

/** number/integer: impute the training median, optionally log1p, then standardise. */
export interface FittedNumericFeature {
  kind: 'numeric';
  feature: TabularFeature;
  /** Median of the observed training values: the imputed value, and the explanation baseline. */
  median: number;
  log1p: boolean;
  /** Mean and standard deviation after imputation and log1p; the column is (x - mean) / std. */
  mean: number;
  std: number;
  missingRate: number;
}

/** boolean: 0/1, a missing value imputed with the training mode. */
export interface FittedBooleanFeature {
  kind: 'boolean';
  feature: TabularFeature;
  mode: boolean;
  missingRate: number;
}

/** category: one column per kept category; a missing value is the category `''`. */
export interface FittedCategoryFeature {
  kind: 'category';
  feature: TabularFeature;
  /** Kept categories in column order (sorted, so the order does not depend on row order). */
  categories: string[];
  /** Most frequent training value (may be `''` when most rows are blank). */
  mode: string;
  /** Categories seen in training but too rare to get a column. */
  dropped: string[];
}

export type FittedFeature = FittedNumericFeature | FittedBooleanFeature | FittedCategoryFeature;

interface FitSummary {
  rows: number;
  c: number;
  iterations: number;
  converged: boolean;
}

interface FittedPipeline {
  features: FittedFeature[];
  /** Design-matrix column names, in the order the coefficients use: `Feature` or `Feature=category`. */
  columns: string[];
}

export interface BinaryTabularModel extends FittedPipeline {
  task: 'binary_classification';
  /** Text class names [other, positive]; absent for a true/false label scoring true (classes 0 and 1). */
  classes?: [string, string];
  coefficients: number[];
  intercept: number;
  training: FitSummary & { positiveRate: number };
}

export interface MulticlassTabularModel extends FittedPipeline {
  task: 'multiclass_classification';
  classes: string[];
  /** The class whose probability is the score. */
  positiveClass: string;
  /** One row of coefficients per class, in class order. */
  coefficients: number[][];
  intercepts: number[];
  /** Share of the training rows in each class. */
  training: FitSummary & { classRates: number[] };
}

export interface RegressionTabularModel extends FittedPipeline {
  task: 'regression';
  coefficients: number[];
  intercept: number;
  /** The training labels' mean, lowest and highest value. */
  training: FitSummary & { label: { mean: number; min: number; max: number } };
}

export type TabularModel = BinaryTabularModel | MulticlassTabularModel | RegressionTabularModel;

/** Splits rows deterministically: a seeded shuffle, then the first `holdoutFraction` of it is the holdout. */
export function splitTrainHoldout(
  data: LabelledRows,
  holdoutFraction: number,
  seed: number,
): { train: LabelledRows; holdout: LabelledRows } {
  if (!(holdoutFraction > 0 && holdoutFraction < 1)) throw new Error('holdoutFraction must be between 0 and 1');
  const order = createRandom(deriveSeed(seed, 'train-holdout-split')).shuffled(data.rows.map((_, i) => i));
  const holdoutSize = Math.round(data.rows.length * holdoutFraction);
  // Each part keeps the original row order, so the split only decides membership.
  const holdoutIndexes = order.slice(0, holdoutSize).sort((a, b) => a - b);
  const trainIndexes = order.slice(holdoutSize).sort((a, b) => a - b);
  const pick = (indexes: number[]): LabelledRows => ({
    rows: indexes.map((i) => data.rows[i]),
    labels: indexes.map((i) => data.labels[i]),
  });
  return { train: pick(trainIndexes), holdout: pick(holdoutIndexes) };
}

/** Fits preprocessing and the linear model for the target's task on the training rows. */
export function trainTabularModel(
  features: readonly TabularFeature[],
  data: LabelledRows,
  options?: TrainerOptions & { target?: Extract<LabelTarget, { task: 'binary_classification' }> },
): BinaryTabularModel;
export function trainTabularModel(
  features: readonly TabularFeature[],
  data: LabelledRows,
  options: TrainerOptions,
): TabularModel;
export function trainTabularModel(
  features: readonly TabularFeature[],
  data: LabelledRows,
  options: TrainerOptions = {},
): TabularModel {
  const { target = { task: 'binary_classification' }, ...rest } = options;
  const settings = { ...DEFAULT_OPTIONS, ...rest };
  if (data.rows.length === 0 || data.rows.length !== data.labels.length) {
    throw new Error('training needs at least one row and exactly one label per row');
  }
  checkLabels(target, data.labels);

  const fitted = features.map((feature) => fitFeature(feature, data.rows, settings));
  const columns = fitted.flatMap(columnNames);
  const design = data.rows.map((row) => encodeRow(fitted, row));
  const rows = data.rows.length;
  const pipeline = { features: fitted, columns };
  const summary = (fit: { iterations: number; converged: boolean }) => ({
    rows,
    c: settings.c,
    iterations: fit.iterations,
    converged: fit.converged,
  });
  switch (target.task) {
    case 'binary_classification': {
      const fit = fitLogisticRegression(design, data.labels, settings);
      const positives = data.labels.reduce((sum, y) => sum + y, 0);
      return {
        task: target.task,
        ...(target.classes ? { classes: target.classes } : {}),
        ...pipeline,
        coefficients: fit.coefficients,
        intercept: fit.intercept,
        training: { ...summary(fit), positiveRate: positives / rows },
      };
    }
    case 'multiclass_classification': {
      const fit = fitMultinomialLogisticRegression(design, data.labels, target.classes.length, settings);
      const counts = target.classes.map(() => 0);
      for (const y of data.labels) counts[y]++;
      return {
        task: target.task,
        classes: target.classes,
        positiveClass: target.positiveClass,
        ...pipeline,
        coefficients: fit.coefficients,
        intercepts: fit.intercepts,
        training: { ...summary(fit), classRates: counts.map((count) => count / rows) },
      };
    }
    case 'regression': {
      const fit = fitRidgeRegression(design, data.labels, settings);
      const label = {
        mean: data.labels.reduce((sum, y) => sum + y, 0) / rows,
        min: data.labels.reduce((a, b) => Math.min(a, b), Infinity),
        max: data.labels.reduce((a, b) => Math.max(a, b), -Infinity),
      };
      return {
        task: target.task,
        ...pipeline,
        coefficients: fit.coefficients,
        intercept: fit.intercept,
        training: { ...summary(fit), label },
      };
    }
  }
}

function checkLabels(target: LabelTarget, labels: readonly number[]): void {
  switch (target.task) {
    case 'binary_classification': {
      labels.forEach((label, i) => {
        if (label !== 0 && label !== 1) throw new Error(`label of row ${i} is ${label}; labels must be 0 or 1`);
      });
      const positives = labels.reduce((sum, y) => sum + y, 0);
      if (positives === 0 || positives === labels.length) throw new Error('training needs both classes in the labels');
      return;
    }
    case 'multiclass_classification': {
      const seen = new Set<number>();
      labels.forEach((label, i) => {
        if (!Number.isInteger(label) || label < 0 || label >= target.classes.length) {
          throw new Error(
            `label of row ${i} is ${label}; labels must be class indexes 0 to ${target.classes.length - 1}`,
          );
        }
        seen.add(label);
      });
      const missing = target.classes.filter((_, k) => !seen.has(k));
      if (missing.length > 0)
        throw new Error(`training needs every class in the labels; missing ${missing.join(', ')}`);
      return;
    }
    case 'regression':
      labels.forEach((label, i) => {
        if (!Number.isFinite(label)) throw new Error(`label of row ${i} is ${label}; labels must be finite numbers`);
      });
  }
}

/** The model's log-odds for one row: intercept + coefficients · encoded row. */
export function predictLogOdds(model: BinaryTabularModel, row: TabularRow): number {
  return linearPredictor(model.intercept, model.coefficients, encodeRow(model.features, row));
}

/** Probability of the positive class for one row, computed in JS (float64); the ONNX graph must agree. */
export function predictProbability(model: BinaryTabularModel, row: TabularRow): number {
  return sigmoid(predictLogOdds(model, row));
}

/** Every class's probability for one row, in class order. */
export function predictClassProbabilities(model: MulticlassTabularModel, row: TabularRow): number[] {
  const x = encodeRow(model.features, row);
  return softmax(model.intercepts.map((intercept, k) => linearPredictor(intercept, model.coefficients[k], x)));
}

/** A regressor's prediction for one row, in the label's units. */
export function predictValue(model: RegressionTabularModel, row: TabularRow): number {
  return linearPredictor(model.intercept, model.coefficients, encodeRow(model.features, row));
}

/**
 * What the exported graph's score output holds for one row: [P(positive)] for a binary model,
 * every class's probability for a multiclass one, [value] for a regressor.
 */
export function predictOutputs(model: TabularModel, row: TabularRow): number[] {
  switch (model.task) {
    case 'binary_classification':
      return [predictProbability(model, row)];
    case 'multiclass_classification':
      return predictClassProbabilities(model, row);
    case 'regression':
      return [predictValue(model, row)];
  }
}

function linearPredictor(intercept: number, coefficients: readonly number[], x: readonly number[]): number {
  let z = intercept;
  for (let j = 0; j < x.length; j++) z += coefficients[j] * x[j];
  return z;
}

/** The preprocessed design-matrix row, exactly as the ONNX graph builds it before LinearClassifier. */
export function encodeRow(features: readonly FittedFeature[], row: TabularRow): number[] {
  const encoded: number[] = [];
  for (const fitted of features) {
    const value = row[fitted.feature.name];
    switch (fitted.kind) {
      case 'numeric': {
        const observed = numericValue(fitted.feature, value);
        const imputed = Number.isNaN(observed) ? fitted.median : observed;
        const transformed = fitted.log1p ? Math.log1p(imputed) : imputed;
        encoded.push((transformed - fitted.mean) / fitted.std);
        break;
      }
      case 'boolean': {
        const observed = booleanValue(fitted.feature, value);
        encoded.push((observed ?? fitted.mode) ? 1 : 0);
        break;
      }
      case 'category': {
        const observed = categoryValue(fitted.feature, value);
        for (const category of fitted.categories) encoded.push(observed === category ? 1 : 0);
        break;
      }
    }
  }
  return encoded;
}

function columnNames(fitted: FittedFeature): string[] {
  return fitted.kind === 'category'
    ? fitted.categories.map((category) => `${fitted.feature.name}=${category}`)
    : [fitted.feature.name];
}

type PreprocessingSettings = Pick<Required<TrainerOptions>, 'minCategoryCount' | 'log1pSkewness'>;

function fitFeature(
  feature: TabularFeature,
  rows: readonly TabularRow[],
  settings: PreprocessingSettings,
): FittedFeature {
  switch (feature.type) {
    case 'number':
    case 'integer':
      return fitNumeric(feature, rows, settings);
    case 'boolean':
      return fitBoolean(feature, rows);
    case 'category':
      return fitCategory(feature, rows, settings);
  }
}

function fitNumeric(
  feature: TabularFeature,
  rows: readonly TabularRow[],
  settings: PreprocessingSettings,
): FittedNumericFeature {
  const values = rows.map((row) => numericValue(feature, row[feature.name]));
  const observed = values.filter((v) => !Number.isNaN(v));
  if (observed.length === 0) throw new Error(`feature "${feature.name}" has no values in the training rows`);
  const median = medianOf(observed);
  // log1p only helps long right tails, and is only defined for the values it will see if
  // they are non-negative: the card then declares min 0 so the service rejects negatives.
  const minimum = observed.reduce((a, b) => Math.min(a, b), Infinity);
  const rawSkew = skewness(observed);
  const log1p =
    minimum >= 0 &&
    rawSkew > settings.log1pSkewness &&
    Math.abs(skewness(observed.map(Math.log1p))) < Math.abs(rawSkew);
  const transformed = values.map((v) => {
    const imputed = Number.isNaN(v) ? median : v;
    return log1p ? Math.log1p(imputed) : imputed;
  });
  const mean = transformed.reduce((sum, v) => sum + v, 0) / transformed.length;
  const variance = transformed.reduce((sum, v) => sum + (v - mean) ** 2, 0) / transformed.length;
  // A constant column carries no information; scale 1 keeps it finite (it encodes as 0).
  const std = variance > 0 ? Math.sqrt(variance) : 1;
  return {
    kind: 'numeric',
    feature,
    median,
    log1p,
    mean,
    std,
    missingRate: (values.length - observed.length) / values.length,
  };
}

function fitBoolean(feature: TabularFeature, rows: readonly TabularRow[]): FittedBooleanFeature {
  let trues = 0;
  let falses = 0;
  for (const row of rows) {
    const value = booleanValue(feature, row[feature.name]);
    if (value === true) trues++;
    else if (value === false) falses++;
  }
  return {
    kind: 'boolean',
    feature,
    mode: trues > falses,
    missingRate: (rows.length - trues - falses) / rows.length,
  };
}

function fitCategory(
  feature: TabularFeature,
  rows: readonly TabularRow[],
  settings: PreprocessingSettings,
): FittedCategoryFeature {
  const counts = new Map<string, number>();
  for (const row of rows) {
    const value = categoryValue(feature, row[feature.name]);
    counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  // Sorted by code unit so the column order is the same whatever order the rows came in.
  const seen = [...counts.keys()].sort(compareStrings);
  const categories = seen.filter((c) => (counts.get(c) ?? 0) >= settings.minCategoryCount);
  const dropped = seen.filter((c) => (counts.get(c) ?? 0) < settings.minCategoryCount);
  let mode = seen[0];
  for (const category of seen) if ((counts.get(category) ?? 0) > (counts.get(mode) ?? 0)) mode = category;
  return { kind: 'category', feature, categories, mode, dropped };
}

function numericValue(feature: TabularFeature, value: FeatureValue | undefined): number {
  if (value === null || value === undefined) return NaN;
  if (typeof value !== 'number') {
    throw new Error(`feature "${feature.name}" is a ${feature.type} but got ${JSON.stringify(value)}`);
  }
  if (value === Infinity || value === -Infinity) throw new Error(`feature "${feature.name}" got ${value}`);
  return value;
}

function booleanValue(feature: TabularFeature, value: FeatureValue | undefined): boolean | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'boolean') {
    throw new Error(`feature "${feature.name}" is a boolean but got ${JSON.stringify(value)}`);
  }
  return value;
}

function categoryValue(feature: TabularFeature, value: FeatureValue | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') {
    throw new Error(`feature "${feature.name}" is a category but got ${JSON.stringify(value)}`);
  }
  return value;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function medianOf(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Population (biased) sample skewness; 0 for a constant column. */
function skewness(values: readonly number[]): number {
  const n = values.length;
  const mean = values.reduce((sum, v) => sum + v, 0) / n;
  let m2 = 0;
  let m3 = 0;
  for (const v of values) {
    const d = v - mean;
    m2 += d * d;
    m3 += d * d * d;
  }
  m2 /= n;
  m3 /= n;
  return m2 > 0 ? m3 / m2 ** 1.5 : 0;
}
