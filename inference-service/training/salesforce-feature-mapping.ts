import { parseFeatureMapping } from '@byom/contracts/feature-mapping';
import type { FeatureMappingEntry } from '@byom/contracts/feature-mapping';
import { columnIndex } from './csv-table.ts';
import type { CsvTable } from './csv-table.ts';
import { DatasetError } from './feature-spec.ts';
import type { Cell, CellColumns } from './feature-spec.ts';

/**
 * An AI_Model_Endpoint__mdt feature mapping applied to exported records, so a model is
 * trained on exactly the values Apex will send it at scoring time. The mapping is read by
 * @byom/contracts/feature-mapping (AiFeatureMapping.parseAll's rules); the values here
 * mirror AiFeatureMapping.valueFrom: the same transforms, the same blank rules.
 * docs/admin-guide.md documents the mapping.
 *
 * Exported records are rows of a CSV whose columns are the mapped field paths (what a
 * Bulk API query of those paths returns, `Account.Industry` included).
 */

const DAY_MS = 86_400_000;

/** The mapping in a --mapping file, checked as Apex checks it; any problem is a DatasetError naming all of them. */
export function readFeatureMapping(json: string): FeatureMappingEntry[] {
  const { entries, problems } = parseFeatureMapping(json);
  if (problems.length > 0) throw new DatasetError(`the feature mapping is invalid: ${problems.join('; ')}`);
  return entries;
}

/**
 * One column per mapped feature, with the value Apex would send for each record.
 * `asOf` is the day DAYS_SINCE counts to (UTC).
 */
export function applyFeatureMapping(mapping: readonly FeatureMappingEntry[], table: CsvTable, asOf: Date): CellColumns {
  const today = Date.UTC(asOf.getUTCFullYear(), asOf.getUTCMonth(), asOf.getUTCDate());
  const columns = mapping.map((entry) => {
    const index = columnIndex(table, entry.field);
    if (index < 0) {
      throw new DatasetError(
        `feature "${entry.feature}" reads field "${entry.field}", which is not a column of the data ` +
          `(columns: ${table.header.join(', ')})`,
      );
    }
    return table.rows.map((row, r) => mappedValue(entry, row[index]!, today, table.lines[r]!));
  });
  return { names: mapping.map((entry) => entry.feature), columns, lines: table.lines };
}

function mappedValue(entry: FeatureMappingEntry, raw: string, today: number, line: number): Cell {
  // Apex's String.isBlank: whitespace-only text is blank.
  const blank = raw.trim() === '';
  switch (entry.transform) {
    case 'IS_BLANK':
      return blank;
    case 'NOT_BLANK':
      return !blank;
    case 'DAYS_SINCE': {
      if (blank) return entry.default ?? null;
      const day = utcDay(raw);
      if (day === undefined) {
        throw new DatasetError(
          `line ${line}: feature "${entry.feature}" uses DAYS_SINCE but "${entry.field}" holds ${JSON.stringify(raw)}, ` +
            'not a date (YYYY-MM-DD) or date/time',
        );
      }
      // A future date (an upcoming event sets LastActivityDate) counts as today, as in Apex.
      return Math.max(0, Math.round((today - day) / DAY_MS));
    }
    case 'VALUE':
      return blank ? (entry.default ?? null) : raw;
  }
}

/** Midnight UTC of the day a date or date/time value falls on; undefined when it is neither. */
function utcDay(value: string): number | undefined {
  const trimmed = value.trim();
  const dateOnly = /^(\d{4})-(\d{2})-(\d{2})$/.exec(trimmed);
  if (dateOnly) {
    const [year, month, day] = dateOnly.slice(1).map(Number) as [number, number, number];
    const time = Date.UTC(year, month - 1, day);
    const check = new Date(time);
    return check.getUTCMonth() === month - 1 && check.getUTCDate() === day ? time : undefined;
  }
  if (!/^\d{4}-\d{2}-\d{2}T/.test(trimmed)) return undefined;
  // Bulk API writes 2024-05-01T10:00:00.000Z; Data Loader may write +0000 without a colon.
  const instant = Date.parse(trimmed.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  if (Number.isNaN(instant)) return undefined;
  const date = new Date(instant);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
}
