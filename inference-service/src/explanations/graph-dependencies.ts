import { attributeValue, tensorNumbers } from '../onnx/onnx-proto.ts';
import type { GraphProto, NodeProto, TensorProto } from '../onnx/onnx-proto.ts';

/**
 * Which card features each value in an ONNX graph depends on, read from the graph's operators
 * without running it. Two explanation algorithms rest on it:
 *
 * - Shapley values by interaction group: when the margin is a sum of terms and no term mixes
 *   two groups of features (a linear or logistic model over per-feature preprocessing), each
 *   group is explained on its own, with 2^k − 1 rows for its k features instead of 2^F.
 * - TreeSHAP: every column of the trees' input must come from exactly one card feature, so a
 *   split on a one-hot or scaled column is a split on that feature.
 *
 * A tensor is described per row: its elements (after the batch axis, row-major), each a sum of
 * terms, a term being the set of card features it depends on. Linear operators (Add, MatMul
 * with constant weights, LinearClassifier's raw scores, Scaler, Concat, slicing) keep terms
 * apart; a nonlinear one (Relu, Sigmoid, a product of two inputs) merges an element's terms.
 * An unknown operator makes its outputs unknown, which only costs speed (the model is then
 * explained as one group), never correctness.
 */

/** Sorted card feature indexes. */
export type Term = readonly number[];

export interface ElementTerms {
  /** The dimensions after the batch axis. */
  shape: number[];
  /** One list of terms per element, row-major; an empty list is a constant. */
  elements: Term[][];
}

/** How a graph input carries card features: element i of each row is feature features[i]. */
export interface InputFeatures {
  shape: number[];
  features: number[];
}

/** Above this many terms an element is merged into one (a correct, coarser description). */
const MAX_TERMS_PER_ELEMENT = 256;
/** Tensors with more elements per row than this are left unknown (the analysis would cost more than it saves). */
const MAX_ELEMENTS = 100_000;

export class GraphDependencies {
  private readonly known = new Map<string, ElementTerms>();
  private readonly constants = new Map<string, TensorProto>();

  /** Walks the graph's nodes (ONNX keeps them in topological order) from the inputs the card feeds. */
  constructor(graph: GraphProto, inputs: ReadonlyMap<string, InputFeatures>) {
    for (const initializer of graph.initializer ?? []) {
      if (initializer.name) this.constants.set(initializer.name, initializer);
    }
    for (const [name, input] of inputs) {
      this.known.set(name, { shape: input.shape, elements: input.features.map((f) => [[f]]) });
    }
    for (const node of graph.node ?? []) {
      if (node.opType === 'Constant' && node.output?.[0]) {
        const value = attributeValue(node, 'value') as TensorProto | undefined;
        if (value) this.constants.set(node.output[0], value);
        continue;
      }
      let outputs: Array<ElementTerms | undefined>;
      try {
        outputs = this.propagate(node);
      } catch {
        outputs = [];
      }
      (node.output ?? []).forEach((name, i) => {
        const terms = outputs[i];
        if (name && terms && terms.elements.length <= MAX_ELEMENTS) this.known.set(name, terms);
      });
    }
  }

  /** What a tensor's elements depend on; undefined when the analysis cannot tell. */
  of(tensor: string): ElementTerms | undefined {
    return this.known.get(tensor);
  }

  private input(node: NodeProto, i: number): ElementTerms | undefined {
    const name = node.input?.[i];
    return name ? this.known.get(name) : undefined;
  }

  private constant(node: NodeProto, i: number): TensorProto | undefined {
    const name = node.input?.[i];
    return name ? this.constants.get(name) : undefined;
  }

  private constantInts(node: NodeProto, i: number): number[] | undefined {
    const tensor = this.constant(node, i);
    return tensor ? tensorNumbers(tensor) : undefined;
  }

  private propagate(node: NodeProto): Array<ElementTerms | undefined> {
    const op = node.opType ?? '';
    const x = this.input(node, 0);
    if (PASS_THROUGH.has(op)) return [x];
    if (ELEMENTWISE_NONLINEAR.has(op)) return [this.combine(node, (terms) => merge(terms.flat()))];
    switch (op) {
      case 'Add':
      case 'Sub':
      case 'Sum':
        return [this.combine(node, (terms) => dedupe(terms.flat()))];
      case 'Mul':
      case 'Div':
        // Scaling by a constant keeps a sum a sum; a product of two inputs is an interaction.
        return [
          this.combine(node, (terms, constants) =>
            constants === terms.length - 1 ? dedupe(terms.flat()) : merge(terms.flat()),
          ),
        ];
      case 'Flatten':
        if (!x || (attributeValue(node, 'axis') ?? 1) !== 1) return [];
        return [{ shape: [x.elements.length], elements: x.elements }];
      case 'Reshape':
        return [x ? this.reshape(x, this.constantInts(node, 1)) : undefined];
      case 'Squeeze':
      case 'Unsqueeze': {
        const axes = (attributeValue(node, 'axes') as number[] | undefined) ?? this.constantInts(node, 1);
        if (!x || !axes || axes.some((a) => a === 0 || a === -(x.shape.length + 1))) return [];
        return [op === 'Squeeze' ? squeeze(x, axes) : unsqueeze(x, axes)];
      }
      case 'Transpose': {
        const perm = attributeValue(node, 'perm') as number[] | undefined;
        if (!x || !perm || perm[0] !== 0 || perm.length !== x.shape.length + 1) return [];
        const inner = perm.slice(1).map((p) => p - 1);
        return [transpose(x, inner)];
      }
      case 'Concat':
        return [this.concat(node)];
      case 'Gather': {
        const axis = (attributeValue(node, 'axis') as number | undefined) ?? 0;
        const indices = this.constantInts(node, 1);
        if (!x || !indices || axis === 0 || this.constant(node, 1)?.dims?.length !== 1) return [];
        return [select(x, innerAxis(axis, x.shape.length), indices)];
      }
      case 'ArrayFeatureExtractor': {
        const indices = this.constantInts(node, 1);
        if (!x || !indices || x.shape.length === 0) return [];
        return [select(x, x.shape.length - 1, indices)];
      }
      case 'Slice':
        return [x ? this.slice(node, x) : undefined];
      case 'Split':
        return x ? this.split(node, x) : [];
      case 'OneHotEncoder': {
        if (!x) return [];
        const cats =
          (attributeValue(node, 'cats_strings') as string[] | undefined) ??
          (attributeValue(node, 'cats_int64s') as number[] | undefined);
        if (!cats || cats.length === 0) return [];
        const elements = x.elements.flatMap((terms) => Array.from({ length: cats.length }, () => merge(terms)));
        return [{ shape: [...x.shape, cats.length], elements }];
      }
      case 'Normalizer':
      case 'Softmax':
      case 'LogSoftmax':
      case 'Hardmax':
        return x ? [mixAll(x)] : [];
      case 'MatMul':
        return [x ? this.matMul(x, this.constant(node, 1), false) : undefined];
      case 'Gemm': {
        if (!x || (attributeValue(node, 'transA') ?? 0) !== 0) return [];
        return [this.matMul(x, this.constant(node, 1), (attributeValue(node, 'transB') ?? 0) === 1)];
      }
      case 'LinearRegressor': {
        if (!x || ((attributeValue(node, 'post_transform') as string | undefined) ?? 'NONE') !== 'NONE') return [];
        const targets = (attributeValue(node, 'targets') as number | undefined) ?? 1;
        return [linearScores(x, attributeValue(node, 'coefficients') as number[], targets)];
      }
      case 'LinearClassifier': {
        if (!x) return [];
        const coefficients = attributeValue(node, 'coefficients') as number[];
        const intercepts = (attributeValue(node, 'intercepts') as number[] | undefined) ?? [];
        const classes = Math.max(intercepts.length, 1);
        const raw = linearScores(x, coefficients, classes);
        if (!raw) return [];
        // A single score for two labels becomes the columns [-s, s] or [1 - s, s]: both depend on s alone.
        const columns = classes === 1 ? [raw.elements[0]!, raw.elements[0]!] : raw.elements;
        const transform = (attributeValue(node, 'post_transform') as string | undefined) ?? 'NONE';
        const scores = { shape: [columns.length], elements: columns };
        if (transform === 'NONE') return [undefined, scores];
        const logistic = transform === 'LOGISTIC';
        return [undefined, logistic ? { shape: scores.shape, elements: columns.map(merge) } : mixAll(scores)];
      }
      case 'TreeEnsembleRegressor':
      case 'TreeEnsembleClassifier': {
        // Conservative: every output depends on every input feature, as one term.
        if (!x) return [];
        const everything = merge(x.elements.flat());
        const width =
          op === 'TreeEnsembleRegressor'
            ? ((attributeValue(node, 'n_targets') as number | undefined) ?? 1)
            : Math.max(classLabelCount(node), 1);
        const scores = { shape: [width], elements: Array.from({ length: width }, () => everything) };
        return op === 'TreeEnsembleRegressor' ? [scores] : [undefined, scores];
      }
      default:
        return [];
    }
  }

  /**
   * An elementwise operator over several inputs with numpy broadcasting: `rule` gets each
   * input's terms at an output element (constants as none) and how many inputs were constants.
   */
  private combine(node: NodeProto, rule: (terms: Term[][], constants: number) => Term[]): ElementTerms | undefined {
    const names = (node.input ?? []).filter((name) => name !== ''); // an optional input left out
    const rank = names.map((name) => this.known.get(name)).find((terms) => terms !== undefined)?.shape.length;
    if (rank === undefined) return undefined;
    const operands: Array<{ shape: number[]; elements: Term[][] | undefined }> = [];
    for (const name of names) {
      const terms = this.known.get(name);
      if (terms) {
        // Row tensors of different ranks would align their batch axis with another axis.
        if (terms.shape.length !== rank) return undefined;
        operands.push(terms);
        continue;
      }
      const constant = this.constants.get(name);
      if (!constant) return undefined;
      // A constant aligns to the trailing axes; axes beyond a row's (the batch axis) must be 1.
      const dims = (constant.dims ?? []).map(Number);
      const extra = dims.length - rank;
      if (extra > 0 && dims.slice(0, extra).some((d) => d !== 1)) return undefined;
      operands.push({ shape: extra > 0 ? dims.slice(extra) : dims, elements: undefined });
    }
    const shape = broadcastShape(operands.map((o) => o.shape));
    if (!shape) return undefined;
    const size = product(shape);
    if (size > MAX_ELEMENTS) return undefined;
    const indexers = operands.map((o) => broadcastIndex(shape, o.shape));
    const constants = operands.filter((o) => !o.elements).length;
    const elements = new Array<Term[]>(size);
    for (let e = 0; e < size; e++) {
      const terms = operands.map((o, i) => (o.elements ? o.elements[indexers[i]!(e)]! : []));
      elements[e] = rule(terms, constants);
    }
    return { shape, elements };
  }

  private reshape(x: ElementTerms, target: number[] | undefined): ElementTerms | undefined {
    if (!target || target.length === 0) return undefined;
    // The batch axis must stay first: 0 copies it, -1 infers it.
    if (target[0] !== 0 && target[0] !== -1) return undefined;
    const size = x.elements.length;
    const inner = target.slice(1).map((d, i) => (d === 0 ? x.shape[i] : d));
    if (inner.some((d) => d === undefined)) return undefined;
    const known = (inner as number[]).filter((d) => d !== -1);
    const knownSize = product(known);
    const shape = (inner as number[]).map((d) => (d === -1 ? size / knownSize : d));
    if (target[0] === -1 && shape.includes(-1)) return undefined;
    if (product(shape) !== size || !shape.every(Number.isInteger)) return undefined;
    return { shape, elements: x.elements };
  }

  private concat(node: NodeProto): ElementTerms | undefined {
    const parts = (node.input ?? []).map((name) => this.known.get(name));
    if (parts.length === 0 || !parts.every((p) => p !== undefined)) return undefined;
    const rank = parts[0]!.shape.length;
    if (parts.some((p) => p.shape.length !== rank)) return undefined;
    const attribute = attributeValue(node, 'axis') as number;
    if (attribute === 0 || attribute === -(rank + 1)) return undefined;
    const axis = innerAxis(attribute, rank);
    const outer = product(parts[0]!.shape.slice(0, axis));
    const shape = [...parts[0]!.shape];
    shape[axis] = parts.reduce((sum, p) => sum + p.shape[axis]!, 0);
    const elements: Term[][] = [];
    for (let o = 0; o < outer; o++) {
      for (const part of parts) {
        const block = product(part.shape.slice(axis));
        elements.push(...part.elements.slice(o * block, (o + 1) * block));
      }
    }
    return { shape, elements };
  }

  private slice(node: NodeProto, x: ElementTerms): ElementTerms | undefined {
    const starts = (attributeValue(node, 'starts') as number[] | undefined) ?? this.constantInts(node, 1);
    const ends = (attributeValue(node, 'ends') as number[] | undefined) ?? this.constantInts(node, 2);
    const axes =
      (attributeValue(node, 'axes') as number[] | undefined) ??
      (node.input?.[3] ? this.constantInts(node, 3) : starts?.map((_, i) => i));
    const steps = node.input?.[4] ? this.constantInts(node, 4) : starts?.map(() => 1);
    if (!starts || !ends || !axes || !steps) return undefined;
    let current = x;
    for (let i = 0; i < axes.length; i++) {
      const rank = current.shape.length;
      if (axes[i] === 0 || axes[i] === -(rank + 1)) {
        // A slice of the whole batch axis is allowed; anything else drops rows.
        if (starts[i] === 0 && ends[i]! >= 2 ** 31 - 1 && steps[i] === 1) continue;
        return undefined;
      }
      const axis = innerAxis(axes[i]!, rank);
      const dim = current.shape[axis]!;
      const step = steps[i]!;
      if (step === 0) return undefined;
      const clampIndex = (v: number, low: number, high: number) => Math.min(Math.max(v < 0 ? v + dim : v, low), high);
      const indices: number[] = [];
      if (step > 0) {
        for (let j = clampIndex(starts[i]!, 0, dim); j < clampIndex(ends[i]!, 0, dim); j += step) indices.push(j);
      } else {
        for (let j = clampIndex(starts[i]!, -1, dim - 1); j > clampIndex(ends[i]!, -1, dim - 1); j += step)
          indices.push(j);
      }
      const selected = select(current, axis, indices);
      if (!selected) return undefined;
      current = selected;
    }
    return current;
  }

  private split(node: NodeProto, x: ElementTerms): Array<ElementTerms | undefined> {
    const outputs = node.output?.length ?? 0;
    const rank = x.shape.length;
    const attribute = (attributeValue(node, 'axis') as number | undefined) ?? 0;
    if (attribute === 0 || attribute === -(rank + 1)) return [];
    const axis = innerAxis(attribute, rank);
    const dim = x.shape[axis]!;
    const sizes =
      (attributeValue(node, 'split') as number[] | undefined) ??
      (node.input?.[1] ? this.constantInts(node, 1) : Array.from({ length: outputs }, () => dim / outputs));
    if (!sizes || sizes.some((s) => !Number.isInteger(s))) return [];
    let start = 0;
    return sizes.map((size) => {
      const indices = Array.from({ length: size }, (_, i) => start + i);
      start += size;
      return select(x, axis, indices);
    });
  }

  /** x [N, k] times a constant [k, m] (or [m, k] transposed): output j sums the inputs with a non-zero weight. */
  private matMul(x: ElementTerms, weight: TensorProto | undefined, transposed: boolean): ElementTerms | undefined {
    if (!weight || x.shape.length !== 1) return undefined;
    const dims = (weight.dims ?? []).map(Number);
    if (dims.length !== 2) return undefined;
    const [rows, columns] = transposed ? [dims[1]!, dims[0]!] : [dims[0]!, dims[1]!];
    if (rows !== x.elements.length) return undefined;
    const values = tensorNumbers(weight);
    const at = (i: number, j: number) => (values ? values[transposed ? j * rows + i : i * columns + j]! : 1);
    const elements = Array.from({ length: columns }, (_, j) =>
      dedupe(x.elements.filter((_, i) => at(i, j) !== 0).flat()),
    );
    return { shape: [columns], elements };
  }
}

/** Elementwise and affine (or the identity): an element keeps its input's terms. */
const PASS_THROUGH = new Set(['Identity', 'Dropout', 'Neg', 'Scaler', 'BatchNormalization']);

/** Elementwise and nonlinear in their inputs: an output element's terms merge into one. */
const ELEMENTWISE_NONLINEAR = new Set([
  'Max',
  'Min',
  'Pow',
  'PRelu',
  'Where',
  'Greater',
  'GreaterOrEqual',
  'Less',
  'LessOrEqual',
  'Equal',
  'And',
  'Or',
  'Relu',
  'LeakyRelu',
  'Sigmoid',
  'HardSigmoid',
  'Tanh',
  'Exp',
  'Log',
  'Abs',
  'Sqrt',
  'Reciprocal',
  'Floor',
  'Ceil',
  'Round',
  'Sign',
  'Clip',
  'Erf',
  'Softplus',
  'Softsign',
  'Elu',
  'Selu',
  'Celu',
  'Gelu',
  'IsNaN',
  'IsInf',
  'Not',
  'Cast',
  'Imputer',
  'Binarizer',
  'LabelEncoder',
]);

/** How many class labels a classifier node lists (0 when it lists none). */
export function classLabelCount(node: NodeProto): number {
  const ints = attributeValue(node, 'classlabels_int64s') as number[] | undefined;
  const strings = attributeValue(node, 'classlabels_strings') as string[] | undefined;
  return Math.max(ints?.length ?? 0, strings?.length ?? 0);
}

/** Scores that are linear in x: score c sums the inputs with a non-zero coefficient in row c. */
function linearScores(x: ElementTerms, coefficients: number[] | undefined, scores: number): ElementTerms | undefined {
  const width = x.elements.length;
  if (!coefficients || coefficients.length !== scores * width) return undefined;
  const elements = Array.from({ length: scores }, (_, c) =>
    dedupe(x.elements.filter((_, j) => coefficients[c * width + j] !== 0).flat()),
  );
  return { shape: [scores], elements };
}

/** Every element depends on every feature of the row, as one term. */
function mixAll(x: ElementTerms): ElementTerms {
  const all = merge(x.elements.flat());
  return { shape: x.shape, elements: x.elements.map(() => all) };
}

/** The terms as one: an interaction of all their features (none for a constant). */
export function merge(terms: Term[]): Term[] {
  const features = new Set<number>();
  for (const term of terms) for (const f of term) features.add(f);
  return features.size === 0 ? [] : [[...features].sort((a, b) => a - b)];
}

function dedupe(terms: Term[]): Term[] {
  const seen = new Map<string, Term>();
  for (const term of terms) seen.set(term.join(','), term);
  const unique = [...seen.values()];
  return unique.length > MAX_TERMS_PER_ELEMENT ? merge(unique) : unique;
}

function product(values: number[]): number {
  return values.reduce((p, v) => p * v, 1);
}

/** An axis of the full tensor (batch first) as an axis of the element shape. */
function innerAxis(axis: number, innerRank: number): number {
  return (axis < 0 ? axis + innerRank + 1 : axis) - 1;
}

function broadcastShape(shapes: number[][]): number[] | undefined {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    let dim = 1;
    for (const shape of shapes) {
      const d = shape[shape.length - rank + i] ?? 1;
      if (d !== 1) {
        if (dim !== 1 && dim !== d) return undefined;
        dim = d;
      }
    }
    out.push(dim);
  }
  return out;
}

/** Maps an output element index to the index of the same element in an input of `shape`, under broadcasting. */
function broadcastIndex(out: number[], shape: number[]): (index: number) => number {
  const offset = out.length - shape.length;
  return (index) => {
    let source = 0;
    let stride = 1;
    let rest = index;
    const coords: number[] = [];
    for (let i = out.length - 1; i >= 0; i--) {
      coords[i] = rest % out[i]!;
      rest = Math.floor(rest / out[i]!);
    }
    for (let i = shape.length - 1; i >= 0; i--) {
      const d = shape[i]!;
      source += (d === 1 ? 0 : coords[i + offset]!) * stride;
      stride *= d;
    }
    return source;
  };
}

/** The elements at `indices` along one axis of the element shape. */
function select(x: ElementTerms, axis: number, indices: number[]): ElementTerms | undefined {
  const dim = x.shape[axis];
  if (dim === undefined) return undefined;
  const normalized = indices.map((i) => (i < 0 ? i + dim : i));
  if (normalized.some((i) => i < 0 || i >= dim)) return undefined;
  const outer = product(x.shape.slice(0, axis));
  const inner = product(x.shape.slice(axis + 1));
  const elements: Term[][] = [];
  for (let o = 0; o < outer; o++) {
    for (const i of normalized) {
      for (let k = 0; k < inner; k++) elements.push(x.elements[(o * dim + i) * inner + k]!);
    }
  }
  const shape = [...x.shape];
  shape[axis] = normalized.length;
  return { shape, elements };
}

function squeeze(x: ElementTerms, axes: number[]): ElementTerms {
  const drop = new Set(axes.map((a) => innerAxis(a, x.shape.length)));
  return { shape: x.shape.filter((d, i) => !(drop.has(i) && d === 1)), elements: x.elements };
}

function unsqueeze(x: ElementTerms, axes: number[]): ElementTerms {
  const rank = x.shape.length + axes.length;
  const added = new Set(axes.map((a) => (a < 0 ? a + rank + 1 : a) - 1));
  const shape: number[] = [];
  for (let i = 0, j = 0; i < rank; i++) shape.push(added.has(i) ? 1 : x.shape[j++]!);
  return { shape, elements: x.elements };
}

function transpose(x: ElementTerms, perm: number[]): ElementTerms | undefined {
  if (perm.some((p) => p < 0 || p >= x.shape.length)) return undefined;
  const shape = perm.map((p) => x.shape[p]!);
  const size = x.elements.length;
  const strides = x.shape.map((_, i) => product(x.shape.slice(i + 1)));
  const elements = new Array<Term[]>(size);
  for (let e = 0; e < size; e++) {
    let rest = e;
    let source = 0;
    for (let i = shape.length - 1; i >= 0; i--) {
      source += (rest % shape[i]!) * strides[perm[i]!]!;
      rest = Math.floor(rest / shape[i]!);
    }
    elements[e] = x.elements[source]!;
  }
  return { shape, elements };
}

/**
 * Groups of features whose contributions to a margin with these terms can be computed apart:
 * the connected components of the terms. Returns a group number per card feature, -1 for a
 * feature in no term (it cannot move the margin).
 */
export function interactionGroups(terms: Term[], featureCount: number): Int32Array {
  const parent = Int32Array.from({ length: featureCount }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  const used = new Uint8Array(featureCount);
  for (const term of terms) {
    for (const f of term) used[f] = 1;
    for (let i = 1; i < term.length; i++) parent[find(term[i]!)] = find(term[0]!);
  }
  const groups = new Int32Array(featureCount).fill(-1);
  const numbers = new Map<number, number>();
  for (let f = 0; f < featureCount; f++) {
    if (!used[f]) continue;
    const root = find(f);
    if (!numbers.has(root)) numbers.set(root, numbers.size);
    groups[f] = numbers.get(root)!;
  }
  return groups;
}
