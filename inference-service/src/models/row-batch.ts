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
  /** Per card feature, its player index, or -1 for a feature that keeps the record's value in every row. */
  playerOf: Int32Array;
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
 * Calls `write(i, value)` for every cell of a binding, row by row, where i is the cell's index
 * in the tensor. One walk for every element type keeps the row semantics in one place.
 */
function forEachCell(
  binding: InputBinding,
  batches: RowBatch[],
  write: (index: number, value: ModelValue) => void,
): void {
  const { featureIndexes } = binding;
  const columns = featureIndexes.length;
  let i = 0;
  for (const batch of batches) {
    for (const record of batch.records) {
      const values = record.values;
      for (let c = 0; c < columns; c++) write(i++, values[featureIndexes[c]!]!);
      const coalitions = record.coalitions;
      if (coalitions) {
        const { masks, words, alternates, playerOf } = coalitions;
        for (let base = 0; base < masks.length; base += words) {
          for (let c = 0; c < columns; c++) {
            const p = playerOf[featureIndexes[c]!]!;
            const on = p < 0 || (masks[base + (p >> 5)]! & (1 << (p & 31))) !== 0;
            write(i++, on ? values[featureIndexes[c]!]! : alternates[p]!);
          }
        }
      }
      const changes = record.changes;
      if (changes) {
        const rows = changes.features.length / 2;
        for (let r = 0; r < rows; r++) {
          const first = changes.features[2 * r]!;
          const second = changes.features[2 * r + 1]!;
          for (let c = 0; c < columns; c++) {
            const f = featureIndexes[c]!;
            write(i++, f === first ? changes.values[2 * r]! : f === second ? changes.values[2 * r + 1]! : values[f]!);
          }
        }
      }
    }
  }
}

function fillInput(binding: InputBinding, batches: RowBatch[], n: number): InputData {
  const size = n * binding.featureIndexes.length;
  switch (binding.dataType) {
    case 'string': {
      const strings = new Array<string>(size);
      forEachCell(binding, batches, (i, value) => (strings[i] = String(value)));
      return strings;
    }
    case 'int64': {
      const ints = new BigInt64Array(size);
      forEachCell(binding, batches, (i, value) => (ints[i] = BigInt(Math.trunc(value as number))));
      return ints;
    }
    // Typed arrays convert as they store: float32 rounding, int32 truncation.
    case 'float32': {
      const data = new Float32Array(size);
      forEachCell(binding, batches, (i, value) => (data[i] = value as number));
      return data;
    }
    case 'float64': {
      const data = new Float64Array(size);
      forEachCell(binding, batches, (i, value) => (data[i] = value as number));
      return data;
    }
    case 'int32': {
      const data = new Int32Array(size);
      forEachCell(binding, batches, (i, value) => (data[i] = value as number));
      return data;
    }
  }
}
