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

describe('training reports', () => {
  it('accept what the trainer reports', () => {
    assert.deepEqual(TrainingReport.parse(training), training);
    assert.deepEqual(TrainingReport.parse({ ...training, savedFeatures: '/tmp/f.csv' }).savedFeatures, '/tmp/f.csv');
    assert.deepEqual(ComparisonReport.parse(comparison), comparison);
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
