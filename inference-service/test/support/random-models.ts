import {
  attr,
  buildModel,
  floatInitializer,
  mlNode,
  node,
  sequenceOfMaps,
  tensor,
} from '../../src/onnx/onnx-builder.ts';
import type { NodeProto } from '../../src/onnx/onnx-proto.ts';
import { createRandom } from '../../training/random.ts';
import type { Random } from '../../training/random.ts';
import type { CardInput, TestModel } from './test-models.ts';

/**
 * Seeded random models for the explanation tests, built with the repo's ONNX builder in the
 * layouts exporters write:
 *
 * - small MLPs as torch.onnx.export writes them (MatMul, Add, Relu; a logit the card turns into
 *   a probability, a Sigmoid node in the graph, or a regression value);
 * - tree ensembles as skl2onnx writes random forests (averaged leaf values, class probabilities)
 *   and as skl2onnx, LightGBM and XGBoost write boosted trees (one score with a logistic link,
 *   base values, BRANCH_LT splits, missing values down the true branch), on raw columns or
 *   behind a skl2onnx preprocessing pipeline (OneHotEncoder, Scaler, Concat).
 *
 * Every tree model comes with a reference regressor: the same trees, each leaf holding what it
 * adds to the margin, as a plain TreeEnsembleRegressor. onnxruntime's value for it is the
 * exact margin brute-force Shapley values are computed from. Leaf values are multiples of
 * 1/1024, so onnxruntime's float32 sums are exact.
 */

export interface RandomTreeModel extends TestModel {
  /** The same trees as a regressor whose value is the margin (model.onnx bytes; same inputs). */
  marginReference: Uint8Array;
}

interface RandomTree {
  nodes: Array<{ feature: number; threshold: number; left: number; right: number } | { leaf: number }>;
}

const grid = (x: number) => Math.round(x * 1024) / 1024;

/** A random tree of the given depth over `columns` input columns; thresholds within [-2, 2]. */
function randomTree(
  random: Random,
  columns: number,
  depth: number,
  thresholds?: (column: number) => number,
): RandomTree {
  const nodes: RandomTree['nodes'] = [];
  const grow = (level: number): number => {
    const id = nodes.length;
    if (level === depth || (level > 1 && random.next() < 0.2)) {
      nodes.push({ leaf: grid(random.uniform(-1.5, 1.5)) });
      return id;
    }
    const feature = Math.floor(random.next() * columns);
    nodes.push({
      feature,
      threshold: thresholds ? thresholds(feature) : grid(random.uniform(-2, 2)),
      left: -1,
      right: -1,
    });
    const left = grow(level + 1);
    const right = grow(level + 1);
    const branch = nodes[id] as { left: number; right: number };
    branch.left = left;
    branch.right = right;
    return id;
  };
  grow(0);
  return { nodes };
}

interface TreeAttributes {
  mode: string;
  missingTrue: boolean;
}

/** The nodes_* attributes of a list of trees. */
function nodeAttributes(trees: RandomTree[], { mode, missingTrue }: TreeAttributes) {
  const a = {
    treeids: [] as number[],
    nodeids: [] as number[],
    featureids: [] as number[],
    values: [] as number[],
    modes: [] as string[],
    truenodeids: [] as number[],
    falsenodeids: [] as number[],
    missing: [] as number[],
    leaves: [] as Array<{ tree: number; node: number; value: number }>,
  };
  trees.forEach((tree, t) => {
    tree.nodes.forEach((n, id) => {
      a.treeids.push(t);
      a.nodeids.push(id);
      if ('leaf' in n) {
        a.featureids.push(0);
        a.values.push(0);
        a.modes.push('LEAF');
        a.truenodeids.push(0);
        a.falsenodeids.push(0);
        a.missing.push(0);
        a.leaves.push({ tree: t, node: id, value: n.leaf });
      } else {
        a.featureids.push(n.feature);
        a.values.push(n.threshold);
        a.modes.push(mode);
        a.truenodeids.push(n.left);
        a.falsenodeids.push(n.right);
        a.missing.push(missingTrue ? 1 : 0);
      }
    });
  });
  return a;
}

function nodesAttrs(a: ReturnType<typeof nodeAttributes>) {
  return [
    attr.ints('nodes_treeids', a.treeids),
    attr.ints('nodes_nodeids', a.nodeids),
    attr.ints('nodes_featureids', a.featureids),
    attr.floats('nodes_values', a.values),
    attr.strings('nodes_modes', a.modes),
    attr.ints('nodes_truenodeids', a.truenodeids),
    attr.ints('nodes_falsenodeids', a.falsenodeids),
    attr.ints('nodes_missing_value_tracks_true', a.missing),
  ];
}

/** A regressor over the trees whose leaves add `leafMargin(value)`: its value is the margin. */
function marginRegressor(
  inputs: ReturnType<typeof tensor>[],
  preprocessing: NodeProto[],
  treeInput: string,
  a: ReturnType<typeof nodeAttributes>,
  leafMargin: (value: number) => number,
  base: number,
  initializers: ReturnType<typeof floatInitializer>[] = [],
): Uint8Array {
  return buildModel({
    graphName: 'margin_reference',
    inputs,
    initializers,
    outputs: [tensor('margin', 'float', ['N', 1])],
    nodes: [
      ...preprocessing,
      mlNode(
        'TreeEnsembleRegressor',
        [treeInput],
        ['margin'],
        [
          ...nodesAttrs(a),
          attr.ints(
            'target_treeids',
            a.leaves.map((l) => l.tree),
          ),
          attr.ints(
            'target_nodeids',
            a.leaves.map((l) => l.node),
          ),
          attr.ints(
            'target_ids',
            a.leaves.map(() => 0),
          ),
          attr.floats(
            'target_weights',
            a.leaves.map((l) => leafMargin(l.value)),
          ),
          attr.floats('base_values', [base]),
          attr.int('n_targets', 1),
        ],
      ),
    ],
  });
}

export type TreeLayout =
  /** skl2onnx RandomForestRegressor: leaf values / number of trees, summed. */
  | 'forest-regressor'
  /** skl2onnx GradientBoostingClassifier and LightGBM binary: one score, base value, LOGISTIC. */
  | 'boosted-classifier'
  /** XGBoost binary: BRANCH_LT, missing values down the true branch, base value, LOGISTIC. */
  | 'xgboost-classifier'
  /** skl2onnx RandomForestClassifier: averaged class probabilities, no link (explained by coalitions). */
  | 'forest-classifier';

/**
 * A tree ensemble on a float tensor [N, features], in one of the converters' layouts. With
 * `mixed`, the trees read a rotation of the features (a PCA-like MatMul), so a tree column is
 * no single card feature and TreeSHAP cannot be used.
 */
export function randomTreeEnsemble(
  seed: number,
  layout: TreeLayout,
  features: number,
  options: { trees?: number; depth?: number; mixed?: boolean } = {},
): RandomTreeModel {
  const { trees = 8, depth = 4, mixed = false } = options;
  const random = createRandom(seed);
  const forest = Array.from({ length: trees }, () => randomTree(random, features, depth));
  const xgboost = layout === 'xgboost-classifier';
  const a = nodeAttributes(forest, { mode: xgboost ? 'BRANCH_LT' : 'BRANCH_LEQ', missingTrue: xgboost });
  const names = Array.from({ length: features }, (_, i) => `x${i}`);
  const regression = layout === 'forest-regressor';
  const card: CardInput = {
    name: `trees-${layout}-${seed}`,
    version: '1.0.0',
    task: regression ? 'regression' : 'binary_classification',
    features: names.map((name, i) => ({
      name,
      type: 'number',
      baseline: grid(random.uniform(-1, 1)),
      ...(xgboost && i === 0 ? { allowMissing: true } : {}),
    })),
    inputs: { style: 'tensor', name: 'X' },
    output: regression ? { name: 'variable', range: [-10, 10] } : { name: 'probabilities' },
    explanations: { method: 'shapley', improve: 'raise' },
  };
  const inputs = [tensor('X', 'float', ['N', features])];
  const base = layout === 'forest-regressor' ? 0 : grid(random.uniform(-0.5, 0.5));
  const rotation = Array.from({ length: features * features }, (_, i) =>
    i % (features + 1) === 0 ? 0.75 : grid(random.uniform(-0.5, 0.5)),
  );
  const preprocessing = mixed ? [node('MatMul', ['X', 'rotation'], ['rotated'])] : [];
  const initializers = mixed ? [floatInitializer('rotation', rotation, [features, features])] : [];
  const treeInput = mixed ? 'rotated' : 'X';
  if (mixed) card.name = `${card.name}-mixed`;
  let onnx: Uint8Array;
  let leafMargin: (value: number) => number;
  if (layout === 'forest-regressor') {
    leafMargin = (v) => v / trees;
    onnx = buildModel({
      graphName: 'forest_regressor',
      inputs,
      outputs: [tensor('variable', 'float', ['N', 1])],
      initializers,
      nodes: [
        ...preprocessing,
        mlNode(
          'TreeEnsembleRegressor',
          [treeInput],
          ['variable'],
          [
            ...nodesAttrs(a),
            attr.ints(
              'target_treeids',
              a.leaves.map((l) => l.tree),
            ),
            attr.ints(
              'target_nodeids',
              a.leaves.map((l) => l.node),
            ),
            attr.ints(
              'target_ids',
              a.leaves.map(() => 0),
            ),
            attr.floats(
              'target_weights',
              a.leaves.map((l) => leafMargin(l.value)),
            ),
            attr.int('n_targets', 1),
            attr.string('aggregate_function', 'SUM'),
          ],
        ),
      ],
    });
  } else if (layout === 'forest-classifier') {
    // Each leaf holds a class-1 probability p (and 1 - p for class 0), divided by the tree count.
    const p = (v: number) => grid((v + 1.5) / 3);
    leafMargin = () => Number.NaN; // no additive margin: explained by coalitions
    onnx = buildModel({
      graphName: 'forest_classifier',
      inputs,
      outputs: [tensor('label', 'int64', ['N']), tensor('probabilities', 'float', ['N', 2])],
      initializers,
      nodes: [
        ...preprocessing,
        mlNode(
          'TreeEnsembleClassifier',
          [treeInput],
          ['label', 'probabilities'],
          [
            ...nodesAttrs(a),
            attr.ints(
              'class_treeids',
              a.leaves.flatMap((l) => [l.tree, l.tree]),
            ),
            attr.ints(
              'class_nodeids',
              a.leaves.flatMap((l) => [l.node, l.node]),
            ),
            attr.ints(
              'class_ids',
              a.leaves.flatMap(() => [0, 1]),
            ),
            attr.floats(
              'class_weights',
              a.leaves.flatMap((l) => [(1 - p(l.value)) / trees, p(l.value) / trees]),
            ),
            attr.ints('classlabels_int64s', [0, 1]),
            attr.string('post_transform', 'NONE'),
          ],
        ),
      ],
    });
  } else {
    leafMargin = (v) => v;
    onnx = buildModel({
      graphName: layout.replace('-', '_'),
      inputs,
      outputs: [tensor('label', 'int64', ['N']), sequenceOfMaps('probabilities', 'int64')],
      initializers,
      nodes: [
        ...preprocessing,
        mlNode(
          'TreeEnsembleClassifier',
          [treeInput],
          ['label', 'probability_tensor'],
          [
            ...nodesAttrs(a),
            attr.ints(
              'class_treeids',
              a.leaves.map((l) => l.tree),
            ),
            attr.ints(
              'class_nodeids',
              a.leaves.map((l) => l.node),
            ),
            attr.ints(
              'class_ids',
              a.leaves.map(() => 0),
            ),
            attr.floats(
              'class_weights',
              a.leaves.map((l) => l.value),
            ),
            attr.ints('classlabels_int64s', [0, 1]),
            attr.floats('base_values', [base]),
            attr.string('post_transform', 'LOGISTIC'),
          ],
        ),
        mlNode('ZipMap', ['probability_tensor'], ['probabilities'], [attr.ints('classlabels_int64s', [0, 1])]),
      ],
    });
  }
  return {
    card,
    onnx,
    marginReference: marginRegressor(inputs, preprocessing, treeInput, a, leafMargin, base, initializers),
  };
}

/**
 * Boosted trees behind skl2onnx's preprocessing: a category one-hot encoded (OneHotEncoder,
 * Flatten), two numbers scaled (Scaler), concatenated into the trees' input. Splits on a
 * one-hot column test a category, so TreeSHAP must count them for the category feature.
 */
export function randomPipelineTrees(seed: number, trees = 10, depth = 4): RandomTreeModel {
  const random = createRandom(seed);
  const regions = ['north', 'south', 'east', 'west'];
  // Columns: region=north..west (0-3), amount scaled (4), visits scaled (5).
  const forest = Array.from({ length: trees }, () =>
    randomTree(random, 6, depth, (column) => (column < 4 ? 0.5 : grid(random.uniform(-1.5, 1.5)))),
  );
  const a = nodeAttributes(forest, { mode: 'BRANCH_LEQ', missingTrue: false });
  const base = grid(random.uniform(-0.5, 0.5));
  const inputs = [
    tensor('region', 'string', ['N', 1]),
    tensor('amount', 'float', ['N', 1]),
    tensor('visits', 'float', ['N', 1]),
  ];
  const preprocessing = [
    mlNode('OneHotEncoder', ['region'], ['region_3d'], [attr.strings('cats_strings', regions), attr.int('zeros', 1)]),
    node('Flatten', ['region_3d'], ['region_onehot'], [attr.int('axis', 1)]),
    mlNode('Scaler', ['amount'], ['amount_scaled'], [attr.floats('offset', [100]), attr.floats('scale', [0.01])]),
    mlNode('Scaler', ['visits'], ['visits_scaled'], [attr.floats('offset', [3]), attr.floats('scale', [0.5])]),
    node('Concat', ['region_onehot', 'amount_scaled', 'visits_scaled'], ['design'], [attr.int('axis', 1)]),
  ];
  const card: CardInput = {
    name: `pipeline-trees-${seed}`,
    version: '1.0.0',
    task: 'binary_classification',
    features: [
      { name: 'Region', type: 'category', input: 'region', categories: regions, baseline: 'south' },
      { name: 'Amount', type: 'number', input: 'amount', baseline: 100 },
      { name: 'Visits', type: 'number', input: 'visits', baseline: 3 },
    ],
    inputs: { style: 'columns' },
    output: { name: 'output_probability', positiveClass: 1 },
    explanations: { method: 'shapley', improve: 'raise' },
  };
  const onnx = buildModel({
    graphName: 'pipeline_trees',
    inputs,
    outputs: [tensor('output_label', 'int64', ['N']), sequenceOfMaps('output_probability', 'int64')],
    nodes: [
      ...preprocessing,
      mlNode(
        'TreeEnsembleClassifier',
        ['design'],
        ['output_label', 'probabilities'],
        [
          ...nodesAttrs(a),
          attr.ints(
            'class_treeids',
            a.leaves.map((l) => l.tree),
          ),
          attr.ints(
            'class_nodeids',
            a.leaves.map((l) => l.node),
          ),
          attr.ints(
            'class_ids',
            a.leaves.map(() => 0),
          ),
          attr.floats(
            'class_weights',
            a.leaves.map((l) => l.value),
          ),
          attr.ints('classlabels_int64s', [0, 1]),
          attr.floats('base_values', [base]),
          attr.string('post_transform', 'LOGISTIC'),
        ],
      ),
      mlNode('ZipMap', ['probabilities'], ['output_probability'], [attr.ints('classlabels_int64s', [0, 1])]),
    ],
  });
  return { card, onnx, marginReference: marginRegressor(inputs, preprocessing, 'design', a, (v) => v, base) };
}

export type MlpOutput =
  /** torch.onnx.export of a logit; the card applies the sigmoid. */
  | 'logit'
  /** A Sigmoid node at the end of the graph: probabilities [N, 1]. */
  | 'sigmoid-node'
  /** A regression value. */
  | 'regression';

/** An MLP features → hidden (ReLU) → 1, as torch.onnx.export writes it, with random weights. */
export function randomMlp(seed: number, features: number, output: MlpOutput, hidden = 8): TestModel {
  const random = createRandom(seed);
  const weights = (n: number, scale: number) => Array.from({ length: n }, () => random.normal(0, scale));
  const nodes: NodeProto[] = [
    node('MatMul', ['input', 'w1'], ['h_linear']),
    node('Add', ['h_linear', 'b1'], ['h_biased']),
    node('Relu', ['h_biased'], ['h']),
    node('MatMul', ['h', 'w2'], ['out_linear']),
    node('Add', ['out_linear', 'b2'], [output === 'sigmoid-node' ? 'logit' : 'out']),
  ];
  if (output === 'sigmoid-node') nodes.push(node('Sigmoid', ['logit'], ['out']));
  const card: CardInput = {
    name: `mlp-${output}-${features}-${seed}`,
    version: '1.0.0',
    task: output === 'regression' ? 'regression' : 'binary_classification',
    features: Array.from({ length: features }, (_, i) => ({
      name: `f${i}`,
      type: 'number',
      baseline: Math.round(random.uniform(-1, 1) * 100) / 100,
    })),
    inputs: { style: 'tensor', name: 'input' },
    output:
      output === 'regression'
        ? { name: 'out', range: [-10, 10] }
        : output === 'logit'
          ? { name: 'out', transform: 'sigmoid' }
          : { name: 'out' },
    explanations: { method: 'shapley', improve: 'raise' },
  };
  const onnx = buildModel({
    graphName: 'torch_jit',
    inputs: [tensor('input', 'float', ['batch', features])],
    outputs: [tensor('out', 'float', ['batch', 1])],
    initializers: [
      floatInitializer('w1', weights(features * hidden, 1 / Math.sqrt(features)), [features, hidden]),
      floatInitializer('b1', weights(hidden, 0.5), [hidden]),
      floatInitializer('w2', weights(hidden, 1.5 / Math.sqrt(hidden)), [hidden, 1]),
      floatInitializer('b2', weights(1, 0.3), [1]),
    ],
    nodes,
  });
  return { card, onnx };
}

/**
 * A record for a random model: a category drawn from the card's, a number within ±2·spread of
 * its baseline (spread 1 unless given), and, for a feature the graph imputes, missing one time
 * in five.
 */
export function randomRecord(
  random: Random,
  card: CardInput,
  spread: Record<string, number> = {},
): Record<string, number | string | null> {
  return Object.fromEntries(
    card.features.map((f) => {
      if (f.type === 'category') return [f.name, f.categories![Math.floor(random.next() * f.categories!.length)]!];
      if (f.allowMissing && random.next() < 0.2) return [f.name, null];
      const baseline = typeof f.baseline === 'number' ? f.baseline : 0;
      return [f.name, Math.round((baseline + (spread[f.name] ?? 1) * random.uniform(-2, 2)) * 1000) / 1000];
    }),
  );
}
