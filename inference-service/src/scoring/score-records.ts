import { resolveRecord } from '../models/feature-encoder.ts';
import type { ModelValue, RequestValue } from '../models/feature-encoder.ts';
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
    if (resolved.ok) valid.push({ id: record.id, values: resolved.values, shown: resolved.shown });
    else errors.push({ id: record.id, code: resolved.code, message: resolved.message });
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
  const rowsPerRecord = explain ? model.card.features.length + 1 : 1;
  try {
    const rows = records.flatMap((r) => rowsFor(model, r, explain));
    // Per-record retries run alone so they cannot be failed again by other requests' rows.
    const predictions = isolated ? await model.predictAlone(rows) : await model.predict(rows);
    return records.map((record, i) => ({
      record,
      predictions: predictions.slice(i * rowsPerRecord, (i + 1) * rowsPerRecord),
    }));
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

/** The record's own row, then (for explanations) one row per feature with that feature set to its baseline. */
function rowsFor(model: ScoringModel, record: ValidRecord, explain: boolean): ModelValue[][] {
  if (!explain) return [record.values];
  const rows: ModelValue[][] = [record.values];
  for (let f = 0; f < record.values.length; f++) {
    const row = record.values.slice();
    row[f] = model.baselines[f]!;
    rows.push(row);
  }
  return rows;
}

/**
 * impact(f) = margin(x) - margin(x with f set to its baseline), where margin is the
 * log-odds for classifiers and the raw value for regressors (docs/explanations.md).
 */
function topFactors(model: ScoringModel, record: ValidRecord, predictions: Prediction[], topK: number): Factor[] {
  const margin = predictions[0]!.margin;
  const factors = model.card.features.map((feature, f) => {
    const impact = margin - predictions[f + 1]!.margin;
    return { feature: feature.name, value: record.shown[f]!, impact: Number.isFinite(impact) ? round(impact) : 0 };
  });
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
