import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCsv } from '../../training/csv-table.ts';
import { DatasetError } from '../../training/feature-spec.ts';
import {
  applyFeatureMapping,
  mappedFieldPaths,
  parseFeatureMapping,
} from '../../training/salesforce-feature-mapping.ts';

describe('Salesforce feature mapping (as Apex applies it)', () => {
  it('parses the Feature_Mapping__c JSON with the same rules as AiFeatureMapping.parseAll', () => {
    assert.deepEqual(
      parseFeatureMapping(
        '[{"feature":"HasEmail","field":"Email","transform":"not_blank"},{"feature":"Opens","field":"Opens__c","default":0}]',
      ),
      [
        { feature: 'HasEmail', field: 'Email', transform: 'NOT_BLANK' },
        { feature: 'Opens', field: 'Opens__c', transform: 'VALUE', default: 0 },
      ],
    );
    assert.throws(
      () => parseFeatureMapping('[]'),
      DatasetError,
      'mapping errors are input errors the CLI reports as such',
    );
    assert.throws(() => parseFeatureMapping('[]'), /non-empty JSON list/);
    assert.throws(() => parseFeatureMapping('[{"feature":"A","field":"X"},{"feature":"A","field":"Y"}]'), {
      message: 'feature "A" is mapped twice',
    });
    assert.throws(
      () => parseFeatureMapping('[{"feature":"A","field":"X","transform":"LOG"}]'),
      /unknown transform "LOG"/,
    );
    assert.throws(
      () => parseFeatureMapping('[{"feature":"A","field":"X","default":[1]}]'),
      /"default" must be a number, text or true\/false/,
    );
    assert.throws(
      () => parseFeatureMapping('[{"feature":"A","field":"A.B.C.D.E.F.G"}]'),
      /more than 5 relationships deep/,
    );
  });

  it('accepts a path of five relationships, the most SOQL follows', () => {
    const [entry] = parseFeatureMapping('[{"feature":"A","field":"A.B.C.D.E.F"}]');
    assert.equal(entry?.field, 'A.B.C.D.E.F', 'five relationships and a field are allowed');
  });

  it('computes every transform from exported record fields', () => {
    const mapping = parseFeatureMapping(
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
    assert.deepEqual(mappedFieldPaths(mapping), [
      'LeadSource',
      'Email',
      'Phone',
      'LastActivityDate',
      'CreatedDate',
      'Opens__c',
      'account.industry',
    ]);
  });

  it('names the line and the field of a value DAYS_SINCE cannot read, and a field the data lacks', () => {
    const mapping = parseFeatureMapping('[{"feature":"Days","field":"LastActivityDate","transform":"DAYS_SINCE"}]');
    assert.throws(() => applyFeatureMapping(mapping, parseCsv('LastActivityDate\n2025-02-30\n'), new Date()), {
      message:
        'line 2: feature "Days" uses DAYS_SINCE but "LastActivityDate" holds "2025-02-30", not a date (YYYY-MM-DD) or date/time',
    });
    assert.throws(() => applyFeatureMapping(mapping, parseCsv('Email\nx\n'), new Date()), {
      message: 'feature "Days" reads field "LastActivityDate", which is not a column of the data (columns: Email)',
    });
  });
});
