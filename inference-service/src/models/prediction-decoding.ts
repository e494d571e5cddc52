import type ort from 'onnxruntime-node';
import type { ModelCard } from '@byom/contracts/model-card';
import type { MarginSource } from '../explanations/explanation-graph.ts';
import { ModelLoadError } from './model-load-error.ts';
import type { ScoreOutput } from './score-output.ts';

/**
 * How a session's score output becomes scores: which column holds the positive class, which
 * transform applies, how a regression value maps onto [0, 1]. Resolved once at load from the
 * card and the graph's class labels, then applied to every run's output.
 */

/**
 * Predictions for consecutive rows, as one array per quantity rather than an object per row:
 * an explained 200-record request has 2,600 rows, and objects for them were a tenth of its garbage.
 */
export interface Predictions {
  /** In [0, 1]: probability of the positive class, or the regression value mapped by output.range; NaN when there is no answer. */
  scores: Float64Array;
  /**
   * Classifiers: log-odds of the score, from the graph's logits where it has them (else from
   * the probability, clamped: see logit below); regressors: the raw value. Explanations are
   * differences of this.
   */
  margins: Float64Array;
  /** Regressors only: the raw value. */
  values?: Float64Array;
  /** TreeSHAP models: the columns the trees read, row-major. */
  treeInput?: { data: Float64Array; columns: number };
  /** Multiclass only: every class's probability, row-major (row r's are [r * labels.length, (r + 1) * labels.length)). */
  classes?: ClassProbabilities;
}

export interface ClassProbabilities {
  /** Class labels in column order. */
  labels: readonly string[];
  probabilities: Float64Array;
}

export type ScoreDecoding = {
  /** The session output that holds the score (for a ZipMap, the probability tensor behind it). */
  tensor: string;
  /** TreeSHAP models: the output holding the trees' input columns (explanation-graph.ts). */
  treeInput?: string;
} & (
  | { task: 'regression'; range: [number, number] }
  | {
      task: 'classification';
      transform: ModelCard['output']['transform'];
      positiveColumn: number;
      /** Multiclass: every class's probability is returned, under these labels (else the column numbers). */
      multiclass: boolean;
      classLabels: readonly string[] | undefined;
      /** Where log-odds come from: the score's probability, or logits in the graph (explanation-graph.ts). */
      margin: MarginSource;
    }
);

/** The outputs a run fetches for a decoding. */
export function decodingOutputs(decoding: ScoreDecoding): string[] {
  const outputs = [decoding.tensor];
  if (
    decoding.task === 'classification' &&
    decoding.margin.from === 'logits' &&
    decoding.margin.tensor !== decoding.tensor
  ) {
    outputs.push(decoding.margin.tensor);
  }
  if (decoding.treeInput) outputs.push(decoding.treeInput);
  return outputs;
}

/** Rows [start, end) of a run's predictions, as views (no copy). */
export function sliceRows(predictions: Predictions, start: number, end: number): Predictions {
  const slice: Predictions = {
    scores: predictions.scores.subarray(start, end),
    margins: predictions.margins.subarray(start, end),
  };
  if (predictions.values) slice.values = predictions.values.subarray(start, end);
  if (predictions.classes) {
    const { labels, probabilities } = predictions.classes;
    slice.classes = { labels, probabilities: probabilities.subarray(start * labels.length, end * labels.length) };
  }
  if (predictions.treeInput) {
    const { data, columns } = predictions.treeInput;
    slice.treeInput = { data: data.subarray(start * columns, end * columns), columns };
  }
  return slice;
}

/**
 * The decoding for a card and the score output found in its graph (with the class labels the
 * graph names, if any). Throws a ModelLoadError naming the card field when the positive class
 * cannot be found, or when the card's transform would be applied to values the graph has
 * already turned into probabilities.
 */
export function scoreDecoding(card: ModelCard, output: ScoreOutput, cardFile: string): ScoreDecoding {
  const tensor = output.tensorName;
  if (card.task === 'regression') return { tensor, task: 'regression', range: card.output.range! };
  const { transform } = card.output;
  if (transform !== 'none' && output.probabilitiesFrom) {
    throw new ModelLoadError(
      cardFile,
      'output.transform',
      `"${transform}" is applied to output "${tensor}", which ${output.probabilitiesFrom} in the graph already ` +
        `turns into probabilities: ${transform === 'sigmoid' ? 'every score would be squashed into [0.5, 0.73]' : 'every score would be flattened towards 1 / classes'}. ` +
        'Remove output.transform (or set it to "none")',
    );
  }
  const labels = card.output.classes ?? output.classes;
  return {
    tensor,
    task: 'classification',
    transform,
    positiveColumn: positiveColumn(card, output.classes, cardFile),
    multiclass: card.task === 'multiclass_classification',
    classLabels: labels?.map(String),
    margin: { from: 'probability' },
  };
}

function positiveColumn(card: ModelCard, graphClasses: Array<string | number> | undefined, cardFile: string): number {
  const classes = card.output.classes ?? graphClasses;
  const { positiveClass } = card.output;
  if (classes) {
    if (positiveClass === undefined) {
      if (classes.length === 2) return 1;
      throw new ModelLoadError(
        cardFile,
        'output.positiveClass',
        `the model has ${classes.length} classes; name the one to score`,
      );
    }
    const index = classes.findIndex((c) => String(c) === String(positiveClass));
    if (index < 0) {
      throw new ModelLoadError(
        cardFile,
        'output.positiveClass',
        `"${positiveClass}" is not one of the model's classes (${classes.map(String).join(', ')})`,
      );
    }
    return index;
  }
  if (positiveClass === undefined) {
    if (card.task === 'multiclass_classification') {
      throw new ModelLoadError(cardFile, 'output.positiveClass', 'a multiclass model needs a positive class to score');
    }
    // Binary without labels: the second column, as scikit-learn orders [negative, positive].
    return 1;
  }
  if (typeof positiveClass === 'number' && Number.isInteger(positiveClass) && positiveClass >= 0) return positiveClass;
  throw new ModelLoadError(
    cardFile,
    'output.classes',
    `the graph does not name its classes, so "${positiveClass}" cannot be found: list output.classes in column order`,
  );
}

/**
 * Log-odds taken from a probability are clamped to [logit(1e-7), logit(1 − 1e-7)] = ±16.12:
 * a float32 probability within 6e-8 of 1 is stored as exactly 1, whose log-odds is infinite.
 * Only models whose graph gives no logits (explanation-graph.ts) are affected, and only
 * records scored within 1e-7 of 0 or 1; docs/explanations.md says so.
 */
export const PROBABILITY_EPSILON = 1e-7;

/** Decodes the outputs of a run over `rowCount` rows; throws when their type or shape does not fit the decoding. */
export function decodePredictions(
  outputs: Record<string, ort.Tensor>,
  rowCount: number,
  decoding: ScoreDecoding,
): Predictions {
  const predictions = decodeScores(outputs, rowCount, decoding);
  if (decoding.task === 'classification' && decoding.margin.from === 'logits') {
    logitMargins(outputs, rowCount, decoding.margin, decoding.positiveColumn, predictions.margins);
  }
  if (decoding.treeInput) {
    const treeData = floatData(outputs, decoding.treeInput);
    predictions.treeInput = {
      data: treeData instanceof Float64Array ? treeData : Float64Array.from(treeData),
      columns: columnCount(outputs, treeData, rowCount, decoding.treeInput),
    };
  }
  return predictions;
}

function decodeScores(outputs: Record<string, ort.Tensor>, rowCount: number, decoding: ScoreDecoding): Predictions {
  const data = floatData(outputs, decoding.tensor);
  const columns = columnCount(outputs, data, rowCount, decoding.tensor);
  const scores = new Float64Array(rowCount);
  const margins = new Float64Array(rowCount);

  if (decoding.task === 'regression') {
    if (columns !== 1) throw new Error(`a regressor must output one value per row, got ${columns}`);
    const [low, high] = decoding.range;
    const values = new Float64Array(rowCount);
    for (let r = 0; r < rowCount; r++) {
      const value = data[r]!;
      // An infinite value is no answer (JSON has no Infinity): NaN makes it the record's INFERENCE_FAILED.
      scores[r] = Number.isFinite(value) ? clamp01((value - low) / (high - low)) : Number.NaN;
      margins[r] = value;
      values[r] = value;
    }
    return { scores, margins, values };
  }

  const { transform, positiveColumn: column } = decoding;
  if (columns > 1 && column >= columns) {
    throw new Error(`the positive class is column ${column} but the output has ${columns} columns`);
  }
  const labels = decoding.classLabels;
  if (decoding.multiclass && labels && columns > 1 && labels.length !== columns) {
    throw new Error(`the output has ${columns} columns but the model names ${labels.length} classes`);
  }
  for (let r = 0; r < rowCount; r++) {
    const probability = probabilityAt(data, r * columns, columns, column, transform);
    scores[r] = clamp01(probability);
    margins[r] = logit(probability);
  }
  if (!decoding.multiclass || columns === 1) return { scores, margins };

  const probabilities = new Float64Array(rowCount * columns);
  for (let r = 0; r < rowCount; r++) {
    for (let c = 0; c < columns; c++) {
      probabilities[r * columns + c] = clamp01(probabilityAt(data, r * columns, columns, c, transform));
    }
  }
  return {
    scores,
    margins,
    classes: { labels: labels ?? Array.from({ length: columns }, (_, c) => String(c)), probabilities },
  };
}

function floatData(outputs: Record<string, ort.Tensor>, name: string): Float32Array | Float64Array {
  const output = outputs[name];
  if (!output) throw new Error(`the run did not return output "${name}"`);
  const data = output.data;
  if (!(data instanceof Float32Array || data instanceof Float64Array)) {
    throw new Error(`output "${name}" is ${output.type}, expected float`);
  }
  return data;
}

function columnCount(
  outputs: Record<string, ort.Tensor>,
  data: Float32Array | Float64Array,
  rowCount: number,
  name: string,
): number {
  const output = outputs[name]!;
  const columns = output.dims.length <= 1 ? 1 : data.length / rowCount;
  if (!Number.isInteger(columns) || columns * rowCount !== data.length) {
    throw new Error(`output "${name}" has shape [${output.dims.join(', ')}] for ${rowCount} rows`);
  }
  return columns;
}

/**
 * Margins straight from logits, in float64: the logit itself for a sigmoid (a single column,
 * or the positive one when each column has its own), z_k − log Σ_{c≠k} exp(z_c) for a softmax.
 */
function logitMargins(
  outputs: Record<string, ort.Tensor>,
  rowCount: number,
  source: Extract<MarginSource, { from: 'logits' }>,
  positiveColumn: number,
  margins: Float64Array,
): void {
  const data = floatData(outputs, source.tensor);
  const columns = columnCount(outputs, data, rowCount, source.tensor);
  for (let r = 0; r < rowCount; r++) {
    const offset = r * columns;
    if (columns === 1) {
      margins[r] = data[offset]!;
    } else if (source.link === 'logistic') {
      margins[r] = data[offset + positiveColumn]!;
    } else {
      let max = -Infinity;
      for (let c = 0; c < columns; c++) if (c !== positiveColumn) max = Math.max(max, data[offset + c]!);
      let sum = 0;
      for (let c = 0; c < columns; c++) if (c !== positiveColumn) sum += Math.exp(data[offset + c]! - max);
      margins[r] = data[offset + positiveColumn]! - (max + Math.log(sum));
    }
  }
}

/** The probability of one class (column) in the row starting at `offset`, after the card's transform. */
function probabilityAt(
  data: Float32Array | Float64Array,
  offset: number,
  columns: number,
  column: number,
  transform: ModelCard['output']['transform'],
): number {
  if (columns > 1 && transform === 'softmax') return softmaxAt(data, offset, columns, column);
  const value = data[offset + (columns === 1 ? 0 : column)]!;
  return transform === 'sigmoid' ? sigmoid(value) : value;
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

function softmaxAt(data: Float32Array | Float64Array, offset: number, columns: number, column: number): number {
  let max = -Infinity;
  for (let c = 0; c < columns; c++) max = Math.max(max, data[offset + c]!);
  let sum = 0;
  for (let c = 0; c < columns; c++) sum += Math.exp(data[offset + c]! - max);
  return Math.exp(data[offset + column]! - max) / sum;
}

function logit(p: number): number {
  const q = Math.min(Math.max(p, PROBABILITY_EPSILON), 1 - PROBABILITY_EPSILON);
  return Math.log(q / (1 - q));
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}
