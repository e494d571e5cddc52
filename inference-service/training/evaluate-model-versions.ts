import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ComparisonReport, VersionEvaluation } from '@byom/contracts/training-reports';
import { readUserFile } from './feature-spec.ts';
import { compareModelVersions } from './model-comparison.ts';
import { readFeatureMapping } from './salesforce-feature-mapping.ts';
import { dateOption, requiredOption, runTrainingCli } from './training-cli.ts';

/**
 * Compares two model versions on one labelled CSV: AUC, Brier, log loss, calibration, and
 * how many rows change band. `sf byom model eval` runs this; it also works on its own:
 *
 *   node --conditions=@byom/source training/evaluate-model-versions.ts --data holdout.csv --label IsConverted \
 *     --baseline models/lead-scoring --candidate models/lead-scoring/1.1.0 [--mapping mapping.json] [--as-of 2025-01-31] [--json]
 *
 * --baseline and --candidate are model directories (holding model.json and model.onnx).
 */

const json = process.argv.includes('--json');

await runTrainingCli(
  json,
  async () => {
    const { values: args } = parseArgs({
      options: {
        data: { type: 'string' },
        label: { type: 'string' },
        baseline: { type: 'string' },
        candidate: { type: 'string' },
        mapping: { type: 'string' },
        'as-of': { type: 'string' },
        json: { type: 'boolean', default: false },
      },
      strict: true,
    });
    const asOf = dateOption('--as-of', args['as-of']);
    const mapping = args.mapping ? readFeatureMapping(await readUserFile(args.mapping)) : undefined;
    return compareModelVersions({
      dataFile: path.resolve(requiredOption('--data', args.data)),
      label: requiredOption('--label', args.label),
      modelDirs: [
        path.resolve(requiredOption('--baseline', args.baseline)),
        path.resolve(requiredOption('--candidate', args.candidate)),
      ],
      ...(mapping ? { mapping } : {}),
      ...(asOf ? { asOf } : {}),
    });
  },
  printComparison,
);

function printComparison(report: ComparisonReport): void {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const f = (value: number) => value.toFixed(4);
  const row = (metric: string, pick: (v: VersionEvaluation) => number) =>
    out(`  ${metric.padEnd(18)} ${f(pick(report.baseline)).padStart(10)} ${f(pick(report.candidate)).padStart(10)}`);
  out(`${report.rows.compared} rows compared (${report.rows.skipped} skipped)`);
  out(`  ${''.padEnd(18)} ${report.baseline.version.padStart(10)} ${report.candidate.version.padStart(10)}`);
  row('AUC', (v) => v.auc);
  row('Brier', (v) => v.brier);
  row('log loss', (v) => v.logLoss);
  row('accuracy', (v) => v.accuracy);
  row('calibration error', (v) => v.calibrationError);
  out(
    `  band changes       ${report.bands.changed} of ${report.rows.compared} rows (${(report.bands.changedShare * 100).toFixed(1)} %)`,
  );
  for (const t of report.bands.transitions.filter((t) => t.from !== t.to)) out(`    ${t.from} -> ${t.to}: ${t.count}`);
  for (const r of report.rejections) out(`  rejected line ${r.line} by ${r.version}: ${r.code} ${r.message}`);
}
