import ort from 'onnxruntime-node';
import type { InputBinding, ModelValue } from './feature-encoder.ts';

/**
 * Rows to score, described rather than copied out: each record gives its own row, then the
 * rows derived from it that explanations and "how to improve" compare against. Tensors are
 * filled straight from this description, so an explained 200-record request never allocates
 * its thousands of row copies, and a request waiting for its turn in a batched run holds only
 * its records and a bit mask per derived row.
 */

/**
 * Rows in which some of a record's features (its "players") take another value: row i gives
 * player p the record's value when bit p of its mask is set, else `alternates[p]` (the
 * feature's baseline). Coalitions for Shapley values, and occlusion's one-feature-off rows.
 */
export interface CoalitionRows {
  /** Per player, its card feature; a feature that is no player keeps the record's value in every row. */
  players: Int32Array;
  /** Per player, its value when it is off. */
  alternates: ModelValue[];
  /** 32-bit words per row in `masks`. */
  words: number;
  /** Row i's mask is masks[i * words, (i + 1) * words); player p is bit p % 32 of word p >> 5. */
  masks: Uint32Array;
}

/** Rows that set one or two features of a record to given values ("how to improve" candidates). */
export interface ChangeRows {
  /** Row i sets features[2i] to values[2i] and, unless it is -1, features[2i + 1] to values[2i + 1]. */
  features: Int32Array;
  values: ModelValue[];
}

export interface RecordRows {
  /** Model values, card order. */
  values: ModelValue[];
  coalitions?: CoalitionRows;
  changes?: ChangeRows;
}

/** The rows of a batch, record by record: its own row, then its coalition rows, then its change rows. */
export interface RowBatch {
  records: RecordRows[];
}

export function coalitionCount(rows: CoalitionRows | undefined): number {
  return rows ? rows.masks.length / rows.words : 0;
}

export function changeCount(rows: ChangeRows | undefined): number {
  return rows ? rows.features.length / 2 : 0;
}

/** Rows a record contributes to a run: its own and every derived row. */
export function recordRowCount(record: RecordRows): number {
  return 1 + coalitionCount(record.coalitions) + changeCount(record.changes);
}

export function rowCount(batch: RowBatch): number {
  let rows = 0;
  for (const record of batch.records) rows += recordRowCount(record);
  return rows;
}

type InputData = Float32Array | Float64Array | BigInt64Array | Int32Array | string[];

/** Builds one input tensor per binding holding every row of the batches, in order. */
export function buildFeeds(bindings: InputBinding[], batches: RowBatch[]): Record<string, ort.Tensor> {
  let n = 0;
  for (const batch of batches) n += rowCount(batch);
  const inputs = bindings.map((binding) => newInput(binding, n));
  writeRows(
    bindings,
    batches,
    inputs.map((input) => input.writer),
  );
  const feeds: Record<string, ort.Tensor> = {};
  bindings.forEach((binding, i) => {
    const dims = binding.rank === 1 ? [n] : [n, binding.featureIndexes.length];
    feeds[binding.inputName] = new ort.Tensor(binding.dataType, inputs[i]!.data, dims);
  });
  return feeds;
}

/**
 * Where a tensor's rows are written, one element type each: the walk below decides what each
 * row holds, the writer stores it. A record's derived rows start as copies of its own row and
 * only the cells that differ are set, so filling costs what changes, not rows × columns.
 */
interface RowWriter {
  /** Writes a record's own row at `row`, from its values in card order. */
  own(row: number, values: ModelValue[]): void;
  /** Copies the row at `from` into the `count` rows after it. */
  repeat(from: number, count: number): void;
  /** Sets column `column` of the row at `row`. */
  set(row: number, column: number, value: ModelValue): void;
}

/**
 * Writes every row of the batches, in order, walking the rows once for all the tensors: a
 * model with an input per feature (ten for the bundled one) would otherwise walk every
 * coalition mask once per input, to set a cell in one of them.
 */
function writeRows(bindings: InputBinding[], batches: RowBatch[], writers: RowWriter[]): void {
  // Per card feature, the writer of the tensor that carries it and its column there.
  const featureCount = Math.max(...bindings.map((binding) => Math.max(...binding.featureIndexes))) + 1;
  const writerOf = new Int32Array(featureCount).fill(-1);
  const columnOf = new Int32Array(featureCount);
  bindings.forEach((binding, w) =>
    binding.featureIndexes.forEach((f, c) => {
      writerOf[f] = w;
      columnOf[f] = c;
    }),
  );
  const set = (row: number, feature: number, value: ModelValue) => {
    const w = feature >= 0 && feature < featureCount ? writerOf[feature]! : -1;
    if (w >= 0) writers[w]!.set(row, columnOf[feature]!, value);
  };
  let row = 0;
  for (const batch of batches) {
    for (const record of batch.records) {
      const own = row++;
      const derived = recordRowCount(record) - 1;
      for (const writer of writers) {
        writer.own(own, record.values);
        if (derived > 0) writer.repeat(own, derived);
      }
      const coalitions = record.coalitions;
      if (coalitions) {
        const { masks, words, alternates, players } = coalitions;
        const lastBits = players.length % 32 === 0 ? -1 : (1 << (players.length % 32)) - 1;
        for (let base = 0; base < masks.length; base += words, row++) {
          for (let w = 0; w < words; w++) {
            // The players off in this row: clear bits, walked lowest first.
            let off = ~masks[base + w]! & (w === words - 1 ? lastBits : -1);
            while (off !== 0) {
              const bit = 31 - Math.clz32(off & -off);
              off &= off - 1;
              const p = w * 32 + bit;
              set(row, players[p]!, alternates[p]!);
            }
          }
        }
      }
      const changes = record.changes;
      if (changes) {
        for (let k = 0; k < changes.features.length; k += 2, row++) {
          set(row, changes.features[k]!, changes.values[k]!);
          set(row, changes.features[k + 1]!, changes.values[k + 1]!);
        }
      }
    }
  }
}

/** A flat array of cells: a typed array, or the strings of a string tensor. */
interface Cells<T> {
  [index: number]: T;
  copyWithin(target: number, start: number, end: number): unknown;
  fill(value: T, start: number, end: number): unknown;
}

/** A writer into a flat array of `columns` cells a row, converting each value as it stores it. */
function rowWriter<T>(data: Cells<T>, featureIndexes: number[], convert: (value: ModelValue) => T): RowWriter {
  const columns = featureIndexes.length;
  return {
    own(row, values) {
      for (let c = 0; c < columns; c++) data[row * columns + c] = convert(values[featureIndexes[c]!]!);
    },
    repeat(from, count) {
      if (columns === 1) {
        // A one-column tensor (a model with an input per feature): one fill for all the rows.
        data.fill(data[from]!, from + 1, from + 1 + count);
        return;
      }
      // Doubling: each copy takes every row written so far, so k rows cost log2(k) calls.
      const start = from * columns;
      const end = (from + 1 + count) * columns;
      for (let done = columns; start + done < end; done *= 2) {
        data.copyWithin(start + done, start, Math.min(start + done, end - done));
      }
    },
    set(row, column, value) {
      data[row * columns + column] = convert(value);
    },
  };
}

const asNumber = (value: ModelValue) => value as number;
const asInt64 = (value: ModelValue) => BigInt(Math.trunc(value as number));

/** A tensor's data for `n` rows, in the writer that fills it. */
function newInput(binding: InputBinding, n: number): { data: InputData; writer: RowWriter } {
  const size = n * binding.featureIndexes.length;
  const input = <T>(data: Cells<T> & InputData, convert: (value: ModelValue) => T) => ({
    data,
    writer: rowWriter<T>(data, binding.featureIndexes, convert),
  });
  switch (binding.dataType) {
    case 'string':
      return input<string>(new Array<string>(size), String);
    case 'int64':
      return input<bigint>(new BigInt64Array(size), asInt64);
    // Typed arrays convert as they store: float32 rounding, int32 truncation.
    case 'float32':
      return input<number>(new Float32Array(size), asNumber);
    case 'float64':
      return input<number>(new Float64Array(size), asNumber);
    case 'int32':
      return input<number>(new Int32Array(size), asNumber);
  }
}
