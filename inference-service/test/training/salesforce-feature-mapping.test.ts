import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCsv } from '../../training/csv-table.ts';
import { DatasetError } from '../../training/feature-spec.ts';
import { applyFeatureMapping, readFeatureMapping } from '../../training/salesforce-feature-mapping.ts';

describe('Salesforce feature mapping (as Apex applies it)', () => {
  it('reads a --mapping file with the rules Apex applies, every problem as one input error', () => {
    assert.deepEqual(
      readFeatureMapping(
        '[{"feature":"HasEmail","field":"Email","transform":"not_blank"},{"feature":"Opens","field":"Opens__c","default":0}]',
      ),
      [
        { feature: 'HasEmail', field: 'Email', transform: 'NOT_BLANK' },
        { feature: 'Opens', field: 'Opens__c', transform: 'VALUE', default: 0 },
      ],
    );
    assert.throws(
      () => readFeatureMapping('[]'),
      DatasetError,
      'mapping errors are input errors the CLI reports as such',
    );
    assert.throws(
      () =>
        readFeatureMapping(
          '[{"feature":"A","field":"X"},{"feature":"A","field":"Y"},{"feature":"B","field":"X","transform":"LOG"}]',
        ),
      {
        message:
          'the feature mapping is invalid: feature "A" is mapped twice; ' +
          'feature "B": unknown transform "LOG" (use VALUE, IS_BLANK, NOT_BLANK, DAYS_SINCE)',
      },
    );
  });

  it('accepts a path of five relationships, the most SOQL follows', () => {
    const [entry] = readFeatureMapping('[{"feature":"A","field":"A.B.C.D.E.F"}]');
    assert.equal(entry?.field, 'A.B.C.D.E.F', 'five relationships and a field are allowed');
  });

  it('computes every transform from exported record fields', () => {
    const mapping = readFeatureMapping(
      JSON.stringify([
        { feature: 'Source', field: 'LeadSource' },
        { feature: 'HasEmail', field: 'Email', transform: 'NOT_BLANK' },
        { feature: 'NoPhone', field: 'Phone', transform: 'IS_BLANK' },
        { feature: 'Days', field: 'LastActivityDate', transform: 'DAYS_SINCE' },
        { feature: 'DaysSinceCreated', field: 'CreatedDate', transform: 'DAYS_SINCE', default: -1 },
        { feature: 'Opens', field: 'Opens__c', default: 0 },
        { feature: 'Industry', field: 'account.industry' },
      ]),
    );
    const table = parseCsv(
      [
        'LeadSource,Email,Phone,LastActivityDate,CreatedDate,Opens__c,Account.Industry',
        'Web,a@example.com,   ,2025-03-04,2025-03-01T23:30:00.000Z,3,Tech',
        ',,+1 415,2025-03-20,,,',
      ].join('\n'),
    );
    const cells = applyFeatureMapping(mapping, table, new Date('2025-03-14T15:00:00Z'));
    assert.deepEqual(cells.names, ['Source', 'HasEmail', 'NoPhone', 'Days', 'DaysSinceCreated', 'Opens', 'Industry']);
    const row = (r: number) => cells.columns.map((column) => column[r]);
    assert.deepEqual(
      row(0),
      ['Web', true, true, 10, 13, '3', 'Tech'],
      'whitespace-only text is blank, as String.isBlank',
    );
    assert.deepEqual(
      row(1),
      [null, false, false, 0, -1, 0, null],
      'a future date counts as 0 days; blanks take the default',
    );
  });

  it('names the line and the field of a value DAYS_SINCE cannot read, and a field the data lacks', () => {
    const mapping = readFeatureMapping('[{"feature":"Days","field":"LastActivityDate","transform":"DAYS_SINCE"}]');
    assert.throws(() => applyFeatureMapping(mapping, parseCsv('LastActivityDate\n2025-02-30\n'), new Date()), {
      message:
        'line 2: feature "Days" uses DAYS_SINCE but "LastActivityDate" holds "2025-02-30", not a date (YYYY-MM-DD) or date/time',
    });
    assert.throws(() => applyFeatureMapping(mapping, parseCsv('Email\nx\n'), new Date()), {
      message: 'feature "Days" reads field "LastActivityDate", which is not a column of the data (columns: Email)',
    });
  });
});
