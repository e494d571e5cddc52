import { AttrType, ElemType, encodeModel, onnx } from "./onnx-proto.js";
const elemTypeCode = {
    float: ElemType.FLOAT,
    int64: ElemType.INT64,
    string: ElemType.STRING,
};
/** A tensor-typed graph input or output, e.g. `tensor('float_input', 'float', ['N', 4])`. */
export function tensor(name, elemType, shape) {
    return {
        name,
        type: {
            tensorType: {
                elemType: elemTypeCode[elemType],
                shape: { dim: shape.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
            },
        },
    };
}
/** The `seq(map(key, float))` output that skl2onnx's ZipMap produces. */
export function sequenceOfMaps(name, keyType) {
    return {
        name,
        type: {
            sequenceType: {
                elemType: {
                    mapType: { keyType: elemTypeCode[keyType], valueType: { tensorType: { elemType: ElemType.FLOAT } } },
                },
            },
        },
    };
}
/** Typed attribute constructors: ONNX attributes are strongly typed, so say which type. */
export const attr = {
    int: (name, value) => ({ name, type: AttrType.INT, i: value }),
    float: (name, value) => ({ name, type: AttrType.FLOAT, f: value }),
    string: (name, value) => ({
        name,
        type: AttrType.STRING,
        s: Buffer.from(value, 'utf8'),
    }),
    ints: (name, values) => ({ name, type: AttrType.INTS, ints: values }),
    floats: (name, values) => ({ name, type: AttrType.FLOATS, floats: values }),
    strings: (name, values) => ({
        name,
        type: AttrType.STRINGS,
        strings: values.map((v) => Buffer.from(v, 'utf8')),
    }),
};
export function node(opType, inputs, outputs, attributes = [], domain = '') {
    return { opType, input: inputs, output: outputs, attribute: attributes, domain, name: `${opType}_${outputs[0]}` };
}
/** An operator from the ai.onnx.ml domain (LinearClassifier, OneHotEncoder, ZipMap, ...). */
export function mlNode(opType, inputs, outputs, attributes = []) {
    return node(opType, inputs, outputs, attributes, 'ai.onnx.ml');
}
export function floatInitializer(name, values, dims) {
    return { name, dataType: ElemType.FLOAT, dims, floatData: values };
}
export function int64Initializer(name, values, dims) {
    return { name, dataType: ElemType.INT64, dims, int64Data: values };
}
/** Opsets every builder model declares: default domain 15 and ai.onnx.ml 3 (onnxruntime CPU supports both). */
const OPSETS = [
    { domain: '', version: 15 },
    { domain: 'ai.onnx.ml', version: 3 },
];
/** Serializes a model; the output is deterministic for a given spec (no timestamps, no random ids). */
export function buildModel(spec) {
    const model = onnx.ModelProto.create({
        irVersion: 8,
        opsetImport: OPSETS,
        producerName: spec.producerName ?? 'byom-bridge',
        producerVersion: spec.producerVersion ?? '1',
        docString: spec.docString ?? '',
        metadataProps: Object.entries(spec.metadata ?? {}).map(([key, value]) => ({ key, value })),
        graph: {
            name: spec.graphName,
            input: spec.inputs,
            output: spec.outputs,
            node: spec.nodes,
            initializer: spec.initializers ?? [],
        },
    });
    return encodeModel(model);
}
