import type { FeatureType } from '@byom/contracts/model-card';
import { createRandom, deriveSeed } from './random.ts';

/**
 * A generic, deterministic trainer for binary classification on tabular data: the bundled
 * lead-scoring model is one input to it, and `sf byom model train --data file.csv` is meant
 * to be another. It fits a preprocessing pipeline (imputation, optional log1p, scaling,
 * one-hot encoding) and an L2-regularised logistic regression, and returns everything
 * export-onnx.ts needs to put the same pipeline inside an ONNX graph, plus a JS predict
 * used to check the exported graph against.
 *
 * Nothing here is random: the fit is full-batch Newton (IRLS), and every choice made from
 * the data (medians, log1p or not, kept categories) is a pure function of the rows.
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

/** Rows with a 0/1 label each (1 = the positive class, whose probability is the score). */
export interface LabelledRows {
  rows: TabularRow[];
  labels: number[];
}

export interface TrainerOptions {
  /**
   * Inverse L2 strength, as scikit-learn's `C`: the fit minimises
   * sum(log loss) + ||w||² / (2C); the intercept is not penalised.
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

const DEFAULT_OPTIONS: Required<TrainerOptions> = {
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

export interface TabularModel {
  features: FittedFeature[];
  /** Design-matrix column names, in the order the coefficients use: `Feature` or `Feature=category`. */
  columns: string[];
  coefficients: number[];
  intercept: number;
  training: {
    rows: number;
    positiveRate: number;
    c: number;
    iterations: number;
    converged: boolean;
  };
}

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

/** Fits preprocessing and the logistic regression on the training rows. */
export function trainTabularModel(
  features: readonly TabularFeature[],
  data: LabelledRows,
  options: TrainerOptions = {},
): TabularModel {
  const settings = { ...DEFAULT_OPTIONS, ...options };
  if (data.rows.length === 0 || data.rows.length !== data.labels.length) {
    throw new Error('training needs at least one row and exactly one label per row');
  }
  data.labels.forEach((label, i) => {
    if (label !== 0 && label !== 1) throw new Error(`label of row ${i} is ${label}; labels must be 0 or 1`);
  });
  const positives = data.labels.reduce((sum, y) => sum + y, 0);
  if (positives === 0 || positives === data.labels.length) throw new Error('training needs both classes in the labels');

  const fitted = features.map((feature) => fitFeature(feature, data.rows, settings));
  const columns = fitted.flatMap(columnNames);
  const design = data.rows.map((row) => encodeRow(fitted, row));
  const fit = fitLogisticRegression(design, data.labels, settings);
  return {
    features: fitted,
    columns,
    coefficients: fit.coefficients,
    intercept: fit.intercept,
    training: {
      rows: data.rows.length,
      positiveRate: positives / data.rows.length,
      c: settings.c,
      iterations: fit.iterations,
      converged: fit.converged,
    },
  };
}

/** The model's log-odds for one row: intercept + coefficients · encoded row. */
export function predictLogOdds(model: TabularModel, row: TabularRow): number {
  const x = encodeRow(model.features, row);
  let z = model.intercept;
  for (let j = 0; j < x.length; j++) z += model.coefficients[j] * x[j];
  return z;
}

/** Probability of the positive class for one row, computed in JS (float64); the ONNX graph must agree. */
export function predictProbability(model: TabularModel, row: TabularRow): number {
  return sigmoid(predictLogOdds(model, row));
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

function fitFeature(
  feature: TabularFeature,
  rows: readonly TabularRow[],
  settings: Required<TrainerOptions>,
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
  settings: Required<TrainerOptions>,
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
  settings: Required<TrainerOptions>,
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

export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

interface LogisticFit {
  coefficients: number[];
  intercept: number;
  iterations: number;
  converged: boolean;
}

/**
 * Full-batch Newton-Raphson (IRLS) for L2-regularised logistic regression. The loss is
 * convex, so Newton from zero converges in a handful of steps, and with no sampling or
 * learning rate the result depends only on the data.
 */
function fitLogisticRegression(
  design: readonly number[][],
  labels: readonly number[],
  settings: Required<TrainerOptions>,
): LogisticFit {
  const columns = design[0]?.length ?? 0;
  const size = columns + 1; // parameter 0 is the intercept
  const lambda = 1 / settings.c;
  const beta = new Array<number>(size).fill(0);
  let iterations = 0;
  let converged = false;

  while (iterations < settings.maxIterations && !converged) {
    iterations++;
    const gradient = new Array<number>(size).fill(0);
    const hessian = Array.from({ length: size }, () => new Array<number>(size).fill(0));
    const x = new Array<number>(size);
    x[0] = 1;
    for (let i = 0; i < design.length; i++) {
      const row = design[i];
      let z = beta[0];
      for (let j = 0; j < columns; j++) {
        x[j + 1] = row[j];
        z += beta[j + 1] * row[j];
      }
      const p = sigmoid(z);
      const residual = p - labels[i];
      const weight = p * (1 - p);
      for (let a = 0; a < size; a++) {
        gradient[a] += residual * x[a];
        const wa = weight * x[a];
        if (wa === 0) continue;
        const hessianRow = hessian[a];
        for (let b = 0; b <= a; b++) hessianRow[b] += wa * x[b];
      }
    }
    for (let a = 1; a < size; a++) {
      gradient[a] += lambda * beta[a];
      hessian[a][a] += lambda;
    }
    for (let a = 0; a < size; a++) for (let b = 0; b < a; b++) hessian[b][a] = hessian[a][b];

    const step = solveSymmetricPositiveDefinite(hessian, gradient);
    let largestMove = 0;
    for (let a = 0; a < size; a++) {
      beta[a] -= step[a];
      largestMove = Math.max(largestMove, Math.abs(step[a]));
    }
    converged = largestMove < settings.tolerance;
  }
  return { intercept: beta[0], coefficients: beta.slice(1), iterations, converged };
}

/** Solves A x = b by Cholesky decomposition; A must be symmetric positive definite. */
function solveSymmetricPositiveDefinite(matrix: readonly number[][], rhs: readonly number[]): number[] {
  const n = rhs.length;
  const lower = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = matrix[i][j];
      for (let k = 0; k < j; k++) sum -= lower[i][k] * lower[j][k];
      if (i === j) {
        // An unpenalised intercept with a constant column could make this singular; L2 on
        // every other column keeps the Hessian positive definite in practice.
        if (!(sum > 0)) throw new Error('Newton step failed: the Hessian is not positive definite');
        lower[i][i] = Math.sqrt(sum);
      } else {
        lower[i][j] = sum / lower[j][j];
      }
    }
  }
  const y = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    let sum = rhs[i];
    for (let k = 0; k < i; k++) sum -= lower[i][k] * y[k];
    y[i] = sum / lower[i][i];
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let sum = y[i];
    for (let k = i + 1; k < n; k++) sum -= lower[k][i] * x[k];
    x[i] = sum / lower[i][i];
  }
  return x;
}
