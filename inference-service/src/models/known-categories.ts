import { attributeValue } from '../onnx/onnx-proto.ts';
import type { GraphProto } from '../onnx/onnx-proto.ts';
import type { ModelCard } from '@byom/contracts/model-card';

/**
 * The categories a model was trained on, per category feature, so that a record sending one
 * it never saw gets a warning with its score (the graph still answers: skl2onnx's
 * OneHotEncoder, for one, encodes an unknown category as none of them).
 *
 * The card's `categories` when it lists them; otherwise the categories of the encoder that
 * reads the feature's input straight from the graph input (OneHotEncoder, LabelEncoder,
 * CategoryMapper, looking through reshapes); otherwise unknown, and the feature is not checked.
 */

const ENCODER_CATEGORIES: Record<string, string> = {
  OneHotEncoder: 'cats_strings',
  LabelEncoder: 'keys_strings',
  CategoryMapper: 'cats_strings',
};
const RESHAPE_OPS = new Set(['Identity', 'Reshape', 'Squeeze', 'Unsqueeze', 'Flatten']);

/** Per card feature (card order): the categories it was trained on, or undefined when not known or not a category. */
export function knownCategories(card: ModelCard, graph: GraphProto): Array<ReadonlySet<string> | undefined> {
  return card.features.map((feature) => {
    if (feature.type !== 'category') return undefined;
    if (feature.categories) return new Set(feature.categories);
    if (card.inputs.style !== 'columns') return undefined;
    const fromGraph = encoderCategories(graph, feature.input ?? feature.name);
    return fromGraph ? new Set(fromGraph) : undefined;
  });
}

function encoderCategories(graph: GraphProto, input: string): string[] | undefined {
  let value = input;
  for (let hops = 0; hops < 8; hops++) {
    const readers = (graph.node ?? []).filter((n) => n.input?.includes(value));
    // Only a value read by one node has one set of categories; a fan-out is left unchecked.
    if (readers.length !== 1) return undefined;
    const reader = readers[0]!;
    const attribute = ENCODER_CATEGORIES[reader.opType ?? ''];
    if (attribute) {
      const categories = attributeValue(reader, attribute);
      return Array.isArray(categories) && categories.length > 0 ? (categories as string[]) : undefined;
    }
    if (!RESHAPE_OPS.has(reader.opType ?? '') || !reader.output?.[0]) return undefined;
    value = reader.output[0];
  }
  return undefined;
}
