import { transformFeatureType } from '@byom/contracts/feature-mapping';
import type { FeatureMappingEntry } from '@byom/contracts/feature-mapping';
import { columnIndex } from './csv-table.ts';
import type { CsvTable } from './csv-table.ts';
import {
  cellsFromTable,
  DatasetError,
  deriveFeatures,
  looksLikeIdentifier,
  toLabels,
  toTabularRows,
} from './feature-spec.ts';
import type { CellColumns, DeclaredFeature } from './feature-spec.ts';
import { applyFeatureMapping } from './salesforce-feature-mapping.ts';
import type { LabelledRows, TabularFeature } from './tabular-trainer.ts';

/**
 * A CSV turned into labelled, typed rows for the trainer (or for evaluation).
 *
 * With a feature mapping, the features are the mapping's, computed from the record fields
 * as Apex computes them. Without one, every column but the label is a feature, except
 * columns that look like record ids (an `Id` column, or text that is different on every
 * row), unless `include` names the feature columns explicitly.
 */

export interface DatasetOptions {
  /** The label column: true/false, 1/0 or yes/no. */
  label: string;
  mapping?: readonly FeatureMappingEntry[];
  /** Types, labels and descriptions the caller knows (a field's Salesforce type, `--feature-type`). */
  declared?: readonly DeclaredFeature[];
  /** Without a mapping: exactly these columns are the features. */
  include?: readonly string[];
  /** The day DAYS_SINCE counts to. */
  asOf?: Date;
}

export interface Dataset {
  features: TabularFeature[];
  data: LabelledRows;
  /** The feature cells of the labelled rows, for saving the exact training table. */
  featureCells: CellColumns;
  rowCount: { total: number; used: number; unlabelled: number };
  /** What was decided on the user's behalf (columns left out, types derived), for the report. */
  notes: string[];
}

export function buildDataset(table: CsvTable, options: DatasetOptions): Dataset {
  const labelIndex = columnIndex(table, options.label);
  if (labelIndex < 0) {
    throw new DatasetError(`the data has no label column "${options.label}" (columns: ${table.header.join(', ')})`);
  }
  const labelName = table.header[labelIndex]!;
  const notes: string[] = [];
  let cells: CellColumns;
  const declared = [...(options.declared ?? [])];

  if (options.mapping) {
    const leak = options.mapping.find((entry) => entry.field.trim().toLowerCase() === labelName.toLowerCase());
    if (leak)
      throw new DatasetError(
        `feature "${leak.feature}" reads the label "${labelName}": a model cannot learn from its own answer`,
      );
    cells = applyFeatureMapping(options.mapping, table, options.asOf ?? new Date());
    for (const entry of options.mapping) {
      const fixed = transformFeatureType(entry.transform);
      if (!fixed) continue;
      const existing = declared.find((d) => d.name === entry.feature);
      if (existing?.type !== undefined && existing.type !== fixed) {
        throw new DatasetError(
          `feature "${entry.feature}" is declared ${existing.type}, but its ${entry.transform} transform always sends ${fixed} values`,
        );
      }
      if (existing) existing.type = fixed;
      else declared.push({ name: entry.feature, type: fixed });
    }
  } else {
    let names: string[];
    if (options.include && options.include.length > 0) {
      names = [...options.include];
    } else {
      names = table.header.filter((name) => name !== labelName);
      const all = cellsFromTable(table, names);
      const declaredNames = new Set(declared.map((d) => d.name));
      names = names.filter((name, i) => {
        if (declaredNames.has(name) || !looksLikeIdentifier(name, all.columns[i]!)) return true;
        notes.push(`column "${name}" looks like a record id (a different value on every row) and is not a feature`);
        return false;
      });
    }
    if (names.includes(labelName)) throw new DatasetError(`the label "${labelName}" cannot also be a feature`);
    if (names.length === 0) throw new DatasetError('the data has no feature columns besides the label');
    cells = cellsFromTable(table, names);
  }

  const labelCells = cellsFromTable(table, [labelName]).columns[0]!;
  const labels = toLabels(labelCells, table.lines, labelName);
  const keep = labels.flatMap((label, i) => (label === null ? [] : [i]));
  const unlabelled = labels.length - keep.length;
  if (unlabelled > 0) notes.push(`${unlabelled} row(s) have no "${labelName}" value and were left out`);
  const kept: CellColumns = {
    names: cells.names,
    columns: cells.columns.map((column) => keep.map((i) => column[i]!)),
    lines: keep.map((i) => cells.lines[i]!),
  };

  const features = deriveFeatures(kept, declared);
  const declaredTypes = new Map(declared.map((d) => [d.name, d.type]));
  const derived = features.filter((feature) => declaredTypes.get(feature.name) === undefined);
  if (derived.length > 0)
    notes.push(`types read from the data: ${derived.map((f) => `${f.name} ${f.type}`).join(', ')}`);
  return {
    features,
    data: { rows: toTabularRows(features, kept), labels: keep.map((i) => labels[i]!) },
    featureCells: kept,
    rowCount: { total: table.rows.length, used: keep.length, unlabelled },
    notes,
  };
}
