import { InferenceSession, Tensor } from 'onnxruntime-node';
import type { z } from 'zod';
import { ModelCard } from '@byom/contracts/model-card';
import type { ActionableSpec, Band, FeatureSpec, TrainingData } from '@byom/contracts/model-card';
import { attr, buildModel, floatInitializer, mlNode, node, tensor } from '../src/onnx/onnx-builder.ts';
import type { NodeProto, TensorProto, ValueInfoProto } from '../src/onnx/onnx-proto.ts';
import type { BinaryMetrics } from './metrics.ts';
import type { FittedFeature, TabularModel, TabularRow } from './tabular-trainer.ts';

/**
 * Turns a trained TabularModel into the two files the service loads: `model.onnx`, with the
 * whole preprocessing pipeline inside the graph, and its model card. The graph follows the
 * shape skl2onnx gives a ColumnTransformer + LogisticRegression pipeline, so it is what a
 * data scientist's own export would look like:
 *
 *   one input per feature, [N, 1]: float for numbers and booleans, string for categories
 *   number:   Imputer(NaN → median) → [Add 1 → Log, when the trainer chose log1p] → Scaler
 *   boolean:  Imputer(NaN → training mode)
 *   category: OneHotEncoder(kept categories, zeros=1: unknown → all zeros) → Flatten
 *   Concat(axis 1, in feature order) → LinearClassifier(LOGISTIC) → label [N], probabilities [N, 2]
 *
 * The output depends only on the model: no timestamps, ids or host details, so the same
 * training run always produces the same bytes.
 */

const LOG1P_ONE = 'log1p_one';
const DESIGN_MATRIX = 'design_matrix';

/** Serialises the fitted pipeline as ONNX bytes. */
export function exportOnnx(
  model: TabularModel,
  info: { name: string; version: string; description: string },
): Uint8Array {
  if (model.columns.length === 0) throw new Error('the model has no design columns to export');
  const inputs: ValueInfoProto[] = [];
  const nodes: NodeProto[] = [];
  const blocks: string[] = [];
  const initializers: TensorProto[] = [];

  for (const fitted of model.features) {
    const name = fitted.feature.name;
    inputs.push(tensor(name, fitted.kind === 'category' ? 'string' : 'float', ['N', 1]));
    const block = featureBlock(fitted, nodes);
    if (block) blocks.push(block);
  }
  if (model.features.some((f) => f.kind === 'numeric' && f.log1p)) {
    initializers.push(floatInitializer(LOG1P_ONE, [1], []));
  }

  nodes.push(node('Concat', blocks, [DESIGN_MATRIX], [attr.int('axis', 1)]));
  // Two rows of coefficients, (-w, w) and (-b, b): with LOGISTIC each class gets its own
  // sigmoid, and sigmoid(-z) + sigmoid(z) = 1, so the two probabilities are exact
  // complements, as in skl2onnx's binary LogisticRegression export.
  nodes.push(
    mlNode(
      'LinearClassifier',
      [DESIGN_MATRIX],
      ['label', 'probabilities'],
      [
        attr.ints('classlabels_ints', [0, 1]),
        attr.floats('coefficients', [...model.coefficients.map((w) => -w), ...model.coefficients]),
        attr.floats('intercepts', [-model.intercept, model.intercept]),
        attr.int('multi_class', 0),
        attr.string('post_transform', 'LOGISTIC'),
      ],
    ),
  );

  return buildModel({
    graphName: info.name,
    docString: info.description,
    producerName: 'byom-bridge-trainer',
    producerVersion: '1',
    inputs,
    outputs: [tensor('label', 'int64', ['N']), tensor('probabilities', 'float', ['N', 2])],
    nodes,
    initializers,
    metadata: {
      'byom.model': info.name,
      'byom.version': info.version,
      'byom.trainer': 'inference-service/training/tabular-trainer.ts',
      'byom.design_columns': JSON.stringify(model.columns),
    },
  });
}

/** Appends the nodes that turn one feature's input into its design-matrix columns; returns the block's name. */
function featureBlock(fitted: FittedFeature, nodes: NodeProto[]): string | undefined {
  const name = fitted.feature.name;
  switch (fitted.kind) {
    case 'numeric': {
      let current = `${name}_imputed`;
      nodes.push(
        mlNode(
          'Imputer',
          [name],
          [current],
          [attr.floats('imputed_value_floats', [fitted.median]), attr.float('replaced_value_float', NaN)],
        ),
      );
      if (fitted.log1p) {
        nodes.push(node('Add', [current, LOG1P_ONE], [`${name}_plus_one`]));
        nodes.push(node('Log', [`${name}_plus_one`], [`${name}_log1p`]));
        current = `${name}_log1p`;
      }
      nodes.push(
        mlNode(
          'Scaler',
          [current],
          [`${name}_scaled`],
          [attr.floats('offset', [fitted.mean]), attr.floats('scale', [1 / fitted.std])],
        ),
      );
      return `${name}_scaled`;
    }
    case 'boolean':
      nodes.push(
        mlNode(
          'Imputer',
          [name],
          [`${name}_imputed`],
          [attr.floats('imputed_value_floats', [fitted.mode ? 1 : 0]), attr.float('replaced_value_float', NaN)],
        ),
      );
      return `${name}_imputed`;
    case 'category':
      // Every category was too rare to keep: the feature contributes nothing, but its
      // input stays so the card and the graph still agree on the columns a request sends.
      if (fitted.categories.length === 0) return undefined;
      nodes.push(
        mlNode(
          'OneHotEncoder',
          [name],
          [`${name}_onehot_3d`],
          [attr.strings('cats_strings', fitted.categories), attr.int('zeros', 1)],
        ),
      );
      // OneHotEncoder appends the category axis: [N, 1] → [N, 1, C]; Flatten makes it [N, C].
      nodes.push(node('Flatten', [`${name}_onehot_3d`], [`${name}_onehot`], [attr.int('axis', 1)]));
      return `${name}_onehot`;
  }
}

/**
 * Scores rows with the exported graph in onnxruntime, fed the way the service feeds a
 * columns-style model: a missing number as NaN, a missing category as '', and a missing
 * boolean as NaN (which the graph imputes, as the JS pipeline does). Returns column 1 of
 * `probabilities`.
 */
export async function scoreWithOnnx(
  onnxBytes: Uint8Array,
  model: TabularModel,
  rows: readonly TabularRow[],
): Promise<number[]> {
  const session = await InferenceSession.create(onnxBytes);
  try {
    const feeds: Record<string, Tensor> = {};
    for (const fitted of model.features) {
      const name = fitted.feature.name;
      const values = rows.map((row) => row[name]);
      feeds[name] =
        fitted.kind === 'category'
          ? new Tensor(
              'string',
              values.map((v) => (typeof v === 'string' ? v : '')),
              [rows.length, 1],
            )
          : new Tensor(
              'float32',
              Float32Array.from(values, (v) => (typeof v === 'number' ? v : typeof v === 'boolean' ? Number(v) : NaN)),
              [rows.length, 1],
            );
    }
    const { probabilities } = await session.run(feeds, ['probabilities']);
    const data = probabilities.data;
    if (!(data instanceof Float32Array)) throw new Error('the probabilities output is not a float tensor');
    return rows.map((_, i) => data[i * 2 + 1]);
  } finally {
    await session.release();
  }
}

/** What the card says about the model that training cannot know by itself. */
export interface ModelCardInfo {
  name: string;
  version: string;
  description: string;
  /** What the score predicts, for the AI Score card ("Likelihood to convert"). */
  scoreLabel?: string;
  default?: boolean;
  /** Written to `trainingData`; rows and positive rate default to the training set's. */
  trainingData: z.input<typeof TrainingData>;
  /** Features a rep can change, with the values "how to improve" may suggest (docs/explanations.md). */
  actionable?: Record<string, ActionableSpec>;
}

/**
 * The model card for an exported TabularModel: every feature with the value a blank
 * Salesforce field becomes (NaN for imputed numbers, false for booleans, '' for
 * categories), its explanation baseline (training median or mode), the holdout metrics
 * and the bands. A new card is explained with Shapley values (cards written before the
 * choice existed keep occlusion).
 */
export function buildModelCard(
  model: TabularModel,
  holdout: BinaryMetrics,
  bands: Band[],
  info: ModelCardInfo,
): ModelCard {
  const unknown = Object.keys(info.actionable ?? {}).filter(
    (name) => !model.features.some((f) => f.feature.name === name),
  );
  if (unknown.length > 0) throw new Error(`actionable features the model does not have: ${unknown.join(', ')}`);
  const card: z.input<typeof ModelCard> = {
    name: info.name,
    version: info.version,
    default: info.default,
    description: info.description,
    ...(info.scoreLabel ? { scoreLabel: info.scoreLabel } : {}),
    task: 'binary_classification',
    features: model.features.map((fitted) => {
      const feature = cardFeature(fitted);
      const actionable = info.actionable?.[feature.name];
      return actionable === undefined ? feature : { ...feature, actionable };
    }),
    inputs: { style: 'columns' },
    output: { name: 'probabilities', positiveClass: 1 },
    bands,
    explanations: { method: 'shapley' },
    metrics: {
      auc: round(holdout.auc),
      brier: round(holdout.brier),
      logLoss: round(holdout.logLoss),
      accuracy: round(holdout.accuracy),
      holdoutRows: holdout.rows,
      holdoutPositiveRate: round(holdout.positiveRate),
      calibration: holdout.calibration.map((bin) => ({
        lower: bin.lower,
        upper: bin.upper,
        meanPredicted: round(bin.meanPredicted),
        observedRate: round(bin.observedRate),
        count: bin.count,
      })),
    },
    trainingData: {
      rows: model.training.rows,
      positiveRate: round(model.training.positiveRate),
      ...info.trainingData,
    },
  };
  // Parsing here means an invalid card fails the training run, not the service at load time.
  return ModelCard.parse(card);
}

function cardFeature(fitted: FittedFeature): FeatureSpec {
  const { name, type, label, description } = fitted.feature;
  const common = { name, ...(label ? { label } : {}), type, ...(description ? { description } : {}) };
  switch (fitted.kind) {
    case 'numeric':
      return {
        ...common,
        allowMissing: true,
        // The graph takes log(1 + x): a value below 0 would score as garbage, so refuse it.
        ...(fitted.log1p ? { min: 0 } : {}),
        baseline: fitted.median,
      };
    case 'boolean':
      // A blank Salesforce checkbox is false.
      return { ...common, default: false, baseline: fitted.mode };
    case 'category':
      return {
        ...common,
        // A blank picklist arrives as ''; it has a column when blanks were common in training,
        // and otherwise encodes like an unknown category (all zeros).
        categories: fitted.categories.filter((c) => c !== ''),
        default: '',
        baseline: fitted.mode,
      };
  }
}

/** The band names a trained card gets unless the trainer is told others, best first. */
export const DEFAULT_BAND_NAMES = ['Hot', 'Warm', 'Cold'] as const;

/**
 * Bands from the distribution of scores (normally the training set's), named best first:
 * with three names the best starts at the 80th percentile (about the top fifth of records)
 * and the middle at the median; with two, the best starts at the median. Thresholds are
 * rounded to 0.05 so an admin reads round numbers; the last band starts at 0.
 */
export function chooseScoreBands(scores: readonly number[], names: readonly string[] = DEFAULT_BAND_NAMES): Band[] {
  if (names.length !== 2 && names.length !== 3) throw new Error('bands need two or three names, best first');
  if (new Set(names).size !== names.length || names.some((name) => name.trim() === '')) {
    throw new Error('band names must be different and not blank');
  }
  if (scores.length === 0) throw new Error('bands need at least one score');
  const sorted = [...scores].sort((a, b) => a - b);
  const quantile = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const toStep = (value: number): number => Math.round(value * 20) / 20;
  const warm = Math.min(0.9, Math.max(0.05, toStep(quantile(0.5))));
  if (names.length === 2) {
    return [
      { label: names[0]!, min: round(warm) },
      { label: names[1]!, min: 0 },
    ];
  }
  const hot = Math.max(warm + 0.05, toStep(quantile(0.8)));
  return [
    { label: names[0]!, min: round(Math.min(hot, 0.95)) },
    { label: names[1]!, min: round(warm) },
    { label: names[2]!, min: 0 },
  ];
}

/** Six decimals: precise enough for metrics, short enough to read in the card. */
function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
