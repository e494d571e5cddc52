/**
 * Shapley values from model margins on coalitions of a group of players (features), exactly
 * from every coalition, or estimated from sampled orderings with a stated error.
 *
 * A coalition is a bit mask over the group's k players: bit i set means player i takes the
 * record's value, unset its baseline. v(mask) is the margin of that row.
 */

/** Groups up to this many players are explained from every coalition (2^k − 1 rows of their own). */
export const MAX_EXACT_PLAYERS = 12;

/**
 * φ_i = Σ over coalitions S without i of |S|!·(k−|S|−1)!/k! · (v(S ∪ {i}) − v(S)), from the
 * margins of the 2^k coalitions: v(mask) is margins[at + mask], except the full set, whose
 * margin is `full` (the record's own row). Adds each player's value to `out`.
 */
export function exactShapley(k: number, margins: Float64Array, at: number, full: number, out: Float64Array): void {
  const weights = coalitionWeights(k);
  const all = (1 << k) - 1;
  const v = (mask: number) => (mask === all ? full : margins[at + mask]!);
  for (let mask = 0; mask < all; mask++) {
    const weight = weights[popcount(mask)]!;
    const without = v(mask);
    for (let i = 0; i < k; i++) {
      const bit = 1 << i;
      if ((mask & bit) === 0) out[i]! += weight * (v(mask | bit) - without);
    }
  }
}

const weightCache = new Map<number, Float64Array>();

/** |S|!·(k−|S|−1)!/k! for |S| = 0 … k−1, i.e. 1 / (k · C(k−1, |S|)). */
function coalitionWeights(k: number): Float64Array {
  let weights = weightCache.get(k);
  if (!weights) {
    weights = new Float64Array(k);
    let binomial = 1;
    for (let s = 0; s < k; s++) {
      weights[s] = 1 / (k * binomial);
      binomial = (binomial * (k - 1 - s)) / (s + 1);
    }
    weightCache.set(k, weights);
  }
  return weights;
}

function popcount(x: number): number {
  let n = x - ((x >>> 1) & 0x55555555);
  n = (n & 0x33333333) + ((n >>> 2) & 0x33333333);
  return (((n + (n >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/**
 * Antithetic permutation sampling (Mitchell et al. 2022; Castro et al. 2009): each sample is an
 * ordering of the players and its reverse. Walking an ordering from the empty coalition to the
 * full one, each player's marginal contribution v(prefix ∪ {i}) − v(prefix) is an unbiased
 * estimate of its Shapley value, and the contributions of one ordering add up to
 * v(full) − v(empty) exactly, so every estimate adds up too. Pairing an ordering with its
 * reverse cancels much of the variance; the pair's mean is one sample, and the spread of those
 * samples gives each player's standard error.
 */
export class PermutationSampler {
  readonly players: number;
  private readonly random: () => number;
  /** Orderings of the current round, two per pair: player indexes, `players` per ordering. */
  private orders: Int32Array = new Int32Array(0);
  private readonly sum: Float64Array;
  private readonly sumOfSquares: Float64Array;
  private pairs = 0;
  private readonly pairMean: Float64Array;

  constructor(players: number, seed: number) {
    this.players = players;
    this.random = mulberry32(seed);
    this.sum = new Float64Array(players);
    this.sumOfSquares = new Float64Array(players);
    this.pairMean = new Float64Array(players);
  }

  get samples(): number {
    return this.pairs;
  }

  /**
   * Draws `pairs` new antithetic pairs and returns the coalitions to score, as prefixes: row r
   * of ordering o is its first r + 1 players (r = 0 … k − 2; the empty and the full coalition
   * are the same for every ordering and are scored once by the caller).
   */
  draw(pairs: number): Int32Array {
    const k = this.players;
    this.orders = new Int32Array(pairs * 2 * k);
    for (let s = 0; s < pairs; s++) {
      const forward = s * 2 * k;
      for (let i = 0; i < k; i++) this.orders[forward + i] = i;
      // Fisher–Yates.
      for (let i = k - 1; i > 0; i--) {
        const j = Math.floor(this.random() * (i + 1));
        const t = this.orders[forward + i]!;
        this.orders[forward + i] = this.orders[forward + j]!;
        this.orders[forward + j] = t;
      }
      for (let i = 0; i < k; i++) this.orders[forward + k + i] = this.orders[forward + k - 1 - i]!;
    }
    return this.orders;
  }

  /**
   * Takes the margins of the drawn rows (ordering by ordering, prefix by prefix), with the
   * margins of the empty and the full coalition.
   */
  absorb(margins: ArrayLike<number>, offset: number, empty: number, full: number): void {
    const k = this.players;
    const orderings = this.orders.length / k;
    const per = k - 1;
    const contribution = this.pairMean;
    for (let o = 0; o < orderings; o++) {
      if (o % 2 === 0) contribution.fill(0);
      let previous = empty;
      for (let r = 0; r < k; r++) {
        const value = r === k - 1 ? full : margins[offset + o * per + r]!;
        contribution[this.orders[o * k + r]!]! += (value - previous) / 2;
        previous = value;
      }
      if (o % 2 === 1) {
        for (let i = 0; i < k; i++) {
          const c = contribution[i]!;
          this.sum[i]! += c;
          this.sumOfSquares[i]! += c * c;
        }
        this.pairs++;
      }
    }
  }

  /** The estimates (means of the pair samples). */
  estimates(out: Float64Array): void {
    for (let i = 0; i < this.players; i++) out[i] = this.sum[i]! / this.pairs;
  }

  /** The largest standard error of an estimate. */
  maxStandardError(): number {
    const n = this.pairs;
    let worst = 0;
    for (let i = 0; i < this.players; i++) {
      const mean = this.sum[i]! / n;
      const variance = Math.max(0, (this.sumOfSquares[i]! - n * mean * mean) / (n - 1));
      worst = Math.max(worst, Math.sqrt(variance / n));
    }
    return worst;
  }
}

/**
 * The two-sided half-width, in standard errors, that holds every one of `estimates` at once
 * with 95 % confidence (Bonferroni), from `samples` samples each (Student's t, n − 1 degrees
 * of freedom).
 */
export function simultaneousCriticalValue(estimates: number, samples: number): number {
  const tail = 0.05 / (2 * Math.max(1, estimates));
  return studentQuantile(1 - tail, samples - 1);
}

/** Student's t quantile via the Cornish–Fisher expansion of the normal quantile (good for ν ≥ 5). */
function studentQuantile(p: number, nu: number): number {
  const z = normalQuantile(p);
  const z3 = z ** 3;
  const z5 = z ** 5;
  const z7 = z ** 7;
  return (
    z +
    (z3 + z) / (4 * nu) +
    (5 * z5 + 16 * z3 + 3 * z) / (96 * nu ** 2) +
    (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * nu ** 3)
  );
}

/** The standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9). */
function normalQuantile(p: number): number {
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
  ];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1)
    );
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}

/** A small seeded generator: the same record always gets the same orderings, so answers repeat. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit FNV-1a hash of a string, to seed a record's orderings from its values. */
export function hashString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
