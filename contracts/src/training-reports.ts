import { z } from 'zod';
import { CalibrationBin, ClassMetrics, FeatureType } from './model-card.ts';

/**
 * What the trainer reports: inference-service/training's train-csv-model.ts (a new model
 * version) and evaluate-model-versions.ts (two versions compared) print one of these as
 * `{"ok": true, "result": …}` with --json. `sf byom model train` and `model eval` run them,
 * check the result with these schemas and return it as their own --json result, so a
 * trainer and a plugin built from different sources fail with a clear message instead of
 * printing undefined.
 *
 * Each report is a union on `task`, the model card's task. A binary report may leave `task`
 * out (reports from before multiclass and regression had none); it reads as binary.
 */

const count = z.number().int().min(0);

const binaryTask = z.literal('binary_classification').default('binary_classification');
const multiclassTask = z.literal('multiclass_classification');
const regressionTask = z.literal('regression');

export const BandReport = z.object({
  label: z.string(),
  min: z.number(),
  /** Share of holdout rows in the band. */
  holdoutShare: z.number(),
  /** Share of the band's holdout rows that are positive (multiclass: of the score's class). */
  holdoutPositiveRate: z.number(),
});
export type BandReport = z.infer<typeof BandReport>;

export const RegressionBandReport = z.object({
  label: z.string(),
  min: z.number(),
  /** The predicted value the band starts at, in the label's units. */
  minValue: z.number(),
  /** Share of holdout rows in the band. */
  holdoutShare: z.number(),
  /** Mean label of the band's holdout rows; absent when the band has none. */
  holdoutMeanLabel: z.number().optional(),
});
export type RegressionBandReport = z.infer<typeof RegressionBandReport>;

/** A label's values on one set of rows (regression). */
const LabelSummary = z.object({ mean: z.number(), min: z.number(), max: z.number() });

const trainingReportFields = {
  name: z.string(),
  version: z.string(),
  /** Where model.onnx and model.json were written. */
  directory: z.string(),
  /** Of model.onnx. */
  sha256: z.string(),
  /** The version the service serves when a request names none, once this one is added. */
  defaultVersion: z.string(),
  rows: z.object({ total: count, used: count, unlabelled: count, train: count, holdout: count }),
  features: z.array(z.object({ name: z.string(), type: FeatureType })),
  /**
   * The largest difference between the exported graph's predictions and the trainer's, on `rows`
   * holdout rows: probabilities for classifiers; for regressors relative to the larger of the value
   * and the width of output.range.
   */
  parity: z.object({ worstGap: z.number(), rows: count }),
  training: z.object({
    iterations: count,
    converged: z.boolean(),
    c: z.number(),
    seed: z.number().int(),
    holdoutFraction: z.number(),
  }),
  /** What the trainer decided on its own (a column left out, a type derived, the task), in words. */
  notes: z.array(z.string()),
  /** Where the feature table was saved, when asked. */
  savedFeatures: z.string().optional(),
  /** Where the holdout rows and the trainer's answers for them were saved (a validate-models rows file), when asked. */
  savedExpected: z.string().optional(),
};

export const BinaryTrainingReport = z.object({
  task: binaryTask,
  ...trainingReportFields,
  /** A label of two text classes: the one whose probability is the score (a true/false label scores true). */
  positiveClass: z.string().optional(),
  positiveRate: z.object({ train: z.number(), holdout: z.number() }),
  /** On the holdout rows. */
  metrics: z.object({
    auc: z.number(),
    brier: z.number(),
    logLoss: z.number(),
    accuracy: z.number(),
    calibration: z.array(CalibrationBin),
  }),
  bands: z.array(BandReport),
});
export type BinaryTrainingReport = z.infer<typeof BinaryTrainingReport>;

export const MulticlassTrainingReport = z.object({
  task: multiclassTask,
  ...trainingReportFields,
  /** The class whose probability is the score. */
  positiveClass: z.string(),
  /** Every class, in the model's order, with its share of the training and holdout rows. */
  classes: z.array(z.object({ label: z.string(), train: z.number(), holdout: z.number() })),
  /** Share of rows of the positive class. */
  positiveRate: z.object({ train: z.number(), holdout: z.number() }),
  /** On the holdout rows; accuracy and F1 count the most probable class as the prediction. */
  metrics: z.object({
    accuracy: z.number(),
    macroF1: z.number(),
    logLoss: z.number(),
    classes: z.array(ClassMetrics),
  }),
  /** Bands on the positive class's probability; empty unless asked for. */
  bands: z.array(BandReport),
});
export type MulticlassTrainingReport = z.infer<typeof MulticlassTrainingReport>;

export const RegressionTrainingReport = z.object({
  task: regressionTask,
  ...trainingReportFields,
  /** The values mapped onto scores 0 and 1 (the card's output.range). */
  range: z.tuple([z.number(), z.number()]),
  label: z.object({ train: LabelSummary, holdout: LabelSummary }),
  /** On the holdout rows, in the label's units (r2 has none). */
  metrics: z.object({ mae: z.number(), rmse: z.number(), r2: z.number() }),
  /** Bands from predicted values; empty unless asked for. */
  bands: z.array(RegressionBandReport),
});
export type RegressionTrainingReport = z.infer<typeof RegressionTrainingReport>;

export const TrainingReport = z.discriminatedUnion('task', [
  BinaryTrainingReport,
  MulticlassTrainingReport,
  RegressionTrainingReport,
]);
export type TrainingReport = z.infer<typeof TrainingReport>;

const versionFields = {
  name: z.string(),
  version: z.string(),
  directory: z.string(),
  /** Rows this version rejected (left out of the comparison for both versions). */
  rejected: count,
};

export const VersionEvaluation = z.object({
  ...versionFields,
  auc: z.number(),
  brier: z.number(),
  logLoss: z.number(),
  accuracy: z.number(),
  /** Expected calibration error: the row-weighted mean |predicted - observed| over the calibration bins. */
  calibrationError: z.number(),
  calibration: z.array(CalibrationBin),
});
export type VersionEvaluation = z.infer<typeof VersionEvaluation>;

export const MulticlassVersionEvaluation = z.object({
  ...versionFields,
  accuracy: z.number(),
  macroF1: z.number(),
  logLoss: z.number(),
  /** AUC of the score (the positive class's probability), the positive class against the rest; absent when the rows lack either. */
  scoreAuc: z.number().optional(),
  classes: z.array(ClassMetrics),
});
export type MulticlassVersionEvaluation = z.infer<typeof MulticlassVersionEvaluation>;

export const RegressionVersionEvaluation = z.object({
  ...versionFields,
  mae: z.number(),
  rmse: z.number(),
  r2: z.number(),
});
export type RegressionVersionEvaluation = z.infer<typeof RegressionVersionEvaluation>;

const comparisonFields = {
  rows: z.object({ total: count, labelled: count, compared: count, skipped: count }),
  /** Features neither version found in the data: every row was scored with the card's default for them. */
  missingFeatures: z.array(z.string()),
  /** Without a mapping: why the CSV looks like a Salesforce export (then --endpoint should be given). */
  salesforceExport: z.string().optional(),
  /** The first few rows a version rejected, with the service's reason (UNKNOWN_CLASS: a label the version has no class for). */
  rejections: z.array(z.object({ line: count, version: z.string(), code: z.string(), message: z.string() })),
  /** How many compared rows land in another band with the candidate, and between which bands ("(none)" without bands). */
  bands: z.object({
    changed: count,
    changedShare: z.number(),
    transitions: z.array(z.object({ from: z.string(), to: z.string(), count })),
  }),
  /** In score units (0 to 1). */
  scoreShift: z.object({ meanAbsolute: z.number(), largest: z.number() }),
};

export const BinaryComparisonReport = z.object({
  task: binaryTask,
  ...comparisonFields,
  baseline: VersionEvaluation,
  candidate: VersionEvaluation,
});
export type BinaryComparisonReport = z.infer<typeof BinaryComparisonReport>;

export const MulticlassComparisonReport = z.object({
  task: multiclassTask,
  ...comparisonFields,
  /** The class both versions score. */
  positiveClass: z.string(),
  baseline: MulticlassVersionEvaluation,
  candidate: MulticlassVersionEvaluation,
});
export type MulticlassComparisonReport = z.infer<typeof MulticlassComparisonReport>;

export const RegressionComparisonReport = z.object({
  task: regressionTask,
  ...comparisonFields,
  baseline: RegressionVersionEvaluation,
  candidate: RegressionVersionEvaluation,
  /** How far the predicted values move, in the label's units. */
  valueShift: z.object({ meanAbsolute: z.number(), largest: z.number() }),
});
export type RegressionComparisonReport = z.infer<typeof RegressionComparisonReport>;

export const ComparisonReport = z.discriminatedUnion('task', [
  BinaryComparisonReport,
  MulticlassComparisonReport,
  RegressionComparisonReport,
]);
export type ComparisonReport = z.infer<typeof ComparisonReport>;
