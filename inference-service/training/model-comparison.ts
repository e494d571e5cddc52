import path from 'node:path';
import type { FeatureMappingEntry } from '@byom/contracts/feature-mapping';
import type { FeatureSpec } from '@byom/contracts/model-card';
import type { ComparisonReport, VersionEvaluation } from '@byom/contracts/training-reports';
import { loadScoringModel } from '../src/models/model-loader.ts';
import type { ScoringModel } from '../src/models/scoring-model.ts';
import { scoreRecords } from '../src/scoring/score-records.ts';
import { columnIndex, parseCsv } from './csv-table.ts';
import { cellsFromTable, DatasetError, readUserFile, toLabels } from './feature-spec.ts';
import type { Cell, CellColumns } from './feature-spec.ts';
import { evaluateBinaryClassifier } from './metrics.ts';
import { salesforceExportEvidence } from './salesforce-export.ts';
import { applyFeatureMapping } from './salesforce-feature-mapping.ts';

/**
 * Compares two model versions on one labelled data set, scoring every row through the
 * service's own scoring path (the card's validation, defaults and bands), so the numbers
 * are what Salesforce would get from each version. Rows that either version rejects are
 * left out of the comparison and reported, so both versions are measured on the same rows.
 */

export interface ComparisonOptions {
  dataFile: string;
  label: string;
  /** Baseline first, candidate second. */
  modelDirs: [string, string];
  mapping?: FeatureMappingEntry[];
  asOf?: Date;
}

const CHUNK = 1000;
const MAX_REPORTED_REJECTIONS = 10;

export async function compareModelVersions(options: ComparisonOptions): Promise<ComparisonReport> {
  const models = await Promise.all(options.modelDirs.map((dir) => loadScoringModel(dir, { intraOpNumThreads: 1 })));
  try {
    const [baseline, candidate] = models as [ScoringModel, ScoringModel];
    if (baseline.isClassifier !== candidate.isClassifier || !baseline.isClassifier) {
      throw new DatasetError('model eval compares classifiers (AUC and calibration need a probability)');
    }
    const table = parseCsv(await readUserFile(options.dataFile), path.basename(options.dataFile));
    const labelIndex = columnIndex(table, options.label);
    if (labelIndex < 0) throw new DatasetError(`the data has no label column "${options.label}"`);
    const labelName = table.header[labelIndex]!;
    const labels = toLabels(cellsFromTable(table, [labelName]).columns[0]!, table.lines, labelName);

    const needed = [...new Set(models.flatMap((m) => m.card.features.map((f) => f.name)))];
    const cells: CellColumns = options.mapping
      ? applyFeatureMapping(options.mapping, table, options.asOf ?? new Date())
      : cellsFromTable(
          table,
          needed.filter((name) => columnIndex(table, name) >= 0),
        );
    const present = (name: string) => cells.names.some((n) => n.toLowerCase() === name.toLowerCase());
    if (!needed.some(present)) {
      // Every row would get the card's defaults and the same score: an AUC of 0.5 that means nothing.
      throw new DatasetError(
        `none of the columns of ${path.basename(options.dataFile)} is a feature of the model: it expected ${needed.join(', ')}` +
          (options.mapping ? ' (computed by the mapping from the record fields it reads)' : '') +
          `; the data has ${table.header.join(', ')}`,
      );
    }
    for (const model of models) {
      for (const feature of model.card.features) {
        const required = feature.default === undefined && !feature.allowMissing;
        if (required && !cells.names.some((n) => n.toLowerCase() === feature.name.toLowerCase())) {
          throw new DatasetError(
            `${model.name} ${model.version} needs feature "${feature.name}", which the data does not provide`,
          );
        }
      }
    }

    const labelled = labels.flatMap((label, i) => (label === null ? [] : [i]));
    const outcomes = await Promise.all(models.map((model) => scoreRows(model, cells, labelled)));
    const rejections: ComparisonReport['rejections'] = [];
    outcomes.forEach((outcome, m) => {
      for (const [row, error] of outcome.errors) {
        if (rejections.length < MAX_REPORTED_REJECTIONS) {
          rejections.push({ line: table.lines[row]!, version: models[m]!.version, ...error });
        }
      }
    });
    const compared = labelled.filter((row) => outcomes.every((o) => o.scores.has(row)));
    if (compared.length === 0) throw new DatasetError('no row could be scored by both versions; see the rejections');
    const y = compared.map((row) => labels[row]!);
    if (y.every((v) => v === y[0])) {
      throw new DatasetError(`every compared row has the same label (${y[0]}); the comparison needs both outcomes`);
    }

    const evaluate = (m: number): VersionEvaluation => {
      const model = models[m]!;
      const scores = compared.map((row) => outcomes[m]!.scores.get(row)!.score);
      const metrics = evaluateBinaryClassifier(scores, y);
      return {
        name: model.name,
        version: model.version,
        directory: model.directory,
        auc: metrics.auc,
        brier: metrics.brier,
        logLoss: metrics.logLoss,
        accuracy: metrics.accuracy,
        calibrationError: metrics.calibration.reduce(
          (sum, bin) => sum + (bin.count / scores.length) * Math.abs(bin.meanPredicted - bin.observedRate),
          0,
        ),
        calibration: metrics.calibration,
        rejected: outcomes[m]!.errors.size,
      };
    };

    const transitions = new Map<string, { from: string; to: string; count: number }>();
    let changed = 0;
    let shiftSum = 0;
    let largest = 0;
    for (const row of compared) {
      const before = outcomes[0]!.scores.get(row)!;
      const after = outcomes[1]!.scores.get(row)!;
      const from = before.band ?? '(none)';
      const to = after.band ?? '(none)';
      if (from !== to) changed++;
      const key = `${from}\u0000${to}`;
      const entry = transitions.get(key) ?? { from, to, count: 0 };
      entry.count++;
      transitions.set(key, entry);
      const shift = Math.abs(after.score - before.score);
      shiftSum += shift;
      largest = Math.max(largest, shift);
    }

    const salesforceExport = options.mapping ? undefined : salesforceExportEvidence(table);
    return {
      missingFeatures: needed.filter((name) => !present(name)),
      ...(salesforceExport ? { salesforceExport } : {}),
      rows: {
        total: table.rows.length,
        labelled: labelled.length,
        compared: compared.length,
        skipped: labelled.length - compared.length,
      },
      rejections,
      baseline: evaluate(0),
      candidate: evaluate(1),
      bands: {
        changed,
        changedShare: changed / compared.length,
        transitions: [...transitions.values()].sort((a, b) => b.count - a.count),
      },
      scoreShift: { meanAbsolute: shiftSum / compared.length, largest },
    };
  } finally {
    await Promise.all(models.map((m) => m.session.release()));
  }
}

interface RowOutcomes {
  scores: Map<number, { score: number; band: string | undefined }>;
  errors: Map<number, { code: string; message: string }>;
}

/** Scores the given rows with one model, in chunks, through the service's scoring path. */
async function scoreRows(model: ScoringModel, cells: CellColumns, rows: readonly number[]): Promise<RowOutcomes> {
  const columns = model.card.features.map((feature) => {
    const index = cells.names.findIndex((n) => n.toLowerCase() === feature.name.toLowerCase());
    return { feature, column: index < 0 ? undefined : cells.columns[index]! };
  });
  const outcomes: RowOutcomes = { scores: new Map(), errors: new Map() };
  for (let start = 0; start < rows.length; start += CHUNK) {
    const chunk = rows.slice(start, start + CHUNK);
    const records = chunk.map((row) => {
      const features: Record<string, unknown> = {};
      for (const { feature, column } of columns) {
        const value = column ? requestValue(feature, column[row]!) : null;
        if (value !== null) features[feature.name] = value;
      }
      return { id: String(row), features };
    });
    const response = await scoreRecords(model, { records, explain: false, topK: 0 });
    for (const result of response.results) {
      outcomes.scores.set(Number(result.id), { score: result.score, band: result.band ?? undefined });
    }
    for (const error of response.errors)
      outcomes.errors.set(Number(error.id), { code: error.code, message: error.message });
  }
  return outcomes;
}

/** The JSON value Apex would send for a cell, given the card's type; what does not fit is left for the service to reject. */
function requestValue(feature: FeatureSpec, cell: Cell): unknown {
  if (cell === null || typeof cell !== 'string') return cell;
  switch (feature.type) {
    case 'number':
    case 'integer': {
      const value = Number(cell);
      return cell.trim() !== '' && Number.isFinite(value) ? value : cell;
    }
    case 'boolean': {
      const lower = cell.trim().toLowerCase();
      return lower === 'true' ? true : lower === 'false' ? false : cell;
    }
    case 'category':
      return cell;
  }
}
