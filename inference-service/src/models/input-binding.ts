import type ort from 'onnxruntime-node';
import type { InputBinding, InputDataType } from './feature-encoder.ts';
import type { FeatureSpec, ModelCard } from '@byom/contracts/model-card';
import { ModelLoadError } from './model-load-error.ts';

/**
 * Binds a card's features to a session's real inputs: which input each feature feeds, with
 * which element type and rank. Every card feature must reach an input that can take it, and
 * every input must be fed; anything else is a ModelLoadError naming the card field.
 */

const SUPPORTED_INPUT_TYPES = new Set<string>(['float32', 'float64', 'int64', 'int32', 'string']);

/**
 * Every input must take any number of rows: requests are scored many records per run. torch's
 * exporter fixes the batch at the example's size (usually 1) unless told otherwise, so this is
 * the first thing a torch model hits; the message says how to export it.
 */
export function checkBatchAxes(inputMetadata: readonly ort.InferenceSession.ValueMetadata[], onnxFile: string): void {
  for (const meta of inputMetadata) {
    if (!meta.isTensor || meta.shape.length === 0) continue;
    const batch = meta.shape[0];
    if (typeof batch !== 'number') continue;
    const shape = `[${meta.shape.join(', ')}]`;
    const dynamic = `[None${meta.shape
      .slice(1)
      .map((d) => `, ${String(d)}`)
      .join('')}]`;
    throw new ModelLoadError(
      onnxFile,
      undefined,
      `input "${meta.name}" has a fixed batch of ${batch} (shape ${shape}), but the service scores many rows per run: ` +
        `export it with a dynamic batch axis, e.g. torch.onnx.export(..., dynamic_axes={"${meta.name}": {0: "batch"}, ` +
        `<each output>: {0: "batch"}}) (with dynamo=True: dynamic_shapes), or in skl2onnx an initial type of shape ${dynamic}`,
    );
  }
}

/** Checks every card feature against a real session input and every session input against the card. */
export function bindInputs(
  card: ModelCard,
  inputMetadata: readonly ort.InferenceSession.ValueMetadata[],
  cardFile: string,
): InputBinding[] {
  const inputs = new Map(inputMetadata.map((m) => [m.name, m]));
  const inputList = [...inputs.keys()].map((n) => `"${n}"`).join(', ');
  const typeOf = (name: string, field: string): { dataType: InputDataType; rank: 1 | 2; lastDim: unknown } => {
    const meta = inputs.get(name);
    if (!meta) throw new ModelLoadError(cardFile, field, `model.onnx has no input "${name}" (inputs: ${inputList})`);
    if (!meta.isTensor || !SUPPORTED_INPUT_TYPES.has(meta.type)) {
      throw new ModelLoadError(
        cardFile,
        field,
        `input "${name}" has unsupported type ${meta.isTensor ? meta.type : 'non-tensor'}`,
      );
    }
    const shape = meta.shape;
    return { dataType: meta.type as InputDataType, rank: shape.length === 1 ? 1 : 2, lastDim: shape[shape.length - 1] };
  };

  if (card.inputs.style === 'tensor') {
    const tensorInput = card.inputs.name;
    const { dataType, lastDim } = typeOf(tensorInput, 'inputs.name');
    if (dataType !== 'float32' && dataType !== 'float64') {
      throw new ModelLoadError(
        cardFile,
        'inputs.name',
        `input "${card.inputs.name}" is ${dataType}; a feature tensor must be float`,
      );
    }
    const categoryIndex = card.features.findIndex((f) => f.type === 'category');
    if (categoryIndex >= 0) {
      throw new ModelLoadError(
        cardFile,
        `features.${categoryIndex}.type`,
        'a category feature cannot go into a float tensor; encode it in the graph with one input per column (inputs.style "columns")',
      );
    }
    if (typeof lastDim === 'number' && lastDim !== card.features.length) {
      throw new ModelLoadError(
        cardFile,
        'features',
        `input "${card.inputs.name}" takes ${lastDim} columns but the card lists ${card.features.length} features`,
      );
    }
    const unfed = [...inputs.keys()].filter((n) => n !== tensorInput);
    if (unfed.length > 0) {
      throw new ModelLoadError(
        cardFile,
        'inputs',
        `model.onnx also needs inputs the card does not feed: ${unfed.join(', ')}`,
      );
    }
    return [{ inputName: tensorInput, dataType, rank: 2, featureIndexes: card.features.map((_, i) => i) }];
  }

  const bindings: InputBinding[] = [];
  const fed = new Map<string, string>();
  card.features.forEach((feature, index) => {
    const inputName = feature.input ?? feature.name;
    const field = `features.${index}`;
    const previous = fed.get(inputName);
    if (previous !== undefined) {
      throw new ModelLoadError(
        cardFile,
        `${field}.input`,
        `input "${inputName}" is already fed by feature "${previous}"`,
      );
    }
    fed.set(inputName, feature.name);
    const { dataType, rank } = typeOf(inputName, feature.input ? `${field}.input` : `${field}.name`);
    checkFeatureFitsInput(feature, dataType, inputName, cardFile, field);
    bindings.push({ inputName, dataType, rank, featureIndexes: [index] });
  });
  const unfed = [...inputs.keys()].filter((n) => !fed.has(n));
  if (unfed.length > 0) {
    throw new ModelLoadError(
      cardFile,
      'features',
      `model.onnx inputs ${unfed.map((n) => `"${n}"`).join(', ')} have no feature in the card (set a feature's "input")`,
    );
  }
  return bindings;
}

function checkFeatureFitsInput(
  feature: FeatureSpec,
  dataType: InputDataType,
  inputName: string,
  cardFile: string,
  field: string,
): void {
  const isString = dataType === 'string';
  if ((feature.type === 'category') !== isString) {
    throw new ModelLoadError(
      cardFile,
      `${field}.type`,
      `feature "${feature.name}" is ${feature.type} but input "${inputName}" takes ${dataType} values`,
    );
  }
  if (feature.allowMissing && (dataType === 'int64' || dataType === 'int32')) {
    throw new ModelLoadError(
      cardFile,
      `${field}.allowMissing`,
      `input "${inputName}" is ${dataType} and cannot carry NaN for a missing value; give the feature a default`,
    );
  }
}
