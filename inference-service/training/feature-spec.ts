import { readFile } from 'node:fs/promises';
import { FeatureType } from '@byom/contracts/model-card';
import { columnIndex } from './csv-table.ts';
import type { CsvTable } from './csv-table.ts';
import type { FeatureValue, TabularFeature, TabularRow } from './tabular-trainer.ts';

/**
 * From a table of cells to what the trainer takes: which columns are features, of which
 * type, and their values typed. Types come, in order of precedence, from what the caller
 * declares (`--feature-type`, a spec file, or what a Salesforce field mapping implies) and
 * otherwise from the data itself:
 *
 *   boolean   every non-blank value is true/false (any case), or a boolean already
 *   number    every non-blank value is a finite number
 *   category  anything else
 *
 * Numbers are derived as `number`, never `integer`: a card that says integer rejects 2.5 at
 * scoring time, and a currency field that happened to hold whole numbers in training would
 * then fail records in production. Declare `integer` when the field can only hold integers.
 */

/** One value before typing: text from a CSV, or already typed by a field mapping; null is blank. */
export type Cell = string | number | boolean | null;

/** Named columns of cells, all of the same length, and the source line of each row. */
export interface CellColumns {
  names: string[];
  columns: Cell[][];
  lines: number[];
}

/** What a caller may say about a feature; anything left out is derived from the data. */
export interface DeclaredFeature {
  name: string;
  type?: FeatureType;
  label?: string;
  description?: string;
}

/** An error in the data or the declarations, worded for the person who supplied them. */
export class DatasetError extends Error {
  override name = 'DatasetError';
}

/** The text of a file the user named (data, mapping, feature list), or a DatasetError naming it. */
export async function readUserFile(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new DatasetError(`cannot read ${file} (${(error as NodeJS.ErrnoException).code})`);
  }
}

/** A table's columns as cells; a blank (or whitespace-only) CSV field is null. */
export function cellsFromTable(table: CsvTable, names: readonly string[] = table.header): CellColumns {
  const columns = names.map((name) => {
    const index = columnIndex(table, name);
    if (index < 0) throw new DatasetError(`the data has no column "${name}" (columns: ${table.header.join(', ')})`);
    return table.rows.map((row) => (row[index]!.trim() === '' ? null : row[index]!));
  });
  return { names: [...names], columns, lines: table.lines };
}

/** Columns that look like record identifiers: text, every value present and different. */
export function looksLikeIdentifier(name: string, cells: readonly Cell[]): boolean {
  if (/^id$/i.test(name)) return true;
  if (cells.length < 20) return false;
  const values = new Set<string>();
  for (const cell of cells) {
    if (typeof cell !== 'string') return false;
    values.add(cell);
  }
  return values.size === cells.length && !cells.every(isNumericText);
}

/**
 * The features in column order: each declared type wins, otherwise the type is derived
 * from the cells. Every declared feature must be a column.
 */
export function deriveFeatures(data: CellColumns, declared: readonly DeclaredFeature[] = []): TabularFeature[] {
  const byName = new Map(declared.map((d) => [d.name, d]));
  for (const d of declared) {
    if (!data.names.includes(d.name))
      throw new DatasetError(`feature "${d.name}" is declared but is not a column of the data`);
    if (d.type !== undefined && !FeatureType.options.includes(d.type)) {
      throw new DatasetError(
        `feature "${d.name}": type must be one of ${FeatureType.options.join(', ')} (got "${d.type}")`,
      );
    }
  }
  return data.names.map((name, index) => {
    const d = byName.get(name);
    const feature: TabularFeature = { name, type: d?.type ?? deriveType(data.columns[index]!) };
    if (d?.label) feature.label = d.label;
    if (d?.description) feature.description = d.description;
    return feature;
  });
}

/** The type the cells support best: boolean, then number, then category. */
export function deriveType(cells: readonly Cell[]): FeatureType {
  const present = cells.filter((cell) => cell !== null);
  if (present.length > 0 && present.every((cell) => typeof cell === 'boolean' || isBooleanText(cell))) return 'boolean';
  if (present.length > 0 && present.every((cell) => typeof cell === 'number' || isNumericText(cell))) return 'number';
  return 'category';
}

/** Typed rows for the trainer; a value that does not fit its feature's type is an error naming the line. */
export function toTabularRows(features: readonly TabularFeature[], data: CellColumns): TabularRow[] {
  const columns = features.map((feature) => {
    const index = data.names.indexOf(feature.name);
    if (index < 0) throw new DatasetError(`feature "${feature.name}" is not a column of the data`);
    return data.columns[index]!;
  });
  return data.lines.map((line, row) => {
    const typed: Record<string, FeatureValue> = {};
    features.forEach((feature, f) => {
      typed[feature.name] = typedValue(feature, columns[f]![row]!, line);
    });
    return typed;
  });
}

/** 0/1 labels from true/false, 1/0 or yes/no (any case); null where the label is blank. */
export function toLabels(cells: readonly Cell[], lines: readonly number[], column: string): Array<0 | 1 | null> {
  return cells.map((cell, i) => {
    if (cell === null) return null;
    const value = asBoolean(cell);
    if (value === undefined) {
      throw new DatasetError(
        `line ${lines[i]}: label "${column}" is ${JSON.stringify(cell)}; labels must be true/false, 1/0 or yes/no`,
      );
    }
    return value ? 1 : 0;
  });
}

function typedValue(feature: TabularFeature, cell: Cell, line: number): FeatureValue {
  if (cell === null) return null;
  const problem = (expected: string) =>
    new DatasetError(
      `line ${line}: feature "${feature.name}" is ${feature.type} but the value ${JSON.stringify(cell)} is not ${expected}`,
    );
  switch (feature.type) {
    case 'number':
    case 'integer': {
      const value =
        typeof cell === 'number' ? cell : typeof cell === 'string' && isNumericText(cell) ? Number(cell) : NaN;
      if (!Number.isFinite(value)) throw problem('a number');
      if (feature.type === 'integer' && !Number.isInteger(value)) throw problem('a whole number');
      return value;
    }
    case 'boolean': {
      const value = asBoolean(cell);
      if (value === undefined) throw problem('true or false');
      return value;
    }
    case 'category':
      return String(cell);
  }
}

function asBoolean(cell: Cell): boolean | undefined {
  if (typeof cell === 'boolean') return cell;
  if (typeof cell === 'number') return cell === 1 ? true : cell === 0 ? false : undefined;
  switch (String(cell).trim().toLowerCase()) {
    case 'true':
    case '1':
    case 'yes':
      return true;
    case 'false':
    case '0':
    case 'no':
      return false;
    default:
      return undefined;
  }
}

function isBooleanText(cell: Cell): boolean {
  return typeof cell === 'string' && /^(true|false)$/i.test(cell.trim());
}

/** Decimal numbers, with an exponent as exports write large doubles ("4.0E7"); not "0x10" or "Infinity". */
function isNumericText(cell: Cell): boolean {
  return typeof cell === 'string' && /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(cell);
}
