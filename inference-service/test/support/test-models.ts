import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  attr,
  buildModel,
  floatInitializer,
  mlNode,
  node,
  sequenceOfMaps,
  tensor,
} from '../../src/onnx/onnx-builder.ts';
import type { ModelCard } from '@byom/contracts/model-card';

/**
 * Real ONNX models in each style data scientists' tools export, written to temp dirs:
 * - a float tensor [N, F] into ai.onnx.ml LinearClassifier (probability tensor output),
 * - one input per column (float, int64, string) with OneHotEncoder and a ZipMap output, as skl2onnx emits,
 * - a multiclass classifier with string labels (ZipMap keyed by strings),
 * - a linear regressor, a torch-style MatMul graph emitting a logit, and a tree ensemble.
 */

export type CardInput = Omit<ModelCard, 'output'> & {
  output: Omit<ModelCard['output'], 'transform'> & { transform?: ModelCard['output']['transform'] };
};

export interface TestModel {
  card: CardInput;
  onnx: Uint8Array;
}

/** Writes models as <root>/<name>/<version>/ (or <root>/<name>/ when flat) and returns the root. */
export async function writeModelDir(models: TestModel[], options: { flat?: boolean } = {}): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'byom-models-'));
  for (const model of models) {
    const dir = options.flat ? path.join(root, model.card.name) : path.join(root, model.card.name, model.card.version);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'model.json'), JSON.stringify(model.card, null, 2));
    await writeFile(path.join(dir, 'model.onnx'), model.onnx);
  }
  return root;
}

/** Logistic regression on a float tensor: p = sigmoid(w·x + b). Coefficients are exposed for exactness checks. */
export const TENSOR_WEIGHTS = [0.8, -1.2, 0.5];
export const TENSOR_INTERCEPT = -0.3;

export function tensorClassifier(version = '1.0.0', extra: Partial<CardInput> = {}): TestModel {
  const w = TENSOR_WEIGHTS;
  return {
    card: {
      name: 'tensor-classifier',
      version,
      task: 'binary_classification',
      features: [
        { name: 'a', type: 'number', baseline: 0 },
        { name: 'b', type: 'number', baseline: 0 },
        { name: 'flag', type: 'boolean', default: false, baseline: false },
      ],
      inputs: { style: 'tensor', name: 'float_input' },
      output: { name: 'probabilities', positiveClass: 1 },
      bands: [
        { label: 'High', min: 0.7 },
        { label: 'Medium', min: 0.4 },
        { label: 'Low', min: 0 },
      ],
      ...extra,
    },
    onnx: buildModel({
      graphName: 'tensor_classifier',
      inputs: [tensor('float_input', 'float', ['N', 3])],
      outputs: [tensor('label', 'int64', ['N']), tensor('probabilities', 'float', ['N', 2])],
      nodes: [
        mlNode(
          'LinearClassifier',
          ['float_input'],
          ['label', 'probabilities'],
          [
            // Class 0 has zero weights, so softmax gives [1 - p, p] with p = sigmoid(w·x + b): sklearn's binary layout.
            attr.floats('coefficients', [...w.map(() => 0), ...w]),
            attr.floats('intercepts', [0, TENSOR_INTERCEPT]),
            attr.ints('classlabels_ints', [0, 1]),
            attr.string('post_transform', 'SOFTMAX'),
          ],
        ),
      ],
    }),
  };
}

/** skl2onnx-style pipeline: per-column inputs (float, int64, string) → OneHotEncoder → LinearClassifier → ZipMap. */
export const COLUMN_WEIGHTS = { amount: 0.002, visits: 0.3, region: { north: 0.9, south: -0.4 } };
export const COLUMN_INTERCEPT = -1;

/**
 * `unknownRegion: 'fails'` makes the region encoder refuse categories it was not fitted on
 * (OneHotEncoder zeros=0), so a record with one fails inference while its neighbours score.
 */
export function columnsZipMapClassifier(unknownRegion: 'zeros' | 'fails' = 'zeros'): TestModel {
  // Columns after Concat: amount, visits, region=north, region=south.
  const w = [COLUMN_WEIGHTS.amount, COLUMN_WEIGHTS.visits, COLUMN_WEIGHTS.region.north, COLUMN_WEIGHTS.region.south];
  return {
    card: {
      name: 'columns-zipmap',
      version: '2.0.0',
      task: 'binary_classification',
      features: [
        { name: 'Amount', type: 'number', input: 'amount', allowMissing: true, baseline: 100 },
        { name: 'Visits', type: 'integer', input: 'visits', default: 0, baseline: 1 },
        {
          name: 'Region',
          type: 'category',
          input: 'region',
          categories: ['north', 'south'],
          default: '',
          baseline: 'south',
        },
      ],
      inputs: { style: 'columns' },
      output: { name: 'output_probability', positiveClass: 1 },
    },
    onnx: buildModel({
      graphName: 'skl2onnx_style',
      inputs: [
        tensor('amount', 'float', ['N', 1]),
        tensor('visits', 'int64', ['N', 1]),
        tensor('region', 'string', ['N', 1]),
      ],
      outputs: [tensor('output_label', 'int64', ['N']), sequenceOfMaps('output_probability', 'int64')],
      nodes: [
        mlNode(
          'Imputer',
          ['amount'],
          ['amount_imputed'],
          [attr.floats('imputed_value_floats', [50]), attr.float('replaced_value_float', Number.NaN)],
        ),
        node('Cast', ['visits'], ['visits_float'], [attr.int('to', 1)]),
        mlNode(
          'OneHotEncoder',
          ['region'],
          ['region_onehot_3d'],
          [attr.strings('cats_strings', ['north', 'south']), attr.int('zeros', unknownRegion === 'zeros' ? 1 : 0)],
        ),
        node('Flatten', ['region_onehot_3d'], ['region_onehot'], [attr.int('axis', 1)]),
        node('Concat', ['amount_imputed', 'visits_float', 'region_onehot'], ['features'], [attr.int('axis', 1)]),
        mlNode(
          'LinearClassifier',
          ['features'],
          ['output_label', 'probabilities'],
          [
            attr.floats('coefficients', [...w.map(() => 0), ...w]),
            attr.floats('intercepts', [0, COLUMN_INTERCEPT]),
            attr.ints('classlabels_ints', [0, 1]),
            attr.string('post_transform', 'SOFTMAX'),
          ],
        ),
        mlNode('ZipMap', ['probabilities'], ['output_probability'], [attr.ints('classlabels_int64s', [0, 1])]),
      ],
    }),
  };
}

/** Three classes with string labels; the card scores the probability of "won". */
export function multiclassStringLabels(): TestModel {
  return {
    card: {
      name: 'deal-stage',
      version: '1.0.0',
      task: 'multiclass_classification',
      features: [
        { name: 'x1', type: 'number', baseline: 0 },
        { name: 'x2', type: 'number', baseline: 0 },
      ],
      inputs: { style: 'tensor', name: 'X' },
      output: { name: 'output_probability', positiveClass: 'won' },
    },
    onnx: buildModel({
      graphName: 'multiclass',
      inputs: [tensor('X', 'float', ['N', 2])],
      outputs: [tensor('output_label', 'string', ['N']), sequenceOfMaps('output_probability', 'string')],
      nodes: [
        mlNode(
          'LinearClassifier',
          ['X'],
          ['output_label', 'probabilities'],
          [
            attr.floats('coefficients', [1, 0, 0, 1, -1, -1]),
            attr.floats('intercepts', [0, 0, 0]),
            attr.strings('classlabels_strings', ['lost', 'open', 'won']),
            attr.string('post_transform', 'SOFTMAX'),
          ],
        ),
        mlNode(
          'ZipMap',
          ['probabilities'],
          ['output_probability'],
          [attr.strings('classlabels_strings', ['lost', 'open', 'won'])],
        ),
      ],
    }),
  };
}

/** y = 2·size − 3·age + 10, mapped onto [0, 1] through output.range [0, 100]. */
export const REGRESSOR_WEIGHTS = [2, -3];
export const REGRESSOR_INTERCEPT = 10;

export function linearRegressor(): TestModel {
  return {
    card: {
      name: 'deal-size',
      version: '1.0.0',
      task: 'regression',
      features: [
        { name: 'size', type: 'number', baseline: 5 },
        { name: 'age', type: 'number', baseline: 1 },
      ],
      inputs: { style: 'tensor', name: 'X' },
      output: { name: 'variable', range: [0, 100] },
    },
    onnx: buildModel({
      graphName: 'regressor',
      inputs: [tensor('X', 'float', ['N', 2])],
      outputs: [tensor('variable', 'float', ['N', 1])],
      nodes: [
        mlNode(
          'LinearRegressor',
          ['X'],
          ['variable'],
          [attr.floats('coefficients', REGRESSOR_WEIGHTS), attr.floats('intercepts', [REGRESSOR_INTERCEPT])],
        ),
      ],
    }),
  };
}

/** What torch.onnx.export gives for a logistic layer: MatMul + Add, one logit per row; the card applies sigmoid. */
export function torchStyleLogit(): TestModel {
  return {
    card: {
      name: 'torch-logit',
      version: '1.0.0',
      task: 'binary_classification',
      features: [
        { name: 'u', type: 'number', baseline: 0 },
        { name: 'v', type: 'number', baseline: 0 },
      ],
      inputs: { style: 'tensor', name: 'input' },
      output: { name: 'logit', transform: 'sigmoid' },
    },
    onnx: buildModel({
      graphName: 'torch_jit',
      inputs: [tensor('input', 'float', ['batch', 2])],
      outputs: [tensor('logit', 'float', ['batch', 1])],
      initializers: [floatInitializer('weight', [1.5, -0.5], [2, 1]), floatInitializer('bias', [0.25], [1])],
      nodes: [node('MatMul', ['input', 'weight'], ['matmul_out']), node('Add', ['matmul_out', 'bias'], ['logit'])],
    }),
  };
}

/** A nonlinear model: one decision stump per feature in a TreeEnsembleClassifier with a logistic link. */
export function treeEnsemble(): TestModel {
  return {
    card: {
      name: 'tree-ensemble',
      version: '1.0.0',
      task: 'binary_classification',
      features: [
        { name: 'p', type: 'number', baseline: 0 },
        { name: 'q', type: 'number', baseline: 0 },
      ],
      inputs: { style: 'tensor', name: 'X' },
      output: { name: 'probabilities' },
    },
    onnx: buildModel({
      graphName: 'trees',
      inputs: [tensor('X', 'float', ['N', 2])],
      outputs: [tensor('label', 'int64', ['N']), tensor('probabilities', 'float', ['N', 2])],
      nodes: [
        mlNode(
          'TreeEnsembleClassifier',
          ['X'],
          ['label', 'probabilities'],
          [
            attr.ints('classlabels_int64s', [0, 1]),
            attr.ints('nodes_treeids', [0, 0, 0, 1, 1, 1]),
            attr.ints('nodes_nodeids', [0, 1, 2, 0, 1, 2]),
            attr.ints('nodes_featureids', [0, 0, 0, 1, 0, 0]),
            attr.floats('nodes_values', [0.5, 0, 0, 2, 0, 0]),
            attr.strings('nodes_modes', ['BRANCH_LEQ', 'LEAF', 'LEAF', 'BRANCH_LEQ', 'LEAF', 'LEAF']),
            attr.ints('nodes_truenodeids', [1, 0, 0, 1, 0, 0]),
            attr.ints('nodes_falsenodeids', [2, 0, 0, 2, 0, 0]),
            attr.floats('nodes_hitrates', [1, 1, 1, 1, 1, 1]),
            attr.ints('nodes_missing_value_tracks_true', [0, 0, 0, 0, 0, 0]),
            attr.ints('class_treeids', [0, 0, 1, 1]),
            attr.ints('class_nodeids', [1, 2, 1, 2]),
            attr.ints('class_ids', [1, 1, 1, 1]),
            attr.floats('class_weights', [-1, 1, -0.5, 2]),
            attr.string('post_transform', 'LOGISTIC'),
          ],
        ),
      ],
    }),
  };
}
