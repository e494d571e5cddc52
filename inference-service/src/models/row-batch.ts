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
  const feeds: Record<string, ort.Tensor> = {};
  for (const binding of bindings) {
    const columns = binding.featureIndexes.length;
    const dims = binding.rank === 1 ? [n] : [n, columns];
    feeds[binding.inputName] = new ort.Tensor(binding.dataType, fillInput(binding, batches, n), dims);
  }
  return feeds;
}

/**
 * Where a tensor's rows are written, one element type each: the walk below decides what each
 * row holds, the writer stores it. A derived row starts as a copy of its record's own row and
 * only the cells that differ are set, so filling costs what changes, not rows × columns.
 */
interface RowWriter {
  /** Writes a record's own row at `row`, from its values in card order. */
  own(row: number, values: ModelValue[]): void;
  /** Copies the row at `from` to `row`. */
  copy(from: number, row: number): void;
  /** Sets column `column` of the row at `row`. */
  set(row: number, column: number, value: ModelValue): void;
}

/** Writes every row of the batches through `writer`, in order. */
function writeRows(binding: InputBinding, batches: RowBatch[], writer: RowWriter): void {
  const { featureIndexes } = binding;
  // Per card feature, its column in this tensor, or -1 when the tensor does not carry it.
  const columnOf = new Int32Array(Math.max(...featureIndexes) + 1).fill(-1);
  featureIndexes.forEach((f, c) => (columnOf[f] = c));
  const columnOfFeature = (f: number) => (f >= 0 && f < columnOf.length ? columnOf[f]! : -1);
  let row = 0;
  for (const batch of batches) {
    for (const record of batch.records) {
      const own = row++;
      writer.own(own, record.values);
      const coalitions = record.coalitions;
      if (coalitions) {
        const { masks, words, alternates, players } = coalitions;
        const lastBits = players.length % 32 === 0 ? -1 : (1 << (players.length % 32)) - 1;
        for (let base = 0; base < masks.length; base += words, row++) {
          writer.copy(own, row);
          for (let w = 0; w < words; w++) {
            // The players off in this row: clear bits, walked lowest first.
            let off = ~masks[base + w]! & (w === words - 1 ? lastBits : -1);
            while (off !== 0) {
              const bit = 31 - Math.clz32(off & -off);
              off &= off - 1;
              const p = w * 32 + bit;
              const column = columnOfFeature(players[p]!);
              if (column >= 0) writer.set(row, column, alternates[p]!);
            }
          }
        }
      }
      const changes = record.changes;
      if (changes) {
        for (let k = 0; k < changes.features.length; k += 2, row++) {
          writer.copy(own, row);
          for (let i = k; i < k + 2; i++) {
            const column = columnOfFeature(changes.features[i]!);
            if (column >= 0) writer.set(row, column, changes.values[i]!);
          }
        }
      }
    }
  }
}

/** A writer into a flat array of `columns` cells a row, converting each value as it stores it. */
function rowWriter<T>(
  data: { [index: number]: T; copyWithin(target: number, start: number, end: number): unknown },
  featureIndexes: number[],
  convert: (value: ModelValue) => T,
): RowWriter {
  const columns = featureIndexes.length;
  return {
    own(row, values) {
      for (let c = 0; c < columns; c++) data[row * columns + c] = convert(values[featureIndexes[c]!]!);
    },
    copy(from, row) {
      // A one-column tensor (a model with an input per feature) copies its cell; copyWithin's call costs more.
      if (columns === 1) data[row] = data[from]!;
      else data.copyWithin(row * columns, from * columns, (from + 1) * columns);
    },
    set(row, column, value) {
      data[row * columns + column] = convert(value);
    },
  };
}

function fillInput(binding: InputBinding, batches: RowBatch[], n: number): InputData {
  const size = n * binding.featureIndexes.length;
  const fill = <T>(data: Parameters<typeof rowWriter<T>>[0], convert: (value: ModelValue) => T) =>
    writeRows(binding, batches, rowWriter(data, binding.featureIndexes, convert));
  switch (binding.dataType) {
    case 'string': {
      const strings = new Array<string>(size);
      fill(strings, String);
      return strings;
    }
    case 'int64': {
      const ints = new BigInt64Array(size);
      fill(ints, (value) => BigInt(Math.trunc(value as number)));
      return ints;
    }
    // Typed arrays convert as they store: float32 rounding, int32 truncation.
    case 'float32': {
      const data = new Float32Array(size);
      fill(data, (value) => value as number);
      return data;
    }
    case 'float64': {
      const data = new Float64Array(size);
      fill(data, (value) => value as number);
      return data;
    }
    case 'int32': {
      const data = new Int32Array(size);
      fill(data, (value) => value as number);
      return data;
    }
  }
}
