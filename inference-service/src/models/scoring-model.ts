import type ort from 'onnxruntime-node';
import type { Counter, Gauge } from 'prom-client';
import type { ServiceMetrics } from '../observability/metrics.ts';
import type { CpuPool } from '../workers/cpu-pool.ts';
import { buildFeeds } from './feature-encoder.ts';
import type { InputBinding, ModelValue, RowBatch } from './feature-encoder.ts';
import { InferenceBatcher } from './inference-batcher.ts';
import type { ModelCard } from './model-card.ts';
import type { SessionSource } from './onnx-session.ts';
import { decodePredictions } from './prediction-decoding.ts';
import type { Predictions, ScoreDecoding } from './prediction-decoding.ts';

/**
 * One loaded model version (model-loader.ts loads and checks it): its card, its onnxruntime
 * session, and how rows of feature values become scores: bound to the session's inputs
 * (input-binding.ts), batched with other callers' rows (inference-batcher.ts), decoded from
 * the score output (prediction-decoding.ts). Large runs go to the worker pool, so the event
 * loop keeps answering other requests (and health checks) while they run.
 */

/**
 * Runs with at least this many input values go to the worker pool. Below it, handing the
 * tensors over costs the main thread about as much as the run (docs/performance.md): a
 * single-record request stays here, an explained 200-record request goes.
 */
export const OFFLOAD_MIN_VALUES = 8192;

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
}

export class ScoringModel {
  readonly card: ModelCard;
  readonly directory: string;
  /** The main thread's session: its input and output metadata describe the model (OIP metadata). */
  readonly session: ort.InferenceSession;
  readonly baselines: ModelValue[];
  private readonly source: SessionSource;
  private readonly pool: CpuPool | undefined;
  private readonly bindings: InputBinding[];
  private readonly decoding: ScoreDecoding;
  private readonly batcher: InferenceBatcher;
  private readonly runs: Counter.Internal | undefined;
  private readonly rows: Counter.Internal | undefined;

  constructor(parts: ScoringModelParts, options: ScoringOptions = {}) {
    this.card = parts.card;
    this.directory = parts.directory;
    this.session = parts.session;
    this.source = parts.source;
    this.pool = options.pool;
    this.bindings = parts.bindings;
    this.decoding = parts.decoding;
    this.baselines = parts.baselines;
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

  get isClassifier(): boolean {
    return this.card.task !== 'regression';
  }

  /** Scores rows of model values (card order), in a session run shared with concurrent callers; a QueueFullError when too many rows wait. */
  predict(batch: RowBatch): Promise<Predictions> {
    return this.batcher.predict(batch);
  }

  /** Scores rows in a run of their own, never batched with other callers (used to isolate failures). */
  predictAlone(batch: RowBatch): Promise<Predictions> {
    return this.batcher.predictAlone(batch);
  }

  /**
   * One session run: on a pool thread when the feeds are large, else on this one. The Open
   * Inference Protocol route runs its raw tensors through here too.
   */
  runSession(feeds: Record<string, ort.Tensor>, outputs: string[]): Promise<Record<string, ort.Tensor>> {
    let values = 0;
    for (const tensor of Object.values(feeds)) values += tensor.size;
    if (this.pool !== undefined && values >= OFFLOAD_MIN_VALUES)
      return this.pool.runInference(this.source, feeds, outputs);
    return this.session.run(feeds, outputs);
  }

  private async run(batches: RowBatch[]): Promise<Predictions> {
    const feeds = buildFeeds(this.bindings, batches, this.baselines);
    const rows = feeds[this.bindings[0]!.inputName]!.dims[0]!;
    this.runs?.inc();
    this.rows?.inc(rows);
    const outputs = await this.runSession(feeds, [this.decoding.tensor]);
    return decodePredictions(outputs[this.decoding.tensor]!, rows, this.decoding);
  }
}

/** One session run fetching only the score output, decoded. */
export async function runScore(
  session: ort.InferenceSession,
  feeds: Record<string, ort.Tensor>,
  rows: number,
  decoding: ScoreDecoding,
): Promise<Predictions> {
  const outputs = await session.run(feeds, [decoding.tensor]);
  return decodePredictions(outputs[decoding.tensor]!, rows, decoding);
}
