import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ComparisonReport } from '@byom/contracts/training-reports';
import { readUserFile } from './feature-spec.ts';
import { compareModelVersions } from './model-comparison.ts';
import { readFeatureMapping } from './salesforce-feature-mapping.ts';
import { dateOption, requiredOption, runTrainingCli } from './training-cli.ts';

/**
 * Compares two model versions on one labelled CSV: the metrics of their task (AUC, Brier,
 * log loss and calibration; accuracy, macro-F1 and log loss; MAE, RMSE and R²), and how many
 * rows change band. `sf byom model eval` runs this; it also works on its own:
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
  const f = (value: number | undefined) => (value === undefined ? '-' : value.toFixed(4));
  const row = (metric: string, baseline: number | undefined, candidate: number | undefined) =>
    out(`  ${metric.padEnd(18)} ${f(baseline).padStart(10)} ${f(candidate).padStart(10)}`);
  const { baseline: b, candidate: c } = report;
  out(`${report.rows.compared} rows compared (${report.rows.skipped} skipped)`);
  out(`  ${''.padEnd(18)} ${b.version.padStart(10)} ${c.version.padStart(10)}`);
  switch (report.task) {
    case 'binary_classification':
      row('AUC', report.baseline.auc, report.candidate.auc);
      row('Brier', report.baseline.brier, report.candidate.brier);
      row('log loss', report.baseline.logLoss, report.candidate.logLoss);
      row('accuracy', report.baseline.accuracy, report.candidate.accuracy);
      row('calibration error', report.baseline.calibrationError, report.candidate.calibrationError);
      break;
    case 'multiclass_classification':
      row('accuracy', report.baseline.accuracy, report.candidate.accuracy);
      row('macro-F1', report.baseline.macroF1, report.candidate.macroF1);
      row('log loss', report.baseline.logLoss, report.candidate.logLoss);
      row(`AUC of ${report.positiveClass}`.slice(0, 18), report.baseline.scoreAuc, report.candidate.scoreAuc);
      break;
    case 'regression':
      row('MAE', report.baseline.mae, report.candidate.mae);
      row('RMSE', report.baseline.rmse, report.candidate.rmse);
      row('R²', report.baseline.r2, report.candidate.r2);
      out(`  value shift        mean ${f(report.valueShift.meanAbsolute)}, largest ${f(report.valueShift.largest)}`);
      break;
  }
  out(
    `  band changes       ${report.bands.changed} of ${report.rows.compared} rows (${(report.bands.changedShare * 100).toFixed(1)} %)`,
  );
  for (const t of report.bands.transitions.filter((t) => t.from !== t.to)) out(`    ${t.from} -> ${t.to}: ${t.count}`);
  for (const r of report.rejections) out(`  rejected line ${r.line} by ${r.version}: ${r.code} ${r.message}`);
}
