import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCsv } from '../../training/csv-table.ts';
import { deriveType } from '../../training/feature-spec.ts';
import { readFeatureMapping } from '../../training/salesforce-feature-mapping.ts';
import { buildDataset } from '../../training/tabular-dataset.ts';

const ids = (count: number) => Array.from({ length: count }, (_, i) => `00Q${String(i).padStart(12, '0')}`);

describe('datasets from CSV', () => {
  it('derives boolean, then number, then category from the values', () => {
    assert.equal(deriveType(['TRUE', 'false', null]), 'boolean');
    assert.equal(deriveType(['1', '2.5', '-3', '4.0E7', null]), 'number');
    assert.equal(deriveType(['1', 'two']), 'category');
    assert.equal(deriveType([null, null]), 'category');
  });

  it('uses every column but the label and record ids as features, and says what it decided', () => {
    const lines = ids(30).map(
      (id, i) => `${id},${i % 3 ? 'EU' : 'US'},${i},${i % 2 === 0},${i % 5 === 0 ? '' : i % 2 ? 'yes' : 'no'}`,
    );
    const dataset = buildDataset(parseCsv(['Id,Region,Seats,Annual,Churned', ...lines].join('\n')), {
      label: 'churned',
    });
    assert.deepEqual(
      dataset.features.map((f) => `${f.name}:${f.type}`),
      ['Region:category', 'Seats:number', 'Annual:boolean'],
    );
    assert.deepEqual(dataset.rowCount, { total: 30, used: 24, unlabelled: 6 });
    assert.deepEqual(dataset.data.rows[0], { Region: 'EU', Seats: 1, Annual: false });
    assert.equal(dataset.data.labels[0], 1);
    assert.deepEqual(dataset.notes, [
      'column "Id" looks like a record id (a different value on every row) and is not a feature',
      '6 row(s) have no "Churned" value and were left out',
      'types read from the data: Region category, Seats number, Annual boolean',
    ]);
  });

  it('takes declared types over the data, and reports a value that does not fit with its line', () => {
    const table = parseCsv('Seats,Churned\n3,true\n4.5,false\n');
    assert.throws(() => buildDataset(table, { label: 'Churned', declared: [{ name: 'Seats', type: 'integer' }] }), {
      message: 'line 3: feature "Seats" is integer but the value "4.5" is not a whole number',
    });
    assert.throws(() => buildDataset(parseCsv('Seats,Churned\n3,maybe\n'), { label: 'Churned' }), {
      message: 'line 2: label "Churned" is "maybe"; labels must be true/false, 1/0 or yes/no',
    });
  });

  it('computes mapped features and types them by transform, refusing a declaration that contradicts one', () => {
    const table = parseCsv('Email,Title,IsConverted\na@b.c,VP,true\n,,false\n');
    const mapping = readFeatureMapping(
      '[{"feature":"HasEmail","field":"Email","transform":"NOT_BLANK"},{"feature":"Title","field":"Title"}]',
    );
    const dataset = buildDataset(table, { label: 'IsConverted', mapping });
    assert.deepEqual(dataset.features, [
      { name: 'HasEmail', type: 'boolean' },
      { name: 'Title', type: 'category' },
    ]);
    assert.deepEqual(dataset.data.rows, [
      { HasEmail: true, Title: 'VP' },
      { HasEmail: false, Title: null },
    ]);
    assert.throws(
      () => buildDataset(table, { label: 'IsConverted', mapping, declared: [{ name: 'HasEmail', type: 'category' }] }),
      {
        message: 'feature "HasEmail" is declared category, but its NOT_BLANK transform always sends boolean values',
      },
    );
  });

  it('refuses a mapping that reads the label itself', () => {
    const mapping = readFeatureMapping('[{"feature":"Converted","field":"IsConverted"}]');
    assert.throws(() => buildDataset(parseCsv('IsConverted\ntrue\n'), { label: 'IsConverted', mapping }), {
      message: 'feature "Converted" reads the label "IsConverted": a model cannot learn from its own answer',
    });
  });
});
