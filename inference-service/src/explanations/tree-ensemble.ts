import { attributeValue, tensorNumbers } from '../onnx/onnx-proto.ts';
import type { NodeProto, TensorProto } from '../onnx/onnx-proto.ts';
import { classLabelCount } from './graph-dependencies.ts';

/**
 * The trees of an ONNX TreeEnsembleClassifier or TreeEnsembleRegressor node (ai.onnx.ml
 * opset 1–3), read into flat arrays for TreeSHAP, with each leaf's contribution to the margin
 * (log-odds of the positive class, or the raw regression value).
 *
 * Reads the layouts skl2onnx and onnxmltools (LightGBM, XGBoost) write: BRANCH_LEQ / BRANCH_LT
 * splits, missing values down the "true" branch, base values. Only a margin linear in the
 * trees' sums is read (regressors, binary boosted classifiers, a softmax over two classes), not
 * averaged class probabilities (a random forest classifier). The loader checks the result
 * against onnxruntime on real rows (explanation-setup.ts).
 */

/** A node's comparison (or LEAF), as stored in TreeEnsemble.mode. */
export const SplitMode = { Leq: 0, Lt: 1, Gte: 2, Gt: 3, Eq: 4, Neq: 5, Leaf: 6 } as const;
export type SplitMode = (typeof SplitMode)[keyof typeof SplitMode];

export interface TreeEnsemble {
  /** Index of each tree's root node in the arrays below. */
  roots: Int32Array;
  /** Per node: the input column it splits on (leaves: -1). */
  column: Int32Array;
  threshold: Float64Array;
  mode: Uint8Array;
  /** 1 when a missing (NaN) value takes the true branch. */
  missingTrue: Uint8Array;
  trueChild: Int32Array;
  falseChild: Int32Array;
  /** Per leaf: what it adds to the margin (0 for branches). */
  leafMargin: Float64Array;
  /** The margin when no tree adds anything: base values, in margin units. */
  bias: number;
  /** Columns the trees read from their input. */
  columns: number;
}

export type TreeEnsembleReading = { ok: true; trees: TreeEnsemble } | { ok: false; reason: string };

const MODES: Record<string, SplitMode> = {
  BRANCH_LEQ: SplitMode.Leq,
  BRANCH_LT: SplitMode.Lt,
  BRANCH_GTE: SplitMode.Gte,
  BRANCH_GT: SplitMode.Gt,
  BRANCH_EQ: SplitMode.Eq,
  BRANCH_NEQ: SplitMode.Neq,
  LEAF: SplitMode.Leaf,
};

/**
 * Reads a tree ensemble node. `positiveColumn` is the probability column the card scores
 * (classifiers); the margin is the log-odds of that column's probability.
 */
export function readTreeEnsemble(node: NodeProto, positiveColumn: number): TreeEnsembleReading {
  const regressor = node.opType === 'TreeEnsembleRegressor';
  const numbers = (name: string): number[] | undefined => {
    const plain = attributeValue(node, name) as number[] | undefined;
    if (plain && plain.length > 0) return plain;
    const tensor = attributeValue(node, `${name}_as_tensor`) as TensorProto | undefined;
    return tensor ? tensorNumbers(tensor) : plain;
  };
  const postTransform = (attributeValue(node, 'post_transform') as string | undefined) ?? 'NONE';
  const aggregate = (attributeValue(node, 'aggregate_function') as string | undefined) ?? 'SUM';
  const treeIds = numbers('nodes_treeids') ?? [];
  const nodeIds = numbers('nodes_nodeids') ?? [];
  const featureIds = numbers('nodes_featureids') ?? [];
  const values = numbers('nodes_values') ?? [];
  const modes = (attributeValue(node, 'nodes_modes') as string[] | undefined) ?? [];
  const trueIds = numbers('nodes_truenodeids') ?? [];
  const falseIds = numbers('nodes_falsenodeids') ?? [];
  const missing = numbers('nodes_missing_value_tracks_true') ?? [];
  const prefix = regressor ? 'target' : 'class';
  const weightTrees = numbers(`${prefix}_treeids`) ?? [];
  const weightNodes = numbers(`${prefix}_nodeids`) ?? [];
  const weightIds = numbers(`${prefix}_ids`) ?? [];
  const weights = numbers(`${prefix}_weights`) ?? [];
  const baseValues = numbers('base_values') ?? [];
  const n = treeIds.length;
  if (n === 0) return { ok: false, reason: 'the node has no trees' };
  if ([nodeIds, featureIds, values, modes, trueIds, falseIds].some((a) => a.length !== n)) {
    return { ok: false, reason: 'its node attributes have different lengths' };
  }

  // The margin as a linear function of the per-class (or per-target) sums: coefficient per id.
  let coefficients: Map<number, number>;
  let bias: number;
  const ids = new Set(weightIds);
  if (regressor) {
    const targets = (attributeValue(node, 'n_targets') as number | undefined) ?? 1;
    if (targets !== 1) return { ok: false, reason: `it predicts ${targets} targets` };
    if (postTransform !== 'NONE') return { ok: false, reason: `its post_transform is ${postTransform}` };
    coefficients = new Map([[0, 1]]);
    bias = baseValues[0] ?? 0;
  } else {
    const labels = classLabelCount(node);
    if (ids.size === 1 && labels === 2 && postTransform === 'LOGISTIC') {
      // One score s for two classes (boosted binary classifiers): p(positive) = sigmoid(s).
      const sign = positiveColumn === 1 ? 1 : -1;
      const id = [...ids][0]!;
      coefficients = new Map([[id, sign]]);
      bias = sign * (baseValues.length === 2 ? baseValues[1]! : (baseValues[0] ?? 0));
    } else if (ids.size === 2 && labels === 2 && postTransform === 'SOFTMAX') {
      // log(p1 / p0) = s1 - s0.
      const other = 1 - positiveColumn;
      coefficients = new Map([
        [positiveColumn, 1],
        [other, -1],
      ]);
      bias = (baseValues[positiveColumn] ?? 0) - (baseValues[other] ?? 0);
    } else if (ids.size >= 2 && postTransform === 'LOGISTIC') {
      // Each class its own sigmoid: the log-odds of a column is its own sum.
      coefficients = new Map([[positiveColumn, 1]]);
      bias = baseValues.length === labels ? (baseValues[positiveColumn] ?? 0) : 0;
    } else {
      return {
        ok: false,
        reason:
          postTransform === 'NONE'
            ? 'its leaves hold class probabilities, whose log-odds the trees do not add up to'
            : `${ids.size} classes with post_transform ${postTransform} do not give a log-odds the trees add up to`,
      };
    }
  }

  const index = new Map<string, number>();
  const roots: number[] = [];
  let previousTree: number | undefined;
  for (let i = 0; i < n; i++) {
    const key = `${treeIds[i]}:${nodeIds[i]}`;
    if (index.has(key)) return { ok: false, reason: `node ${nodeIds[i]} of tree ${treeIds[i]} appears twice` };
    index.set(key, i);
    // As onnxruntime does: a tree starts where the tree id changes.
    if (treeIds[i] !== previousTree) roots.push(i);
    previousTree = treeIds[i];
  }
  const column = new Int32Array(n);
  const threshold = new Float64Array(n);
  const mode = new Uint8Array(n);
  const missingTrue = new Uint8Array(n);
  const trueChild = new Int32Array(n).fill(-1);
  const falseChild = new Int32Array(n).fill(-1);
  let columns = 0;
  for (let i = 0; i < n; i++) {
    const m = MODES[modes[i]!];
    if (m === undefined) return { ok: false, reason: `node mode ${modes[i]} is not known` };
    mode[i] = m;
    missingTrue[i] = missing[i] === 1 ? 1 : 0;
    threshold[i] = values[i]!;
    if (m === SplitMode.Leaf) {
      column[i] = -1;
      continue;
    }
    column[i] = featureIds[i]!;
    columns = Math.max(columns, featureIds[i]! + 1);
    const t = index.get(`${treeIds[i]}:${trueIds[i]}`);
    const f = index.get(`${treeIds[i]}:${falseIds[i]}`);
    if (t === undefined || f === undefined) return { ok: false, reason: `node ${nodeIds[i]} points at a missing node` };
    trueChild[i] = t;
    falseChild[i] = f;
  }
  const leafMargin = new Float64Array(n);
  const average = aggregate === 'AVERAGE';
  if (aggregate !== 'SUM' && !average) return { ok: false, reason: `its aggregate_function is ${aggregate}` };
  if (average && !regressor) return { ok: false, reason: 'a classifier averaging its trees is not supported' };
  for (let w = 0; w < weights.length; w++) {
    const leaf = index.get(`${weightTrees[w]}:${weightNodes[w]}`);
    if (leaf === undefined || mode[leaf] !== SplitMode.Leaf) {
      return { ok: false, reason: `a weight points at node ${weightNodes[w]}, which is not a leaf` };
    }
    const coefficient = coefficients.get(weightIds[w]!) ?? 0;
    leafMargin[leaf]! += (coefficient * weights[w]!) / (average ? roots.length : 1);
  }
  return {
    ok: true,
    trees: {
      roots: Int32Array.from(roots),
      column,
      threshold,
      mode,
      missingTrue,
      trueChild,
      falseChild,
      leafMargin,
      bias,
      columns,
    },
  };
}

/** Whether a value takes a split's true branch, as onnxruntime decides it (NaN compares false, except "not equal"). */
export function goesTrue(trees: TreeEnsemble, node: number, value: number): boolean {
  if (trees.missingTrue[node] === 1 && Number.isNaN(value)) return true;
  const t = trees.threshold[node]!;
  switch (trees.mode[node]) {
    case SplitMode.Leq:
      return value <= t;
    case SplitMode.Lt:
      return value < t;
    case SplitMode.Gte:
      return value >= t;
    case SplitMode.Gt:
      return value > t;
    case SplitMode.Eq:
      return value === t;
    case SplitMode.Neq:
      return value !== t;
    default:
      return false;
  }
}
