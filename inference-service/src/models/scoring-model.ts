import { readFile } from 'node:fs/promises';
import path from 'node:path';
import ort from 'onnxruntime-node';
import type { Counter } from 'prom-client';
import { ModelCard } from './model-card.ts';
import type { FeatureSpec } from './model-card.ts';
import { baselineValue, buildFeeds, rowCount } from './feature-encoder.ts';
import type { Feed, InputBinding, InputDataType, ModelValue, RowBatch } from './feature-encoder.ts';
import { ModelGraphError, resolveScoreOutput } from './score-output.ts';
import type { ServiceMetrics } from '../observability/metrics.ts';

/**
 * One loaded model version: its card, its onnxruntime session, and how request features
 * reach the session's inputs. Loading checks the card against the session's real inputs
 * and outputs and does a dry run, so a mismatch stops the boot instead of failing requests.
 */

export class ModelLoadError extends Error {
  override name = 'ModelLoadError';
  constructor(file: string, field: string | undefined, problem: string) {
    super(field ? `${file}: ${field}: ${problem}` : `${file}: ${problem}`);
  }
}

/**
 * Predictions for consecutive rows, as one array per quantity rather than an object per row:
 * an explained 200-record request has 2,600 rows, and objects for them were a tenth of its garbage.
 */
export interface Predictions {
  /** In [0, 1]: probability of the positive class, or the regression value mapped by output.range. */
  scores: Float64Array;
  /** Classifiers: log-odds of the score; regressors: the raw value. Explanations are differences of this. */
  margins: Float64Array;
  /** Regressors only: the raw value. */
  values?: Float64Array;
}

/** Rows [start, end) of a run's predictions, as views (no copy). */
function sliceRows(predictions: Predictions, start: number, end: number): Predictions {
  const slice: Predictions = {
    scores: predictions.scores.subarray(start, end),
    margins: predictions.margins.subarray(start, end),
  };
  if (predictions.values) slice.values = predictions.values.subarray(start, end);
  return slice;
}

export interface TensorDescription {
  name: string;
  datatype: string;
  shape: number[];
}

export interface LoadOptions {
  intraOpNumThreads: number;
  /** Where session runs and their rows are counted; uncounted without. */
  metrics?: InferenceMetrics;
}

export type InferenceMetrics = Pick<ServiceMetrics, 'inferenceRuns' | 'inferenceRows'>;

interface PendingPrediction {
  batch: RowBatch;
  rows: number;
  resolve: (predictions: Predictions) => void;
  reject: (error: unknown) => void;
}

/** Upper bound on rows in one batched run: big enough to amortise a native call, small enough to bound latency. */
const MAX_BATCH_ROWS = 4096;

/** Takes queued calls in order until the row budget is reached (always at least one call). */
function takeBatch(queue: PendingPrediction[], maxRows: number): PendingPrediction[] {
  let rows = queue[0]!.rows;
  let count = 1;
  while (count < queue.length && rows + queue[count]!.rows <= maxRows) {
    rows += queue[count]!.rows;
    count++;
  }
  return queue.splice(0, count);
}

const SUPPORTED_INPUT_TYPES = new Set<string>(['float32', 'float64', 'int64', 'int32', 'string']);

// Keeps log-odds finite when a float32 probability rounds to exactly 0 or 1.
const PROBABILITY_EPSILON = 1e-7;

export class ScoringModel {
  readonly card: ModelCard;
  readonly directory: string;
  readonly session: ort.InferenceSession;
  readonly baselines: ModelValue[];
  private readonly bindings: InputBinding[];
  private readonly outputTensor: string;
  private readonly positiveColumn: number | undefined;
  private readonly runs: Counter.Internal | undefined;
  private readonly rows: Counter.Internal | undefined;
  private readonly queue: PendingPrediction[] = [];
  private draining = false;
  private drainScheduled = false;

  private constructor(
    card: ModelCard,
    directory: string,
    session: ort.InferenceSession,
    bindings: InputBinding[],
    outputTensor: string,
    positiveColumn: number | undefined,
    metrics: InferenceMetrics | undefined,
  ) {
    this.card = card;
    this.directory = directory;
    this.session = session;
    this.bindings = bindings;
    this.outputTensor = outputTensor;
    this.positiveColumn = positiveColumn;
    this.baselines = card.features.map(baselineValue);
    this.runs = metrics?.inferenceRuns.labels({ model: card.name, version: card.version });
    this.rows = metrics?.inferenceRows.labels({ model: card.name, version: card.version });
  }

  get name(): string {
    return this.card.name;
  }

  get version(): string {
    return this.card.version;
  }

  get isClassifier(): boolean {
    return this.card.task !== 'regression';
  }

  /** Loads `model.json` and `model.onnx` from a directory; every problem is a ModelLoadError naming the file. */
  static async load(directory: string, options: LoadOptions): Promise<ScoringModel> {
    const cardFile = path.join(directory, 'model.json');
    const onnxFile = path.join(directory, 'model.onnx');
    const card = await readCard(cardFile);

    let onnxBytes: Uint8Array;
    try {
      onnxBytes = await readFile(onnxFile);
    } catch (error) {
      throw new ModelLoadError(onnxFile, undefined, `cannot be read (${(error as NodeJS.ErrnoException).code})`);
    }
    let scoreOutput;
    try {
      scoreOutput = resolveScoreOutput(onnxBytes, card.output.name);
    } catch (error) {
      if (error instanceof ModelGraphError) throw new ModelLoadError(onnxFile, 'output.name', error.message);
      throw error;
    }

    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(scoreOutput.modelBytes, {
        intraOpNumThreads: options.intraOpNumThreads,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
        // A row the graph rejects reaches the caller as a per-record error and our JSON log;
        // onnxruntime's own unstructured stderr line for it would only be noise (fatal still shows).
        logSeverityLevel: 4,
      });
    } catch (error) {
      throw new ModelLoadError(onnxFile, undefined, `onnxruntime cannot load it: ${(error as Error).message}`);
    }

    const bindings = bindInputs(card, session, cardFile);
    const positiveColumn = resolvePositiveColumn(card, scoreOutput.classes, cardFile);
    const model = new ScoringModel(
      card,
      directory,
      session,
      bindings,
      scoreOutput.tensorName,
      positiveColumn,
      options.metrics,
    );
    await model.dryRun(cardFile);
    return model;
  }

  /**
   * Scores rows of model values (card order). Concurrent calls are batched: calls made in
   * the same event-loop turn, and calls made while a run is in flight, go out together in
   * one session run. A native call costs ~90 µs of CPU whatever its size (docs/performance.md),
   * so under load many requests share one instead of each paying for its own.
   */
  predict(batch: RowBatch): Promise<Predictions> {
    return new Promise((resolve, reject) => {
      this.queue.push({ batch, rows: rowCount(batch), resolve, reject });
      if (!this.draining && !this.drainScheduled) {
        this.drainScheduled = true;
        setImmediate(() => {
          this.drainScheduled = false;
          void this.drainQueue();
        });
      }
    });
  }

  /** Scores rows in a run of their own, never batched with other callers (used to isolate failures). */
  predictAlone(batch: RowBatch): Promise<Predictions> {
    return this.run([batch]);
  }

  private async run(batches: RowBatch[]): Promise<Predictions> {
    const feeds = buildFeeds(this.bindings, batches, this.baselines);
    const rows = feeds[this.bindings[0]!.inputName]!.dims[0]!;
    this.runs?.inc();
    this.rows?.inc(rows);
    return this.readPredictions(await this.runSession(feeds), rows);
  }

  private async drainQueue(): Promise<void> {
    this.draining = true;
    while (this.queue.length > 0) {
      const batch = takeBatch(this.queue, MAX_BATCH_ROWS);
      try {
        const predictions = await this.run(batch.map((call) => call.batch));
        let offset = 0;
        for (const call of batch) {
          call.resolve(sliceRows(predictions, offset, offset + call.rows));
          offset += call.rows;
        }
      } catch (error) {
        // A lone caller gets its error; in a shared run, rerun each caller alone so only the one whose rows broke it fails.
        if (batch.length === 1) batch[0]!.reject(error);
        else for (const call of batch) await this.predictAlone(call.batch).then(call.resolve, call.reject);
      }
    }
    this.draining = false;
  }

  /** Raw inference for the Open Inference Protocol: caller-built tensors in, every requested tensor out. */
  async infer(feeds: Record<string, ort.Tensor>, outputNames: string[]): Promise<Record<string, ort.Tensor>> {
    return this.session.run(feeds, outputNames);
  }

  describeInputs(): TensorDescription[] {
    return this.session.inputMetadata.map(describeTensor);
  }

  /** Tensor outputs only: onnxruntime-node cannot return sequences or maps. */
  describeOutputs(): TensorDescription[] {
    return this.session.outputMetadata.filter((m) => m.isTensor).map(describeTensor);
  }

  /** One onnxruntime run, fetching only the score output. */
  private async runSession(feeds: Record<string, Feed>): Promise<ort.Tensor> {
    const tensors: Record<string, ort.Tensor> = {};
    for (const name in feeds) {
      const feed = feeds[name]!;
      tensors[name] = new ort.Tensor(feed.dataType, feed.data, feed.dims);
    }
    const outputs = await this.session.run(tensors, [this.outputTensor]);
    return outputs[this.outputTensor]!;
  }

  private readPredictions(output: ort.Tensor, rowCount: number): Predictions {
    const data = output.data;
    if (!(data instanceof Float32Array || data instanceof Float64Array)) {
      throw new Error(`output "${this.outputTensor}" is ${output.type}, expected float`);
    }
    const columns = output.dims.length <= 1 ? 1 : data.length / rowCount;
    if (!Number.isInteger(columns) || columns * rowCount !== data.length) {
      throw new Error(`output "${this.outputTensor}" has shape [${output.dims.join(', ')}] for ${rowCount} rows`);
    }
    const scores = new Float64Array(rowCount);
    const margins = new Float64Array(rowCount);
    if (!this.isClassifier) {
      const [low, high] = this.card.output.range!;
      const values = new Float64Array(rowCount);
      for (let r = 0; r < rowCount; r++) {
        const value = data[r * columns]!;
        // An infinite value is no answer (JSON has no Infinity): NaN makes it the record's INFERENCE_FAILED.
        scores[r] = Number.isFinite(value) ? clamp01((value - low) / (high - low)) : Number.NaN;
        margins[r] = value;
        values[r] = value;
      }
      return { scores, margins, values };
    }
    const { transform } = this.card.output;
    const column = this.positiveColumn ?? 1;
    for (let r = 0; r < rowCount; r++) {
      const offset = r * columns;
      let probability: number;
      if (columns === 1) {
        probability = transform === 'sigmoid' ? sigmoid(data[offset]!) : data[offset]!;
      } else {
        probability = transform === 'softmax' ? softmaxAt(data, offset, columns, column) : data[offset + column]!;
        if (transform === 'sigmoid') probability = sigmoid(probability);
      }
      scores[r] = clamp01(probability);
      margins[r] = logit(probability);
    }
    return { scores, margins };
  }

  /** Scores one row of baselines, so shape and class mismatches surface at boot. */
  private async dryRun(cardFile: string): Promise<void> {
    let predictions: Predictions;
    try {
      const feeds = buildFeeds(this.bindings, [{ records: [this.baselines, this.baselines] }], this.baselines);
      const output = await this.runSession(feeds);
      const columns = output.dims.length <= 1 ? 1 : (output.data as ArrayLike<number>).length / 2;
      if (this.isClassifier && columns > 1 && (this.positiveColumn ?? 1) >= columns) {
        throw new Error(
          `the positive class is column ${this.positiveColumn ?? 1} but the output has ${columns} columns`,
        );
      }
      if (!this.isClassifier && columns !== 1) {
        throw new Error(`a regressor must output one value per row, got ${columns}`);
      }
      predictions = this.readPredictions(output, 2);
    } catch (error) {
      throw new ModelLoadError(
        cardFile,
        'output',
        `a test prediction on the feature baselines failed: ${(error as Error).message}`,
      );
    }
    if (!predictions.scores.every(Number.isFinite)) {
      throw new ModelLoadError(
        cardFile,
        'features',
        'a test prediction on the feature baselines is not a number: give numeric features a baseline or a default the graph accepts',
      );
    }
  }
}

async function readCard(cardFile: string): Promise<ModelCard> {
  let text: string;
  try {
    text = await readFile(cardFile, 'utf8');
  } catch (error) {
    throw new ModelLoadError(cardFile, undefined, `cannot be read (${(error as NodeJS.ErrnoException).code})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ModelLoadError(cardFile, undefined, `is not valid JSON (${(error as Error).message})`);
  }
  const parsed = ModelCard.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ModelLoadError(cardFile, issue.path.join('.') || undefined, issue.message);
  }
  return parsed.data;
}

/** Checks every card feature against a real session input and every session input against the card. */
function bindInputs(card: ModelCard, session: ort.InferenceSession, cardFile: string): InputBinding[] {
  const inputs = new Map(session.inputMetadata.map((m) => [m.name, m]));
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

function resolvePositiveColumn(
  card: ModelCard,
  graphClasses: Array<string | number> | undefined,
  cardFile: string,
): number | undefined {
  if (card.task === 'regression') return undefined;
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
    return undefined;
  }
  if (typeof positiveClass === 'number' && Number.isInteger(positiveClass) && positiveClass >= 0) return positiveClass;
  throw new ModelLoadError(
    cardFile,
    'output.classes',
    `the graph does not name its classes, so "${positiveClass}" cannot be found: list output.classes in column order`,
  );
}

function describeTensor(meta: ort.InferenceSession.ValueMetadata): TensorDescription {
  if (!meta.isTensor) return { name: meta.name, datatype: 'UNKNOWN', shape: [] };
  return {
    name: meta.name,
    datatype: OIP_DATATYPES[meta.type] ?? meta.type.toUpperCase(),
    shape: meta.shape.map((d) => (typeof d === 'number' ? d : -1)),
  };
}

/** onnxruntime element types by their Open Inference Protocol names. */
export const OIP_DATATYPES: Record<string, string> = {
  float32: 'FP32',
  float64: 'FP64',
  int64: 'INT64',
  int32: 'INT32',
  int16: 'INT16',
  int8: 'INT8',
  uint8: 'UINT8',
  bool: 'BOOL',
  string: 'BYTES',
  float16: 'FP16',
};

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
