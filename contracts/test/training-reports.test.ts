import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ComparisonReport, TrainingReport } from '../src/training-reports.ts';

const bin = { lower: 0, upper: 0.1, meanPredicted: 0.05, observedRate: 0.04, count: 120 };

const training = {
  name: 'lead-scoring',
  version: '1.1.0',
  directory: '/repo/inference-service/models/lead-scoring/1.1.0',
  sha256: 'ab'.repeat(32),
  defaultVersion: '1.1.0',
  rows: { total: 1000, used: 990, unlabelled: 10, train: 792, holdout: 198 },
  positiveRate: { train: 0.21, holdout: 0.2 },
  features: [{ name: 'LeadSource', type: 'category' }],
  metrics: { auc: 0.81, brier: 0.13, logLoss: 0.41, accuracy: 0.84, calibration: [bin] },
  bands: [{ label: 'Hot', min: 0.6, holdoutShare: 0.1, holdoutPositiveRate: 0.7 }],
  parity: { worstGap: 3e-7, rows: 198 },
  training: { iterations: 7, converged: true, c: 1, seed: 42, holdoutFraction: 0.2 },
  notes: ['Id looks like a record id and is left out'],
};

const version = (v: string) => ({
  name: 'lead-scoring',
  version: v,
  directory: `/models/lead-scoring/${v}`,
  auc: 0.8,
  brier: 0.14,
  logLoss: 0.42,
  accuracy: 0.83,
  calibrationError: 0.02,
  calibration: [bin],
  rejected: 0,
});

const comparison = {
  rows: { total: 500, labelled: 498, compared: 497, skipped: 1 },
  missingFeatures: [],
  rejections: [{ line: 17, version: '1.0.0', code: 'FEATURE_TYPE', message: 'Employees must be a number' }],
  baseline: version('1.0.0'),
  candidate: version('1.1.0'),
  bands: { changed: 30, changedShare: 0.06, transitions: [{ from: 'Warm', to: 'Hot', count: 30 }] },
  scoreShift: { meanAbsolute: 0.03, largest: 0.2 },
};

/** The paths zod names for a report that does not match. */
const paths = (result: { success: boolean; error?: { issues: Array<{ path: PropertyKey[] }> } }) =>
  result.success ? [] : result.error!.issues.map((issue) => issue.path.join('.'));

const common = {
  name: 'deal',
  version: '1.0.0',
  directory: '/models/deal/1.0.0',
  sha256: 'cd'.repeat(32),
  defaultVersion: '1.0.0',
  rows: { total: 900, used: 900, unlabelled: 0, train: 720, holdout: 180 },
  features: [{ name: 'Amount', type: 'number' }],
  parity: { worstGap: 1e-7, rows: 180 },
  training: { iterations: 6, converged: true, c: 1, seed: 42, holdoutFraction: 0.2 },
  notes: [],
};

const multiclass = {
  task: 'multiclass_classification',
  ...common,
  positiveClass: 'Won',
  classes: [
    { label: 'Lost', train: 0.4, holdout: 0.38 },
    { label: 'Won', train: 0.6, holdout: 0.62 },
  ],
  positiveRate: { train: 0.6, holdout: 0.62 },
  metrics: {
    accuracy: 0.55,
    macroF1: 0.53,
    logLoss: 0.98,
    classes: [{ label: 'Won', rows: 61, precision: 0.49, recall: 0.79, f1: 0.61, auc: 0.73 }],
  },
  bands: [],
};

const regression = {
  task: 'regression',
  ...common,
  range: [5000, 150000],
  label: { train: { mean: 35591, min: 3100, max: 237300 }, holdout: { mean: 34000, min: 4000, max: 200000 } },
  metrics: { mae: 12760, rmse: 18189, r2: 0.57 },
  bands: [{ label: 'Large', min: 0.34, minValue: 55000, holdoutShare: 0.2, holdoutMeanLabel: 68000 }],
};

describe('training reports', () => {
  it('accept what the trainer reports, reading a report without a task as binary', () => {
    assert.deepEqual(TrainingReport.parse(training), { task: 'binary_classification', ...training });
    assert.deepEqual(TrainingReport.parse({ ...training, savedFeatures: '/tmp/f.csv' }).savedFeatures, '/tmp/f.csv');
    assert.deepEqual(ComparisonReport.parse(comparison), { task: 'binary_classification', ...comparison });
  });

  it('accept multiclass and regression reports, each with its own metrics', () => {
    assert.deepEqual(TrainingReport.parse(multiclass), multiclass);
    assert.deepEqual(TrainingReport.parse(regression), regression);
    assert.deepEqual(paths(TrainingReport.safeParse({ ...multiclass, positiveClass: undefined })), ['positiveClass']);
    assert.deepEqual(paths(TrainingReport.safeParse({ ...regression, metrics: training.metrics })), [
      'metrics.mae',
      'metrics.rmse',
      'metrics.r2',
    ]);
    assert.deepEqual(paths(TrainingReport.safeParse({ ...training, task: 'ranking' })), ['task']);
    const evaluation = (v: string) => ({
      name: 'deal',
      version: v,
      directory: `/m/${v}`,
      rejected: 0,
      mae: 1,
      rmse: 2,
      r2: 0.5,
    });
    const regressionComparison = {
      ...comparison,
      task: 'regression',
      baseline: evaluation('1.0.0'),
      candidate: evaluation('1.1.0'),
      valueShift: { meanAbsolute: 120, largest: 9000 },
    };
    assert.deepEqual(ComparisonReport.parse(regressionComparison), regressionComparison);
  });

  it('name what a report from another build lacks or has wrong', () => {
    assert.deepEqual(paths(TrainingReport.safeParse({ ...training, metrics: undefined })), ['metrics']);
    assert.deepEqual(paths(TrainingReport.safeParse({ ...training, features: [{ name: 'A', type: 'text' }] })), [
      'features.0.type',
    ]);
    assert.deepEqual(paths(TrainingReport.safeParse({ ...training, rows: { ...training.rows, used: -1 } })), [
      'rows.used',
    ]);
    assert.deepEqual(
      paths(ComparisonReport.safeParse({ ...comparison, candidate: { ...version('1.1.0'), auc: null } })),
      ['candidate.auc'],
    );
  });
});
