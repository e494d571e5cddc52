import { ElemType } from './onnx-proto.ts';
import type { NodeProto, TensorProto } from './onnx-proto.ts';

/**
 * The tensors and kernel contract of the JavaScript graph runner (js-graph.ts).
 *
 * Integers (int64, int32) are held as float64 values: exact up to 2^53, far beyond any
 * category code or count a scoring model sees, and it spares every kernel a BigInt path.
 * float32 tensors are stored in Float32Array, so each kernel's output is rounded to float32
 * exactly where onnxruntime rounds it.
 */

export type JsDataType = 'float32' | 'float64' | 'int64' | 'int32' | 'bool' | 'string';
export type NumericData = Float32Array | Float64Array;

export type JsTensor =
  | { type: 'float32'; data: Float32Array; dims: number[] }
  | { type: 'float64' | 'int64' | 'int32'; data: Float64Array; dims: number[] }
  | { type: 'bool'; data: Uint8Array; dims: number[] }
  | { type: 'string'; data: string[]; dims: number[] };

export type NumericTensor = Extract<JsTensor, { data: NumericData }>;

/** A graph or node the runner does not implement; the model then runs on onnxruntime alone. */
export class UnsupportedGraphError extends Error {
  override name = 'UnsupportedGraphError';
}

/** What a kernel factory sees of a node: its attributes, and which inputs are constants (initializers). */
export interface NodeContext {
  node: NodeProto;
  /** Opset version of the node's domain. */
  opset: number;
  /** The constant behind an input name, when that input is an initializer. */
  constant(name: string): JsTensor | undefined;
  /** Per node output: whether anything reads it. A kernel may leave unread outputs undefined (a classifier's labels). */
  outputsUsed: boolean[];
}

/**
 * Computes a node's outputs, in node order, from its inputs (absent optional inputs are
 * undefined). Outputs nothing reads may be undefined. Throws on bad data, as onnxruntime does.
 * `previous` holds what this node returned last run: those tensors are free to write over
 * (pass them to numericTensor), so a graph run allocates little once it has run at a size.
 * The graph refills the same `inputs` array every run: a kernel must not keep it.
 */
export type Kernel = (
  inputs: Array<JsTensor | undefined>,
  previous: ReadonlyArray<JsTensor | undefined>,
) => Array<JsTensor | undefined>;

/** Builds a node's kernel, checking its attributes once; throws UnsupportedGraphError for what it cannot run. */
export type KernelFactory = (context: NodeContext) => Kernel;

/** The number of values in a tensor of these dims, or in the axes [from, to) of it. */
export function size(dims: readonly number[], from = 0, to = dims.length): number {
  let n = 1;
  for (let d = from; d < to; d++) n *= dims[d]!;
  return n;
}

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let d = 0; d < a.length; d++) if (a[d] !== b[d]) return false;
  return true;
}

export function isNumeric(tensor: JsTensor): tensor is NumericTensor {
  return tensor.type !== 'string' && tensor.type !== 'bool';
}

/** A numeric input, or an UnsupportedGraphError-free runtime error naming the node and input. */
export function numericInput(tensor: JsTensor | undefined, op: string, index = 0): NumericTensor {
  if (!tensor) throw new Error(`${op}: input ${index} is missing`);
  if (!isNumeric(tensor)) throw new Error(`${op}: input ${index} is ${tensor.type}, expected a number tensor`);
  return tensor;
}

/**
 * A zero-filled tensor of a numeric type (float32 rounds every value written to it). `reuse`
 * (the kernel's output last run) comes back itself when it has the same type and dims, the
 * usual case run after run; with another shape its buffer is written over when it has room.
 */
export function numericTensor(type: NumericTensor['type'], dims: number[], reuse?: JsTensor): NumericTensor {
  if (reuse && isNumeric(reuse) && reuse.type === type && sameDims(reuse.dims, dims)) {
    reuse.data.fill(0);
    return reuse;
  }
  // The tensor outlives this run (it is compared above next run), so it keeps dims of its own.
  dims = dims.slice();
  const n = size(dims);
  if (type === 'float32') {
    if (reuse?.type === 'float32' && reuse.data.buffer.byteLength >= n * 4) {
      return { type, data: new Float32Array(reuse.data.buffer, 0, n).fill(0), dims };
    }
    return { type, data: new Float32Array(n), dims };
  }
  if (reuse && reuse.type === type && reuse.data.buffer.byteLength >= n * 8) {
    return { type, data: new Float64Array(reuse.data.buffer, 0, n).fill(0), dims };
  }
  return { type, data: new Float64Array(n), dims };
}

// ---- short-lived arrays --------------------------------------------------------------------

/** A typed array constructor (Float32Array, BigInt64Array...). */
export type TypedArrayType<T> = {
  new (length: number): T;
  new (buffer: ArrayBuffer, byteOffset: number, length: number): T;
  readonly BYTES_PER_ELEMENT: number;
};

/** Arrays up to this size are views of a shared slab; bigger ones are allocated on their own. */
const SLAB_BYTES = 64 * 1024;
const MAX_CARVED_BYTES = SLAB_BYTES / 8;
let slab = new ArrayBuffer(SLAB_BYTES);
let slabUsed = 0;

/**
 * A new zero-filled typed array for a run's feeds or results, as a view of a shared slab. Node
 * backs every typed array over 64 bytes with its own native allocation, about half a microsecond
 * each: more than all the arithmetic of a 20-row run of a small model, which needs several such
 * arrays. A view of a slab costs a few tens of nanoseconds. Like Node's Buffer pool, no part of a
 * slab is ever handed out twice, so views never share values, and a slab is freed with its last view.
 * Its `buffer` holds other arrays too: never transfer it, nor view it beyond the array.
 */
export function newTypedArray<T>(Type: TypedArrayType<T>, length: number): T {
  const bytes = length * Type.BYTES_PER_ELEMENT;
  if (bytes > MAX_CARVED_BYTES) return new Type(length);
  if (slabUsed + bytes > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabUsed = 0;
  }
  const array = new Type(slab, slabUsed, length);
  // Every view starts 8-byte aligned, as Float64Array and BigInt64Array require.
  slabUsed += Math.ceil(bytes / 8) * 8;
  return array;
}

// ---- initializers --------------------------------------------------------------------------

/** Decodes an initializer into a JsTensor; raw_data and typed fields both, for the types kernels read. */
export function tensorFromProto(proto: TensorProto): JsTensor {
  const dims = (proto.dims ?? []).map(Number);
  const n = size(dims);
  const raw = proto.rawData && proto.rawData.length > 0 ? proto.rawData : undefined;
  const view = raw ? new DataView(raw.buffer, raw.byteOffset, raw.byteLength) : undefined;
  switch (proto.dataType) {
    case ElemType.FLOAT: {
      const data = new Float32Array(n);
      for (let i = 0; i < n; i++) data[i] = view ? view.getFloat32(i * 4, true) : proto.floatData![i]!;
      return { type: 'float32', data, dims };
    }
    case ElemType.DOUBLE: {
      const data = new Float64Array(n);
      for (let i = 0; i < n; i++) data[i] = view ? view.getFloat64(i * 8, true) : proto.doubleData![i]!;
      return { type: 'float64', data, dims };
    }
    case ElemType.INT64: {
      const data = new Float64Array(n);
      for (let i = 0; i < n; i++) data[i] = view ? Number(view.getBigInt64(i * 8, true)) : Number(proto.int64Data![i]);
      return { type: 'int64', data, dims };
    }
    case ElemType.INT32: {
      const data = new Float64Array(n);
      for (let i = 0; i < n; i++) data[i] = view ? view.getInt32(i * 4, true) : proto.int32Data![i]!;
      return { type: 'int32', data, dims };
    }
    case ElemType.STRING:
      return { type: 'string', data: (proto.stringData ?? []).map((s) => Buffer.from(s).toString('utf8')), dims };
    default:
      throw new UnsupportedGraphError(`initializer "${proto.name}" has element type ${proto.dataType}`);
  }
}
