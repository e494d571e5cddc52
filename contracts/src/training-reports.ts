import { z } from 'zod';
import { CalibrationBin, FeatureType } from './model-card.ts';

/**
 * What the trainer reports: inference-service/training's train-csv-model.ts (a new model
 * version) and evaluate-model-versions.ts (two versions compared) print one of these as
 * `{"ok": true, "result": …}` with --json. `sf byom model train` and `model eval` run them,
 * check the result with these schemas and return it as their own --json result, so a
 * trainer and a plugin built from different sources fail with a clear message instead of
 * printing undefined.
 */

const count = z.number().int().min(0);

export const BandReport = z.object({
  label: z.string(),
  min: z.number(),
  /** Share of holdout rows in the band. */
  holdoutShare: z.number(),
  /** Share of the band's holdout rows that are positive. */
  holdoutPositiveRate: z.number(),
});
export type BandReport = z.infer<typeof BandReport>;

export const TrainingReport = z.object({
  name: z.string(),
  version: z.string(),
  /** Where model.onnx and model.json were written. */
  directory: z.string(),
  /** Of model.onnx. */
  sha256: z.string(),
  /** The version the service serves when a request names none, once this one is added. */
  defaultVersion: z.string(),
  rows: z.object({ total: count, used: count, unlabelled: count, train: count, holdout: count }),
  positiveRate: z.object({ train: z.number(), holdout: z.number() }),
  features: z.array(z.object({ name: z.string(), type: FeatureType })),
  /** On the holdout rows. */
  metrics: z.object({
    auc: z.number(),
    brier: z.number(),
    logLoss: z.number(),
    accuracy: z.number(),
    calibration: z.array(CalibrationBin),
  }),
  bands: z.array(BandReport),
  /** The largest difference between the exported graph's scores and the trainer's, on `rows` holdout rows. */
  parity: z.object({ worstGap: z.number(), rows: count }),
  training: z.object({
    iterations: count,
    converged: z.boolean(),
    c: z.number(),
    seed: z.number().int(),
    holdoutFraction: z.number(),
  }),
  /** What the trainer decided on its own (a column left out, a type derived), in words. */
  notes: z.array(z.string()),
  /** Where the feature table was saved, when asked. */
  savedFeatures: z.string().optional(),
});
export type TrainingReport = z.infer<typeof TrainingReport>;

export const VersionEvaluation = z.object({
  name: z.string(),
  version: z.string(),
  directory: z.string(),
  auc: z.number(),
  brier: z.number(),
  logLoss: z.number(),
  accuracy: z.number(),
  /** Expected calibration error: the row-weighted mean |predicted - observed| over the calibration bins. */
  calibrationError: z.number(),
  calibration: z.array(CalibrationBin),
  /** Rows this version rejected (left out of the comparison for both versions). */
  rejected: count,
});
export type VersionEvaluation = z.infer<typeof VersionEvaluation>;

export const ComparisonReport = z.object({
  rows: z.object({ total: count, labelled: count, compared: count, skipped: count }),
  /** Features neither version found in the data: every row was scored with the card's default for them. */
  missingFeatures: z.array(z.string()),
  /** Without a mapping: why the CSV looks like a Salesforce export (then --endpoint should be given). */
  salesforceExport: z.string().optional(),
  /** The first few rows a version rejected, with the service's reason. */
  rejections: z.array(z.object({ line: count, version: z.string(), code: z.string(), message: z.string() })),
  baseline: VersionEvaluation,
  candidate: VersionEvaluation,
  /** How many compared rows land in another band with the candidate, and between which bands ("(none)" without bands). */
  bands: z.object({
    changed: count,
    changedShare: z.number(),
    transitions: z.array(z.object({ from: z.string(), to: z.string(), count })),
  }),
  scoreShift: z.object({ meanAbsolute: z.number(), largest: z.number() }),
});
export type ComparisonReport = z.infer<typeof ComparisonReport>;
