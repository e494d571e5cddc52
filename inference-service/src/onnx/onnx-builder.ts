import { AttrType, ElemType, encodeModel, onnx } from './onnx-proto.ts';
import type { AttributeProto, NodeProto, TensorProto, ValueInfoProto } from './onnx-proto.ts';

/**
 * A small, explicit builder for ONNX graphs. The trainer uses it to export the bundled
 * model, and tests use it to produce models in each input/output style data scientists'
 * tools (skl2onnx, torch.onnx) emit, so the registry is exercised on real ONNX bytes.
 */

export type ElementType = 'float' | 'int64' | 'string';
export type Dim = number | string;

const elemTypeCode: Record<ElementType, number> = {
  float: ElemType.FLOAT,
  int64: ElemType.INT64,
  string: ElemType.STRING,
};

/** A tensor-typed graph input or output, e.g. `tensor('float_input', 'float', ['N', 4])`. */
export function tensor(name: string, elemType: ElementType, shape: Dim[]): ValueInfoProto {
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
export function sequenceOfMaps(name: string, keyType: 'int64' | 'string'): ValueInfoProto {
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
  int: (name: string, value: number): AttributeProto => ({ name, type: AttrType.INT, i: value }),
  float: (name: string, value: number): AttributeProto => ({ name, type: AttrType.FLOAT, f: value }),
  string: (name: string, value: string): AttributeProto => ({
    name,
    type: AttrType.STRING,
    s: Buffer.from(value, 'utf8'),
  }),
  ints: (name: string, values: number[]): AttributeProto => ({ name, type: AttrType.INTS, ints: values }),
  floats: (name: string, values: number[]): AttributeProto => ({ name, type: AttrType.FLOATS, floats: values }),
  strings: (name: string, values: string[]): AttributeProto => ({
    name,
    type: AttrType.STRINGS,
    strings: values.map((v) => Buffer.from(v, 'utf8')),
  }),
};

export function node(
  opType: string,
  inputs: string[],
  outputs: string[],
  attributes: AttributeProto[] = [],
  domain = '',
): NodeProto {
  return { opType, input: inputs, output: outputs, attribute: attributes, domain, name: `${opType}_${outputs[0]}` };
}

/** An operator from the ai.onnx.ml domain (LinearClassifier, OneHotEncoder, ZipMap, ...). */
export function mlNode(
  opType: string,
  inputs: string[],
  outputs: string[],
  attributes: AttributeProto[] = [],
): NodeProto {
  return node(opType, inputs, outputs, attributes, 'ai.onnx.ml');
}

export function floatInitializer(name: string, values: number[], dims: number[]): TensorProto {
  return { name, dataType: ElemType.FLOAT, dims, floatData: values };
}

export function int64Initializer(name: string, values: number[], dims: number[]): TensorProto {
  return { name, dataType: ElemType.INT64, dims, int64Data: values };
}

export interface ModelSpec {
  graphName: string;
  inputs: ValueInfoProto[];
  outputs: ValueInfoProto[];
  nodes: NodeProto[];
  initializers?: TensorProto[];
  producerName?: string;
  producerVersion?: string;
  docString?: string;
  /** Key/value pairs stored in the model's metadata_props. */
  metadata?: Record<string, string>;
}

/** Opsets every builder model declares: default domain 15 and ai.onnx.ml 3 (onnxruntime CPU supports both). */
const OPSETS = [
  { domain: '', version: 15 },
  { domain: 'ai.onnx.ml', version: 3 },
];

/** Serializes a model; the output is deterministic for a given spec (no timestamps, no random ids). */
export function buildModel(spec: ModelSpec): Uint8Array {
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
