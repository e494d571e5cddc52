import type ort from 'onnxruntime-node';
import type { Counter } from 'prom-client';
import type { ServiceMetrics } from '../observability/metrics.ts';
import type { Explainer } from '../explanations/explainer.ts';
import type { ImprovementPlanner } from '../explanations/improvements.ts';
import type { CategorySets, InputBinding, ModelValue } from './feature-encoder.ts';
import { InferenceBatcher } from './inference-batcher.ts';
import type { ModelCard } from '@byom/contracts/model-card';
import { decodePredictions, decodingOutputs } from './prediction-decoding.ts';
import type { Predictions, ScoreDecoding } from './prediction-decoding.ts';
import { buildFeeds } from './row-batch.ts';
import type { RowBatch } from './row-batch.ts';

/**
 * One loaded model version (model-loader.ts loads and checks it): its card, its onnxruntime
 * session, and how rows of feature values become scores: bound to the session's inputs
 * (input-binding.ts), batched with other callers' rows (inference-batcher.ts), decoded from
 * the score output (prediction-decoding.ts), and how its scores are explained and improved
 * (explanations/).
 */

/** Where session runs and their rows are counted. */
export type InferenceMetrics = Pick<ServiceMetrics, 'inferenceRuns' | 'inferenceRows'>;

export interface ScoringModelParts {
  card: ModelCard;
  directory: string;
  session: ort.InferenceSession;
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
  /** Also serves the Open Inference Protocol's raw /infer. */
  readonly session: ort.InferenceSession;
  readonly baselines: ModelValue[];
  /** Per feature, the categories the model was trained on: a record sending another gets a warning. */
  readonly categories: CategorySets;
  readonly explainer: Explainer;
  readonly improvements: ImprovementPlanner;
  readonly explanation: ExplanationSummary;
  readonly addedOutputs: ReadonlySet<string>;
  private readonly bindings: InputBinding[];
  private readonly decoding: ScoreDecoding;
  private readonly batcher = new InferenceBatcher((batches) => this.run(batches));
  private readonly runs: Counter.Internal | undefined;
  private readonly rows: Counter.Internal | undefined;

  /** `metrics` counts this model's session runs; without it they go uncounted (tools, tests). */
  constructor(parts: ScoringModelParts, metrics?: InferenceMetrics) {
    this.card = parts.card;
    this.directory = parts.directory;
    this.session = parts.session;
    this.bindings = parts.bindings;
    this.decoding = parts.decoding;
    this.baselines = parts.baselines;
    this.categories = parts.categories;
    this.explainer = parts.explainer;
    this.improvements = parts.improvements;
    this.explanation = parts.explanation;
    this.addedOutputs = new Set(parts.addedOutputs);
    const labels = { model: parts.card.name, version: parts.card.version };
    this.runs = metrics?.inferenceRuns.labels(labels);
    this.rows = metrics?.inferenceRows.labels(labels);
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

  /** Scores rows of model values (card order), in a session run shared with concurrent callers. */
  predict(batch: RowBatch): Promise<Predictions> {
    return this.batcher.predict(batch);
  }

  /** Scores rows in a run of their own, never batched with other callers (used to isolate failures). */
  predictAlone(batch: RowBatch): Promise<Predictions> {
    return this.batcher.predictAlone(batch);
  }

  private async run(batches: RowBatch[]): Promise<Predictions> {
    const feeds = buildFeeds(this.bindings, batches);
    const rows = feeds[this.bindings[0]!.inputName]!.dims[0]!;
    this.runs?.inc();
    this.rows?.inc(rows);
    return runScore(this.session, feeds, rows, this.decoding);
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
