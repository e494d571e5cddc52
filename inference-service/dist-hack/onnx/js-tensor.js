import { AttrType, ElemType } from "./onnx-proto.js";
/** A graph or node the runner does not implement; the model then runs on onnxruntime alone. */
export class UnsupportedGraphError extends Error {
    name = 'UnsupportedGraphError';
}
export function size(dims) {
    let n = 1;
    for (const d of dims)
        n *= d;
    return n;
}
export function isNumeric(tensor) {
    return tensor.type !== 'string' && tensor.type !== 'bool';
}
/** A numeric input, or an UnsupportedGraphError-free runtime error naming the node and input. */
export function numericInput(tensor, op, index = 0) {
    if (!tensor)
        throw new Error(`${op}: input ${index} is missing`);
    if (!isNumeric(tensor))
        throw new Error(`${op}: input ${index} is ${tensor.type}, expected a number tensor`);
    return tensor;
}
/**
 * A zero-filled tensor of a numeric type (float32 rounds every value written to it), over
 * `reuse`'s buffer when that has the same type and room enough.
 */
export function numericTensor(type, dims, reuse) {
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
export function floatTensor(data, dims) {
    return { type: 'float32', data, dims };
}
// ---- attributes ----------------------------------------------------------------------------
function attribute(node, name) {
    return node.attribute?.find((a) => a.name === name);
}
export function hasAttribute(node, name) {
    return attribute(node, name) !== undefined;
}
export function intAttribute(node, name, fallback) {
    const a = attribute(node, name);
    return a?.type === AttrType.INT ? Number(a.i) : fallback;
}
export function floatAttribute(node, name, fallback) {
    const a = attribute(node, name);
    return a?.type === AttrType.FLOAT ? (a.f ?? fallback) : fallback;
}
export function stringAttribute(node, name, fallback) {
    const a = attribute(node, name);
    return a?.type === AttrType.STRING ? Buffer.from(a.s ?? []).toString('utf8') : fallback;
}
export function floatsAttribute(node, name) {
    const a = attribute(node, name);
    return a?.type === AttrType.FLOATS ? (a.floats ?? []) : [];
}
export function intsAttribute(node, name) {
    const a = attribute(node, name);
    return a?.type === AttrType.INTS ? (a.ints ?? []).map(Number) : [];
}
export function stringsAttribute(node, name) {
    const a = attribute(node, name);
    return a?.type === AttrType.STRINGS ? (a.strings ?? []).map((s) => Buffer.from(s).toString('utf8')) : [];
}
// ---- initializers --------------------------------------------------------------------------
/** Decodes an initializer into a JsTensor; raw_data and typed fields both, for the types kernels read. */
export function tensorFromProto(proto) {
    const dims = (proto.dims ?? []).map(Number);
    const n = size(dims);
    const raw = proto.rawData && proto.rawData.length > 0 ? proto.rawData : undefined;
    const view = raw ? new DataView(raw.buffer, raw.byteOffset, raw.byteLength) : undefined;
    switch (proto.dataType) {
        case ElemType.FLOAT: {
            const data = new Float32Array(n);
            for (let i = 0; i < n; i++)
                data[i] = view ? view.getFloat32(i * 4, true) : proto.floatData[i];
            return { type: 'float32', data, dims };
        }
        case ElemType.DOUBLE: {
            const data = new Float64Array(n);
            for (let i = 0; i < n; i++)
                data[i] = view ? view.getFloat64(i * 8, true) : proto.doubleData[i];
            return { type: 'float64', data, dims };
        }
        case ElemType.INT64: {
            const data = new Float64Array(n);
            for (let i = 0; i < n; i++)
                data[i] = view ? Number(view.getBigInt64(i * 8, true)) : Number(proto.int64Data[i]);
            return { type: 'int64', data, dims };
        }
        case ElemType.INT32: {
            const data = new Float64Array(n);
            for (let i = 0; i < n; i++)
                data[i] = view ? view.getInt32(i * 4, true) : proto.int32Data[i];
            return { type: 'int32', data, dims };
        }
        case ElemType.STRING:
            return { type: 'string', data: (proto.stringData ?? []).map((s) => Buffer.from(s).toString('utf8')), dims };
        default:
            throw new UnsupportedGraphError(`initializer "${proto.name}" has element type ${proto.dataType}`);
    }
}
