import type ort from 'onnxruntime-node';
import pLimit from 'p-limit';
import type { Counter, Gauge } from 'prom-client';
import type { ServiceMetrics } from '../observability/metrics.ts';
import type { Explainer } from '../explanations/explainer.ts';
import type { ImprovementPlanner } from '../explanations/improvements.ts';
import type { CpuPool } from '../workers/cpu-pool.ts';
import type { CategorySets, InputBinding, ModelValue } from './feature-encoder.ts';
import { InferenceBatcher } from './inference-batcher.ts';
import type { ModelCard } from '@byom/contracts/model-card';
import type { SessionSource } from './onnx-session.ts';
import { decodePredictions, decodingOutputs } from './prediction-decoding.ts';
import type { Predictions, ScoreDecoding } from './prediction-decoding.ts';
import { buildFeeds } from './row-batch.ts';
import type { RowBatch } from './row-batch.ts';

/**
 * One loaded model version (model-loader.ts loads and checks it): its card, its onnxruntime
 * session, and how rows of feature values become scores: bound to the session's inputs
 * (input-binding.ts), batched with other callers' rows (inference-batcher.ts), decoded from
 * the score output (prediction-decoding.ts), and how its scores are explained and improved
 * (explanations/). Large runs go to the worker pool, so the event loop keeps answering other
 * requests (and health checks) while they run.
 */

/**
 * Runs expected to take at least this long go to the worker pool. Shorter ones cost the main
 * thread less than handing their tensors over would (docs/performance.md), and hold the event
 * loop only briefly. The expectation is rows × the model's own time per row, measured at load
 * and kept up to date from its runs: the bundled model takes ~0.8 µs a row (its one-hot string
 * inputs), a 30-feature MLP ~0.1 µs, a large tree ensemble far more.
 */
export const OFFLOAD_MIN_RUN_MS = 4;

/**
 * When every pool thread is busy (masking long prompts, say), a run expected to take up to this
 * long runs here rather than wait behind them: it holds the event loop that long, where waiting
 * could hold its requests for seconds. Longer runs always wait for the pool.
 */
export const RUN_HERE_WHEN_BUSY_MAX_MS = 10;

/**
 * Explained requests per model that hold their explanation state at once. A record's state
 * (its coalitions, masks and margins, then its factors) is several times its validated values:
 * ~1.2 KB a record for the bundled model, so 32 waiting 1,000-record requests held ~40 MB of it
 * and, with V8's headroom, ~100 MB of a 512 MB dyno. Four keep the session busy (their runs
 * share batches as before) while the others wait with ~0.3 MB each.
 */
export const EXPLAINED_REQUESTS_AT_ONCE = 4;

/** Runs of this many rows and more measure a model's time per row; in smaller ones the fixed cost of a run (~0.1 ms) weighs. */
const TIMED_MIN_ROWS = 1024;
const CALIBRATION_RUNS = 5;

/** Where session runs and their rows are counted. */
export type InferenceMetrics = Pick<ServiceMetrics, 'inferenceRuns' | 'inferenceRows' | 'inferenceQueuedRows'>;

export interface ScoringOptions {
  /** Where this model counts its session runs and queued rows; uncounted without (tools, tests). */
  metrics?: InferenceMetrics;
  /** Rows that may wait for inference at once (admission control); unbounded without. */
  maxQueuedRows?: number;
  /** Where large runs go; without it every run is on the calling thread. */
  pool?: CpuPool;
}

export interface ScoringModelParts {
  card: ModelCard;
  directory: string;
  session: ort.InferenceSession;
  /** How a pool thread opens the same session. */
  source: SessionSource;
  bindings: InputBinding[];
  decoding: ScoreDecoding;
  /** The explanation reference of each feature, in model space, card order. */
  baselines: ModelValue[];
  /** Per feature, the categories the model was trained on (known-categories.ts). */
  categories: CategorySets;
  explainer: Explainer;
  improvements: ImprovementPlanner;
  /** How the model is explained, for GET /v1/models/{name}. */
  explanation: ExplanationSummary;
  /** Outputs added to the graph for explanations: fetched with the score, not the model's own. */
  addedOutputs: string[];
}

/** What GET /v1/models/{name} says about how a version's scores are explained. */
export interface ExplanationSummary {
  method: 'shapley' | 'occlusion';
  /** shapley: TreeSHAP from the graph's trees, or model runs on coalitions of features. */
  algorithm?: 'tree-shap' | 'coalitions';
  /** coalitions: the features whose contributions are computed together (a group of one is exact at one row). */
  groups?: string[][];
  /** Where log-odds come from: the graph's logits, or the score's probability (clamped near 0 and 1). */
  margins: 'logits' | 'probability' | 'value';
  /** Why TreeSHAP is not used for a tree ensemble, when it is not. */
  notes?: string[];
  /** The features "how to improve" may change. */
  actionable: string[];
}

export class ScoringModel {
  readonly card: ModelCard;
  readonly directory: string;
  /** The main thread's session: its input and output metadata describe the model (OIP metadata). */
  readonly session: ort.InferenceSession;
  readonly baselines: ModelValue[];
  /** Per feature, the categories the model was trained on: a record sending another gets a warning. */
  readonly categories: CategorySets;
  readonly explainer: Explainer;
  readonly improvements: ImprovementPlanner;
  readonly explanation: ExplanationSummary;
  readonly addedOutputs: ReadonlySet<string>;
  /** How a pool thread opens the same session. */
  readonly source: SessionSource;
  /**
   * Explained requests that may build their per-record state at once (scoring/score-records.ts);
   * the rest wait holding only their validated records.
   */
  readonly explaining = pLimit(EXPLAINED_REQUESTS_AT_ONCE);
  private readonly pool: CpuPool | undefined;
  private readonly bindings: InputBinding[];
  private readonly decoding: ScoreDecoding;
  private readonly batcher: InferenceBatcher;
  /**
   * Expected milliseconds of onnxruntime per row: the fastest seen on a run of 1,024 rows or more
   * (calibrate(), then every run), since anything else on the thread can only make a run look slower.
   */
  private msPerRow = Number.POSITIVE_INFINITY;
  private readonly runs: Counter.Internal | undefined;
  private readonly rows: Counter.Internal | undefined;
  /** Session runs started and not yet finished, here or on the pool (close() waits for them). */
  private runsInFlight = 0;
  private whenIdle: (() => void) | undefined;
  private closed = false;
  private closing: Promise<void> | undefined;

  constructor(parts: ScoringModelParts, options: ScoringOptions = {}) {
    this.card = parts.card;
    this.directory = parts.directory;
    this.session = parts.session;
    this.source = parts.source;
    this.pool = options.pool;
    this.bindings = parts.bindings;
    this.decoding = parts.decoding;
    this.baselines = parts.baselines;
    this.categories = parts.categories;
    this.explainer = parts.explainer;
    this.improvements = parts.improvements;
    this.explanation = parts.explanation;
    this.addedOutputs = new Set(parts.addedOutputs);
    const labels = { model: parts.card.name, version: parts.card.version };
    const metrics = options.metrics;
    this.runs = metrics?.inferenceRuns.labels(labels);
    this.rows = metrics?.inferenceRows.labels(labels);
    const queued: Gauge.Internal<'model' | 'version'> | undefined = metrics?.inferenceQueuedRows.labels(labels);
    this.batcher = new InferenceBatcher((batches) => this.run(batches), {
      maxQueuedRows: options.maxQueuedRows ?? Number.POSITIVE_INFINITY,
      ...(queued ? { onQueuedRows: (rows: number) => queued.set(rows) } : {}),
    });
  }

  get name(): string {
    return this.card.name;
  }

  get version(): string {
    return this.card.version;
  }

  /**
   * Scores rows of model values (card order), in a session run shared with concurrent callers;
   * a QueueFullError when too many rows wait, unless the request was `admitted` already
   * (inference-batcher.ts).
   */
  predict(batch: RowBatch, admitted = false): Promise<Predictions> {
    return this.batcher.predict(batch, admitted);
  }

  /** Whether `rows` more would be accepted into the queue now (a check before the request's records are). */
  hasRoomFor(rows: number): boolean {
    return this.batcher.hasRoomFor(rows);
  }

  /** Scores rows in a run of their own, never batched with other callers (used to isolate failures). */
  predictAlone(batch: RowBatch): Promise<Predictions> {
    return this.run([batch]);
  }

  /**
   * Times a few runs of baseline rows, so the first requests are routed by a measured time per
   * row; the registry calls it once every model has loaded (loading slows any run meanwhile).
   */
  async calibrate(): Promise<void> {
    const batch = { records: new Array(TIMED_MIN_ROWS).fill({ values: this.baselines }) };
    for (let i = 0; i < CALIBRATION_RUNS; i++) {
      await this.timedRun(buildFeeds(this.bindings, [batch]), TIMED_MIN_ROWS, false);
    }
  }

  /**
   * One session run of the Open Inference Protocol's raw tensors, whose size only the body limit
   * bounds: long ones on the pool (waiting for a thread if need be), short ones here.
   */
  async runSession(feeds: Record<string, ort.Tensor>, outputs: string[]): Promise<Record<string, ort.Tensor>> {
    const rows = Object.values(feeds)[0]?.dims[0] ?? 0;
    const offload = this.pool !== undefined && rows * this.msPerRow >= OFFLOAD_MIN_RUN_MS;
    return this.timedRun(feeds, rows, offload, outputs);
  }

  /** A batched run: short ones here; long ones on the pool, unless every thread is busy and the run is short enough. */
  private async run(batches: RowBatch[]): Promise<Predictions> {
    const feeds = buildFeeds(this.bindings, batches);
    const rows = feeds[this.bindings[0]!.inputName]!.dims[0]!;
    this.runs?.inc();
    this.rows?.inc(rows);
    const expectedMs = rows * this.msPerRow;
    const offload =
      this.pool !== undefined &&
      expectedMs >= OFFLOAD_MIN_RUN_MS &&
      (this.pool.hasFreeThread || expectedMs > RUN_HERE_WHEN_BUSY_MAX_MS);
    const outputs = await this.timedRun(feeds, rows, offload);
    return decodePredictions(outputs, rows, this.decoding);
  }

  /**
   * Releases the session once no run is in flight. A request whose caller has gone keeps
   * running after the HTTP server has drained, and onnxruntime aborts the whole process when a
   * session (or a pool thread's session) goes away under a run; a run asked for after this is
   * refused with an error instead.
   */
  close(): Promise<void> {
    // Once: a second caller waits for the same release instead of releasing the session again.
    this.closing ??= (async () => {
      this.closed = true;
      if (this.runsInFlight > 0) await new Promise<void>((resolve) => (this.whenIdle = resolve));
      await this.session.release();
    })();
    return this.closing;
  }

  /** A session run here or on the pool, timed (a pool thread times its own run). */
  private async timedRun(
    feeds: Record<string, ort.Tensor>,
    rows: number,
    offload: boolean,
    outputs: string[] = decodingOutputs(this.decoding),
  ): Promise<Record<string, ort.Tensor>> {
    if (this.closed) throw new Error(`model ${this.name}@${this.version} is closed: the service is shutting down`);
    let result: { outputs: Record<string, ort.Tensor>; runMs: number };
    this.runsInFlight++;
    try {
      if (offload) {
        result = await this.pool!.runInference(this.source, feeds, outputs);
      } else {
        const started = performance.now();
        result = { outputs: await this.session.run(feeds, outputs), runMs: performance.now() - started };
      }
    } finally {
      this.runsInFlight--;
      if (this.runsInFlight === 0) this.whenIdle?.();
    }
    if (rows >= TIMED_MIN_ROWS) this.msPerRow = Math.min(this.msPerRow, result.runMs / rows);
    return result.outputs;
  }
}

/** One session run fetching the outputs the decoding reads (the score, and logits or tree input for explanations), decoded. */
export async function runScore(
  session: ort.InferenceSession,
  feeds: Record<string, ort.Tensor>,
  rows: number,
  decoding: ScoreDecoding,
): Promise<Predictions> {
  const outputs = await session.run(feeds, decodingOutputs(decoding));
  return decodePredictions(outputs, rows, decoding);
}
