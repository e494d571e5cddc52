import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import type { TrainingReport } from '@byom/contracts/training-reports';
import { nextMinorVersion, readModelDirectory } from '../../../project/model-cards.ts';
import { dataSourceFlags, loadProject, prepareDataFromFlags, trainingError } from '../../../training/model-commands.ts';
import type { PreparedData } from '../../../training/training-data.ts';
import { runTrainingScript } from '../../../training/training-process.ts';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@byom/sf-plugin-byom', 'byom.model.train');
const dataMessages = Messages.loadMessages('@byom/sf-plugin-byom', 'byom.model.data');

export type ModelTrainResult = TrainingReport & {
  endpoint?: string;
  source: PreparedData['source'];
};

export default class ModelTrain extends SfCommand<ModelTrainResult> {
  public static override readonly summary = messages.getMessage('summary');
  public static override readonly description = messages.getMessage('description');
  public static override readonly examples = messages.getMessages('examples');

  public static override readonly flags = {
    ...dataSourceFlags,
    name: Flags.string({ char: 'n', summary: messages.getMessage('flags.name.summary') }),
    version: Flags.string({ char: 'v', summary: messages.getMessage('flags.version.summary') }),
    description: Flags.string({ summary: messages.getMessage('flags.description.summary') }),
    'score-label': Flags.string({ summary: messages.getMessage('flags.score-label.summary') }),
    bands: Flags.string({ summary: messages.getMessage('flags.bands.summary') }),
    holdout: Flags.string({ summary: messages.getMessage('flags.holdout.summary'), default: '0.2' }),
    seed: Flags.integer({ summary: messages.getMessage('flags.seed.summary'), default: 42 }),
    'min-category-count': Flags.integer({
      summary: messages.getMessage('flags.min-category-count.summary'),
      default: 20,
      min: 1,
    }),
    'inverse-regularization': Flags.string({
      summary: messages.getMessage('flags.inverse-regularization.summary'),
      default: '1',
    }),
    'feature-type': Flags.string({ summary: messages.getMessage('flags.feature-type.summary'), multiple: true }),
    'save-data': Flags.file({ summary: messages.getMessage('flags.save-data.summary') }),
    force: Flags.boolean({ summary: messages.getMessage('flags.force.summary'), default: false }),
  };

  public async run(): Promise<ModelTrainResult> {
    const { flags } = await this.parse(ModelTrain);
    const { root, project, modelsDir } = await loadProject(flags['project-dir'], flags['models-dir']);
    let prepared: PreparedData | undefined;
    try {
      prepared = await prepareDataFromFlags(project, flags, this.spinner);

      const name = flags.name ?? prepared.endpoint?.modelName;
      if (!name) throw dataMessages.createError('error.NeedsName');
      const version = flags.version ?? nextMinorVersion((await readModelDirectory(modelsDir)).families.get(name));
      const options: Array<[string, string | undefined]> = [
        ['--data', prepared.csvFile],
        ['--label', flags.label],
        ['--name', name],
        ['--version', version],
        ['--models-dir', modelsDir],
        ['--source', prepared.description],
        ['--holdout', flags.holdout],
        ['--seed', String(flags.seed)],
        ['--min-category-count', String(flags['min-category-count'])],
        ['--c', flags['inverse-regularization']],
        ['--mapping', prepared.mappingFile],
        ['--features', prepared.featuresFile],
        ['--description', flags.description],
        ['--score-label', flags['score-label']],
        ['--bands', flags.bands],
        ['--as-of', flags['as-of']],
        ['--save-features', flags['save-data']],
        ...(flags['feature-type'] ?? []).map((override): [string, string] => ['--feature-type', override]),
      ];
      const args = options.flatMap(([flag, value]) => (value === undefined ? [] : [flag, value]));
      if (flags.force) args.push('--force');
      this.spinner.start(messages.getMessage('spinner.training', [name, version]));
      const report = await runTrainingScript(root, 'train-csv-model.ts', args, (line) => {
        this.spinner.status = line;
      });
      this.spinner.stop();
      this.print(report);
      return { ...report, ...(prepared.endpoint ? { endpoint: prepared.endpoint.name } : {}), source: prepared.source };
    } catch (error) {
      this.spinner.stop('failed');
      throw trainingError(error, 'train');
    } finally {
      await prepared?.cleanup();
    }
  }

  private print(report: TrainingReport): void {
    const percent = (value: number) => `${(value * 100).toFixed(1)} %`;
    this.logSuccess(
      messages.getMessage('info.trained', [
        report.name,
        report.version,
        report.rows.used,
        report.rows.train,
        report.rows.holdout,
      ]),
    );
    for (const note of report.notes) this.log(messages.getMessage('info.notes', [note]));
    this.table({
      title: messages.getMessage('table.metric'),
      data: [
        { metric: 'AUC', value: report.metrics.auc.toFixed(4) },
        { metric: 'Brier score', value: report.metrics.brier.toFixed(4) },
        { metric: 'Log loss', value: report.metrics.logLoss.toFixed(4) },
        { metric: 'Accuracy (at 0.5)', value: report.metrics.accuracy.toFixed(4) },
        { metric: 'Positive rate', value: percent(report.positiveRate.holdout) },
      ],
    });
    this.table({
      title: messages.getMessage('table.bands'),
      data: report.bands.map((band) => ({
        band: band.label,
        from: band.min,
        rows: percent(band.holdoutShare),
        positive: percent(band.holdoutPositiveRate),
      })),
    });
    this.log(messages.getMessage('info.wrote', [report.directory, report.sha256]));
    this.log(messages.getMessage('info.default', [report.name, report.defaultVersion]));
    this.log(messages.getMessage('info.next', [report.name, report.version, report.version]));
  }
}
