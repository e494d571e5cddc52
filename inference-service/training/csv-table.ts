/**
 * RFC 4180 CSV, as Salesforce's Bulk API 2.0, Data Loader and spreadsheets write it: comma
 * separated, fields optionally in double quotes (a quote inside one doubled), quoted fields
 * may hold commas and line breaks, lines end in LF or CRLF. The first record is the header.
 *
 * Reading is strict where leniency would silently shift columns (a row with a different
 * number of fields, a stray quote), and every error names the line it is on.
 */

export interface CsvTable {
  header: string[];
  /** Every data row, with exactly one cell per header column. */
  rows: string[][];
  /** 1-based line on which each row starts, for error messages. */
  lines: number[];
}

export class CsvFormatError extends Error {
  override name = 'CsvFormatError';
}

/** Parses CSV text; `source` (a file name) prefixes every error message. */
export function parseCsv(text: string, source = 'CSV'): CsvTable {
  const records = readRecords(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, source);
  if (records.length === 0) throw new CsvFormatError(`${source}: the file is empty; it needs a header row`);
  const [first, ...rest] = records;
  const header = first!.fields.map((name) => name.trim());
  const seen = new Map<string, number>();
  header.forEach((name, index) => {
    if (name === '') throw new CsvFormatError(`${source}: column ${index + 1} of the header has no name`);
    const key = name.toLowerCase();
    if (seen.has(key)) {
      throw new CsvFormatError(
        `${source}: the header names "${name}" twice (columns ${seen.get(key)! + 1} and ${index + 1})`,
      );
    }
    seen.set(key, index);
  });
  for (const record of rest) {
    if (record.fields.length !== header.length) {
      throw new CsvFormatError(
        `${source}: line ${record.line} has ${record.fields.length} field(s) but the header has ${header.length}`,
      );
    }
  }
  return { header, rows: rest.map((r) => r.fields), lines: rest.map((r) => r.line) };
}

/** The index of a header column, matched case-insensitively (Salesforce API names are case-insensitive). */
export function columnIndex(table: Pick<CsvTable, 'header'>, name: string): number {
  const wanted = name.trim().toLowerCase();
  return table.header.findIndex((column) => column.toLowerCase() === wanted);
}

/** Writes rows as CSV with LF line ends, quoting only the fields that need it. */
export function formatCsv(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const line = (fields: readonly string[]) => fields.map(quoteIfNeeded).join(',');
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

function quoteIfNeeded(field: string): string {
  return /[",\r\n]|^\s|\s$/.test(field) ? `"${field.replaceAll('"', '""')}"` : field;
}

interface CsvRecord {
  fields: string[];
  line: number;
}

function readRecords(text: string, source: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let i = 0;
  // A record that is one empty unquoted field is a blank line, which is skipped.
  let fieldWasQuoted = false;

  const endRecord = () => {
    fields.push(field);
    if (!(fields.length === 1 && field === '' && !fieldWasQuoted)) records.push({ fields, line: recordLine });
    fields = [];
    field = '';
    fieldWasQuoted = false;
  };

  while (i < text.length) {
    const char = text[i]!;
    if (char === '"' && field === '' && !fieldWasQuoted) {
      // A quoted field: read to the closing quote; "" is a literal quote.
      fieldWasQuoted = true;
      const openedOn = line;
      i++;
      for (;;) {
        if (i >= text.length)
          throw new CsvFormatError(`${source}: the quoted field opened on line ${openedOn} never closes`);
        const c = text[i]!;
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (c === '\n') line++;
        field += c;
        i++;
      }
      const next = text[i];
      if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
        throw new CsvFormatError(`${source}: line ${line} has text after a closing quote`);
      }
      continue;
    }
    if (char === ',') {
      fields.push(field);
      field = '';
      fieldWasQuoted = false;
      i++;
      continue;
    }
    if (char === '\r' || char === '\n') {
      endRecord();
      i += char === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      recordLine = line;
      continue;
    }
    if (char === '"') throw new CsvFormatError(`${source}: line ${line} has a quote inside an unquoted field`);
    field += char;
    i++;
  }
  if (field !== '' || fieldWasQuoted || fields.length > 0) endRecord();
  return records;
}
