import type { ModelCard } from '@byom/contracts/model-card';
import { AttrType, attributeValue, ElemType } from '../onnx/onnx-proto.ts';
import type { AttributeProto, GraphProto, ModelProto, NodeProto, ValueInfoProto } from '../onnx/onnx-proto.ts';
import { GraphDependencies, interactionGroups, merge } from './graph-dependencies.ts';
import type { InputFeatures, Term } from './graph-dependencies.ts';
import { readTreeEnsemble } from './tree-ensemble.ts';
import type { TreeEnsemble } from './tree-ensemble.ts';

/**
 * Prepares a model's graph for explaining its scores, once at load:
 *
 * - **Margins from logits.** Log-odds taken back from a float32 probability lose everything
 *   near 0 and 1 (a probability of 1 − 1e-8 is stored as 1). Where the graph computes the
 *   probability from logits (a Sigmoid or Softmax node, or a LinearClassifier's own LOGISTIC or
 *   SOFTMAX), the logits are exposed as an extra output and margins are read from them in
 *   float64. Otherwise they are the logit of the probability, clamped (prediction-decoding.ts).
 * - **Interaction groups**: which features' contributions to the margin can be computed apart
 *   (graph-dependencies.ts).
 * - **Trees**: for a tree ensemble whose log-odds (or value) is a sum over its trees, the trees,
 *   and their input exposed as an extra output, so TreeSHAP sees the columns the trees saw.
 *
 * The extra outputs are fetched with the score in the same run and change nothing the graph
 * computes; the loader checks each on real rows before relying on it. The model is edited in
 * place (the loader encodes it once, after score-output.ts's edits).
 */

/** Where a run's margins come from. */
export type MarginSource =
  | { from: 'probability' }
  | {
      from: 'logits';
      tensor: string;
      /** logistic: each column its own sigmoid (margin = the positive column); softmax: across columns. */
      link: 'logistic' | 'softmax';
    };

export interface TreeInput {
  trees: TreeEnsemble;
  /** The output holding the trees' input columns, as float64. */
  tensor: string;
  /** Card feature of each input column of the trees; -1 for a column no feature feeds. */
  columnFeature: Int32Array;
}

export interface ExplanationGraph {
  margin: MarginSource;
  /** Outputs added here: fetched with the score, never served as the model's own. */
  addedOutputs: string[];
  /** Group of each card feature for margins from `margin` (-1: it cannot move the margin); undefined: one group. */
  groups: Int32Array | undefined;
  /** The same for margins taken from the probability, should the logits not check out. */
  probabilityGroups: Int32Array | undefined;
  /** Tree ensembles: what TreeSHAP needs, or why it cannot be used; undefined for other models. */
  trees: TreeInput | { reason: string } | undefined;
}

const CLASSIFIER_OPS = new Set(['LinearClassifier', 'TreeEnsembleClassifier', 'SVMClassifier']);

/** The names of the outputs added for explanations (prefixed so they cannot meet a model's own). */
export const MARGIN_OUTPUT = 'byom_explain_logits';
export const TREE_INPUT_OUTPUT = 'byom_explain_tree_input';

export interface ScoreTensor {
  name: string;
  /** The probability column the card scores (classifiers). */
  positiveColumn: number;
}

export function prepareExplanationGraph(
  model: ModelProto,
  card: ModelCard,
  score: ScoreTensor,
  options: { trees: boolean },
): ExplanationGraph {
  const graph = model.graph!;
  const found = scoreProducer(graph, score.name);
  // Classifiers' probabilities are their second output (the first is the label).
  const producer =
    found && (!CLASSIFIER_OPS.has(found.node.opType ?? '') || found.node.output?.[1] === found.output)
      ? found.node
      : undefined;
  const addedOutputs: string[] = [];

  const margin =
    card.task === 'regression' ? ({ from: 'probability' } as const) : exposeLogits(graph, card, score, producer);
  if (margin.from === 'logits' && margin.tensor === MARGIN_OUTPUT) addedOutputs.push(MARGIN_OUTPUT);

  const dependencies = new GraphDependencies(graph, inputFeatures(graph, card));
  const featureCount = card.features.length;
  const groupsOf = (terms: Term[] | undefined) => (terms ? interactionGroups(terms, featureCount) : undefined);
  const scoreTerms = dependencies.of(score.name)?.elements;

  let groups: Int32Array | undefined;
  let probabilityGroups: Int32Array | undefined;
  if (card.task === 'regression') {
    groups = probabilityGroups = groupsOf(scoreTerms?.length === 1 ? scoreTerms[0] : undefined);
  } else {
    const probabilityTerms = scoreTerms?.[scoreTerms.length === 1 ? 0 : score.positiveColumn];
    probabilityGroups = groupsOf(probabilityTerms ? merge(probabilityTerms) : undefined);
    if (margin.from === 'logits') {
      const logits = dependencies.of(margin.tensor);
      groups = groupsOf(logits ? marginTerms(logits.elements, margin.link, score.positiveColumn) : undefined);
    } else groups = probabilityGroups;
  }

  const trees = options.trees ? treeInput(graph, producer, score, dependencies, featureCount) : undefined;
  if (trees && 'tensor' in trees) addedOutputs.push(TREE_INPUT_OUTPUT);
  return { margin, addedOutputs, groups, probabilityGroups, trees };
}

/**
 * The node that computes the score, looking through Identity (score-output.ts turns a ZipMap
 * into one): its output is the score tensor's values unchanged.
 */
function scoreProducer(graph: GraphProto, tensor: string): { node: NodeProto; output: string } | undefined {
  let output = tensor;
  let node = (graph.node ?? []).find((n) => n.output?.includes(output));
  for (let hops = 0; node?.opType === 'Identity' && node.input?.[0] && hops < 8; hops++) {
    output = node.input[0];
    node = (graph.node ?? []).find((n) => n.output?.includes(output));
  }
  return node ? { node, output } : undefined;
}

/** The terms of the margin computed from logits with these terms. */
function marginTerms(elements: Term[][], link: 'logistic' | 'softmax', positiveColumn: number): Term[] | undefined {
  if (elements.length === 1) return elements[0];
  if (link === 'logistic') return elements[positiveColumn];
  // Two classes: log(p1 / p0) = z1 − z0, a sum; more: z_k − log Σ exp(z_c), which mixes every class.
  return elements.length === 2 ? [...elements[0]!, ...elements[1]!] : merge(elements.flat());
}

/** How each graph input the card feeds carries its features (see graph-dependencies.ts). */
function inputFeatures(graph: GraphProto, card: ModelCard): Map<string, InputFeatures> {
  const inputs = new Map<string, InputFeatures>();
  if (card.inputs.style === 'tensor') {
    inputs.set(card.inputs.name, { shape: [card.features.length], features: card.features.map((_, i) => i) });
    return inputs;
  }
  card.features.forEach((feature, index) => {
    const name = feature.input ?? feature.name;
    const dims = (graph.input ?? []).find((i) => i.name === name)?.type?.tensorType?.shape?.dim;
    // [N] or [N, 1]: one value per row.
    inputs.set(name, { shape: dims && dims.length <= 1 ? [] : [1], features: [index] });
  });
  return inputs;
}

/**
 * Finds logits behind the score and, when they are not the score output itself, exposes them
 * as MARGIN_OUTPUT. Returns where margins come from.
 */
function exposeLogits(
  graph: GraphProto,
  card: ModelCard,
  score: ScoreTensor,
  producer: NodeProto | undefined,
): MarginSource {
  const { transform } = card.output;
  // The card says the output holds logits.
  if (transform === 'sigmoid') return { from: 'logits', tensor: score.name, link: 'logistic' };
  if (transform === 'softmax') return { from: 'logits', tensor: score.name, link: 'softmax' };
  if (!producer) return { from: 'probability' };
  const domain = producer.domain ?? '';
  if ((producer.opType === 'Sigmoid' || producer.opType === 'Softmax') && domain === '' && producer.input?.[0]) {
    const link = producer.opType === 'Sigmoid' ? 'logistic' : 'softmax';
    // Before opset 13 Softmax's default axis is 1, after it -1: for [N, C] both are the class axis.
    const axis = attributeValue(producer, 'axis') as number | undefined;
    if (link === 'softmax' && axis !== undefined && axis !== -1 && axis !== 1) return { from: 'probability' };
    graph.node!.push({
      opType: 'Identity',
      domain: '',
      name: `byom_explain_${MARGIN_OUTPUT}`,
      input: [producer.input[0]],
      output: [MARGIN_OUTPUT],
      attribute: [],
    });
    const scoreType = (graph.output ?? []).find((o) => o.name === score.name)?.type?.tensorType?.elemType;
    graph.output!.push(floatOutput(MARGIN_OUTPUT, scoreType ?? ElemType.FLOAT));
    return { from: 'logits', tensor: MARGIN_OUTPUT, link };
  }
  if (producer.opType === 'LinearClassifier') {
    const transformName = (attributeValue(producer, 'post_transform') as string | undefined) ?? 'NONE';
    const intercepts = (attributeValue(producer, 'intercepts') as number[] | undefined) ?? [];
    // With one score for two classes, onnxruntime's layout of the raw columns varies by version: leave it.
    if (intercepts.length < 2 || (transformName !== 'LOGISTIC' && transformName !== 'SOFTMAX')) {
      return { from: 'probability' };
    }
    graph.node!.push({
      ...producer,
      name: 'byom_explain_raw_scores',
      output: ['byom_explain_label', MARGIN_OUTPUT],
      attribute: (producer.attribute ?? []).map((a): AttributeProto =>
        a.name === 'post_transform' ? { ...a, s: Buffer.from('NONE', 'utf8') } : a,
      ),
    });
    graph.output!.push(floatOutput(MARGIN_OUTPUT, ElemType.FLOAT));
    return { from: 'logits', tensor: MARGIN_OUTPUT, link: transformName === 'LOGISTIC' ? 'logistic' : 'softmax' };
  }
  return { from: 'probability' };
}

/** TreeSHAP's inputs, when the score comes straight from a tree ensemble TreeSHAP can read. */
function treeInput(
  graph: GraphProto,
  producer: NodeProto | undefined,
  score: ScoreTensor,
  dependencies: GraphDependencies,
  featureCount: number,
): TreeInput | { reason: string } | undefined {
  const op = producer?.opType;
  if (op !== 'TreeEnsembleClassifier' && op !== 'TreeEnsembleRegressor') return undefined;
  const reading = readTreeEnsemble(producer!, score.positiveColumn);
  if (!reading.ok) return { reason: `its trees cannot be read as a sum (${reading.reason})` };
  const inputName = producer!.input?.[0];
  const columns = inputName ? dependencies.of(inputName) : undefined;
  if (!columns) return { reason: 'the trees read a tensor whose columns cannot be traced to card features' };
  if (columns.elements.length < reading.trees.columns) {
    return { reason: 'the trees read more columns than their input has' };
  }
  const columnFeature = new Int32Array(columns.elements.length);
  for (let c = 0; c < columns.elements.length; c++) {
    const features = merge(columns.elements[c]!)[0] ?? [];
    if (features.length > 1) {
      return { reason: `tree column ${c} depends on several card features; TreeSHAP needs one per column` };
    }
    columnFeature[c] = features[0] ?? -1;
  }
  if ([...columnFeature].some((f) => f >= featureCount)) return { reason: 'a tree column maps past the card features' };
  graph.node!.push({
    opType: 'Cast',
    domain: '',
    name: 'byom_explain_tree_input_cast',
    input: [inputName!],
    output: [TREE_INPUT_OUTPUT],
    attribute: [{ name: 'to', type: AttrType.INT, i: ElemType.DOUBLE }],
  });
  graph.output!.push(floatOutput(TREE_INPUT_OUTPUT, ElemType.DOUBLE));
  return { trees: reading.trees, tensor: TREE_INPUT_OUTPUT, columnFeature };
}

function floatOutput(name: string, elemType: number): ValueInfoProto {
  return { name, type: { tensorType: { elemType } } };
}
