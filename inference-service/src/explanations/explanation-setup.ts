import type ort from 'onnxruntime-node';
import { explanationMethod } from '@byom/contracts/model-card';
import type { FeatureSpec, ModelCard } from '@byom/contracts/model-card';
import type { InputBinding, ModelValue } from '../models/feature-encoder.ts';
import type { Predictions, ScoreDecoding } from '../models/prediction-decoding.ts';
import { buildFeeds } from '../models/row-batch.ts';
import type { ExplanationSummary, runScore } from '../models/scoring-model.ts';
import { DEFAULT_TOLERANCE, Explainer } from './explainer.ts';
import type { TreeExplainer } from './explainer.ts';
import type { ExplanationGraph } from './explanation-graph.ts';
import { ImprovementPlanner } from './improvements.ts';
import { TreeShap } from './tree-shap.ts';

/**
 * Sets up how a loaded model is explained, after its session exists: scores a few probe rows
 * (the baselines, and each feature moved off its baseline) and keeps each shortcut of
 * explanation-graph.ts (margins from logits, TreeSHAP's trees) only if it gives back what
 * onnxruntime answers on them. One that does not is dropped, and the summary says why: a
 * converter layout read wrongly costs speed or precision near 0 and 1, never a wrong explanation.
 */

/** How far a probability (or regression value, relatively) may be from onnxruntime's: float32 rounding. */
const AGREEMENT = 1e-5;

export interface ExplanationSetup {
  explainer: Explainer;
  improvements: ImprovementPlanner;
  summary: ExplanationSummary;
}

export type RunRows = (rows: ModelValue[][]) => Promise<Predictions>;

export async function setUpExplanations(
  card: ModelCard,
  decoding: ScoreDecoding,
  graph: ExplanationGraph,
  baselines: ModelValue[],
  run: RunRows,
): Promise<ExplanationSetup> {
  const method = explanationMethod(card);
  const notes: string[] = [];
  const probes = [baselines, ...probeRows(card.features, baselines)];
  let predictions: Predictions;
  let rows = probes;
  try {
    predictions = await run(probes);
  } catch {
    // A probe value the graph refuses: check on the baselines alone.
    rows = [baselines];
    predictions = await run(rows);
  }

  let groups = graph.groups;
  if (
    decoding.task === 'classification' &&
    decoding.margin.from === 'logits' &&
    !logitsAgree(predictions, rows.length)
  ) {
    notes.push("the graph's logits do not give back its probabilities, so log-odds are taken from the probabilities");
    decoding.margin = { from: 'probability' };
    groups = graph.probabilityGroups;
    predictions = await run(rows);
  }

  let trees: TreeExplainer | undefined;
  if (method === 'shapley' && graph.trees && 'tensor' in graph.trees && predictions.treeInput) {
    const { data, columns } = predictions.treeInput;
    const shap = new TreeShap(graph.trees.trees, graph.trees.columnFeature, card.features.length);
    if (treesAgree(shap, predictions, rows.length, decoding)) {
      trees = { shap, baseline: Float64Array.from(data.subarray(0, columns)) };
    } else {
      notes.push(
        'its trees as read here do not give the scores onnxruntime gives, so they are explained by coalitions',
      );
    }
  } else if (method === 'shapley' && graph.trees && 'reason' in graph.trees) {
    notes.push(`TreeSHAP is not used: ${graph.trees.reason}`);
  }
  if (!trees) decoding.treeInput = undefined;

  const explainer = new Explainer({
    method,
    baselines,
    baselineMargin: predictions.margins[0]!,
    groups,
    trees,
    tolerance: card.explanations?.tolerance ?? DEFAULT_TOLERANCE,
  });
  const improvements = new ImprovementPlanner(card.features, card.explanations?.improve ?? 'raise');
  const summary: ExplanationSummary = {
    method,
    margins: decoding.task === 'regression' ? 'value' : decoding.margin.from,
    actionable: card.features.filter((f) => f.actionable !== undefined).map((f) => f.name),
  };
  if (method === 'shapley') {
    summary.algorithm = trees ? 'tree-shap' : 'coalitions';
    if (!trees) summary.groups = describeGroups(card.features, groups);
  }
  if (notes.length > 0) summary.notes = notes;
  return { explainer, improvements, summary };
}

/** Scores probe rows with the model's own bindings and decoding (the loader's run function). */
export function runRowsWith(
  session: ort.InferenceSession,
  bindings: InputBinding[],
  decoding: ScoreDecoding,
  score: typeof runScore,
): RunRows {
  return (rows) =>
    score(session, buildFeeds(bindings, [{ records: rows.map((values) => ({ values })) }]), rows.length, decoding);
}

/**
 * The baseline record with one feature moved at a time, then all of them: another category,
 * the other boolean, a number nudged within the card's range. Values the card accepts, so the
 * graph should score them.
 */
function probeRows(features: FeatureSpec[], baselines: ModelValue[]): ModelValue[][] {
  const moved = features.map((spec, f) => probeValue(spec, baselines[f]!));
  const rows = moved.map((value, f) => baselines.map((b, i) => (i === f ? value : b)));
  rows.push(moved);
  return rows;
}

function probeValue(spec: FeatureSpec, baseline: ModelValue): ModelValue {
  switch (spec.type) {
    case 'boolean':
      return baseline === 1 ? 0 : 1;
    case 'category':
      return spec.categories?.find((c) => c !== baseline) ?? baseline;
    case 'number':
    case 'integer': {
      const base = typeof baseline === 'number' && Number.isFinite(baseline) ? baseline : (spec.min ?? 0);
      let value = base + Math.max(1, Math.abs(base));
      if (spec.max !== undefined && value > spec.max) value = spec.min !== undefined ? (spec.min + base) / 2 : base - 1;
      if (spec.min !== undefined && value < spec.min) value = spec.min;
      return spec.type === 'integer' ? Math.round(value) : value;
    }
  }
}

/** Sigmoid of the margin gives the score on every probe row (a softmax over two classes is the same). */
function logitsAgree(predictions: Predictions, rows: number): boolean {
  for (let r = 0; r < rows; r++) {
    const fromMargin = 1 / (1 + Math.exp(-predictions.margins[r]!));
    if (!(Math.abs(fromMargin - predictions.scores[r]!) <= AGREEMENT)) return false;
  }
  return true;
}

/** The trees' own margin, through the card's link, gives onnxruntime's score (or value) on every probe row. */
function treesAgree(shap: TreeShap, predictions: Predictions, rows: number, decoding: ScoreDecoding): boolean {
  const { data, columns } = predictions.treeInput!;
  const scratch = new Float64Array(shap.featureCount);
  const baseline = data.subarray(0, columns);
  for (let r = 0; r < rows; r++) {
    const { margin } = shap.explain(data.subarray(r * columns, (r + 1) * columns), baseline, scratch);
    if (decoding.task === 'regression') {
      const value = predictions.values![r]!;
      if (!(Math.abs(margin - value) <= AGREEMENT * Math.max(1, Math.abs(value)))) return false;
    } else if (!(Math.abs(1 / (1 + Math.exp(-margin)) - predictions.scores[r]!) <= AGREEMENT)) return false;
  }
  return true;
}

function describeGroups(features: FeatureSpec[], groups: Int32Array | undefined): string[][] {
  if (!groups) return [features.map((f) => f.name)];
  const byGroup = new Map<number, string[]>();
  features.forEach((f, i) => {
    const g = groups[i]!;
    if (g >= 0) byGroup.set(g, [...(byGroup.get(g) ?? []), f.name]);
  });
  return [...byGroup.values()];
}
