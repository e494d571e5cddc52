import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import type { ComparisonReport, VersionEvaluation } from '@byom/contracts/training-reports';
import { cardFor, readModelDirectory } from '../../../project/model-cards.ts';
import { dataSourceFlags, loadProject, prepareDataFromFlags, trainingError } from '../../../training/model-commands.ts';
import type { PreparedData } from '../../../training/training-data.ts';
import { runTrainingScript } from '../../../training/training-process.ts';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@byom/sf-plugin-byom', 'byom.model.eval');
const dataMessages = Messages.loadMessages('@byom/sf-plugin-byom', 'byom.model.data');

export type ModelEvalResult = ComparisonReport & { source: PreparedData['source'] };

export default class ModelEval extends SfCommand<ModelEvalResult> {
  public static override readonly summary = messages.getMessage('summary');
  public static override readonly description = messages.getMessage('description');
  public static override readonly examples = messages.getMessages('examples');

  public static override readonly flags = {
    ...dataSourceFlags,
    name: Flags.string({ char: 'n', summary: messages.getMessage('flags.name.summary') }),
    baseline: Flags.string({ summary: messages.getMessage('flags.baseline.summary') }),
    candidate: Flags.string({ summary: messages.getMessage('flags.candidate.summary'), required: true }),
  };

  public async run(): Promise<ModelEvalResult> {
    const { flags } = await this.parse(ModelEval);
    const { root, project, modelsDir } = await loadProject(flags['project-dir'], flags['models-dir']);
    let prepared: PreparedData | undefined;
    try {
      prepared = await prepareDataFromFlags(project, flags, this.spinner);

      const name = flags.name ?? prepared.endpoint?.modelName;
      if (!name) throw dataMessages.createError('error.NeedsName');
      const models = await readModelDirectory(modelsDir);
      const family = models.families.get(name);
      if (!family)
        throw messages.createError('error.ModelMissing', [
          name,
          modelsDir,
          [...models.families.keys()].join(', ') || 'none',
        ]);
      const versions = family.versions.map((v) => v.version).join(', ');
      const baseline = cardFor(family, flags.baseline);
      if (!baseline) throw messages.createError('error.VersionMissing', [name, flags.baseline, modelsDir, versions]);
      const candidate = cardFor(family, flags.candidate);
      if (!candidate) throw messages.createError('error.VersionMissing', [name, flags.candidate, modelsDir, versions]);

      this.spinner.start(messages.getMessage('spinner.scoring', [name, baseline.version, candidate.version]));
      const report = await runTrainingScript(root, 'evaluate-model-versions.ts', [
        '--data',
        prepared.csvFile,
        '--label',
        flags.label,
        '--baseline',
        baseline.directory,
        '--candidate',
        candidate.directory,
        ...(prepared.mappingFile ? ['--mapping', prepared.mappingFile] : []),
        ...(flags['as-of'] ? ['--as-of', flags['as-of']] : []),
      ]);
      this.spinner.stop();
      if (report.salesforceExport && !prepared.endpoint) {
        this.warn(messages.getMessage('warning.SalesforceExport', [flags.data ?? 'the data', report.salesforceExport]));
      }
      if (report.missingFeatures.length > 0) {
        this.warn(messages.getMessage('warning.MissingFeatures', [report.missingFeatures.join(', ')]));
      }
      this.print(report);
      return { ...report, source: prepared.source };
    } catch (error) {
      this.spinner.stop('failed');
      throw trainingError(error, 'eval');
    } finally {
      await prepared?.cleanup();
    }
  }

  private print(report: ComparisonReport): void {
    const { baseline, candidate } = report;
    this.log(messages.getMessage('header', [report.rows.compared, baseline.version, candidate.version]));
    const row = (metric: string, pick: (v: VersionEvaluation) => number, betterWhenHigher: boolean) => {
      const delta = pick(candidate) - pick(baseline);
      const better = delta === 0 ? '' : delta > 0 === betterWhenHigher ? 'better' : 'worse';
      return {
        metric,
        baseline: pick(baseline).toFixed(4),
        candidate: pick(candidate).toFixed(4),
        change: `${delta >= 0 ? '+' : ''}${delta.toFixed(4)} ${better}`.trim(),
      };
    };
    this.table({
      data: [
        row('AUC', (v) => v.auc, true),
        row('Brier score', (v) => v.brier, false),
        row('Log loss', (v) => v.logLoss, false),
        row('Calibration error', (v) => v.calibrationError, false),
        row('Accuracy (at 0.5)', (v) => v.accuracy, true),
      ],
      columns: [
        { key: 'metric', name: 'Metric' },
        // Versions are the column names: "1.0.0" as a key would be title-cased to "1 0 0".
        { key: 'baseline', name: baseline.version },
        { key: 'candidate', name: candidate.version },
        { key: 'change', name: 'Change' },
      ],
    });
    this.log(
      messages.getMessage('bands.changed', [
        report.bands.changed,
        report.rows.compared,
        `${(report.bands.changedShare * 100).toFixed(1)} %`,
      ]),
    );
    const moves = report.bands.transitions.filter((t) => t.from !== t.to);
    if (moves.length > 0) this.table({ data: moves.map((t) => ({ from: t.from, to: t.to, rows: t.count })) });
    const first = report.rejections[0];
    if (first) {
      this.warn(messages.getMessage('rejected', [report.rows.skipped, first.line, first.code, first.message]));
    }
  }
}
