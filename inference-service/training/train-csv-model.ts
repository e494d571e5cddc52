import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { FeatureType } from '@byom/contracts/model-card';
import type { TrainingReport } from '@byom/contracts/training-reports';
import { trainModelFromCsv } from './csv-model-training.ts';
import { DatasetError, readUserFile } from './feature-spec.ts';
import type { DeclaredFeature } from './feature-spec.ts';
import { readFeatureMapping } from './salesforce-feature-mapping.ts';
import { dateOption, numberOption, requiredOption, runTrainingCli } from './training-cli.ts';

/**
 * Trains a binary classifier from any CSV with the bundled model's trainer and writes
 * `<models-dir>/<name>/<version>/model.onnx` and `model.json`. `sf byom model train` runs
 * this; it also works on its own:
 *
 *   node --conditions=@byom/source training/train-csv-model.ts --data leads.csv --label IsConverted --name lead-scoring --version 1.1.0
 *     [--models-dir models] [--mapping mapping.json] [--features features.json] [--include A,B]
 *     [--feature-type Name=category] [--as-of 2025-01-31] [--holdout 0.2] [--seed 42]
 *     [--min-category-count 20] [--c 1] [--description text] [--score-label text] [--bands Hot,Warm,Cold] [--source text] [--save-features out.csv]
 *     [--force] [--json]
 *
 * --mapping is an AI_Model_Endpoint__mdt Feature_Mapping__c (JSON list); with it the CSV
 * holds record fields and the features are computed as Apex computes them. --features is
 * a JSON list of {name, type?, label?, description?}.
 */

const DEFAULT_MODELS_DIR = fileURLToPath(new URL('../models/', import.meta.url));

// Read before parsing, so even a bad option is reported in the format the caller asked for.
const json = process.argv.includes('--json');

await runTrainingCli(
  json,
  async () => {
    const { values: args } = parseArgs({
      options: {
        data: { type: 'string' },
        label: { type: 'string' },
        name: { type: 'string' },
        version: { type: 'string' },
        'models-dir': { type: 'string', default: DEFAULT_MODELS_DIR },
        mapping: { type: 'string' },
        features: { type: 'string' },
        include: { type: 'string', multiple: true },
        'feature-type': { type: 'string', multiple: true },
        'as-of': { type: 'string' },
        holdout: { type: 'string' },
        seed: { type: 'string' },
        'min-category-count': { type: 'string' },
        c: { type: 'string' },
        description: { type: 'string' },
        'score-label': { type: 'string' },
        bands: { type: 'string' },
        source: { type: 'string' },
        'save-features': { type: 'string' },
        force: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
      },
      strict: true,
    });
    const data = requiredOption('--data', args.data);
    const declared = args.features ? await readDeclaredFeatures(args.features) : [];
    for (const override of args['feature-type'] ?? []) applyTypeOverride(declared, override);
    const seed = numberOption('--seed', args.seed);
    const minCategoryCount = numberOption('--min-category-count', args['min-category-count']);
    const holdoutFraction = numberOption('--holdout', args.holdout);
    const c = numberOption('--c', args.c);
    const asOf = dateOption('--as-of', args['as-of']);
    return trainModelFromCsv({
      dataFile: path.resolve(data),
      label: requiredOption('--label', args.label),
      name: requiredOption('--name', args.name),
      version: requiredOption('--version', args.version),
      modelsDir: path.resolve(args['models-dir']),
      ...(args.mapping ? { mapping: readFeatureMapping(await readUserFile(args.mapping)) } : {}),
      declared,
      ...(args.include
        ? {
            include: args.include
              .flatMap((list) => list.split(','))
              .map((n) => n.trim())
              .filter(Boolean),
          }
        : {}),
      ...(asOf ? { asOf } : {}),
      ...(holdoutFraction !== undefined ? { holdoutFraction } : {}),
      ...(seed !== undefined ? { seed } : {}),
      ...(minCategoryCount !== undefined ? { minCategoryCount } : {}),
      ...(c !== undefined ? { c } : {}),
      ...(args.description ? { description: args.description } : {}),
      ...(args['score-label'] ? { scoreLabel: args['score-label'] } : {}),
      ...(args.bands ? { bandNames: args.bands.split(',').map((name) => name.trim()) } : {}),
      ...(args.source ? { source: args.source } : {}),
      ...(args['save-features'] ? { saveFeatures: args['save-features'] } : {}),
      force: args.force,
    });
  },
  printReport,
);

function printReport(report: TrainingReport): void {
  const f = (value: number) => value.toFixed(4);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`${report.name} ${report.version}: ${report.rows.train} training rows, ${report.rows.holdout} holdout rows`);
  for (const note of report.notes) out(`  note           ${note}`);
  out(`  positive rate  train ${f(report.positiveRate.train)}  holdout ${f(report.positiveRate.holdout)}`);
  out(
    `  holdout        AUC ${f(report.metrics.auc)}  Brier ${f(report.metrics.brier)}  log loss ${f(report.metrics.logLoss)}` +
      `  accuracy ${f(report.metrics.accuracy)}`,
  );
  for (const band of report.bands) {
    out(
      `  band ${band.label.padEnd(9)} >= ${band.min}: ${f(band.holdoutShare)} of holdout rows, ` +
        `${f(band.holdoutPositiveRate)} of them positive`,
    );
  }
  out(`  ONNX parity    max |onnx - js| = ${report.parity.worstGap.toExponential(2)} on ${report.parity.rows} rows`);
  out(`  wrote          ${report.directory} (sha256 ${report.sha256})`);
  out(`  default        ${report.name} ${report.defaultVersion} is served when a request names no version`);
}

async function readDeclaredFeatures(file: string): Promise<DeclaredFeature[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readUserFile(file));
  } catch (error) {
    if (error instanceof DatasetError) throw error;
    throw new DatasetError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw new DatasetError(`${file} must be a JSON list of {"name", "type"} objects`);
  return parsed.map((item: unknown, index) => {
    const entry = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    if (typeof entry.name !== 'string' || entry.name === '')
      throw new DatasetError(`${file}: entry ${index + 1} needs a "name"`);
    const declared: DeclaredFeature = { name: entry.name };
    if (entry.type !== undefined) declared.type = featureType(`${file}: feature "${entry.name}"`, entry.type);
    if (typeof entry.label === 'string') declared.label = entry.label;
    if (typeof entry.description === 'string') declared.description = entry.description;
    return declared;
  });
}

/** `Name=type` from --feature-type; it wins over the features file. */
function applyTypeOverride(declared: DeclaredFeature[], override: string): void {
  const [name, type] = override.split('=').map((part) => part.trim());
  if (!name || !type) throw new DatasetError(`--feature-type must be Name=type, got "${override}"`);
  const existing = declared.find((d) => d.name === name);
  const parsed = featureType(`--feature-type ${name}`, type);
  if (existing) existing.type = parsed;
  else declared.push({ name, type: parsed });
}

function featureType(where: string, value: unknown): FeatureType {
  const parsed = FeatureType.safeParse(value);
  if (!parsed.success) {
    throw new DatasetError(
      `${where}: type must be one of ${FeatureType.options.join(', ')} (got ${JSON.stringify(value)})`,
    );
  }
  return parsed.data;
}
