import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  accuracy,
  brierScore,
  calibrationBins,
  evaluateBinaryClassifier,
  evaluateMulticlassClassifier,
  evaluateRegressor,
  logLoss,
  rocAuc,
} from '../../training/metrics.ts';

describe('training metrics', () => {
  describe('rocAuc', () => {
    it('is 1 when every positive outscores every negative', () => {
      assert.equal(rocAuc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]), 1, 'a perfect ranking has AUC 1');
    });

    it('is 0 when every negative outscores every positive', () => {
      assert.equal(rocAuc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1]), 0, 'a reversed ranking has AUC 0');
    });

    it('counts a tie between a positive and a negative as one half', () => {
      // Pairs (positive, negative): (0.4, 0.1) = 1, (0.4, 0.4) = 0.5, (0.8, 0.1) = 1, (0.8, 0.4) = 1 → 3.5 / 4.
      assert.equal(rocAuc([0.1, 0.4, 0.4, 0.8], [0, 0, 1, 1]), 0.875, 'one tied pair out of four scores 0.5');
    });

    it('is one half when every score is the same', () => {
      assert.equal(rocAuc([0.3, 0.3, 0.3, 0.3, 0.3], [0, 1, 0, 1, 1]), 0.5, 'all ties give AUC 0.5');
    });

    it('does not depend on the order of the rows', () => {
      const scores = [0.2, 0.7, 0.7, 0.1, 0.5, 0.9];
      const labels = [0, 1, 0, 0, 1, 1];
      const reversed = rocAuc([...scores].reverse(), [...labels].reverse());
      assert.equal(rocAuc(scores, labels), reversed, 'AUC must be a property of the set of scored rows');
    });

    it('refuses labels with only one class', () => {
      assert.throws(() => rocAuc([0.1, 0.9], [1, 1]), /positive and one negative/, 'AUC is undefined for one class');
    });
  });

  it('computes the Brier score as the mean squared error of the probabilities', () => {
    // (0.2 - 0)² = 0.04 and (0.9 - 1)² = 0.01 → 0.025.
    assert.ok(Math.abs(brierScore([0.2, 0.9], [0, 1]) - 0.025) < 1e-12, 'Brier of (0.2, 0) and (0.9, 1) is 0.025');
  });

  it('computes log loss as the mean negative log-likelihood, finite even for certain mistakes', () => {
    assert.ok(Math.abs(logLoss([0.5, 0.5], [0, 1]) - Math.LN2) < 1e-12, 'two coin flips cost ln 2 each');
    assert.ok(Number.isFinite(logLoss([0, 1], [1, 0])), 'probabilities are clipped, so a certain mistake is finite');
  });

  it('counts a score of exactly 0.5 as a positive prediction for accuracy', () => {
    assert.equal(accuracy([0.5, 0.49, 0.7, 0.1], [1, 0, 0, 0]), 0.75, '0.5 → 1 is right, 0.7 → 1 is wrong');
  });

  describe('calibrationBins', () => {
    it('groups scores into equal-width bins with their mean score and observed rate, leaving out empty bins', () => {
      const bins = calibrationBins([0.05, 0.15, 0.12, 0.95, 1], [0, 1, 0, 1, 1]);
      assert.equal(bins.length, 3, 'only the three bins holding scores are reported');
      assert.deepEqual(
        bins.map(({ lower, upper, count }) => ({ lower, upper, count })),
        [
          { lower: 0, upper: 0.1, count: 1 },
          { lower: 0.1, upper: 0.2, count: 2 },
          { lower: 0.9, upper: 1, count: 2 },
        ],
        'a score of exactly 1 belongs to the last bin',
      );
      assert.ok(Math.abs(bins[1].meanPredicted - 0.135) < 1e-12, 'mean of 0.15 and 0.12 is 0.135');
      assert.equal(bins[1].observedRate, 0.5, 'one of the two rows in [0.1, 0.2) converted');
      assert.equal(bins[2].observedRate, 1, 'both rows in [0.9, 1] converted');
    });

    it('puts a score on a bin edge into the bin that starts there', () => {
      const bins = calibrationBins([0.3, 0.7], [0, 1]);
      assert.deepEqual(
        bins.map((bin) => bin.lower),
        [0.3, 0.7],
        'bins are closed below and open above',
      );
    });
  });

  it('evaluates every card metric at once and counts the rows', () => {
    const metrics = evaluateBinaryClassifier([0.1, 0.4, 0.4, 0.8], [0, 0, 1, 1]);
    assert.equal(metrics.auc, 0.875, 'the AUC of the hand-computed tie case');
    assert.equal(metrics.rows, 4, 'every scored row is counted');
    assert.equal(metrics.positiveRate, 0.5, 'two of four rows are positive');
  });

  it('refuses scores that are not probabilities', () => {
    assert.throws(() => brierScore([Number.NaN], [1]), /probabilities/, 'a NaN score must not reach a model card');
  });

  describe('multiclass', () => {
    const classes = ['a', 'b', 'c'];
    // Predicted (argmax): a, a, b, c, c; labels: a, b, b, c, a.
    const probabilities = [
      [0.7, 0.2, 0.1],
      [0.5, 0.4, 0.1],
      [0.1, 0.8, 0.1],
      [0.2, 0.2, 0.6],
      [0.3, 0.3, 0.4],
    ];
    const labels = [0, 1, 1, 2, 0];
    const metrics = evaluateMulticlassClassifier(probabilities, labels, classes);

    it('counts the most probable class as the prediction for accuracy, precision and recall', () => {
      assert.equal(metrics.accuracy, 3 / 5);
      const [a, b, c] = metrics.classes;
      // a: predicted twice, right once; 2 rows of a, one found. b: predicted once, right; 2 rows, one found.
      assert.deepEqual([a!.precision, a!.recall, a!.f1], [0.5, 0.5, 0.5]);
      assert.deepEqual([b!.precision, b!.recall], [1, 0.5]);
      assert.ok(Math.abs(b!.f1 - 2 / 3) < 1e-12);
      assert.deepEqual([c!.precision, c!.recall, c!.f1], [0.5, 1, 2 / 3]);
      assert.deepEqual(
        metrics.classes.map((m) => m.rows),
        [2, 2, 1],
      );
    });

    it("averages F1 over the classes and takes log loss of each row's own class", () => {
      assert.ok(Math.abs(metrics.macroF1 - (0.5 + 2 / 3 + 2 / 3) / 3) < 1e-12);
      const expected = -(Math.log(0.7) + Math.log(0.4) + Math.log(0.8) + Math.log(0.6) + Math.log(0.3)) / 5;
      assert.ok(Math.abs(metrics.logLoss - expected) < 1e-12);
    });

    it('gives each class the AUC of its probability against the rest, when the rows hold both', () => {
      // Class c: its probability ranks its one row (0.6) above all four others.
      assert.equal(metrics.classes[2]!.auc, 1);
      const one = evaluateMulticlassClassifier([[0.5, 0.3, 0.2]], [0], classes);
      assert.equal(one.classes[0]!.auc, undefined, 'one row cannot rank a class against the rest');
      assert.deepEqual(
        one.classes.map((m) => m.f1),
        [1, 0, 0],
      );
      assert.equal(one.macroF1, 1, 'classes that are neither a label nor a prediction are not averaged');
    });
  });

  describe('regression', () => {
    it("computes MAE, RMSE and R² against the rows' own mean", () => {
      // Errors 1, -1, 2, 0: MAE 1, MSE 6/4; labels 2, 4, 6, 8 have mean 5 and squared deviations 20.
      const metrics = evaluateRegressor([3, 3, 8, 8], [2, 4, 6, 8]);
      assert.equal(metrics.mae, 1);
      assert.equal(metrics.rmse, Math.sqrt(1.5));
      assert.equal(metrics.r2, 1 - 6 / 20);
      assert.equal(evaluateRegressor([5, 5, 5, 5], [2, 4, 6, 8]).r2, 0, 'predicting the mean explains nothing');
    });

    it('refuses labels that are all the same, and values that are not finite', () => {
      assert.throws(() => evaluateRegressor([1, 2], [3, 3]), /not all the same/);
      assert.throws(() => evaluateRegressor([Number.NaN, 2], [1, 3]), /not a finite number/);
    });
  });
});
