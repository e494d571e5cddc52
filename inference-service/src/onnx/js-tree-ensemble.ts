import { UnsupportedGraphError, numericInput, numericTensor } from './js-tensor.ts';
import {
  floatsAttribute,
  hasAttribute,
  intAttribute,
  intsAttribute,
  stringAttribute,
  stringsAttribute,
} from './onnx-proto.ts';
import type { JsTensor, KernelFactory, NodeContext, NumericData } from './js-tensor.ts';

/**
 * ai.onnx.ml TreeEnsembleClassifier and TreeEnsembleRegressor, computing what onnxruntime's CPU kernels compute
 * (tree_ensemble_common.h, tree_ensemble_aggregator.h, ml_common.h), their quirks included: the scores are the
 * contract, so where onnxruntime is odd (the binary cases below) this is odd the same way, and where its result is
 * undefined or surprising enough to be a bug waiting for a fix, the node is refused instead.
 *
 * Precision follows onnxruntime: for float and integer inputs thresholds, weights and sums are float32 (integers are
 * compared after conversion to float); for double inputs they are float64. Post-transforms always run in float32.
 */

const MODES = ['BRANCH_LEQ', 'BRANCH_LT', 'BRANCH_GTE', 'BRANCH_GT', 'BRANCH_EQ', 'BRANCH_NEQ', 'LEAF'];
const LEAF = 6;
const AGGREGATES = ['SUM', 'AVERAGE', 'MIN', 'MAX'] as const;
type Aggregate = (typeof AGGREGATES)[number];
const TRANSFORMS = ['NONE', 'LOGISTIC', 'SOFTMAX', 'SOFTMAX_ZERO'] as const;
type Transform = (typeof TRANSFORMS)[number];
const FLOAT_MAX = 3.4028234663852886e38;
const SOFTMAX_ZERO_EPSILON = Math.fround(1e-7);
const identity = (v: number) => v;

function refuser(node: NodeContext['node']) {
  return (why: string): never => {
    throw new UnsupportedGraphError(`${node.opType} "${node.name}": ${why}`);
  };
}

function compileForest(node: NodeContext['node'], prefix: 'class' | 'target', n: number) {
  const refuse = refuser(node);
  for (const name of ['base_values_as_tensor', 'nodes_values_as_tensor', `${prefix}_weights_as_tensor`]) {
    if (hasAttribute(node, name)) refuse(`${name} is not supported`);
  }
  const treeIds = intsAttribute(node, 'nodes_treeids');
  const nodeIds = intsAttribute(node, 'nodes_nodeids');
  const featureIds = intsAttribute(node, 'nodes_featureids');
  const values = floatsAttribute(node, 'nodes_values');
  const modeNames = stringsAttribute(node, 'nodes_modes');
  const trueIds = intsAttribute(node, 'nodes_truenodeids');
  const falseIds = intsAttribute(node, 'nodes_falsenodeids');
  const missing = intsAttribute(node, 'nodes_missing_value_tracks_true');
  const count = treeIds.length;
  if (count === 0) refuse('it has no trees');
  if ([nodeIds, featureIds, values, modeNames, trueIds, falseIds].some((a) => a.length !== count)) {
    refuse('its nodes_* attributes differ in length');
  }
  if (featureIds.some((f) => f < 0)) refuse('a feature id is negative');
  const mode = Uint8Array.from(modeNames, (name) => {
    const m = MODES.indexOf(name);
    return m < 0 ? refuse(`node mode ${name} is not supported`) : m;
  });
  const feature = Int32Array.from(featureIds);
  const threshold = Float64Array.from(values, (v) => Math.fround(v));
  const missingTrue = Uint8Array.from(treeIds, (_, i) => (missing[i] === 1 ? 1 : 0));
  const maxFeature = featureIds.reduce((a, b) => Math.max(a, b), 0);

  const key = (tree: number, id: number) => `${tree}/${id}`;
  const index = new Map<string, number>();
  const roots: number[] = [];
  const trees = new Set<number>();
  for (let i = 0; i < count; i++) {
    if (index.has(key(treeIds[i]!, nodeIds[i]!))) refuse(`node ${nodeIds[i]} of tree ${treeIds[i]} is repeated`);
    index.set(key(treeIds[i]!, nodeIds[i]!), i);
    // onnxruntime takes the first listed node of each run of equal tree ids as that tree's root.
    if (i === 0 || treeIds[i] !== treeIds[i - 1]) {
      if (trees.has(treeIds[i]!)) refuse(`the nodes of tree ${treeIds[i]} are not listed together`);
      trees.add(treeIds[i]!);
      roots.push(i);
    }
  }
  const child = (i: number, ids: number[]) =>
    index.get(key(treeIds[i]!, ids[i]!)) ?? refuse(`node ${nodeIds[i]} of tree ${treeIds[i]} has a missing child`);
  const trueChild = Int32Array.from(mode, (m, i) => (m === LEAF ? -1 : child(i, trueIds)));
  const falseChild = Int32Array.from(mode, (m, i) => (m === LEAF ? -1 : child(i, falseIds)));
  // Evaluation walks until a leaf, so a cycle would never end; unreachable nodes make onnxruntime reject the model.
  // Kahn's sort from the roots visits every node exactly when the nodes form rooted acyclic trees.
  const children = (i: number) => (mode[i] === LEAF ? [] : [trueChild[i]!, falseChild[i]!]);
  const parents = new Int32Array(count);
  for (let i = 0; i < count; i++) for (const c of children(i)) parents[c]!++;
  const order = roots.filter((i) => parents[i] === 0);
  for (let k = 0; k < order.length; k++) for (const c of children(order[k]!)) if (--parents[c]! === 0) order.push(c);
  if (order.length !== count) refuse('a tree has a cycle or nodes unreachable from its root');

  const ids = intsAttribute(node, `${prefix}_ids`);
  const weightNodes = intsAttribute(node, `${prefix}_nodeids`);
  const weightTrees = intsAttribute(node, `${prefix}_treeids`);
  const weights = floatsAttribute(node, `${prefix}_weights`);
  if ([weightNodes, weightTrees, weights].some((a) => a.length !== ids.length)) {
    refuse(`its ${prefix}_* attributes differ in length`);
  }
  // A leaf's weights apply in attribute order (onnxruntime sorts them by tree, node, position); a branch's are ignored.
  const weightLeaf = ids.map((id, j) => {
    if (!Number.isInteger(id) || id < 0 || id >= n) refuse(`${prefix} id ${id} is outside [0, ${n})`);
    const at = index.get(key(weightTrees[j]!, weightNodes[j]!)) ?? refuse(`a weight names a missing node`);
    return mode[at] === LEAF ? at : -1;
  });
  // Leaf i's weights are weightTarget/weightValue[weightStart[i] .. weightStart[i + 1]); the sort is stable.
  const sorted = ids.map((_, j) => j).filter((j) => weightLeaf[j]! >= 0);
  sorted.sort((a, b) => weightLeaf[a]! - weightLeaf[b]!);
  const weightTarget = Int32Array.from(sorted, (j) => ids[j]!);
  const weightValue = Float64Array.from(sorted, (j) => Math.fround(weights[j]!));
  const weightStart = new Int32Array(count + 1);
  for (const j of sorted) weightStart[weightLeaf[j]! + 1]!++;
  for (let i = 0; i < count; i++) weightStart[i + 1]! += weightStart[i]!;
  const tree = { mode, feature, threshold, missingTrue, trueChild, falseChild, roots: Int32Array.from(roots) };
  // Per-row scratch: onnxruntime's ScoreValue, a score and whether any leaf scored that target.
  const scratch = { score: new Float64Array(n), has: new Uint8Array(n) };
  return { ...tree, weightStart, weightTarget, weightValue, maxFeature, n, ...scratch };
}

type Forest = ReturnType<typeof compileForest>;

function findLeaf(f: Forest, root: number, x: NumericData, offset: number, toFloat: boolean): number {
  let i = root;
  while (f.mode[i] !== LEAF) {
    const v = toFloat ? Math.fround(x[offset + f.feature[i]!]!) : x[offset + f.feature[i]!]!;
    const t = f.threshold[i]!;
    const m = f.mode[i];
    const yes = m === 0 ? v <= t : m === 1 ? v < t : m === 2 ? v >= t : m === 3 ? v > t : m === 4 ? v === t : v !== t;
    i = yes || (f.missingTrue[i] === 1 && Number.isNaN(v)) ? f.trueChild[i]! : f.falseChild[i]!;
  }
  return i;
}

type Finish = (score: Float64Array, has: Uint8Array, r: (v: number) => number, out: Float32Array, at: number) => void;

/**
 * Runs every row through every tree, accumulating into `score`/`has` (a target no leaf scored reads as 0 in
 * onnxruntime however its score was adjusted), then lets `finish` write the row's outputs.
 */
function evaluate(
  f: Forest,
  aggregate: Aggregate,
  input: JsTensor | undefined,
  previous: JsTensor | undefined,
  op: string,
  finish: Finish,
): JsTensor {
  const x = numericInput(input, op);
  if (x.dims.length !== 1 && x.dims.length !== 2) throw new Error(`${op}: input must be 1-D or 2-D, got [${x.dims}]`);
  const rows = x.dims.length === 1 ? 1 : x.dims[0]!;
  const stride = x.dims.length === 1 ? x.dims[0]! : x.dims[1]!;
  // onnxruntime counts a 1-D input as one feature.
  const features = x.dims.length === 1 ? 1 : stride;
  if (f.maxFeature >= features) {
    throw new Error(`${op}: a tree reads feature ${f.maxFeature} but the input has ${features} features`);
  }
  const r = x.type === 'float64' ? identity : Math.fround;
  const toFloat = x.type === 'int64' || x.type === 'int32';
  const { n, score, has } = f;
  const result = numericTensor('float32', [rows, n], previous);
  const out = result.data as Float32Array;
  for (let row = 0; row < rows; row++) {
    score.fill(0);
    has.fill(0);
    for (let j = 0; j < f.roots.length; j++) {
      const leaf = findLeaf(f, f.roots[j]!, x.data, row * stride, toFloat);
      for (let k = f.weightStart[leaf]!, end = f.weightStart[leaf + 1]!; k < end; k++) {
        const t = f.weightTarget[k]!;
        const w = f.weightValue[k]!;
        if (aggregate === 'SUM' || aggregate === 'AVERAGE') score[t] = r(score[t]! + w);
        else if (!has[t] || (aggregate === 'MIN' ? w < score[t]! : w > score[t]!)) score[t] = w;
        has[t] = 1;
      }
    }
    finish(score, has, r, out, row * n);
  }
  return result;
}

function logistic(v: number): number {
  const p = Math.fround(1 / Math.fround(1 + Math.fround(Math.exp(-Math.abs(v)))));
  return v < 0 ? Math.fround(1 - p) : p;
}

/** ml_common.h write_scores for two or more scores; out's float32 storage rounds each step as onnxruntime does. */
function writeScores(score: Float64Array, has: Uint8Array, transform: Transform, out: Float32Array, at: number) {
  const n = score.length;
  for (let k = 0; k < n; k++) out[at + k] = has[k] ? score[k]! : 0;
  if (transform === 'LOGISTIC') for (let k = at; k < at + n; k++) out[k] = logistic(out[k]!);
  if (transform !== 'SOFTMAX' && transform !== 'SOFTMAX_ZERO') return;
  let max = -FLOAT_MAX;
  for (let k = at; k < at + n; k++) if (out[k]! > max) max = out[k]!;
  const expNegMax = Math.fround(Math.exp(-max));
  let sum = 0;
  for (let k = at; k < at + n; k++) {
    const v = out[k]!;
    if (transform === 'SOFTMAX' || v > SOFTMAX_ZERO_EPSILON || v < -SOFTMAX_ZERO_EPSILON) {
      out[k] = Math.exp(Math.fround(v - max));
      sum = Math.fround(sum + out[k]!);
    } else out[k] = v * expNegMax;
  }
  for (let k = at; k < at + n; k++) out[k] = out[k]! / sum;
}

export const treeEnsembleClassifier: KernelFactory = (context) => {
  const { node } = context;
  const refuse = refuser(node);
  if (context.outputsUsed[0]) refuse('its label output is read; only scores are supported');
  const transform = stringAttribute(node, 'post_transform', 'NONE') as Transform;
  if (!TRANSFORMS.includes(transform)) refuse(`post_transform ${transform} is not supported`);
  const n = stringsAttribute(node, 'classlabels_strings').length || intsAttribute(node, 'classlabels_int64s').length;
  if (n < 2) refuse('it has fewer than two class labels');
  const forest = compileForest(node, 'class', n);
  const base = floatsAttribute(node, 'base_values').map(Math.fround);
  // onnxruntime's binary special case: two labels but a single class id across all weights (branches' included).
  const classIds = intsAttribute(node, 'class_ids');
  const binaryCase = n === 2 && new Set(classIds).size === 1;
  const allPositive = floatsAttribute(node, 'class_weights').every((w) => !(w < 0));
  // One base value without the binary case leaves onnxruntime's second score column unwritten (garbage).
  if (!(base.length === 0 || base.length === n || (n === 2 && base.length === 1 && binaryCase))) {
    refuse(`${base.length} base_values for ${n} classes`);
  }
  // A single score s becomes two columns: [logistic(-s), logistic(s)] under LOGISTIC; otherwise, whatever the
  // post_transform, [1 - s, s] in the binary case with only positive weights and [-s, s] in any other.
  const complement = binaryCase && allPositive;

  const finish: Finish = (score, has, r, out, at) => {
    if (n > 2) {
      for (let k = 0; k < base.length; k++) {
        score[k] = has[k] ? r(score[k]! + base[k]!) : base[k]!;
        has[k] = 1;
      }
      if (!has.includes(1)) throw new Error('TreeEnsembleClassifier: no class has a score (onnxruntime fails too)');
      return writeScores(score, has, transform, out, at);
    }
    if (base.length === 2) {
      // onnxruntime: once class 1 is scored, it becomes base_values[1] + class 0's raw sum, and class 0 its negation.
      if (has[1]) {
        score[1] = r(base[1]! + score[0]!);
        score[0] = -score[1]!;
      } else score[0] = r(score[0]! + base[0]!);
      return writeScores(score, has, transform, out, at);
    }
    if (base.length === 1) score[0] = r(score[0]! + base[0]!);
    if (has[1]) return writeScores(score, has, transform, out, at);
    const s = has[0] ? score[0]! : 0;
    const logit = transform === 'LOGISTIC';
    out[at] = logit ? logistic(Math.fround(-s)) : complement ? 1 - s : -s;
    out[at + 1] = logit ? logistic(Math.fround(s)) : s;
  };
  return (inputs, previous) => [
    undefined,
    evaluate(forest, 'SUM', inputs[0], previous[1], 'TreeEnsembleClassifier', finish),
  ];
};

export const treeEnsembleRegressor: KernelFactory = (context) => {
  const { node } = context;
  const refuse = refuser(node);
  const transform = stringAttribute(node, 'post_transform', 'NONE');
  if (transform !== 'NONE') refuse(`post_transform ${transform} is not supported`);
  const aggregate = stringAttribute(node, 'aggregate_function', 'SUM') as Aggregate;
  if (!AGGREGATES.includes(aggregate)) refuse(`aggregate_function ${aggregate} is not supported`);
  const n = intAttribute(node, 'n_targets', 0);
  if (!(n >= 1)) refuse('n_targets must be at least 1');
  const forest = compileForest(node, 'target', n);
  const base = floatsAttribute(node, 'base_values').map(Math.fround);
  if (base.length !== 0 && base.length !== n) refuse(`${base.length} base_values for ${n} targets`);
  // With one target onnxruntime reads a leaf's first weight only, or its nodes_values entry when it has none.
  for (let i = 0; n === 1 && i < forest.mode.length; i++) {
    const weights = forest.weightStart[i + 1]! - forest.weightStart[i]!;
    if (forest.mode[i] === LEAF && weights !== 1) refuse('with one target every leaf needs exactly one weight');
  }
  const trees = forest.roots.length;

  const finish: Finish = (score, has, r, out, at) => {
    for (let t = 0; t < n; t++) {
      const s = aggregate === 'AVERAGE' ? r(score[t]! / trees) : score[t]!;
      out[at + t] = has[t] ? r(s + (base[t] ?? 0)) : 0;
    }
  };
  return (inputs, previous) => [evaluate(forest, aggregate, inputs[0], previous[0], 'TreeEnsembleRegressor', finish)];
};
