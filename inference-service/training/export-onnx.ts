import { InferenceSession, Tensor } from 'onnxruntime-node';
import type { z } from 'zod';
import { ModelCard } from '@byom/contracts/model-card';
import type { ActionableSpec, Band, FeatureSpec, TrainingData } from '@byom/contracts/model-card';
import { attr, buildModel, floatInitializer, mlNode, node, tensor } from '../src/onnx/onnx-builder.ts';
import type { NodeProto, TensorProto, ValueInfoProto } from '../src/onnx/onnx-proto.ts';
import type { BinaryMetrics, MulticlassMetrics, RegressionMetrics } from './metrics.ts';
import type { FittedFeature, TabularModel, TabularRow } from './tabular-trainer.ts';

/**
 * Turns a trained TabularModel into the two files the service loads: `model.onnx`, with the
 * whole preprocessing pipeline inside the graph, and its model card. The graph follows the
 * shape skl2onnx gives a ColumnTransformer + LogisticRegression (or LinearRegression / Ridge)
 * pipeline, so it is what a data scientist's own export would look like:
 *
 *   one input per feature, [N, 1]: float for numbers and booleans, string for categories
 *   number:   Imputer(NaN → median) → [Add 1 → Log, when the trainer chose log1p] → Scaler
 *   boolean:  Imputer(NaN → training mode)
 *   category: OneHotEncoder(kept categories, zeros=1: unknown → all zeros) → Flatten
 *   Concat(axis 1, in feature order) → then, by task:
 *     binary      LinearClassifier(LOGISTIC)  → label [N], probabilities [N, 2]
 *     multiclass  LinearClassifier(SOFTMAX)   → label [N] (string), probabilities [N, classes]
 *     regression  LinearRegressor             → variable [N, 1]
 *
 * A binary model of a true/false label names its classes 0 and 1 (the card scores 1); one of
 * text classes, and every multiclass model, names them by their text, which the service then
 * returns with each class's probability.
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
  const head = modelHead(model);
  nodes.push(head.node);

  return buildModel({
    graphName: info.name,
    docString: info.description,
    producerName: 'byom-bridge-trainer',
    producerVersion: '1',
    inputs,
    outputs: head.outputs,
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

/** The node that turns the design matrix into the model's outputs, and those outputs. */
function modelHead(model: TabularModel): { node: NodeProto; outputs: ValueInfoProto[] } {
  switch (model.task) {
    case 'binary_classification': {
      const labels = model.classes
        ? attr.strings('classlabels_strings', model.classes)
        : attr.ints('classlabels_ints', [0, 1]);
      // Two rows of coefficients, (-w, w) and (-b, b): with LOGISTIC each class gets its own
      // sigmoid, and sigmoid(-z) + sigmoid(z) = 1, so the two probabilities are exact
      // complements, as in skl2onnx's binary LogisticRegression export.
      return {
        node: mlNode(
          'LinearClassifier',
          [DESIGN_MATRIX],
          ['label', 'probabilities'],
          [
            labels,
            attr.floats('coefficients', [...model.coefficients.map((w) => -w), ...model.coefficients]),
            attr.floats('intercepts', [-model.intercept, model.intercept]),
            attr.int('multi_class', 0),
            attr.string('post_transform', 'LOGISTIC'),
          ],
        ),
        outputs: [
          tensor('label', model.classes ? 'string' : 'int64', ['N']),
          tensor('probabilities', 'float', ['N', 2]),
        ],
      };
    }
    case 'multiclass_classification':
      // One row of coefficients per class and SOFTMAX over the rows, as skl2onnx exports a
      // multinomial LogisticRegression.
      return {
        node: mlNode(
          'LinearClassifier',
          [DESIGN_MATRIX],
          ['label', 'probabilities'],
          [
            attr.strings('classlabels_strings', model.classes),
            attr.floats('coefficients', model.coefficients.flat()),
            attr.floats('intercepts', model.intercepts),
            attr.int('multi_class', 1),
            attr.string('post_transform', 'SOFTMAX'),
          ],
        ),
        outputs: [tensor('label', 'string', ['N']), tensor('probabilities', 'float', ['N', model.classes.length])],
      };
    case 'regression':
      return {
        node: mlNode(
          'LinearRegressor',
          [DESIGN_MATRIX],
          ['variable'],
          [
            attr.floats('coefficients', model.coefficients),
            attr.floats('intercepts', [model.intercept]),
            attr.int('targets', 1),
          ],
        ),
        outputs: [tensor('variable', 'float', ['N', 1])],
      };
  }
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
 * Runs rows through the exported graph in onnxruntime, fed the way the service feeds a
 * columns-style model: a missing number as NaN, a missing category as '', and a missing
 * boolean as NaN (which the graph imputes, as the JS pipeline does). Returns each row's score
 * output, as predictOutputs computes it in JS: [P(positive)] for a binary model, every class's
 * probability for a multiclass one, [value] for a regressor.
 */
export async function predictWithOnnx(
  onnxBytes: Uint8Array,
  model: TabularModel,
  rows: readonly TabularRow[],
): Promise<number[][]> {
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
    const output = model.task === 'regression' ? 'variable' : 'probabilities';
    const { [output]: result } = await session.run(feeds, [output]);
    const data = result!.data;
    if (!(data instanceof Float32Array)) throw new Error(`the ${output} output is not a float tensor`);
    const width = data.length / rows.length;
    return rows.map((_, i) => {
      const row = Array.from(data.subarray(i * width, (i + 1) * width));
      // A binary graph outputs both classes; the JS pipeline (and the score) is the positive one.
      return model.task === 'binary_classification' ? [row[1]!] : row;
    });
  } finally {
    await session.release();
  }
}

/** A binary model's probability of the positive class for each row, from the exported graph. */
export async function scoreWithOnnx(
  onnxBytes: Uint8Array,
  model: TabularModel,
  rows: readonly TabularRow[],
): Promise<number[]> {
  if (model.task !== 'binary_classification') throw new Error('scoreWithOnnx scores binary models');
  return (await predictWithOnnx(onnxBytes, model, rows)).map((row) => row[0]!);
}

/** What the card says about the model that training cannot know by itself. */
export interface ModelCardInfo {
  name: string;
  version: string;
  description: string;
  /** What the score predicts, for the AI Score card ("Likelihood to convert"). */
  scoreLabel?: string;
  default?: boolean;
  /** Regressors: the values scored 0 and 1 (output.range). */
  range?: [number, number];
  /** Written to `trainingData`; rows and the label's distribution default to the training set's. */
  trainingData: z.input<typeof TrainingData>;
  /** Features a rep can change, with the values "how to improve" may suggest (docs/explanations.md). */
  actionable?: Record<string, ActionableSpec>;
}

/** The holdout metrics of the model's task (metrics.ts). */
export type HoldoutMetrics = BinaryMetrics | MulticlassMetrics | RegressionMetrics;

/**
 * The model card for an exported TabularModel: every feature with the value a blank
 * Salesforce field becomes (NaN for imputed numbers, false for booleans, '' for
 * categories), its explanation baseline (training median or mode), which output is the
 * score, the holdout metrics and the bands (left out when there are none). A new card is
 * explained with Shapley values (cards written before the choice existed keep occlusion).
 */
export function buildModelCard(
  model: TabularModel,
  holdout: HoldoutMetrics,
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
    task: model.task,
    features: model.features.map((fitted) => {
      const feature = cardFeature(fitted);
      const actionable = info.actionable?.[feature.name];
      return actionable === undefined ? feature : { ...feature, actionable };
    }),
    inputs: { style: 'columns' },
    output: cardOutput(model, info),
    ...(bands.length > 0 ? { bands } : {}),
    explanations: { method: 'shapley' },
    metrics: cardMetrics(model, holdout),
    trainingData: { ...trainingSummary(model), ...info.trainingData },
  };
  // Parsing here means an invalid card fails the training run, not the service at load time.
  return ModelCard.parse(card);
}

function cardOutput(model: TabularModel, info: ModelCardInfo): z.input<typeof ModelCard>['output'] {
  switch (model.task) {
    case 'binary_classification':
      return { name: 'probabilities', positiveClass: model.classes ? model.classes[1] : 1 };
    case 'multiclass_classification':
      return { name: 'probabilities', positiveClass: model.positiveClass };
    case 'regression':
      if (!info.range) throw new Error('a regression card needs the range its values are scored in');
      return { name: 'variable', range: info.range };
  }
}

function cardMetrics(model: TabularModel, holdout: HoldoutMetrics): z.input<typeof ModelCard>['metrics'] {
  if (model.task === 'binary_classification' && 'auc' in holdout) {
    return {
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
    };
  }
  if (model.task === 'multiclass_classification' && 'macroF1' in holdout) {
    const positive = holdout.classes.find((c) => c.label === model.positiveClass)!;
    return {
      accuracy: round(holdout.accuracy),
      macroF1: round(holdout.macroF1),
      logLoss: round(holdout.logLoss),
      holdoutRows: holdout.rows,
      holdoutPositiveRate: round(positive.rows / holdout.rows),
      classes: holdout.classes.map((c) => ({
        label: c.label,
        rows: c.rows,
        precision: round(c.precision),
        recall: round(c.recall),
        f1: round(c.f1),
        ...(c.auc !== undefined ? { auc: round(c.auc) } : {}),
      })),
    };
  }
  if (model.task === 'regression' && 'r2' in holdout) {
    // In the label's units, which may be tiny or huge: significant digits, not decimals.
    return {
      mae: significant(holdout.mae),
      rmse: significant(holdout.rmse),
      r2: round(holdout.r2),
      holdoutRows: holdout.rows,
    };
  }
  throw new Error(`the holdout metrics are not those of a ${model.task} model`);
}

/** What the card's trainingData says about the training rows' labels. */
function trainingSummary(model: TabularModel): Record<string, unknown> {
  switch (model.task) {
    case 'binary_classification':
      return { rows: model.training.rows, positiveRate: round(model.training.positiveRate) };
    case 'multiclass_classification':
      return {
        rows: model.training.rows,
        positiveRate: round(model.training.classRates[model.classes.indexOf(model.positiveClass)]!),
        classRates: model.classes.map((label, k) => ({ label, rate: round(model.training.classRates[k]!) })),
      };
    case 'regression':
      return {
        rows: model.training.rows,
        labelMean: significant(model.training.label.mean),
        labelMin: model.training.label.min,
        labelMax: model.training.label.max,
      };
  }
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
      // A Salesforce checkbox is never blank, and one left out of a request is false; but a
      // column that was blank in training had its blanks imputed with the mode, so a record
      // that leaves it out must score as those rows did.
      return { ...common, default: fitted.missingRate > 0 ? fitted.mode : false, baseline: fitted.mode };
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

/** Six decimals: precise enough for metrics, short enough to read in the card. */
function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/** Six significant digits, for values in the label's own units. */
function significant(value: number): number {
  return Number(value.toPrecision(6));
}
