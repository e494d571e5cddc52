import type { CalibrationBin, ClassMetrics } from '@byom/contracts/model-card';

/**
 * The metrics the model card and the training report record, per task. Binary: scores are
 * probabilities of the positive class, labels 0 or 1. Multiclass: every class's probability
 * and the label's class index. Regression: predicted and true values. Each function throws on
 * inputs it cannot score (mismatched lengths, no rows) rather than returning NaN into a card.
 */

export interface BinaryMetrics {
  auc: number;
  brier: number;
  logLoss: number;
  accuracy: number;
  rows: number;
  positiveRate: number;
  calibration: CalibrationBin[];
}

/**
 * Area under the ROC curve: the probability that a random positive scores above a random
 * negative, ties counting one half (Mann-Whitney U with average ranks).
 */
export function rocAuc(scores: readonly number[], labels: readonly number[]): number {
  checkInputs(scores, labels);
  const order = scores.map((_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let positives = 0;
  let positiveRankSum = 0;
  let start = 0;
  while (start < order.length) {
    let end = start;
    while (end + 1 < order.length && scores[order[end + 1]] === scores[order[start]]) end++;
    // Ranks are 1-based; every member of a tie group gets the group's average rank.
    const averageRank = (start + end + 2) / 2;
    for (let k = start; k <= end; k++) {
      if (labels[order[k]] === 1) {
        positives++;
        positiveRankSum += averageRank;
      }
    }
    start = end + 1;
  }
  const negatives = scores.length - positives;
  if (positives === 0 || negatives === 0) throw new Error('AUC needs at least one positive and one negative label');
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Mean squared difference between probability and label (0 is perfect, 0.25 is a coin flip). */
export function brierScore(scores: readonly number[], labels: readonly number[]): number {
  checkInputs(scores, labels);
  return mean(scores.map((p, i) => (p - labels[i]) ** 2));
}

/** Mean negative log-likelihood; probabilities are clipped to [1e-15, 1 - 1e-15] as scikit-learn does. */
export function logLoss(scores: readonly number[], labels: readonly number[]): number {
  checkInputs(scores, labels);
  const eps = 1e-15;
  return mean(
    scores.map((raw, i) => {
      const p = Math.min(Math.max(raw, eps), 1 - eps);
      return labels[i] === 1 ? -Math.log(p) : -Math.log(1 - p);
    }),
  );
}

/** Share of rows classified correctly when a score of 0.5 or more means "positive". */
export function accuracy(scores: readonly number[], labels: readonly number[], threshold = 0.5): number {
  checkInputs(scores, labels);
  return mean(scores.map((p, i) => ((p >= threshold ? 1 : 0) === labels[i] ? 1 : 0)));
}

/**
 * Reliability table over `binCount` equal-width probability bins; bin i covers
 * [i/binCount, (i+1)/binCount), and the last bin also holds a score of exactly 1.
 * Empty bins are left out (they have no mean or rate to report).
 */
export function calibrationBins(scores: readonly number[], labels: readonly number[], binCount = 10): CalibrationBin[] {
  checkInputs(scores, labels);
  const sums = new Array<number>(binCount).fill(0);
  const positives = new Array<number>(binCount).fill(0);
  const counts = new Array<number>(binCount).fill(0);
  scores.forEach((p, i) => {
    const bin = Math.min(Math.max(Math.floor(p * binCount), 0), binCount - 1);
    sums[bin] += p;
    positives[bin] += labels[i];
    counts[bin]++;
  });
  const bins: CalibrationBin[] = [];
  for (let bin = 0; bin < binCount; bin++) {
    if (counts[bin] === 0) continue;
    bins.push({
      lower: bin / binCount,
      upper: (bin + 1) / binCount,
      meanPredicted: sums[bin] / counts[bin],
      observedRate: positives[bin] / counts[bin],
      count: counts[bin],
    });
  }
  return bins;
}

/** Every metric the model card records, on one set of scored rows (normally the holdout). */
export function evaluateBinaryClassifier(scores: readonly number[], labels: readonly number[]): BinaryMetrics {
  return {
    auc: rocAuc(scores, labels),
    brier: brierScore(scores, labels),
    logLoss: logLoss(scores, labels),
    accuracy: accuracy(scores, labels),
    rows: scores.length,
    positiveRate: mean(labels),
    calibration: calibrationBins(scores, labels),
  };
}

function checkInputs(scores: readonly number[], labels: readonly number[]): void {
  if (scores.length === 0) throw new Error('metrics need at least one scored row');
  if (scores.length !== labels.length) {
    throw new Error(`got ${scores.length} scores but ${labels.length} labels`);
  }
  labels.forEach((label, i) => {
    if (label !== 0 && label !== 1) throw new Error(`label ${i} is ${label}; labels must be 0 or 1`);
  });
  scores.forEach((score, i) => {
    if (!(score >= 0 && score <= 1)) throw new Error(`score ${i} is ${score}; scores must be probabilities`);
  });
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

/** What the card and the report record for a multiclass model, on one set of rows. */
export interface MulticlassMetrics {
  /** Share of rows whose most probable class is their label. */
  accuracy: number;
  /** Unweighted mean of the per-class F1, over the classes that occur as a label or as a prediction. */
  macroF1: number;
  /** Mean negative log-probability of each row's label, probabilities clipped to [1e-15, 1]. */
  logLoss: number;
  rows: number;
  classes: ClassMetrics[];
}

/**
 * Multiclass metrics from every row's class probabilities (in class order) and its label (a
 * class index). The prediction is the most probable class, the first on a tie, as
 * scikit-learn's argmax. Precision, recall and F1 are 0 where their denominator is, as
 * scikit-learn reports them (with a warning there); macro-F1 averages the classes that occur
 * as a label or a prediction, as its f1_score(average="macro") does by default.
 */
export function evaluateMulticlassClassifier(
  probabilities: readonly (readonly number[])[],
  labels: readonly number[],
  classes: readonly string[],
): MulticlassMetrics {
  if (probabilities.length === 0) throw new Error('metrics need at least one scored row');
  if (probabilities.length !== labels.length) {
    throw new Error(`got ${probabilities.length} predictions but ${labels.length} labels`);
  }
  const k = classes.length;
  const truePositives = new Array<number>(k).fill(0);
  const predicted = new Array<number>(k).fill(0);
  const actual = new Array<number>(k).fill(0);
  let correct = 0;
  let logLossSum = 0;
  probabilities.forEach((row, i) => {
    const label = labels[i];
    if (row.length !== k) throw new Error(`row ${i} has ${row.length} probabilities for ${k} classes`);
    if (!(Number.isInteger(label) && label >= 0 && label < k))
      throw new Error(`label ${i} is ${label}; not a class index`);
    let best = 0;
    for (let c = 1; c < k; c++) if (row[c] > row[best]) best = c;
    predicted[best]++;
    actual[label]++;
    if (best === label) {
      correct++;
      truePositives[label]++;
    }
    logLossSum += -Math.log(Math.min(Math.max(row[label], 1e-15), 1));
  });
  const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);
  const perClass = classes.map((label, c) => {
    const precision = ratio(truePositives[c], predicted[c]);
    const recall = ratio(truePositives[c], actual[c]);
    const oneVsRest = labels.map((y) => (y === c ? 1 : 0));
    const both = actual[c] > 0 && actual[c] < labels.length;
    return {
      label,
      rows: actual[c],
      precision,
      recall,
      f1: ratio(2 * precision * recall, precision + recall),
      ...(both
        ? {
            auc: rocAuc(
              probabilities.map((row) => clamp01(row[c])),
              oneVsRest,
            ),
          }
        : {}),
    };
  });
  const occurring = perClass.filter((_, c) => actual[c] > 0 || predicted[c] > 0);
  return {
    accuracy: correct / labels.length,
    macroF1: mean(occurring.map((m) => m.f1)),
    logLoss: logLossSum / labels.length,
    rows: labels.length,
    classes: perClass,
  };
}

/** What the card and the report record for a regressor, on one set of rows, in the label's units (R² has none). */
export interface RegressionMetrics {
  mae: number;
  rmse: number;
  /** 1 − (sum of squared errors) / (sum of squared deviations from the rows' own mean). */
  r2: number;
  rows: number;
}

export function evaluateRegressor(predictions: readonly number[], values: readonly number[]): RegressionMetrics {
  if (predictions.length === 0) throw new Error('metrics need at least one scored row');
  if (predictions.length !== values.length) {
    throw new Error(`got ${predictions.length} predictions but ${values.length} labels`);
  }
  predictions.forEach((p, i) => {
    if (!Number.isFinite(p) || !Number.isFinite(values[i])) throw new Error(`row ${i} is not a finite number`);
  });
  const average = mean(values);
  const squaredDeviations = values.reduce((sum, y) => sum + (y - average) ** 2, 0);
  if (squaredDeviations === 0) throw new Error('R² needs labels that are not all the same');
  const squaredErrors = predictions.reduce((sum, p, i) => sum + (p - values[i]) ** 2, 0);
  return {
    mae: mean(predictions.map((p, i) => Math.abs(p - values[i]))),
    rmse: Math.sqrt(squaredErrors / values.length),
    r2: 1 - squaredErrors / squaredDeviations,
    rows: values.length,
  };
}

// float32 probabilities from a graph can land a hair above 1; the AUC only needs their order.
function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}
