import { columnIndex } from './csv-table.ts';
import type { CsvTable } from './csv-table.ts';
import { DatasetError } from './feature-spec.ts';
import type { Cell, CellColumns } from './feature-spec.ts';
import type { FeatureType } from './tabular-trainer.ts';

/**
 * An AI_Model_Endpoint__mdt feature mapping applied to exported records, so a model is
 * trained on exactly the values Apex will send it at scoring time. This mirrors
 * force-app's AiFeatureMapping (parseAll and valueFrom): the same JSON, the same
 * transforms, the same blank rules. docs/admin-guide.md documents the mapping.
 *
 * Exported records are rows of a CSV whose columns are the mapped field paths (what a
 * Bulk API query of those paths returns, `Account.Industry` included).
 */

export type FeatureTransform = 'VALUE' | 'IS_BLANK' | 'NOT_BLANK' | 'DAYS_SINCE';

export interface FeatureMappingEntry {
  feature: string;
  field: string;
  transform: FeatureTransform;
  default?: string | number | boolean;
}

const TRANSFORMS: readonly FeatureTransform[] = ['VALUE', 'IS_BLANK', 'NOT_BLANK', 'DAYS_SINCE'];
const MAX_RELATIONSHIP_DEPTH = 5;
const DAY_MS = 86_400_000;

/** Parses and checks a Feature_Mapping__c value (text or already-parsed JSON), as Apex does. */
export function parseFeatureMapping(mapping: unknown): FeatureMappingEntry[] {
  let parsed = mapping;
  if (typeof mapping === 'string') {
    try {
      parsed = JSON.parse(mapping);
    } catch (error) {
      throw new DatasetError(`the feature mapping is not valid JSON: ${(error as Error).message}`);
    }
  }
  if (!Array.isArray(parsed) || parsed.length === 0) {
    throw new DatasetError('the feature mapping must be a non-empty JSON list of {"feature", "field"} entries');
  }
  const seen = new Set<string>();
  return parsed.map((item: unknown, index) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw new DatasetError(`feature mapping entry ${index + 1} must be an object with "feature" and "field"`);
    }
    const entry = item as Record<string, unknown>;
    const feature = text(entry.feature);
    const field = text(entry.field);
    if (!feature) throw new DatasetError(`feature mapping entry ${index + 1} needs a "feature" name`);
    if (!field) throw new DatasetError(`feature "${feature}" needs a "field"`);
    if (seen.has(feature)) throw new DatasetError(`feature "${feature}" is mapped twice`);
    seen.add(feature);
    // `Account.Owner.Name` is two relationships and a field, as in Apex (AiFeatureMapping).
    if (field.split('.').length - 1 > MAX_RELATIONSHIP_DEPTH) {
      throw new DatasetError(
        `feature "${feature}": "${field}" goes more than ${MAX_RELATIONSHIP_DEPTH} relationships deep`,
      );
    }
    const transformName = (text(entry.transform) ?? 'VALUE').toUpperCase();
    if (!TRANSFORMS.includes(transformName as FeatureTransform)) {
      throw new DatasetError(
        `feature "${feature}": unknown transform "${String(entry.transform)}" (use ${TRANSFORMS.join(', ')})`,
      );
    }
    const result: FeatureMappingEntry = { feature, field, transform: transformName as FeatureTransform };
    const fallback = entry.default;
    if (fallback !== undefined && fallback !== null) {
      if (typeof fallback !== 'string' && typeof fallback !== 'number' && typeof fallback !== 'boolean') {
        throw new DatasetError(`feature "${feature}": "default" must be a number, text or true/false`);
      }
      result.default = fallback;
    }
    return result;
  });
}

/** The feature type a transform always produces; undefined when the field's own type decides. */
export function transformType(transform: FeatureTransform): FeatureType | undefined {
  switch (transform) {
    case 'IS_BLANK':
    case 'NOT_BLANK':
      return 'boolean';
    case 'DAYS_SINCE':
      return 'integer';
    case 'VALUE':
      return undefined;
  }
}

/** The distinct field paths a mapping reads, in mapping order: the columns to export. */
export function mappedFieldPaths(mapping: readonly FeatureMappingEntry[]): string[] {
  const byLowerCase = new Map<string, string>();
  for (const entry of mapping) {
    const key = entry.field.trim().toLowerCase();
    if (!byLowerCase.has(key)) byLowerCase.set(key, entry.field.trim());
  }
  return [...byLowerCase.values()];
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

function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const trimmed = String(value).trim();
  return trimmed === '' ? undefined : trimmed;
}
