import { echoed } from '../http/api-error.ts';
import { requestValue, resolveRecord } from '../models/feature-encoder.ts';
import type { ModelValue, RowBatch } from '../models/feature-encoder.ts';
import { QueueFullError } from '../models/inference-batcher.ts';
import type { Band } from '@byom/contracts/model-card';
import type { ClassProbabilities, Predictions } from '../models/prediction-decoding.ts';
import type { ScoringModel } from '../models/scoring-model.ts';
import type { Factor, RecordError, RecordWarning, ScoreResponse, ScoreResult } from './score-schemas.ts';

/**
 * Scores a request's records with one model: validates each record on its own, runs every
 * valid record (and, for explanations, every baseline substitution) in one session run,
 * and reports bad records as per-record errors without failing the others. Throws a
 * QueueFullError when the model has too many rows waiting already.
 */

export interface ScoreInput {
  records: Array<{ id: string; features: Record<string, unknown> }>;
  explain: boolean;
  topK: number;
}

/**
 * A record that passed the card's checks. Requests waiting for their run hold these, so they
 * hold no more than the run and the answer need (what the caller sent for a factor is worked
 * out again from its value: requestValue).
 */
interface ValidRecord {
  id: string;
  values: ModelValue[];
  warnings: RecordWarning[] | undefined;
  /** Explaining: the features whose value differs from their baseline, each scored in a row of its own. */
  swaps: number[];
}

export async function scoreRecords(model: ScoringModel, input: ScoreInput): Promise<ScoreResponse> {
  const { valid, errors } = checkRecords(model, input);
  const { explain, topK } = input;
  let groups: RecordPredictions[] = [];
  if (valid.length > 0) {
    try {
      groups = recordRows(valid, await model.predict(rowBatch(valid, explain)), explain);
    } catch (batchError) {
      // A full queue is the service's state, not a record's fault: the whole request is refused (503).
      if (batchError instanceof QueueFullError) throw batchError;
      groups = await isolateFailures(model, valid, explain, batchError);
    }
  }
  return collectScores(model, groups, errors, explain, topK);
}

/** Each record resolved against the card on its own; a bad or repeated record becomes its error. */
function checkRecords(model: ScoringModel, input: ScoreInput): { valid: ValidRecord[]; errors: RecordError[] } {
  const errors: RecordError[] = [];
  const valid: ValidRecord[] = [];
  const seen = new Set<string>();
  for (const record of input.records) {
    if (seen.has(record.id)) {
      errors.push({
        id: record.id,
        code: 'DUPLICATE_ID',
        message: `id ${echoed(record.id)} appears more than once; it was scored once`,
      });
      continue;
    }
    seen.add(record.id);
    const resolved = resolveRecord(model.card.features, record.features, model.categories);
    if (resolved.ok) {
      const swaps = input.explain ? featuresOffBaseline(model, resolved.values) : NO_SWAPS;
      valid.push({ id: record.id, values: resolved.values, warnings: resolved.warnings, swaps });
    } else errors.push({ id: record.id, code: resolved.code, message: resolved.message });
  }
  return { valid, errors };
}

/** The response from each record's predictions (or failure), with the per-record errors found before the run. */
function collectScores(
  model: ScoringModel,
  groups: RecordPredictions[],
  errors: RecordError[],
  explain: boolean,
  topK: number,
): ScoreResponse {
  const results: ScoreResult[] = [];
  const features = model.card.features.length;
  const scratch: ExplainScratch | undefined = explain
    ? { impacts: new Float64Array(features), top: new Int32Array(Math.min(topK, features)) }
    : undefined;
  for (const group of groups) {
    if ('error' in group) {
      errors.push({ id: group.record.id, code: 'INFERENCE_FAILED', message: group.error });
      continue;
    }
    const { record, predictions, row } = group;
    const score = predictions.scores[row]!;
    if (!Number.isFinite(score)) {
      errors.push({ id: record.id, code: 'INFERENCE_FAILED', message: 'the model returned no number for this record' });
      continue;
    }
    const result: ScoreResult = { id: record.id, score, band: bandFor(model.card.bands, score) };
    if (predictions.values) result.value = predictions.values[row]!;
    if (scratch) result.factors = topFactors(model, record, predictions.margins, row, scratch);
    if (predictions.classes) result.probabilities = classProbabilities(predictions.classes, row);
    if (record.warnings) result.warnings = record.warnings;
    results.push(result);
  }
  return { model: model.name, version: model.version, results, errors };
}

function classProbabilities({ labels, probabilities }: ClassProbabilities, row: number): ScoreResult['probabilities'] {
  const offset = row * labels.length;
  return labels.map((label, c) => ({ label, probability: probabilities[offset + c]! }));
}

/** A record's own prediction is at `row`; with explanations its swapped rows follow it, in `swaps` order. */
type RecordPredictions =
  { record: ValidRecord; predictions: Predictions; row: number } | { record: ValidRecord; error: string };

/**
 * After a shared run failed: each record alone, in runs of its own so that a record the graph
 * cannot handle fails by itself and other requests' rows cannot fail it again.
 */
async function isolateFailures(
  model: ScoringModel,
  records: ValidRecord[],
  explain: boolean,
  batchError: unknown,
): Promise<RecordPredictions[]> {
  const failed = (record: ValidRecord, error: unknown): RecordPredictions => ({
    record,
    error: `the model could not score this record: ${(error as Error).message}`,
  });
  if (records.length === 1) return [failed(records[0]!, batchError)];
  return Promise.all(
    records.map((record) =>
      model.predictAlone(rowBatch([record], explain)).then(
        (predictions) => recordRows([record], predictions, explain)[0]!,
        (error: unknown) => failed(record, error),
      ),
    ),
  );
}

function rowBatch(records: ValidRecord[], explain: boolean): RowBatch {
  const batch: RowBatch = { records: records.map((r) => r.values) };
  if (explain) batch.swaps = records.map((r) => r.swaps);
  return batch;
}

/** Where each record's own row is in a run's predictions: its swapped rows, when explaining, follow it. */
function recordRows(records: ValidRecord[], predictions: Predictions, explain: boolean): RecordPredictions[] {
  let row = 0;
  return records.map((record) => {
    const at = row;
    row += 1 + (explain ? record.swaps.length : 0);
    return { record, predictions, row: at };
  });
}

const NO_SWAPS: number[] = [];

/**
 * The features worth a baseline row: one already at its baseline has impact 0 by definition
 * (the swapped row would be the record's own row), so it costs no inference.
 */
function featuresOffBaseline(model: ScoringModel, values: ModelValue[]): number[] {
  // Counted first so the array has exactly its length: requests waiting for their run hold these.
  let count = 0;
  for (let f = 0; f < values.length; f++) if (!Object.is(values[f], model.baselines[f])) count++;
  const swaps = new Array<number>(count);
  for (let f = 0, at = 0; f < values.length; f++) if (!Object.is(values[f], model.baselines[f])) swaps[at++] = f;
  return swaps;
}

/**
 * impact(f) = margin(x) - margin(x with f set to its baseline), where margin is the
 * log-odds for classifiers and the raw value for regressors (docs/explanations.md).
 * Returns the top k by absolute impact, equal impacts in card order (so responses are
 * deterministic), building objects for those k only.
 */
function topFactors(
  model: ScoringModel,
  record: ValidRecord,
  margins: Float64Array,
  row: number,
  scratch: ExplainScratch,
): Factor[] {
  const { impacts, top } = scratch;
  impacts.fill(0);
  const margin = margins[row]!;
  for (let i = 0; i < record.swaps.length; i++) {
    const impact = margin - margins[row + 1 + i]!;
    impacts[record.swaps[i]!] = Number.isFinite(impact) ? round(impact) : 0;
  }
  // Insertion into a list kept sorted by |impact|: a new feature goes after every one at
  // least as large, which keeps card order among equals.
  let count = 0;
  for (let f = 0; f < impacts.length; f++) {
    const size = Math.abs(impacts[f]!);
    let at = count;
    while (at > 0 && Math.abs(impacts[top[at - 1]!]!) < size) at--;
    if (at >= top.length) continue;
    if (count < top.length) count++;
    for (let i = count - 1; i > at; i--) top[i] = top[i - 1]!;
    top[at] = f;
  }
  const features = model.card.features;
  const factors = new Array<Factor>(count);
  for (let i = 0; i < count; i++) {
    const f = top[i]!;
    factors[i] = {
      feature: features[f]!.name,
      value: requestValue(features[f]!, record.values[f]!),
      impact: impacts[f]!,
    };
  }
  return factors;
}

/** Per request, reused record by record: each feature's impact, and the top k so far (card indexes). */
interface ExplainScratch {
  impacts: Float64Array;
  top: Int32Array;
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
