import { actionableCandidates } from '@byom/contracts/model-card';
import type { FeatureSpec } from '@byom/contracts/model-card';
import { requestValue } from '../models/feature-encoder.ts';
import type { ModelValue, RequestValue } from '../models/feature-encoder.ts';
import type { ChangeRows } from '../models/row-batch.ts';

/**
 * "How to improve": for a record, the best single change and the best pair of changes to the
 * features its model's card marks actionable, with the score each would give. Every candidate
 * (each allowed value of each actionable feature alone, and each pair of values of two of
 * them) is a row scored in the same batched run as the record, so the answer is the model's
 * own, with no model of the model. Only actionable features are ever changed, and only to the
 * values the card allows.
 */

export interface Change {
  feature: string;
  from: RequestValue;
  to: RequestValue;
}

export interface Improvement {
  changes: Change[];
  scoreAfter: number;
}

/** A suggestion must move the score by more than this: float noise is not a lift. */
const MIN_LIFT = 1e-6;

export class ImprovementPlanner {
  private readonly features: FeatureSpec[];
  /** Per card feature, the model values a suggestion may set (empty when not actionable). */
  private readonly candidates: ModelValue[][];
  private readonly actionable: number[];
  private readonly raise: boolean;

  constructor(features: FeatureSpec[], direction: 'raise' | 'lower') {
    this.features = features;
    this.raise = direction === 'raise';
    this.candidates = features.map((f) =>
      (actionableCandidates(f) ?? []).map((v): ModelValue => (typeof v === 'boolean' ? (v ? 1 : 0) : v)),
    );
    this.actionable = features.flatMap((_, i) => (this.candidates[i]!.length > 0 ? [i] : []));
  }

  /** Whether the card marks any feature actionable: without one, responses carry no improvements. */
  get enabled(): boolean {
    return this.actionable.length > 0;
  }

  /** The candidate rows for a record: every allowed value that differs from the record's, alone and in pairs. */
  rows(values: ModelValue[]): ChangeRows | undefined {
    const options = this.actionable.map((f) => ({
      feature: f,
      values: this.candidates[f]!.filter((v) => !Object.is(v, values[f])),
    }));
    const features: number[] = [];
    const changed: ModelValue[] = [];
    for (const option of options) {
      for (const v of option.values) {
        features.push(option.feature, -1);
        changed.push(v, v);
      }
    }
    for (let i = 0; i < options.length; i++) {
      for (let j = i + 1; j < options.length; j++) {
        for (const v of options[i]!.values) {
          for (const w of options[j]!.values) {
            features.push(options[i]!.feature, options[j]!.feature);
            changed.push(v, w);
          }
        }
      }
    }
    if (features.length === 0) return undefined;
    return { features: Int32Array.from(features), values: changed };
  }

  /**
   * The best single change and, when it does better still, the best pair, best first. `scores`
   * holds the candidate rows' scores from `offset`; `score` is the record's own. Equal scores go
   * to the candidate listed first (card order, then the card's order of values).
   */
  best(
    values: ModelValue[],
    rows: ChangeRows | undefined,
    score: number,
    scores: Float64Array,
    offset: number,
  ): Improvement[] {
    if (!rows) return [];
    const better = (a: number, b: number) => (this.raise ? a > b + MIN_LIFT : a < b - MIN_LIFT);
    let bestSingle = -1;
    let bestPair = -1;
    const count = rows.features.length / 2;
    for (let r = 0; r < count; r++) {
      const candidate = scores[offset + r]!;
      if (!Number.isFinite(candidate)) continue;
      if (rows.features[2 * r + 1] === -1) {
        if (better(candidate, bestSingle < 0 ? score : scores[offset + bestSingle]!)) bestSingle = r;
      } else if (better(candidate, bestPair < 0 ? score : scores[offset + bestPair]!)) bestPair = r;
    }
    const improvements: Improvement[] = [];
    const describe = (r: number): Improvement => {
      const changes: Change[] = [];
      for (const slot of [2 * r, 2 * r + 1]) {
        const f = rows.features[slot]!;
        if (f < 0) continue; // a single change
        const spec = this.features[f]!;
        changes.push({
          feature: spec.name,
          from: requestValue(spec, values[f]!),
          to: requestValue(spec, rows.values[slot]!),
        });
      }
      return { changes, scoreAfter: scores[offset + r]! };
    };
    const single = bestSingle >= 0 ? describe(bestSingle) : undefined;
    if (bestPair >= 0 && (!single || better(scores[offset + bestPair]!, single.scoreAfter))) {
      improvements.push(describe(bestPair));
    }
    if (single) improvements.push(single);
    return improvements;
  }
}
