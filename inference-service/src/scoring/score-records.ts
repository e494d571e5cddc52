import { MAX_ROUNDS } from '../explanations/explainer.ts';
import type { ExplanationResult, RecordExplanation } from '../explanations/explainer.ts';
import { echoed } from '../http/api-error.ts';
import { requestValue, resolveRecord } from '../models/feature-encoder.ts';
import type { ModelValue } from '../models/feature-encoder.ts';
import { QueueFullError } from '../models/inference-batcher.ts';
import type { Band } from '@byom/contracts/model-card';
import type { ClassProbabilities, Predictions } from '../models/prediction-decoding.ts';
import { changeCount, coalitionCount, recordRowCount } from '../models/row-batch.ts';
import type { ChangeRows, RecordRows } from '../models/row-batch.ts';
import type { ScoringModel } from '../models/scoring-model.ts';
import { sixDecimals } from '../rounding.ts';
import type { Explanation, Factor, RecordError, RecordWarning, ScoreResponse, ScoreResult } from './score-schemas.ts';

/**
 * Scores a request's records with one model: validates each record on its own, runs every
 * valid record (with the rows its explanation and its "how to improve" candidates need) in
 * one session run, and reports bad records as per-record errors without failing the others.
 * Sampled explanations that have not reached their tolerance take further rounds, each one
 * run for every record still sampling. A request whose rows would not fit one run of
 * MAX_RUN_ROWS is run in several, one after another, so its tensors stay small. Throws a
 * QueueFullError when the model has too many rows waiting already.
 */

/**
 * Rows one session run holds at most: an explained 200-record request of the bundled model
 * (about 1,800 rows, 6,600 with improvements) is one run; sampled or 12-feature exact Shapley
 * values of 200 records (up to 800,000 rows) are split, which keeps a request's tensors to a
 * few MB on a 512 MB dyno, and what one request queues at a time to a small share of
 * MAX_QUEUED_ROWS: eight parallel Queueables of sampled requests hold 65,536 rows in the queue,
 * not 262,144 (at 32,768 rows a run, the default 200,000-row bound shed most of them).
 */
export const MAX_RUN_ROWS = 8_192;

export interface ScoreInput {
  records: Array<{ id: string; features: Record<string, unknown> }>;
  explain: boolean;
  topK: number;
  /** Propose "how to improve" changes (models whose card marks actionable features). */
  improve?: boolean;
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
  explanation: RecordExplanation | undefined;
  /** "How to improve": the candidate rows, scored after the explanation's. */
  changes: ChangeRows | undefined;
}

export async function scoreRecords(model: ScoringModel, input: ScoreInput): Promise<ScoreResponse> {
  // Explanations (and "how to improve" candidates) build per-record state: a few requests at a time.
  return input.explain || input.improve === true
    ? model.explaining(() => scoreNow(model, input))
    : scoreNow(model, input);
}

async function scoreNow(model: ScoringModel, input: ScoreInput): Promise<ScoreResponse> {
  const { valid, errors } = checkRecords(model, input);
  const groups: RecordPredictions[] = [];
  let admitted = false;
  for (const part of runsOf(valid, (record) => recordRowCount(firstRoundRows(record)))) {
    try {
      groups.push(...recordRows(part, await model.predict({ records: part.map(firstRoundRows) }, admitted)));
    } catch (batchError) {
      // A full queue is the service's state, not a record's fault: the request is refused (503)
      // before any of its rows ran; once its first run is in, the rest of it is never refused.
      if (batchError instanceof QueueFullError) throw batchError;
      groups.push(...(await isolateFailures(model, part, batchError)));
    }
    admitted = true;
  }
  for (const group of groups) if (!('error' in group)) absorbFirstRound(model, group);
  await sampleFurther(model, groups);
  return collectScores(model, groups, errors, input);
}

/** Consecutive records in runs of at most MAX_RUN_ROWS rows (a record never spans two). */
function runsOf<T>(records: T[], rows: (record: T) => number): T[][] {
  const runs: T[][] = [];
  let current: T[] = [];
  let total = 0;
  for (const record of records) {
    const count = rows(record);
    if (current.length > 0 && total + count > MAX_RUN_ROWS) {
      runs.push(current);
      current = [];
      total = 0;
    }
    current.push(record);
    total += count;
  }
  if (current.length > 0) runs.push(current);
  return runs;
}

/** Each record resolved against the card on its own; a bad or repeated record becomes its error. */
function checkRecords(model: ScoringModel, input: ScoreInput): { valid: ValidRecord[]; errors: RecordError[] } {
  const errors: RecordError[] = [];
  const valid: ValidRecord[] = [];
  const seen = new Set<string>();
  const improve = input.improve === true && model.improvements.enabled;
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
      valid.push({
        id: record.id,
        values: resolved.values,
        warnings: resolved.warnings,
        explanation: input.explain ? model.explainer.begin(resolved.values) : undefined,
        changes: improve ? model.improvements.rows(resolved.values) : undefined,
      });
    } else errors.push({ id: record.id, code: resolved.code, message: resolved.message });
  }
  return { valid, errors };
}

/** The response from each record's predictions (or failure), with the per-record errors found before the run. */
function collectScores(
  model: ScoringModel,
  groups: RecordPredictions[],
  errors: RecordError[],
  input: ScoreInput,
): ScoreResponse {
  const results: ScoreResult[] = [];
  const features = model.card.features.length;
  const top = new Int32Array(Math.min(input.topK, features));
  const improve = input.improve === true && model.improvements.enabled;
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
    if (record.explanation) {
      const explained = record.explanation.result();
      result.factors = topFactors(model, record, explained.impacts, top);
      const summary = explanationOf(explained);
      if (summary) result.explanation = summary;
    }
    if (improve) {
      result.improvements = model.improvements.best(
        record.values,
        record.changes,
        score,
        predictions.scores,
        group.changesRow,
      );
    }
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

/**
 * A record's own prediction is at `row`; its explanation's rows follow it, then its "how to
 * improve" candidates at `changesRow`.
 */
type RecordPredictions =
  | { record: ValidRecord; predictions: Predictions; row: number; changesRow: number }
  | { record: ValidRecord; error: string };

/**
 * After a shared run failed: each record alone, in runs of its own so that a record the graph
 * cannot handle fails by itself and other requests' rows cannot fail it again.
 */
async function isolateFailures(
  model: ScoringModel,
  records: ValidRecord[],
  batchError: unknown,
): Promise<RecordPredictions[]> {
  const failed = (record: ValidRecord, error: unknown): RecordPredictions => ({
    record,
    error: `the model could not score this record: ${(error as Error).message}`,
  });
  if (records.length === 1) return [failed(records[0]!, batchError)];
  return Promise.all(
    records.map((record) =>
      model.predictAlone({ records: [firstRoundRows(record)] }).then(
        (predictions) => recordRows([record], predictions)[0]!,
        (error: unknown) => failed(record, error),
      ),
    ),
  );
}

/** A record's rows in the first run: its own, its explanation's, its "how to improve" candidates. */
function firstRoundRows(record: ValidRecord): RecordRows {
  return { values: record.values, coalitions: record.explanation?.rows, changes: record.changes };
}

/** Where each record's rows are in the first round's predictions. */
function recordRows(records: ValidRecord[], predictions: Predictions): RecordPredictions[] {
  let row = 0;
  return records.map((record) => {
    const at = row;
    const changesRow = at + 1 + coalitionCount(record.explanation?.rows);
    row = changesRow + changeCount(record.changes);
    return { record, predictions, row: at, changesRow };
  });
}

function absorbFirstRound(model: ScoringModel, group: Extract<RecordPredictions, { predictions: Predictions }>): void {
  const explanation = group.record.explanation;
  if (!explanation) return;
  if (model.explainer.usesTrees) explanation.absorbTrees(group.predictions, group.row);
  else explanation.absorb(group.predictions, group.row, false);
}

/**
 * Further rounds for sampled explanations short of their tolerance: every record still
 * sampling in one run per round. A round that fails leaves the estimates as they are (their
 * error bound says how good they are).
 */
async function sampleFurther(model: ScoringModel, groups: RecordPredictions[]): Promise<void> {
  for (let round = 2; round <= MAX_ROUNDS; round++) {
    const pending = groups.flatMap((g) => ('error' in g || !g.record.explanation?.pending ? [] : [g.record]));
    if (pending.length === 0) return;
    const rowsOf = (record: ValidRecord): RecordRows => ({
      values: record.values,
      coalitions: record.explanation!.rows,
    });
    for (const part of runsOf(pending, (record) => recordRowCount(rowsOf(record)))) {
      let predictions: Predictions;
      try {
        predictions = await model.predict({ records: part.map(rowsOf) }, true);
      } catch {
        for (const record of part) record.explanation!.stop();
        continue;
      }
      let row = 0;
      for (const record of part) {
        const at = row;
        row += 1 + coalitionCount(record.explanation!.rows);
        record.explanation!.absorb(predictions, at, round === MAX_ROUNDS);
      }
    }
  }
}

/**
 * The top k features by absolute impact, equal impacts in card order (so responses are
 * deterministic), building objects for those k only. Impacts are log-odds for classifiers and
 * raw output units for regressors (docs/explanations.md).
 */
function topFactors(model: ScoringModel, record: ValidRecord, raw: Float64Array, top: Int32Array): Factor[] {
  const impacts = raw.map((impact) => (Number.isFinite(impact) ? sixDecimals(impact) : 0));
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

/** What the response says about how a record was explained; left out when a margin is not a number. */
function explanationOf(result: ExplanationResult): Explanation | undefined {
  if (!Number.isFinite(result.margin) || !Number.isFinite(result.baselineMargin)) return undefined;
  const summary: Explanation = {
    method: result.method,
    margin: sixDecimals(result.margin),
    baselineMargin: sixDecimals(result.baselineMargin),
  };
  if (result.errorBound !== undefined) {
    // Rounded up, so the stated bound never claims more than was estimated.
    summary.errorBound = Math.ceil(result.errorBound * 1e6) / 1e6;
    summary.permutations = result.permutations!;
  }
  return summary;
}

function bandFor(bands: Band[] | undefined, score: number): string | null {
  if (!bands) return null;
  let best: Band | undefined;
  for (const band of bands) {
    if (score >= band.min && (best === undefined || band.min > best.min)) best = band;
  }
  return best?.label ?? null;
}
