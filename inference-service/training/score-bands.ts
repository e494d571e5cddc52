import { scoreOfValue } from '@byom/contracts/model-card';
import type { Band } from '@byom/contracts/model-card';
import { DatasetError } from './feature-spec.ts';

/**
 * The bands a trained card gets, best first, and the range a regressor's values are scored
 * in. `--bands` names them, each optionally with where it starts:
 *
 *   Hot,Warm,Cold                   from the training scores: with three names the best starts
 *                                   at the 80th percentile and the middle at the median; with two,
 *                                   the best at the median
 *   Hot=0.6,Warm=0.3,Cold           classifiers: at these probabilities
 *   Large=50000,Medium=10000,Small  regressors: at these predicted values, in the label's units
 *
 * The last band always reaches down to the lowest score, so every record gets a band.
 */

/** The band names a binary card gets unless told others, best first. Other tasks get bands only when asked. */
export const DEFAULT_BAND_NAMES = ['Hot', 'Warm', 'Cold'] as const;

/** One band as --bands gives it: a name, and where it starts when said. */
export interface BandSpec {
  label: string;
  from?: number;
}

const MAX_BANDS = 6;

/** "Hot,Warm,Cold" or "Hot=0.6,Warm=0.3,Cold" as band specs; a DatasetError says what is wrong. */
export function parseBandSpecs(text: string): BandSpec[] {
  const specs = text.split(',').map((part): BandSpec => {
    const at = part.lastIndexOf('=');
    const label = (at < 0 ? part : part.slice(0, at)).trim();
    if (at < 0) return { label };
    const from = part.slice(at + 1).trim();
    if (from === '' || !Number.isFinite(Number(from))) {
      throw new DatasetError(`--bands: "${part.trim()}" must be Name=number, e.g. Hot=0.6`);
    }
    return { label, from: Number(from) };
  });
  if (specs.some((s) => s.label === '')) throw new DatasetError('--bands: every band needs a name');
  if (new Set(specs.map((s) => s.label)).size !== specs.length)
    throw new DatasetError('--bands: two bands share a name');
  const placed = specs.slice(0, -1).filter((s) => s.from !== undefined).length;
  if (placed > 0 && placed < specs.length - 1) {
    throw new DatasetError('--bands: give every band but the last a starting point (Hot=0.6,Warm=0.3,Cold), or none');
  }
  if (placed === 0 && specs.at(-1)!.from !== undefined) {
    throw new DatasetError('--bands: the last band reaches down to the lowest score; leave out its starting point');
  }
  const limit = placed > 0 ? MAX_BANDS : 3;
  if (specs.length < 2 || specs.length > limit) {
    throw new DatasetError(
      placed > 0
        ? `--bands: give 2 to ${MAX_BANDS} bands, best first`
        : '--bands: give two or three names, best first (or more, each with where it starts: Hot=0.6,Warm=0.3,Cold)',
    );
  }
  return specs;
}

/**
 * Bands from the distribution of scores (normally the training set's), named best first:
 * with three names the best starts at the 80th percentile (about the top fifth of records)
 * and the middle at the median; with two, the best starts at the median. Thresholds are
 * rounded to 0.05 so an admin reads round numbers; the last band starts at 0.
 */
export function chooseScoreBands(scores: readonly number[], names: readonly string[] = DEFAULT_BAND_NAMES): Band[] {
  if (names.length !== 2 && names.length !== 3) throw new Error('bands need two or three names, best first');
  if (new Set(names).size !== names.length || names.some((name) => name.trim() === '')) {
    throw new Error('band names must be different and not blank');
  }
  if (scores.length === 0) throw new Error('bands need at least one score');
  const sorted = [...scores].sort((a, b) => a - b);
  const toStep = (value: number): number => Math.round(value * 20) / 20;
  const warm = Math.min(0.9, Math.max(0.05, toStep(quantile(sorted, 0.5))));
  if (names.length === 2) {
    return [
      { label: names[0]!, min: round6(warm) },
      { label: names[1]!, min: 0 },
    ];
  }
  const hot = Math.max(warm + 0.05, toStep(quantile(sorted, 0.8)));
  return [
    { label: names[0]!, min: round6(Math.min(hot, 0.95)) },
    { label: names[1]!, min: round6(warm) },
    { label: names[2]!, min: 0 },
  ];
}

/** A classifier's bands: at the probabilities the specs give, or from the training scores. */
export function classifierBands(trainingScores: readonly number[], specs: readonly BandSpec[]): Band[] {
  if (specs[0]?.from === undefined)
    return chooseScoreBands(
      trainingScores,
      specs.map((s) => s.label),
    );
  let previous = Infinity;
  return specs.map((spec, index) => {
    if (index === specs.length - 1) return { label: spec.label, min: 0 };
    const from = spec.from!;
    if (!(from > 0 && from <= 1)) {
      throw new DatasetError(
        `--bands: band "${spec.label}" starts at ${from}; a probability band starts above 0 and at most at 1`,
      );
    }
    if (!(from < previous))
      throw new DatasetError('--bands: list the bands best first, each starting below the one before');
    previous = from;
    return { label: spec.label, min: from };
  });
}

/**
 * A regressor's bands, each with the value it starts at (minValue) and that value's score
 * (min): at the values the specs give, or at the training predictions' 80th percentile and
 * median (two significant digits, so an admin reads round numbers). The last band starts at
 * the bottom of the range, and also holds the values below it.
 */
export function regressionBands(
  trainingPredictions: readonly number[],
  specs: readonly BandSpec[],
  range: readonly [number, number],
): Band[] {
  const [low, high] = range;
  let starts: number[];
  if (specs[0]?.from === undefined) {
    const sorted = [...trainingPredictions].sort((a, b) => a - b);
    const quantiles = specs.length === 3 ? [0.8, 0.5] : [0.5];
    starts = quantiles.map((q) => roundToSignificant(quantile(sorted, q), 2));
    if (starts.some((v) => !(v > low && v < high)) || (starts.length === 2 && !(starts[0]! > starts[1]!))) {
      throw new DatasetError(
        `--bands: the training predictions lie too close together (median ${roundToSignificant(quantile(sorted, 0.5), 3)}) ` +
          `to place ${specs.length} bands in the range ${low} to ${high}: give each band but the last its starting value (Large=50000,Medium=10000,Small)`,
      );
    }
  } else {
    starts = specs.slice(0, -1).map((spec) => spec.from!);
    starts.forEach((from, index) => {
      const label = specs[index]!.label;
      if (!(from > low && from <= high)) {
        throw new DatasetError(
          `--bands: band "${label}" starts at ${from}, outside the range ${low} to ${high} that scores run over: ` +
            'give a value inside it, or set --range',
        );
      }
      if (index > 0 && !(from < starts[index - 1]!)) {
        throw new DatasetError('--bands: list the bands best first, each starting below the one before');
      }
    });
  }
  return specs.map((spec, index) => {
    const minValue = index < starts.length ? starts[index]! : low;
    return { label: spec.label, min: scoreOfValue(minValue, range), minValue };
  });
}

/**
 * The values a regressor's scores run over: the 1st to the 99th percentile of the training
 * labels, widened to two significant digits, so one outlier does not squeeze every other
 * record's score together; a value beyond scores 0 or 1 (the raw value is served as well).
 */
export function chooseValueRange(labels: readonly number[]): [number, number] {
  const sorted = [...labels].sort((a, b) => a - b);
  let low = quantile(sorted, 0.01);
  let high = quantile(sorted, 0.99);
  if (!(low < high)) [low, high] = [sorted[0]!, sorted.at(-1)!];
  return [roundToSignificant(low, 2, Math.floor), roundToSignificant(high, 2, Math.ceil)];
}

/** `low,high` from --range: two different numbers, low first. */
export function parseValueRange(text: string): [number, number] {
  const parts = text.split(',').map((part) => part.trim());
  const values = parts.map(Number);
  if (
    parts.length !== 2 ||
    parts.some((p) => p === '') ||
    !values.every(Number.isFinite) ||
    !(values[0]! < values[1]!)
  ) {
    throw new DatasetError(`--range must be two numbers, low first, e.g. 0,250000 (got "${text}")`);
  }
  return [values[0]!, values[1]!];
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** `value` to `digits` significant digits, rounding with `mode` (nearest by default). */
export function roundToSignificant(value: number, digits: number, mode: (x: number) => number = Math.round): number {
  if (value === 0 || !Number.isFinite(value)) return value;
  const exponent = Math.floor(Math.log10(Math.abs(value))) - digits + 1;
  // Dividing by a power of ten above 1, rather than multiplying by one below, keeps 0.0012 exact.
  return exponent >= 0
    ? mode(value / 10 ** exponent) * 10 ** exponent
    : mode(value * 10 ** -exponent) / 10 ** -exponent;
}

/** Six decimals: precise enough for band thresholds, short enough to read in the card. */
function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
