import { UnsupportedGraphError, numericInput, numericTensor, size } from './js-tensor.ts';
import {
  floatAttribute,
  floatsAttribute,
  intAttribute,
  intsAttribute,
  stringAttribute,
  stringsAttribute,
} from './onnx-proto.ts';
import type { JsTensor, Kernel, KernelFactory, NodeContext, NumericData, NumericTensor } from './js-tensor.ts';
import { treeEnsembleClassifier, treeEnsembleRegressor } from './js-tree-ensemble.ts';

/**
 * The operators the JavaScript graph runner implements: what scikit-learn pipelines
 * (skl2onnx), this repo's trainer and small torch exports put in front of a score. Each
 * factory refuses (UnsupportedGraphError) any attribute it does not implement exactly, so
 * an unusual node sends the whole model to onnxruntime instead of scoring it differently.
 * Every model that does run here is also checked against onnxruntime at load (js-graph.ts).
 */

const ML = 'ai.onnx.ml';

// ---- element-wise --------------------------------------------------------------------------

/** The output type of an arithmetic op: onnxruntime requires both inputs to share it. */
function sameType(a: NumericTensor, b: NumericTensor, op: string): NumericTensor['type'] {
  if (a.type !== b.type) throw new Error(`${op}: inputs are ${a.type} and ${b.type}; they must match`);
  return a.type;
}

/** Numpy-style broadcast of two shapes, or an error naming both. */
function broadcastDims(a: number[], b: number[], op: string): number[] {
  // The usual case, a constant or a bias broadcast over the other input, needs no new array.
  if (broadcastsInto(b, a)) return a;
  if (broadcastsInto(a, b)) return b;
  const rank = Math.max(a.length, b.length);
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new Error(`${op}: shapes [${a}] and [${b}] do not broadcast`);
    dims.push(x === 1 ? y : x);
  }
  return dims;
}

/** Whether `small` broadcasts to `big` leaving `big` as it is (every axis of `small` 1 or equal, none extra). */
function broadcastsInto(small: number[], big: number[]): boolean {
  if (small.length > big.length) return false;
  const skip = big.length - small.length;
  for (let i = 0; i < small.length; i++) if (small[i] !== 1 && small[i] !== big[skip + i]) return false;
  return true;
}

/** For each output position, the flat index into an input of `dims` broadcast to `out`. */
function broadcastStrides(dims: number[], out: number[]): number[] {
  const strides = new Array<number>(out.length).fill(0);
  let stride = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    const axis = out.length - dims.length + i;
    strides[axis] = dims[i] === 1 ? 0 : stride;
    stride *= dims[i]!;
  }
  return strides;
}

function binary(op: string, f: (x: number, y: number) => number): KernelFactory {
  return () => (inputs, previous) => {
    const a = numericInput(inputs[0], op, 0);
    const b = numericInput(inputs[1], op, 1);
    const out = numericTensor(sameType(a, b, op), broadcastDims(a.dims, b.dims, op), previous[0]);
    const n = out.data.length;
    if (a.data.length === n && b.data.length === n) {
      for (let i = 0; i < n; i++) out.data[i] = f(a.data[i]!, b.data[i]!);
    } else if (b.data.length === 1) {
      const y = b.data[0]!;
      for (let i = 0; i < n; i++) out.data[i] = f(a.data[i % a.data.length]!, y);
    } else {
      const sa = broadcastStrides(a.dims, out.dims);
      const sb = broadcastStrides(b.dims, out.dims);
      const index = new Array<number>(out.dims.length).fill(0);
      for (let i = 0; i < n; i++) {
        let ia = 0;
        let ib = 0;
        for (let d = 0; d < index.length; d++) {
          ia += index[d]! * sa[d]!;
          ib += index[d]! * sb[d]!;
        }
        out.data[i] = f(a.data[ia]!, b.data[ib]!);
        for (let d = index.length - 1; d >= 0; d--) {
          if (++index[d]! < out.dims[d]!) break;
          index[d] = 0;
        }
      }
    }
    if (out.type === 'int64' || out.type === 'int32') truncate(out.data);
    return [out];
  };
}

function truncate(data: Float32Array | Float64Array): void {
  for (let i = 0; i < data.length; i++) data[i] = Math.trunc(data[i]!);
}

/** A float-only element-wise function (onnxruntime registers these for float and double). */
function unary(op: string, f: (x: number) => number): KernelFactory {
  return () => (inputs, previous) => {
    const x = numericInput(inputs[0], op);
    if (x.type !== 'float32' && x.type !== 'float64') throw new Error(`${op}: input is ${x.type}, expected float`);
    const out = numericTensor(x.type, x.dims, previous[0]);
    for (let i = 0; i < x.data.length; i++) out.data[i] = f(x.data[i]!);
    return [out];
  };
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

// ---- shape ---------------------------------------------------------------------------------

const identity: KernelFactory = () => (inputs) => [inputs[0]];

const flatten: KernelFactory = ({ node }) => {
  const axis = intAttribute(node, 'axis', 1);
  return (inputs, previous) => {
    const x = inputs[0]!;
    const at = axis < 0 ? axis + x.dims.length : axis;
    if (at < 0 || at > x.dims.length) throw new Error(`Flatten: axis ${axis} is out of range for [${x.dims}]`);
    const rows = size(x.dims, 0, at);
    const columns = size(x.dims, at);
    // A view of x's data. Kernels hand back the same tensor run after run, so last run's view usually still fits.
    const last = previous[0];
    if (last && last.type === x.type && last.data === x.data && last.dims[0] === rows && last.dims[1] === columns) {
      return [last];
    }
    return [{ type: x.type, data: x.data, dims: [rows, columns] } as JsTensor];
  };
};

const reshape: KernelFactory = ({ node, constant }) => {
  const shape = constant(node.input?.[1] ?? '');
  if (!shape || shape.type !== 'int64') throw new UnsupportedGraphError('Reshape with a computed shape');
  if (intAttribute(node, 'allowzero', 0) !== 0) throw new UnsupportedGraphError('Reshape with allowzero');
  const target = [...shape.data];
  return (inputs) => {
    const x = inputs[0]!;
    const dims = target.map((d, i) => (d === 0 ? x.dims[i]! : d));
    const known = dims.reduce((p, d) => (d === -1 ? p : p * d), 1);
    const inferred = dims.map((d) => (d === -1 ? size(x.dims) / known : d));
    if (size(inferred) !== size(x.dims) || !inferred.every(Number.isInteger)) {
      throw new Error(`Reshape: cannot reshape [${x.dims}] to [${target}]`);
    }
    return [{ ...x, dims: inferred } as JsTensor];
  };
};

const concat: KernelFactory = ({ node }) => {
  const axis = intAttribute(node, 'axis', Number.NaN);
  if (Number.isNaN(axis)) throw new UnsupportedGraphError('Concat without an axis');
  // Per input, the values it adds to each block along the axis (its size from the axis on), refilled each run.
  const chunks: number[] = [];
  return (inputs, previous) => {
    let first: JsTensor | undefined;
    for (const part of inputs) first ??= part;
    if (!first) throw new Error('Concat: no inputs');
    if (first.type === 'bool') throw new Error('Concat: bool tensors are not supported here');
    const rank = first.dims.length;
    const at = axis < 0 ? axis + rank : axis;
    if (at < 0 || at >= rank) throw new Error(`Concat: axis ${axis} is out of range for [${first.dims}]`);
    const outer = size(first.dims, 0, at);
    let width = 0;
    for (let p = 0; p < inputs.length; p++) {
      const part = inputs[p];
      chunks[p] = 0;
      if (!part) continue;
      if (part.type !== first.type || part.dims.length !== rank) {
        throw new Error(
          `Concat: inputs differ in type or rank (${first.type}[${first.dims}], ${part.type}[${part.dims}])`,
        );
      }
      for (let d = 0; d < rank; d++) {
        if (d !== at && part.dims[d] !== first.dims[d]) {
          throw new Error(`Concat: shapes [${first.dims}] and [${part.dims}] differ off axis ${at}`);
        }
      }
      chunks[p] = size(part.dims, at);
      width += chunks[p]!;
    }
    const dims = first.dims.slice();
    dims[at] = width / size(first.dims, at + 1);
    const out: JsTensor =
      first.type === 'string'
        ? { type: 'string', data: new Array<string>(outer * width), dims }
        : numericTensor(first.type, dims, previous[0]);
    let offset = 0;
    for (let p = 0; p < inputs.length; p++) {
      // Same type as out (checked above), so a float32 input copies into float32 storage unchanged.
      if (inputs[p]) copyBlocks(inputs[p]!.data as ArrayLike<unknown>, out.data, outer, chunks[p]!, width, offset);
      offset += chunks[p]!;
    }
    return [out];
  };
};

/** Copies `outer` blocks of `chunk` values from `source` into `target`, block o starting at o * width + offset. */
function copyBlocks<T>(
  source: ArrayLike<T>,
  target: { [i: number]: T },
  outer: number,
  chunk: number,
  width: number,
  offset: number,
): void {
  for (let o = 0; o < outer; o++) {
    const from = o * chunk;
    const to = o * width + offset;
    for (let i = 0; i < chunk; i++) target[to + i] = source[from + i]!;
  }
}

// ---- conversions ---------------------------------------------------------------------------

const CAST_TARGETS: Record<number, NumericTensor['type']> = { 1: 'float32', 11: 'float64', 7: 'int64', 6: 'int32' };

const cast: KernelFactory = ({ node }) => {
  const to = CAST_TARGETS[intAttribute(node, 'to', -1)];
  if (!to) throw new UnsupportedGraphError(`Cast to element type ${intAttribute(node, 'to', -1)}`);
  return (inputs, previous) => {
    const x = numericInput(inputs[0], 'Cast');
    const out = numericTensor(to, x.dims, previous[0]);
    out.data.set(x.data);
    if (to === 'int64' || to === 'int32') truncate(out.data);
    return [out];
  };
};

// ---- linear algebra ------------------------------------------------------------------------

/** out[r, j] = sum_k a[r, k] b[k, j], accumulated in double and stored in the output type. */
function matmul2d(a: NumericTensor, b: NumericTensor, transA: boolean, transB: boolean, op: string, reuse?: JsTensor) {
  if (a.dims.length !== 2 || b.dims.length !== 2)
    throw new Error(`${op}: expects 2-D inputs, got [${a.dims}] and [${b.dims}]`);
  const [m, k] = transA ? [a.dims[1]!, a.dims[0]!] : [a.dims[0]!, a.dims[1]!];
  const [kb, n] = transB ? [b.dims[1]!, b.dims[0]!] : [b.dims[0]!, b.dims[1]!];
  if (k !== kb) throw new Error(`${op}: inner dimensions differ ([${a.dims}] × [${b.dims}])`);
  const out = numericTensor(sameType(a, b, op), [m, n], reuse);
  for (let r = 0; r < m; r++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let i = 0; i < k; i++) {
        const x = transA ? a.data[i * m + r]! : a.data[r * k + i]!;
        const y = transB ? b.data[j * k + i]! : b.data[i * n + j]!;
        sum += x * y;
      }
      out.data[r * n + j] = sum;
    }
  }
  return out;
}

const matMul: KernelFactory = () => (inputs, previous) => {
  const a = numericInput(inputs[0], 'MatMul', 0);
  const b = numericInput(inputs[1], 'MatMul', 1);
  if (b.dims.length === 1) {
    const product = matmul2d(a, { ...b, dims: [b.dims[0]!, 1] } as NumericTensor, false, false, 'MatMul', previous[0]);
    return [{ ...product, dims: [a.dims[0]!] } as NumericTensor];
  }
  return [matmul2d(a, b, false, false, 'MatMul', previous[0])];
};

const gemm: KernelFactory = ({ node }) => {
  const alpha = floatAttribute(node, 'alpha', 1);
  const beta = floatAttribute(node, 'beta', 1);
  const transA = intAttribute(node, 'transA', 0) === 1;
  const transB = intAttribute(node, 'transB', 0) === 1;
  const add = binary('Gemm', (x, y) => x + y)({} as NodeContext);
  return (inputs, previous) => {
    const a = numericInput(inputs[0], 'Gemm', 0);
    const b = numericInput(inputs[1], 'Gemm', 1);
    const product = matmul2d(a, b, transA, transB, 'Gemm');
    if (alpha !== 1) for (let i = 0; i < product.data.length; i++) product.data[i] = alpha * product.data[i]!;
    const c = inputs[2];
    if (!c) return [product];
    const bias = numericInput(c, 'Gemm', 2);
    const scaled = numericTensor(bias.type, bias.dims);
    for (let i = 0; i < bias.data.length; i++) scaled.data[i] = beta * bias.data[i]!;
    return add([product, scaled], previous);
  };
};

const softmax: KernelFactory = ({ node, opset }) => {
  const axis = intAttribute(node, 'axis', opset >= 13 ? -1 : 1);
  return (inputs, previous) => {
    const x = numericInput(inputs[0], 'Softmax');
    const at = axis < 0 ? axis + x.dims.length : axis;
    // Before opset 13 the input is coerced to 2-D at the axis; from 13 the axis alone is normalised.
    // The two agree when the axis is the last one, the only case accepted here.
    if (at !== x.dims.length - 1) throw new Error(`Softmax: only the last axis is supported, got ${axis}`);
    const width = x.dims[at]!;
    const out = numericTensor(x.type, x.dims, previous[0]);
    for (let offset = 0; offset < x.data.length; offset += width)
      softmaxRow(x.data, offset, out.data, offset, width, false);
    return [out];
  };
};

/**
 * Softmax of data[from, from + width) into out[to, to + width), summing in double; with
 * `zero`, entries that are exactly 0 stay 0 (post_transform SOFTMAX_ZERO).
 */
function softmaxRow(
  data: ArrayLike<number>,
  from: number,
  out: Float32Array | Float64Array,
  to: number,
  width: number,
  zero: boolean,
): void {
  let max = -Infinity;
  for (let c = 0; c < width; c++) if (!zero || data[from + c] !== 0) max = Math.max(max, data[from + c]!);
  let sum = 0;
  for (let c = 0; c < width; c++) sum += zero && data[from + c] === 0 ? 0 : Math.exp(data[from + c]! - max);
  for (let c = 0; c < width; c++) {
    out[to + c] = zero && data[from + c] === 0 ? 0 : Math.exp(data[from + c]! - max) / sum;
  }
}

// ---- ai.onnx.ml ----------------------------------------------------------------------------

/** The input as a [rows, columns] matrix: a vector is one column per row, as onnxruntime's ML ops read it. */
function rowsAndColumns(x: JsTensor): [number, number] {
  if (x.dims.length === 0) return [1, 1];
  if (x.dims.length === 1) return [1, x.dims[0]!];
  return [x.dims[0]!, size(x.dims) / x.dims[0]!];
}

/** The input of a linear model as [rows, features] rows, or an error naming the width it should have. */
function linearInput(input: JsTensor | undefined, op: string, features: number): [NumericTensor, number] {
  const x = numericInput(input, op);
  const [rows, columns] = rowsAndColumns(x);
  if (columns !== features) throw new Error(`${op}: ${columns} input columns, coefficients for ${features}`);
  return [x, rows];
}

/** intercepts[t] + x[row]·coefficients[t] for each of `targets`, summed in double, into out[at + t]. */
function linearRow(
  x: NumericData,
  row: number,
  coefficients: number[],
  intercepts: number[],
  targets: number,
  out: NumericData,
  at: number,
): void {
  const features = coefficients.length / targets;
  const offset = row * features;
  for (let t = 0; t < targets; t++) {
    let sum = intercepts[t] ?? 0;
    const w = t * features;
    for (let i = 0; i < features; i++) sum += x[offset + i]! * coefficients[w + i]!;
    out[at + t] = sum;
  }
}

/** A per-column parameter given once for all columns or once per column. */
function perColumn(values: number[], columns: number, op: string, name: string): number[] {
  if (values.length === 1) return new Array<number>(columns).fill(values[0]!);
  if (values.length !== columns) throw new Error(`${op}: ${name} has ${values.length} values for ${columns} columns`);
  return values;
}

/** perColumn for the input's column count, remembered from run to run (a node sees the same width every run). */
function perColumnFor(values: number[], op: string, name: string): (columns: number) => number[] {
  let columnsLast = -1;
  let last: number[] = [];
  return (columns) => {
    if (columns !== columnsLast) {
      last = perColumn(values, columns, op, name);
      columnsLast = columns;
    }
    return last;
  };
}

const imputer: KernelFactory = ({ node }) => {
  const values = floatsAttribute(node, 'imputed_value_floats');
  if (values.length === 0) throw new UnsupportedGraphError('Imputer with integer values');
  const replaced = floatAttribute(node, 'replaced_value_float', 0);
  const replaceNaN = Number.isNaN(replaced);
  const fillFor = perColumnFor(values, 'Imputer', 'imputed_value_floats');
  return (inputs, previous) => {
    const x = numericInput(inputs[0], 'Imputer');
    if (x.type !== 'float32') throw new Error(`Imputer: input is ${x.type}; imputed_value_floats needs float`);
    const [rows, columns] = rowsAndColumns(x);
    const fill = fillFor(columns);
    const out = numericTensor('float32', x.dims, previous[0]);
    for (let r = 0, i = 0; r < rows; r++) {
      for (let c = 0; c < columns; c++, i++) {
        const v = x.data[i]!;
        out.data[i] = (replaceNaN ? Number.isNaN(v) : v === replaced) ? fill[c]! : v;
      }
    }
    return [out];
  };
};

const scaler: KernelFactory = ({ node }) => {
  const offsets = floatsAttribute(node, 'offset');
  const scales = floatsAttribute(node, 'scale');
  const offsetFor = perColumnFor(offsets.length > 0 ? offsets : [0], 'Scaler', 'offset');
  const scaleFor = perColumnFor(scales.length > 0 ? scales : [1], 'Scaler', 'scale');
  return (inputs, previous) => {
    const x = numericInput(inputs[0], 'Scaler');
    const [rows, columns] = rowsAndColumns(x);
    const offset = offsetFor(columns);
    const scale = scaleFor(columns);
    const out = numericTensor('float32', x.dims, previous[0]);
    // onnxruntime computes in float32: (x - offset) rounded, then times scale.
    for (let r = 0, i = 0; r < rows; r++) {
      for (let c = 0; c < columns; c++, i++) {
        out.data[i] = Math.fround(Math.fround(x.data[i]!) - offset[c]!) * scale[c]!;
      }
    }
    return [out];
  };
};

const oneHotEncoder: KernelFactory = ({ node }) => {
  const strings = stringsAttribute(node, 'cats_strings');
  const ints = intsAttribute(node, 'cats_int64s');
  const zeros = intAttribute(node, 'zeros', 1) === 1;
  const categories = strings.length > 0 ? strings : ints;
  const index = new Map<string | number, number>(categories.map((c, i) => [c, i]));
  const width = categories.length;
  return (inputs, previous) => {
    const x = inputs[0]!;
    const byString = x.type === 'string';
    if (byString !== strings.length > 0)
      throw new Error(`OneHotEncoder: input is ${x.type} but the categories are not`);
    const out = numericTensor('float32', [...x.dims, width], previous[0]);
    const values = x.data as ArrayLike<string | number>;
    for (let i = 0; i < values.length; i++) {
      const at = index.get(values[i]!);
      if (at !== undefined) out.data[i * width + at] = 1;
      else if (!zeros) throw new Error(`OneHotEncoder: unknown category "${values[i]}" and zeros is 0`);
    }
    return [out];
  };
};

/** The class scores [N, classes] of a linear model, after post_transform. */
const linearClassifier: KernelFactory = ({ node, outputsUsed }) => {
  if (outputsUsed[0]) throw new UnsupportedGraphError('LinearClassifier whose label output is read');
  const coefficients = floatsAttribute(node, 'coefficients');
  const intercepts = floatsAttribute(node, 'intercepts');
  const labels = Math.max(
    intsAttribute(node, 'classlabels_ints').length,
    stringsAttribute(node, 'classlabels_strings').length,
  );
  const transform = stringAttribute(node, 'post_transform', 'NONE');
  if (!['NONE', 'LOGISTIC', 'SOFTMAX', 'SOFTMAX_ZERO'].includes(transform)) {
    throw new UnsupportedGraphError(`LinearClassifier post_transform ${transform}`);
  }
  if (intAttribute(node, 'multi_class', 0) !== 0) throw new UnsupportedGraphError('LinearClassifier multi_class');
  const targets = intercepts.length > 0 ? intercepts.length : labels;
  if (targets === 0 || coefficients.length % targets !== 0) {
    throw new UnsupportedGraphError('LinearClassifier coefficients do not divide into classes');
  }
  // One row of coefficients for two labels: onnxruntime writes [1 - v, v], where v is the
  // score through the logistic for LOGISTIC and the raw score otherwise (the softmaxes do not apply).
  const secondClass = targets === 1 && labels === 2;
  const features = coefficients.length / targets;
  const width = secondClass ? 2 : targets;
  // One row's raw scores, in float32 as onnxruntime holds them before post_transform.
  const raw = new Float32Array(targets);
  return (inputs, previous) => {
    const [x, rows] = linearInput(inputs[0], 'LinearClassifier', features);
    const scores = numericTensor('float32', [rows, width], previous[1]);
    const out = scores.data;
    for (let r = 0; r < rows; r++) {
      linearRow(x.data, r, coefficients, intercepts, targets, raw, 0);
      const at = r * width;
      if (secondClass) {
        const v = transform === 'LOGISTIC' ? Math.fround(sigmoid(raw[0]!)) : raw[0]!;
        out[at] = 1 - v;
        out[at + 1] = v;
      } else if (transform === 'SOFTMAX' || transform === 'SOFTMAX_ZERO') {
        softmaxRow(raw, 0, out, at, targets, transform === 'SOFTMAX_ZERO');
      } else {
        for (let t = 0; t < targets; t++) out[at + t] = transform === 'LOGISTIC' ? sigmoid(raw[t]!) : raw[t]!;
      }
    }
    return [undefined, scores];
  };
};

const linearRegressor: KernelFactory = ({ node }) => {
  const coefficients = floatsAttribute(node, 'coefficients');
  const intercepts = floatsAttribute(node, 'intercepts');
  const targets = intAttribute(node, 'targets', 1);
  if (stringAttribute(node, 'post_transform', 'NONE') !== 'NONE') {
    throw new UnsupportedGraphError('LinearRegressor with a post_transform');
  }
  if (coefficients.length % targets !== 0)
    throw new UnsupportedGraphError('LinearRegressor coefficients do not divide into targets');
  const features = coefficients.length / targets;
  return (inputs, previous) => {
    const [x, rows] = linearInput(inputs[0], 'LinearRegressor', features);
    const out = numericTensor('float32', [rows, targets], previous[0]);
    for (let r = 0; r < rows; r++) linearRow(x.data, r, coefficients, intercepts, targets, out.data, r * targets);
    return [out];
  };
};

/** Kernels by `domain:opType` ('' for the default ai.onnx domain). */
export const KERNELS: ReadonlyMap<string, KernelFactory> = new Map([
  [':Identity', identity],
  [':Flatten', flatten],
  [':Reshape', reshape],
  [':Concat', concat],
  [':Cast', cast],
  [':Add', binary('Add', (x, y) => x + y)],
  [':Sub', binary('Sub', (x, y) => x - y)],
  [':Mul', binary('Mul', (x, y) => x * y)],
  [':Div', binary('Div', (x, y) => x / y)],
  [':Log', unary('Log', Math.log)],
  [':Exp', unary('Exp', Math.exp)],
  [':Sqrt', unary('Sqrt', Math.sqrt)],
  [':Abs', unary('Abs', Math.abs)],
  [':Neg', unary('Neg', (x) => -x)],
  [':Tanh', unary('Tanh', Math.tanh)],
  [':Relu', unary('Relu', (x) => (x > 0 ? x : 0))],
  [':Sigmoid', unary('Sigmoid', sigmoid)],
  [':MatMul', matMul],
  [':Gemm', gemm],
  [':Softmax', softmax],
  [`${ML}:Imputer`, imputer],
  [`${ML}:Scaler`, scaler],
  [`${ML}:OneHotEncoder`, oneHotEncoder],
  [`${ML}:LinearClassifier`, linearClassifier],
  [`${ML}:LinearRegressor`, linearRegressor],
  [`${ML}:TreeEnsembleClassifier`, treeEnsembleClassifier],
  [`${ML}:TreeEnsembleRegressor`, treeEnsembleRegressor],
]);

export function kernelFor(context: NodeContext): Kernel {
  const { node } = context;
  const domain = node.domain === 'ai.onnx' ? '' : (node.domain ?? '');
  const factory = KERNELS.get(`${domain}:${node.opType}`);
  if (!factory) throw new UnsupportedGraphError(`operator ${domain ? `${domain}.` : ''}${node.opType}`);
  return factory(context);
}
