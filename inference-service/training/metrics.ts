import type { CalibrationBin } from '@byom/contracts/model-card';

/**
 * Binary-classification metrics the model card records. Scores are probabilities of the
 * positive class; labels are 0 or 1. Each function throws on inputs it cannot score
 * (mismatched lengths, no rows) rather than returning NaN into a model card.
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
