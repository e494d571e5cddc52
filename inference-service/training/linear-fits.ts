/**
 * The three linear models the tabular trainer fits on a design matrix (rows of encoded
 * features, see tabular-trainer.ts), each minimising a convex loss plus ||w||² / (2C) with
 * the intercepts unpenalised, as scikit-learn's `C` does:
 *
 *   binary      logistic regression, sum of log loss
 *   multiclass  multinomial (softmax) logistic regression, sum of cross-entropy
 *   regression  ridge regression, half the sum of squared errors
 *
 * Nothing here is random and nothing depends on row order beyond the order of additions:
 * the classifiers are fitted by full-batch Newton from a fixed start, the regression in
 * closed form, and every linear system is solved by the same Cholesky decomposition.
 */

export interface FitSettings {
  /** Inverse L2 strength. */
  c: number;
  /** Newton stops when no parameter moves by more than this. */
  tolerance: number;
  maxIterations: number;
}

export interface LinearFit {
  coefficients: number[];
  intercept: number;
  iterations: number;
  converged: boolean;
}

export interface MultinomialFit {
  /** One row of coefficients per class. */
  coefficients: number[][];
  intercepts: number[];
  iterations: number;
  converged: boolean;
}

export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** Softmax of `z`, shifted by its maximum so no exponential overflows. */
export function softmax(z: readonly number[]): number[] {
  let max = -Infinity;
  for (const v of z) max = Math.max(max, v);
  const e = z.map((v) => Math.exp(v - max));
  const sum = e.reduce((total, v) => total + v, 0);
  return e.map((v) => v / sum);
}

/**
 * Full-batch Newton-Raphson (IRLS) for L2-regularised logistic regression. The loss is
 * convex, so Newton from zero converges in a handful of steps, and with no sampling or
 * learning rate the result depends only on the data.
 */
export function fitLogisticRegression(
  design: readonly number[][],
  labels: readonly number[],
  settings: FitSettings,
): LinearFit {
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

/** A design row's non-zero entries, the intercept's 1 first: one-hot rows are mostly zeros. */
interface SparseRow {
  /** Parameter index within a class block: 0 is the intercept, j + 1 is column j. */
  index: number[];
  value: number[];
}

function sparseRows(design: readonly number[][]): SparseRow[] {
  return design.map((row) => {
    const index = [0];
    const value = [1];
    row.forEach((x, j) => {
      if (x !== 0) {
        index.push(j + 1);
        value.push(x);
      }
    });
    return { index, value };
  });
}

/**
 * Damped Newton for L2-regularised multinomial logistic regression with one block of
 * parameters per class (intercept, then a coefficient per column), as scikit-learn's
 * `multi_class="multinomial"` fits it.
 *
 * Adding the same number to every class's intercept changes no probability, so the loss
 * alone leaves the intercepts one degree of freedom. The term (Σ intercepts)² / 2 removes
 * it without changing any probability: it only picks, among equivalent fits, the one whose
 * intercepts sum to 0, and makes the Hessian positive definite. (The coefficients need no
 * such term: the L2 penalty already picks the fit whose coefficients sum to 0 per column.)
 *
 * The start is the fit with no features (intercepts at the centred log class shares); each
 * Newton step is halved until it lowers the penalised loss, which keeps a nearly separable
 * class from overshooting.
 */
export function fitMultinomialLogisticRegression(
  design: readonly number[][],
  labels: readonly number[],
  classCount: number,
  settings: FitSettings,
): MultinomialFit {
  const width = (design[0]?.length ?? 0) + 1;
  const size = classCount * width;
  const lambda = 1 / settings.c;
  const rows = sparseRows(design);
  const counts = new Array<number>(classCount).fill(0);
  for (const y of labels) counts[y]++;
  if (counts.some((count) => count === 0)) throw new Error('every class needs at least one training row');

  let beta = new Array<number>(size).fill(0);
  const logShares = counts.map((count) => Math.log(count / labels.length));
  const meanLogShare = logShares.reduce((sum, v) => sum + v, 0) / classCount;
  logShares.forEach((v, k) => (beta[k * width] = v - meanLogShare));

  const logits = (parameters: readonly number[], row: SparseRow): number[] => {
    const z = new Array<number>(classCount);
    for (let k = 0; k < classCount; k++) {
      let sum = 0;
      for (let t = 0; t < row.index.length; t++) sum += parameters[k * width + row.index[t]] * row.value[t];
      z[k] = sum;
    }
    return z;
  };
  const penalisedLoss = (parameters: readonly number[]): number => {
    let loss = 0;
    rows.forEach((row, i) => {
      const z = logits(parameters, row);
      let max = -Infinity;
      for (const v of z) max = Math.max(max, v);
      let sum = 0;
      for (const v of z) sum += Math.exp(v - max);
      loss += max + Math.log(sum) - z[labels[i]];
    });
    return loss + penalty(parameters);
  };
  const penalty = (parameters: readonly number[]): number => {
    let squares = 0;
    let interceptSum = 0;
    for (let k = 0; k < classCount; k++) {
      interceptSum += parameters[k * width];
      for (let j = 1; j < width; j++) squares += parameters[k * width + j] ** 2;
    }
    return (lambda * squares + interceptSum * interceptSum) / 2;
  };

  let loss = penalisedLoss(beta);
  let iterations = 0;
  let converged = false;
  while (iterations < settings.maxIterations && !converged) {
    iterations++;
    const gradient = new Array<number>(size).fill(0);
    const hessian = Array.from({ length: size }, () => new Array<number>(size).fill(0));
    rows.forEach((row, i) => {
      const p = softmax(logits(beta, row));
      const y = labels[i];
      const nonZero = row.index.length;
      for (let k = 0; k < classCount; k++) {
        const residual = p[k] - (k === y ? 1 : 0);
        for (let t = 0; t < nonZero; t++) gradient[k * width + row.index[t]] += residual * row.value[t];
        // Block (k, l) of the Hessian is p_k (δ_kl − p_l) x xᵀ; only the lower triangle is summed.
        for (let l = 0; l <= k; l++) {
          const weight = p[k] * ((k === l ? 1 : 0) - p[l]);
          if (weight === 0) continue;
          for (let t = 0; t < nonZero; t++) {
            const a = k * width + row.index[t];
            const wa = weight * row.value[t];
            const hessianRow = hessian[a];
            // Within the diagonal block, b <= a keeps to the lower triangle.
            const last = l === k ? t : nonZero - 1;
            for (let s = 0; s <= last; s++) hessianRow[l * width + row.index[s]] += wa * row.value[s];
          }
        }
      }
    });
    let interceptSum = 0;
    for (let k = 0; k < classCount; k++) interceptSum += beta[k * width];
    for (let k = 0; k < classCount; k++) {
      gradient[k * width] += interceptSum;
      for (let l = 0; l <= k; l++) hessian[k * width][l * width] += 1;
      for (let j = 1; j < width; j++) {
        gradient[k * width + j] += lambda * beta[k * width + j];
        hessian[k * width + j][k * width + j] += lambda;
      }
    }
    for (let a = 0; a < size; a++) for (let b = 0; b < a; b++) hessian[b][a] = hessian[a][b];

    const step = solveSymmetricPositiveDefinite(hessian, gradient);
    let scale = 1;
    let candidate = beta.map((v, a) => v - step[a]);
    let candidateLoss = penalisedLoss(candidate);
    for (let halvings = 0; candidateLoss > loss && halvings < 30; halvings++) {
      scale /= 2;
      candidate = beta.map((v, a) => v - scale * step[a]);
      candidateLoss = penalisedLoss(candidate);
    }
    let largestMove = 0;
    for (let a = 0; a < size; a++) largestMove = Math.max(largestMove, Math.abs(scale * step[a]));
    if (candidateLoss <= loss) {
      beta = candidate;
      loss = candidateLoss;
    }
    converged = largestMove < settings.tolerance;
  }
  return {
    coefficients: Array.from({ length: classCount }, (_, k) => beta.slice(k * width + 1, (k + 1) * width)),
    intercepts: Array.from({ length: classCount }, (_, k) => beta[k * width]),
    iterations,
    converged,
  };
}

/** Ridge regression in closed form: (XᵀX + λ·I without the intercept) β = Xᵀy. */
export function fitRidgeRegression(
  design: readonly number[][],
  values: readonly number[],
  settings: Pick<FitSettings, 'c'>,
): LinearFit {
  const size = (design[0]?.length ?? 0) + 1;
  const lambda = 1 / settings.c;
  const normal = Array.from({ length: size }, () => new Array<number>(size).fill(0));
  const moments = new Array<number>(size).fill(0);
  sparseRows(design).forEach((row, i) => {
    const y = values[i];
    for (let t = 0; t < row.index.length; t++) {
      const a = row.index[t];
      moments[a] += row.value[t] * y;
      const normalRow = normal[a];
      for (let s = 0; s <= t; s++) normalRow[row.index[s]] += row.value[t] * row.value[s];
    }
  });
  for (let a = 1; a < size; a++) normal[a][a] += lambda;
  for (let a = 0; a < size; a++) for (let b = 0; b < a; b++) normal[b][a] = normal[a][b];
  const beta = solveSymmetricPositiveDefinite(normal, moments);
  return { intercept: beta[0], coefficients: beta.slice(1), iterations: 1, converged: true };
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
        // every other column keeps the matrix positive definite in practice.
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
