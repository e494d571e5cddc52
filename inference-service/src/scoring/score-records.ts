import { resolveRecord } from '../models/feature-encoder.ts';
import type { ModelValue, RequestValue, RowBatch } from '../models/feature-encoder.ts';
import type { Band } from '../models/model-card.ts';
import type { Prediction, ScoringModel } from '../models/scoring-model.ts';
import type { Factor, RecordError, ScoreResponse, ScoreResult } from './score-schemas.ts';

/**
 * Scores a request's records with one model: validates each record on its own, runs every
 * valid record (and, for explanations, every baseline substitution) in one session run,
 * and reports bad records as per-record errors without failing the others.
 */

export interface ScoreInput {
  records: Array<{ id: string; features: Record<string, unknown> }>;
  explain: boolean;
  topK: number;
}

interface ValidRecord {
  id: string;
  values: ModelValue[];
  shown: RequestValue[];
  /** Explaining: the features whose value differs from their baseline, each scored in a row of its own. */
  swaps: number[];
}

export async function scoreRecords(model: ScoringModel, input: ScoreInput): Promise<ScoreResponse> {
  const errors: RecordError[] = [];
  const valid: ValidRecord[] = [];
  const seen = new Set<string>();
  for (const record of input.records) {
    if (seen.has(record.id)) {
      errors.push({
        id: record.id,
        code: 'DUPLICATE_ID',
        message: `id "${record.id}" appears more than once; it was scored once`,
      });
      continue;
    }
    seen.add(record.id);
    const resolved = resolveRecord(model.card.features, record.features);
    if (resolved.ok) {
      const swaps = input.explain ? featuresOffBaseline(model, resolved.values) : NO_SWAPS;
      valid.push({ id: record.id, values: resolved.values, shown: resolved.shown, swaps });
    } else errors.push({ id: record.id, code: resolved.code, message: resolved.message });
  }

  const results: ScoreResult[] = [];
  for (const group of await predictIsolatingFailures(model, valid, input.explain)) {
    if ('error' in group) {
      errors.push({ id: group.record.id, code: 'INFERENCE_FAILED', message: group.error });
      continue;
    }
    const { record, predictions } = group;
    const own = predictions[0]!;
    if (!Number.isFinite(own.score)) {
      errors.push({ id: record.id, code: 'INFERENCE_FAILED', message: 'the model returned no number for this record' });
      continue;
    }
    const result: ScoreResult = { id: record.id, score: own.score, band: bandFor(model.card.bands, own.score) };
    if (own.value !== undefined) result.value = own.value;
    if (input.explain) result.factors = topFactors(model, record, predictions, input.topK);
    results.push(result);
  }
  return { model: model.name, version: model.version, results, errors };
}

type RecordPredictions = { record: ValidRecord; predictions: Prediction[] } | { record: ValidRecord; error: string };

/**
 * One run for the whole batch; if the runtime rejects it, each record is retried alone so
 * that a record the graph cannot handle fails by itself.
 */
async function predictIsolatingFailures(
  model: ScoringModel,
  records: ValidRecord[],
  explain: boolean,
  isolated = false,
): Promise<RecordPredictions[]> {
  if (records.length === 0) return [];
  try {
    const batch: RowBatch = { records: records.map((r) => r.values) };
    if (explain) batch.swaps = records.map((r) => r.swaps);
    // Per-record retries run alone so they cannot be failed again by other requests' rows.
    const predictions = isolated ? await model.predictAlone(batch) : await model.predict(batch);
    let offset = 0;
    return records.map((record) => {
      const rows = 1 + (explain ? record.swaps.length : 0);
      offset += rows;
      return { record, predictions: predictions.slice(offset - rows, offset) };
    });
  } catch (batchError) {
    if (records.length === 1) {
      return [
        { record: records[0]!, error: `the model could not score this record: ${(batchError as Error).message}` },
      ];
    }
    const perRecord = await Promise.all(records.map((r) => predictIsolatingFailures(model, [r], explain, true)));
    return perRecord.flat();
  }
}

const NO_SWAPS: number[] = [];

/**
 * The features worth a baseline row: one already at its baseline has impact 0 by definition
 * (the swapped row would be the record's own row), so it costs no inference.
 */
function featuresOffBaseline(model: ScoringModel, values: ModelValue[]): number[] {
  const swaps: number[] = [];
  for (let f = 0; f < values.length; f++) {
    if (!Object.is(values[f], model.baselines[f])) swaps.push(f);
  }
  return swaps;
}

/**
 * impact(f) = margin(x) - margin(x with f set to its baseline), where margin is the
 * log-odds for classifiers and the raw value for regressors (docs/explanations.md).
 */
function topFactors(model: ScoringModel, record: ValidRecord, predictions: Prediction[], topK: number): Factor[] {
  const margin = predictions[0]!.margin;
  const impacts = new Array<number>(model.card.features.length).fill(0);
  record.swaps.forEach((f, i) => {
    const impact = margin - predictions[i + 1]!.margin;
    impacts[f] = Number.isFinite(impact) ? round(impact) : 0;
  });
  const factors = model.card.features.map((feature, f) => ({
    feature: feature.name,
    value: record.shown[f]!,
    impact: impacts[f]!,
  }));
  // Stable sort: equal impacts keep card order, so responses are deterministic.
  factors.sort((a, b) => Math.abs(b.impact) - Math.abs(a.impact));
  return factors.slice(0, topK);
}

function bandFor(bands: Band[] | undefined, score: number): string | null {
  if (!bands) return null;
  let best: Band | undefined;
  for (const band of bands) {
    if (score >= band.min && (best === undefined || band.min > best.min)) best = band;
  }
  return best?.label ?? null;
}

/** Six decimals: well below what a rep can read, and it keeps float noise out of responses. */
function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
