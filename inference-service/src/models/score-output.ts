import { attributeValue, decodeModel, encodeModel } from '../onnx/onnx-proto.ts';
import type { ModelProto, NodeProto } from '../onnx/onnx-proto.ts';

/**
 * Finds the tensor that holds the score in a model's graph.
 *
 * skl2onnx classifiers end in a ZipMap node that turns the probability tensor into a
 * sequence of {class: probability} maps. onnxruntime-node cannot return non-tensor
 * values, so when the card points at a ZipMap output we serve the ZipMap's input (the
 * same probabilities as a [N, classes] tensor) and read the class order from the ZipMap.
 */

export interface ScoreOutput {
  /** Model bytes to load: the original, or a copy whose graph exposes the probability tensor. */
  modelBytes: Uint8Array;
  /** The tensor output to fetch from the session. */
  tensorName: string;
  /** Class label of each probability column, when the graph names them. */
  classes: Array<string | number> | undefined;
}

export class ModelGraphError extends Error {
  override name = 'ModelGraphError';
}

// Operators whose second output is a [N, classes] probability tensor labelled by classlabels_* attributes.
const CLASSIFIER_OPS = new Set(['LinearClassifier', 'TreeEnsembleClassifier', 'SVMClassifier']);

export function resolveScoreOutput(modelBytes: Uint8Array, outputName: string): ScoreOutput {
  let model: ModelProto;
  try {
    model = decodeModel(modelBytes);
  } catch (error) {
    throw new ModelGraphError(`is not a valid ONNX model (${(error as Error).message})`);
  }
  const graph = model.graph;
  if (!graph) throw new ModelGraphError('has no graph');
  const outputs = graph.output ?? [];
  const output = outputs.find((o) => o.name === outputName);
  if (!output) {
    const names = outputs.map((o) => `"${o.name}"`).join(', ');
    throw new ModelGraphError(`has no output "${outputName}" named by output.name (outputs: ${names})`);
  }
  const producer = (graph.node ?? []).find((n) => n.output?.includes(outputName));

  if (output.type?.sequenceType) {
    if (producer?.opType !== 'ZipMap' || !producer.input?.[0]) {
      throw new ModelGraphError(
        `output "${outputName}" is a sequence not produced by ZipMap; point output.name at a tensor output`,
      );
    }
    const probabilities = producer.input[0];
    const classes = classLabels(producer, 'classlabels_int64s', 'classlabels_strings');
    graph.node = (graph.node ?? []).filter((n) => n !== producer);
    graph.output = outputs.map((o) =>
      o === output ? { name: probabilities, type: { tensorType: { elemType: 1 } } } : o,
    );
    return { modelBytes: encodeModel(model), tensorName: probabilities, classes };
  }

  if (!output.type?.tensorType) {
    throw new ModelGraphError(`output "${outputName}" is not a tensor`);
  }
  const classes =
    producer && CLASSIFIER_OPS.has(producer.opType ?? '') && producer.output?.[1] === outputName
      ? classLabels(producer, 'classlabels_ints', 'classlabels_strings')
      : undefined;
  return { modelBytes, tensorName: outputName, classes };
}

function classLabels(node: NodeProto, intsName: string, stringsName: string): Array<string | number> | undefined {
  const ints = attributeValue(node, intsName) as number[] | undefined;
  if (ints && ints.length > 0) return ints;
  const strings = attributeValue(node, stringsName) as string[] | undefined;
  if (strings && strings.length > 0) return strings;
  return undefined;
}
