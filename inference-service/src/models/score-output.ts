import { attributeValue } from '../onnx/onnx-proto.ts';
import type { GraphProto, ModelProto, NodeProto } from '../onnx/onnx-proto.ts';

/**
 * Finds the tensor that holds the score in a model's graph, and what the graph already did to it.
 *
 * skl2onnx classifiers end in a ZipMap node that turns the probability tensor into a
 * sequence of {class: probability} maps. onnxruntime-node cannot return non-tensor values,
 * so a ZipMap the card points at is replaced by an Identity: the output keeps its name (the
 * Open Inference Protocol serves it as such) and holds the same probabilities as a
 * [N, classes] tensor, in the class order the ZipMap names.
 */

export interface ScoreOutput {
  /** The tensor output to fetch from the session (the card's output.name). */
  tensorName: string;
  /** Class label of each probability column, when the graph names them. */
  classes: Array<string | number> | undefined;
  /** The graph already turns the output into probabilities: the operator that does ("Sigmoid", "ZipMap", ...). */
  probabilitiesFrom: string | undefined;
  /** True when the graph was changed (a ZipMap replaced) and must be encoded again. */
  rewritten: boolean;
}

export class ModelGraphError extends Error {
  override name = 'ModelGraphError';
}

// Operators whose second output is a [N, classes] probability tensor labelled by classlabels_* attributes.
const CLASSIFIER_OPS = new Set(['LinearClassifier', 'TreeEnsembleClassifier', 'SVMClassifier']);
// Their post_transform values that leave probabilities (NONE and PROBIT leave raw scores).
const PROBABILITY_TRANSFORMS = new Set(['LOGISTIC', 'SOFTMAX', 'SOFTMAX_ZERO']);
// Operators that move or reshape values without changing them, looked through to find where a value came from.
const PASS_THROUGH_OPS = new Set([
  'Identity',
  'Reshape',
  'Squeeze',
  'Unsqueeze',
  'Flatten',
  'Transpose',
  'Slice',
  'Gather',
  'Cast',
]);

/** Finds the card's score output in the graph; replaces a ZipMap there (mutating `model`). */
export function resolveScoreOutput(model: ModelProto, outputName: string): ScoreOutput {
  const graph = model.graph!;
  const outputs = graph.output ?? [];
  const output = outputs.find((o) => o.name === outputName);
  if (!output) {
    const names = outputs.map((o) => `"${o.name}"`).join(', ');
    throw new ModelGraphError(`model.onnx has no output "${outputName}" (outputs: ${names})`);
  }
  const producer = producerOf(graph, outputName);

  if (output.type?.sequenceType) {
    if (producer?.opType !== 'ZipMap' || !producer.input?.[0]) {
      throw new ModelGraphError(
        `output "${outputName}" is a sequence not produced by ZipMap; point output.name at a tensor output`,
      );
    }
    const classes = classLabels(producer, 'classlabels_int64s', 'classlabels_strings');
    // skl2onnx's ZipMap only ever wraps probabilities (a random forest's come from leaf weights, with no link to see).
    const probabilitiesFrom = probabilityOperator(graph, producer.input[0]) ?? 'ZipMap';
    producer.opType = 'Identity';
    producer.domain = '';
    producer.attribute = [];
    output.type = {
      tensorType: {
        elemType: 1,
        shape: { dim: [{ dimParam: 'N' }, ...(classes ? [{ dimValue: classes.length }] : [])] },
      },
    };
    return { tensorName: outputName, classes, probabilitiesFrom, rewritten: true };
  }

  if (!output.type?.tensorType) {
    throw new ModelGraphError(`output "${outputName}" is not a tensor`);
  }
  const classes =
    producer && CLASSIFIER_OPS.has(producer.opType ?? '') && producer.output?.[1] === outputName
      ? classLabels(producer, 'classlabels_ints', 'classlabels_strings')
      : undefined;
  return {
    tensorName: outputName,
    classes,
    probabilitiesFrom: probabilityOperator(graph, outputName),
    rewritten: false,
  };
}

function producerOf(graph: GraphProto, value: string): NodeProto | undefined {
  return (graph.node ?? []).find((n) => n.output?.includes(value));
}

/**
 * The operator that made `value` a probability, looking back through reshapes: Sigmoid,
 * Softmax, or a classifier whose post_transform is a probability link. Undefined when the
 * graph leaves it a raw score (or does something this cannot see, such as its own Div by a sum).
 */
function probabilityOperator(graph: GraphProto, value: string): string | undefined {
  let current = value;
  for (let hops = 0; hops < 16; hops++) {
    const node = producerOf(graph, current);
    if (!node?.opType) return undefined;
    if (node.opType === 'Sigmoid' || node.opType === 'Softmax') return node.opType;
    if (CLASSIFIER_OPS.has(node.opType)) {
      const transform = attributeValue(node, 'post_transform');
      return node.output?.[1] === current && typeof transform === 'string' && PROBABILITY_TRANSFORMS.has(transform)
        ? `${node.opType} (post_transform ${transform})`
        : undefined;
    }
    if (!PASS_THROUGH_OPS.has(node.opType) || !node.input?.[0]) return undefined;
    current = node.input[0];
  }
  return undefined;
}

function classLabels(node: NodeProto, intsName: string, stringsName: string): Array<string | number> | undefined {
  const ints = attributeValue(node, intsName) as number[] | undefined;
  if (ints && ints.length > 0) return ints;
  const strings = attributeValue(node, stringsName) as string[] | undefined;
  if (strings && strings.length > 0) return strings;
  return undefined;
}
