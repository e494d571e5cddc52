import type { FeatureSpec } from '@byom/contracts/model-card';

/**
 * Deterministic score requests for any model, built from its card alone, so the same
 * benchmark runs against the bundled model or an operator's own. Values vary from record
 * to record (a batch of identical rows could flatter caches) but stay in the ranges the
 * card accepts, so every record scores and none comes back as a per-record error.
 */

type FeatureValue = number | string | boolean;

export interface ScoreBody {
  model: string;
  version: string;
  records: Array<{ id: string; features: Record<string, FeatureValue> }>;
  explain: boolean;
  /** "How to improve" suggestions with the explanations (docs/explanations.md). */
  improve?: boolean;
}

export function buildScoreBody(
  model: string,
  version: string,
  features: FeatureSpec[],
  count: number,
  explain: boolean,
  improve = false,
): ScoreBody {
  const records = Array.from({ length: count }, (_, r) => ({
    id: `bench-${String(r + 1).padStart(6, '0')}`,
    features: Object.fromEntries(features.map((spec, f) => [spec.name, featureValue(spec, r, f)])),
  }));
  return { model, version, records, explain, ...(improve ? { improve } : {}) };
}

/** Value of feature f (card index) in record r. */
export function featureValue(spec: FeatureSpec, r: number, f: number): FeatureValue {
  switch (spec.type) {
    case 'boolean':
      return (r + f) % 2 === 0;
    case 'category': {
      const categories = spec.categories ?? [];
      if (categories.length > 0) return categories[(r + f) % categories.length]!;
      return typeof spec.baseline === 'string' ? spec.baseline : typeof spec.default === 'string' ? spec.default : '';
    }
    case 'number':
    case 'integer': {
      // 0.5x to 1.5x of the reference value, in a sequence that does not repeat for 100 records.
      const factor = 0.5 + ((r * 37 + f * 11) % 100) / 100;
      const reference = numericReference(spec);
      let value = reference === 0 ? (r + f) % 10 : reference * factor;
      if (spec.min !== undefined) value = Math.max(spec.min, value);
      if (spec.max !== undefined) value = Math.min(spec.max, value);
      return spec.type === 'integer' ? Math.round(value) : Math.round(value * 1000) / 1000;
    }
  }
}

function numericReference(spec: FeatureSpec): number {
  if (typeof spec.baseline === 'number') return spec.baseline;
  if (typeof spec.default === 'number') return spec.default;
  if (spec.min !== undefined && spec.max !== undefined) return (spec.min + spec.max) / 2;
  return spec.min ?? spec.max ?? 0;
}
