/**
 * A small seeded pseudo-random number generator for training. Everything random in
 * training (the synthetic data, the train/holdout split) draws from here, never from
 * Math.random, so a seed fully determines the data set and therefore the model bytes.
 *
 * The core is mulberry32: 32 bits of state, fast, and good enough for simulation (it is
 * not cryptographic). Derived draws (normal, Poisson, weighted choice) consume a fixed
 * number of uniforms per call where possible, so a change in one helper does not silently
 * shift every later draw.
 */

export interface Random {
  /** Uniform on [0, 1), in steps of 2^-32. */
  next(): number;
  /** Uniform on [min, max). */
  uniform(min: number, max: number): number;
  /** Normal with the given mean and standard deviation (Box-Muller, two uniforms per draw). */
  normal(mean?: number, sd?: number): number;
  /** True with probability p. */
  bernoulli(p: number): boolean;
  /** Poisson-distributed count (Knuth's method: fine for the small means used in training). */
  poisson(mean: number): number;
  /** One of `items`, picked with probability proportional to `weights`. */
  choice<T>(items: readonly T[], weights: readonly number[]): T;
  /** A new array with the items in a uniformly random order (Fisher-Yates). */
  shuffled<T>(items: readonly T[]): T[];
}

/**
 * Mixes a seed and a stream label into a new 32-bit seed (FNV-1a over the label, then a
 * murmur3 finaliser), so independent uses of one user-facing seed (data, split, ...) do not
 * share a sequence.
 */
export function deriveSeed(seed: number, stream: string): number {
  let hash = (0x811c9dc5 ^ (seed >>> 0)) >>> 0;
  for (let i = 0; i < stream.length; i++) {
    hash = Math.imul(hash ^ stream.charCodeAt(i), 0x01000193) >>> 0;
  }
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b) >>> 0;
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35) >>> 0;
  return (hash ^ (hash >>> 16)) >>> 0;
}

/** A generator seeded with a 32-bit integer; the same seed always yields the same sequence. */
export function createRandom(seed: number): Random {
  if (!Number.isInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);
  let state = seed >>> 0;

  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };

  return {
    next,
    uniform: (min, max) => min + (max - min) * next(),
    normal: (mean = 0, sd = 1) => {
      // 1 - next() lies in (0, 1], so the logarithm is always finite.
      const u1 = 1 - next();
      const u2 = next();
      return mean + sd * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    },
    bernoulli: (p) => next() < p,
    poisson: (mean) => {
      if (!(mean >= 0)) throw new Error(`poisson mean must be non-negative, got ${mean}`);
      const limit = Math.exp(-mean);
      let count = 0;
      let product = next();
      while (product > limit) {
        count++;
        product *= next();
      }
      return count;
    },
    choice: <T>(items: readonly T[], weights: readonly number[]): T => {
      if (items.length === 0 || items.length !== weights.length) {
        throw new Error('choice needs one weight per item and at least one item');
      }
      const total = weights.reduce((sum, w) => sum + w, 0);
      let remaining = next() * total;
      for (let i = 0; i < items.length; i++) {
        remaining -= weights[i];
        if (remaining < 0) return items[i];
      }
      // Only reachable through rounding when the draw lands on the very top of the range.
      return items[items.length - 1];
    },
    shuffled: <T>(items: readonly T[]): T[] => {
      const copy = [...items];
      for (let i = copy.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [copy[i], copy[j]] = [copy[j], copy[i]];
      }
      return copy;
    },
  };
}
