import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { columnIndex, CsvFormatError, formatCsv, parseCsv } from '../../training/csv-table.ts';

describe('CSV tables', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, CRLF and a BOM', () => {
    const table = parseCsv(
      '\ufeff"Id","Name","Notes"\r\n001,"Acme, Inc.","said ""hi""\r\nthen left"\r\n\r\n002,Globex,\n',
    );
    assert.deepEqual(table.header, ['Id', 'Name', 'Notes']);
    assert.deepEqual(table.rows, [
      ['001', 'Acme, Inc.', 'said "hi"\r\nthen left'],
      ['002', 'Globex', ''],
    ]);
    assert.deepEqual(table.lines, [2, 5], 'each row knows the line it starts on, blank lines skipped');
  });

  it('matches columns case-insensitively, as Salesforce API names are', () => {
    const table = parseCsv('Account.Industry,IsConverted\nTech,true\n');
    assert.equal(columnIndex(table, 'account.industry'), 0);
    assert.equal(columnIndex(table, 'Missing'), -1);
  });

  it('names the line of every format error', () => {
    assert.throws(() => parseCsv('a,b\n1,2,3\n', 'leads.csv'), {
      message: 'leads.csv: line 2 has 3 field(s) but the header has 2',
    });
    assert.throws(() => parseCsv('a,b\n1,"2\n', 'leads.csv'), {
      message: 'leads.csv: the quoted field opened on line 2 never closes',
    });
    assert.throws(() => parseCsv('a,b\n1,2"x\n', 'leads.csv'), {
      message: 'leads.csv: line 2 has a quote inside an unquoted field',
    });
    assert.throws(() => parseCsv('a,b\n"1"x,2\n', 'leads.csv'), {
      message: 'leads.csv: line 2 has text after a closing quote',
    });
    assert.throws(() => parseCsv('a,A\n', 'leads.csv'), {
      message: 'leads.csv: the header names "A" twice (columns 1 and 2)',
    });
    assert.throws(() => parseCsv('', 'leads.csv'), { message: 'leads.csv: the file is empty; it needs a header row' });
    assert.throws(() => parseCsv('a\n"', 'leads.csv'), CsvFormatError, 'format errors have their own type');
  });

  it('writes what it reads back unchanged', () => {
    const rows = [
      ['1', 'Acme, Inc.', 'said "hi"\nthen left'],
      ['2', ' leading space', ''],
    ];
    const text = formatCsv(['Id', 'Name', 'Notes'], rows);
    assert.deepEqual(parseCsv(text).rows, rows);
  });
});
