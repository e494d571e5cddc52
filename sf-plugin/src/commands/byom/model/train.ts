import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import type {
  BinaryTrainingReport,
  MulticlassTrainingReport,
  RegressionTrainingReport,
  TrainingReport,
} from '@byom/contracts/training-reports';
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
    task: Flags.option({
      summary: messages.getMessage('flags.task.summary'),
      description: messages.getMessage('flags.task.description'),
      options: ['binary', 'multiclass', 'regression'] as const,
    })(),
    'positive-class': Flags.string({
      summary: messages.getMessage('flags.positive-class.summary'),
      description: messages.getMessage('flags.positive-class.description'),
    }),
    range: Flags.string({ summary: messages.getMessage('flags.range.summary') }),
    name: Flags.string({ char: 'n', summary: messages.getMessage('flags.name.summary') }),
    version: Flags.string({ char: 'v', summary: messages.getMessage('flags.version.summary') }),
    description: Flags.string({ summary: messages.getMessage('flags.description.summary') }),
    'score-label': Flags.string({ summary: messages.getMessage('flags.score-label.summary') }),
    bands: Flags.string({
      summary: messages.getMessage('flags.bands.summary'),
      description: messages.getMessage('flags.bands.description'),
    }),
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
    'save-expected': Flags.file({
      summary: messages.getMessage('flags.save-expected.summary'),
      description: messages.getMessage('flags.save-expected.description'),
    }),
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
        ['--task', flags.task],
        ['--positive-class', flags['positive-class']],
        ['--range', flags.range],
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
        ['--save-expected', flags['save-expected']],
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
    switch (report.task) {
      case 'binary_classification':
        this.printBinary(report);
        break;
      case 'multiclass_classification':
        this.printMulticlass(report);
        break;
      case 'regression':
        this.printRegression(report);
        break;
    }
    this.log(messages.getMessage('info.wrote', [report.directory, report.sha256]));
    if (report.savedExpected) this.log(messages.getMessage('info.expected', [report.directory, report.savedExpected]));
    this.log(messages.getMessage('info.default', [report.name, report.defaultVersion]));
    this.log(messages.getMessage('info.next', [report.name, report.version, report.version]));
  }

  private printBinary(report: BinaryTrainingReport): void {
    this.table({
      title: messages.getMessage('table.metric'),
      data: [
        { metric: 'AUC', value: report.metrics.auc.toFixed(4) },
        { metric: 'Brier score', value: report.metrics.brier.toFixed(4) },
        { metric: 'Log loss', value: report.metrics.logLoss.toFixed(4) },
        { metric: 'Accuracy (at 0.5)', value: report.metrics.accuracy.toFixed(4) },
        {
          metric: report.positiveClass ? `Share of ${report.positiveClass}` : 'Positive rate',
          value: percent(report.positiveRate.holdout),
        },
      ],
    });
    this.printClassBands(report.bands);
  }

  private printMulticlass(report: MulticlassTrainingReport): void {
    this.table({
      title: messages.getMessage('table.metric'),
      data: [
        { metric: 'Accuracy', value: report.metrics.accuracy.toFixed(4) },
        { metric: 'Macro-F1', value: report.metrics.macroF1.toFixed(4) },
        { metric: 'Log loss', value: report.metrics.logLoss.toFixed(4) },
      ],
    });
    this.table({
      title: messages.getMessage('table.classes', [report.positiveClass]),
      data: report.metrics.classes.map((c) => ({
        class: c.label === report.positiveClass ? `${c.label} (score)` : c.label,
        rows: c.rows,
        precision: c.precision.toFixed(4),
        recall: c.recall.toFixed(4),
        f1: c.f1.toFixed(4),
        auc: c.auc === undefined ? '-' : c.auc.toFixed(4),
      })),
      columns: [
        { key: 'class', name: 'Class' },
        { key: 'rows', name: 'Holdout rows' },
        { key: 'precision', name: 'Precision' },
        { key: 'recall', name: 'Recall' },
        { key: 'f1', name: 'F1' },
        { key: 'auc', name: 'AUC' },
      ],
    });
    if (report.bands.length > 0) this.printClassBands(report.bands);
  }

  private printRegression(report: RegressionTrainingReport): void {
    this.table({
      title: messages.getMessage('table.metric'),
      data: [
        { metric: 'MAE', value: significant(report.metrics.mae) },
        { metric: 'RMSE', value: significant(report.metrics.rmse) },
        { metric: 'R²', value: report.metrics.r2.toFixed(4) },
        { metric: 'Mean label', value: significant(report.label.holdout.mean) },
      ],
    });
    this.log(messages.getMessage('info.range', [report.range[0], report.range[1]]));
    if (report.bands.length === 0) return;
    this.table({
      title: messages.getMessage('table.bands'),
      data: report.bands.map((band) => ({
        band: band.label,
        from: band.minValue,
        rows: percent(band.holdoutShare),
        mean: band.holdoutMeanLabel === undefined ? '-' : significant(band.holdoutMeanLabel),
      })),
      columns: [
        { key: 'band', name: 'Band' },
        { key: 'from', name: 'From value' },
        { key: 'rows', name: 'Rows' },
        { key: 'mean', name: 'Mean label' },
      ],
    });
  }

  private printClassBands(bands: BinaryTrainingReport['bands']): void {
    this.table({
      title: messages.getMessage('table.bands'),
      data: bands.map((band) => ({
        band: band.label,
        from: band.min,
        rows: percent(band.holdoutShare),
        positive: percent(band.holdoutPositiveRate),
      })),
    });
  }
}

function percent(value: number): string {
  return `${(value * 100).toFixed(1)} %`;
}

/** Values in the label's own units: six significant digits. */
function significant(value: number): string {
  return String(Number(value.toPrecision(6)));
}
