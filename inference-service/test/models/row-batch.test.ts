import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { InputBinding, ModelValue } from '../../src/models/feature-encoder.ts';
import { buildFeeds } from '../../src/models/row-batch.ts';
import type { RecordRows, RowBatch } from '../../src/models/row-batch.ts';

/**
 * Tensors are filled from rows described, not copied out (models/row-batch.ts): each derived
 * row starts as a copy of its record's row, repeated in bulk, and only the cells that differ
 * are set, in one walk for all the inputs. Checked cell by cell against the rows written out
 * one by one, for both ways a card binds features (one tensor for all, or an input each),
 * records with and without coalitions and "how to improve" changes, and masks of one to three
 * 32-bit words.
 */

/** Every row of a record, written out: its own, then its coalition rows, then its change rows. */
function rowsByHand(record: RecordRows): ModelValue[][] {
  const rows = [record.values];
  const coalitions = record.coalitions;
  if (coalitions) {
    for (let base = 0; base < coalitions.masks.length; base += coalitions.words) {
      const row = [...record.values];
      coalitions.players.forEach((feature, p) => {
        const on = (coalitions.masks[base + (p >> 5)]! >>> (p % 32)) & 1;
        if (!on) row[feature] = coalitions.alternates[p]!;
      });
      rows.push(row);
    }
  }
  const changes = record.changes;
  if (changes) {
    for (let k = 0; k < changes.features.length; k += 2) {
      const row = [...record.values];
      row[changes.features[k]!] = changes.values[k]!;
      if (changes.features[k + 1] !== -1) row[changes.features[k + 1]!] = changes.values[k + 1]!;
      rows.push(row);
    }
  }
  return rows;
}

/** A record of `features` numbers, with some of them players of its coalitions and some changed. */
const recordOf = (features: number) =>
  fc
    .record({
      values: fc.array(fc.integer({ min: -50, max: 50 }), { minLength: features, maxLength: features }),
      players: fc.subarray([...Array(features).keys()]),
      coalitionRows: fc.nat({ max: 12 }),
      changeRows: fc.nat({ max: 5 }),
      seed: fc.nat(),
    })
    .map(({ values, players, coalitionRows, changeRows, seed }): RecordRows => {
      let state = seed;
      const next = () => (state = (state * 1_103_515_245 + 12_345) >>> 0);
      const record: RecordRows = { values };
      if (players.length > 0 && coalitionRows > 0) {
        const words = Math.max(1, Math.ceil(players.length / 32));
        record.coalitions = {
          players: Int32Array.from(players),
          alternates: players.map((f) => 1000 + f),
          words,
          masks: Uint32Array.from({ length: coalitionRows * words }, next),
        };
      }
      if (changeRows > 0) {
        const changed = Array.from({ length: 2 * changeRows }, (_, i) =>
          i % 2 === 1 && next() % 3 === 0 ? -1 : next() % features,
        );
        record.changes = { features: Int32Array.from(changed), values: changed.map((f, i) => 2000 + 10 * i + f) };
      }
      return record;
    });

const batchesOf = (features: number) =>
  fc.array(fc.record({ records: fc.array(recordOf(features), { minLength: 1, maxLength: 4 }) }), {
    minLength: 1,
    maxLength: 3,
  });

function assertFilled(bindings: InputBinding[], batches: RowBatch[]): void {
  const expected = batches.flatMap((batch) => batch.records.flatMap(rowsByHand));
  const feeds = buildFeeds(bindings, batches);
  for (const binding of bindings) {
    const tensor = feeds[binding.inputName]!;
    const columns = binding.featureIndexes.length;
    assert.deepEqual(tensor.dims, binding.rank === 1 ? [expected.length] : [expected.length, columns]);
    const cells = Array.from(tensor.data as ArrayLike<number | string>, (cell) =>
      binding.dataType === 'string' ? cell : Number(cell),
    );
    const wanted = expected.flatMap((row) =>
      binding.featureIndexes.map((f) => (binding.dataType === 'string' ? String(row[f]) : Number(row[f]))),
    );
    assert.deepEqual(cells, wanted, `input ${binding.inputName}`);
  }
}

describe('filling input tensors from described rows', () => {
  it('one tensor for every feature: each cell is the row written out by hand', () => {
    const features = 70; // masks of three 32-bit words
    const bindings: InputBinding[] = [
      { inputName: 'x', dataType: 'float32', rank: 2, featureIndexes: [...Array(features).keys()] },
    ];
    fc.assert(
      fc.property(batchesOf(features), (batches) => assertFilled(bindings, batches)),
      { numRuns: 200 },
    );
  });

  it('an input per feature, of every element type: each cell is the row written out by hand', () => {
    const types = ['string', 'float32', 'float64', 'int64', 'int32'] as const;
    const features = 36;
    const bindings: InputBinding[] = Array.from({ length: features }, (_, f) => ({
      inputName: `in${f}`,
      dataType: types[f % types.length]!,
      rank: f % 2 === 0 ? 2 : 1,
      featureIndexes: [f],
    }));
    fc.assert(
      fc.property(batchesOf(features), (batches) => assertFilled(bindings, batches)),
      { numRuns: 200 },
    );
  });
});
