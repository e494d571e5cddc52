import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRandom } from '../../training/random.ts';
import {
  encodeRow,
  predictClassProbabilities,
  predictProbability,
  predictValue,
  splitTrainHoldout,
  trainTabularModel,
} from '../../training/tabular-trainer.ts';
import type { LabelledRows, TabularFeature, TabularRow } from '../../training/tabular-trainer.ts';

const FEATURES: TabularFeature[] = [
  { name: 'Revenue', type: 'number' },
  { name: 'Score', type: 'number' },
  { name: 'Active', type: 'boolean' },
  { name: 'Colour', type: 'category' },
];

/** A small data set where Score and Active raise the odds, Colour=red lowers them, and Revenue is skewed noise. */
function sampleData(count: number, seed: number): LabelledRows {
  const random = createRandom(seed);
  const rows: TabularRow[] = [];
  const labels: number[] = [];
  for (let i = 0; i < count; i++) {
    const score = random.normal();
    const active = random.bernoulli(0.5);
    const colour = random.choice(['red', 'green', 'blue', 'mauve'], [0.4, 0.4, 0.195, 0.005]);
    const revenue = Math.round(Math.exp(random.normal(12, 1.5)));
    const logOdds = 1.5 * score + (active ? 1 : 0) - (colour === 'red' ? 1 : 0);
    labels.push(random.bernoulli(1 / (1 + Math.exp(-logOdds))) ? 1 : 0);
    rows.push({
      Revenue: random.bernoulli(0.1) ? null : revenue,
      Score: score,
      Active: active,
      Colour: random.bernoulli(0.05) ? null : colour,
    });
  }
  return { rows, labels };
}

describe('tabular trainer', () => {
  const data = sampleData(2000, 1);
  const model = trainTabularModel(FEATURES, data);
  const fitted = (name: string) => {
    const feature = model.features.find((f) => f.feature.name === name);
    assert.ok(feature, `feature ${name} must be fitted`);
    return feature;
  };

  it('converges and learns the direction of every real effect', () => {
    assert.ok(model.training.converged, `Newton must converge (took ${model.training.iterations} iterations)`);
    const weight = (column: string) => model.coefficients[model.columns.indexOf(column)];
    assert.ok(weight('Score') > 0, 'a higher Score raises the odds');
    assert.ok(weight('Active') > 0, 'Active raises the odds');
    assert.ok(weight('Colour=red') < weight('Colour=green'), 'red converts worse than green');
  });

  it('imputes a missing number with the training median', () => {
    const revenue = fitted('Revenue');
    assert.equal(revenue.kind, 'numeric', 'Revenue is numeric');
    const observed = data.rows.flatMap((row) => (typeof row.Revenue === 'number' ? [row.Revenue] : []));
    const sorted = observed.sort((a, b) => a - b);
    const middle = sorted.length / 2;
    const median = sorted.length % 2 ? sorted[Math.floor(middle)] : (sorted[middle - 1] + sorted[middle]) / 2;
    assert.equal(revenue.kind === 'numeric' && revenue.median, median, 'the imputed value is the observed median');
    const blank = encodeRow(model.features, { Revenue: null, Score: 0, Active: true, Colour: 'green' });
    const atMedian = encodeRow(model.features, { Revenue: median, Score: 0, Active: true, Colour: 'green' });
    assert.deepEqual(blank, atMedian, 'a blank Revenue encodes like the median Revenue');
  });

  it('log-transforms a heavily skewed non-negative number but not a symmetric one', () => {
    const revenue = fitted('Revenue');
    const score = fitted('Score');
    assert.ok(revenue.kind === 'numeric' && revenue.log1p, 'log-normal Revenue gets log1p');
    assert.ok(score.kind === 'numeric' && !score.log1p, 'normal Score keeps its scale');
  });

  it('standardises numeric columns to mean 0 and standard deviation 1 on the training rows', () => {
    const column = model.columns.indexOf('Score');
    const values = data.rows.map((row) => encodeRow(model.features, row)[column]);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
    assert.ok(Math.abs(mean) < 1e-9, `scaled Score has mean ${mean}`);
    assert.ok(Math.abs(sd - 1) < 1e-9, `scaled Score has sd ${sd}`);
  });

  it('one-hot encodes seen categories, gives a blank its own column and drops rare ones', () => {
    const colour = fitted('Colour');
    assert.ok(colour.kind === 'category', 'Colour is a category');
    assert.deepEqual(colour.categories, ['', 'blue', 'green', 'red'], 'blank is a category; columns are sorted');
    assert.deepEqual(colour.dropped, ['mauve'], 'a category seen in fewer than 20 rows gets no column');
  });

  it('encodes an unknown or dropped category as all zeros', () => {
    const start = model.columns.indexOf('Colour=');
    const colourColumns = (value: string) =>
      encodeRow(model.features, { Revenue: 1, Score: 0, Active: true, Colour: value }).slice(start, start + 4);
    assert.deepEqual(colourColumns('chartreuse'), [0, 0, 0, 0], 'an unseen category has no column to set');
    assert.deepEqual(colourColumns('mauve'), [0, 0, 0, 0], 'a dropped category encodes like an unknown one');
    assert.deepEqual(colourColumns('red'), [0, 0, 0, 1], 'a known category sets its own column');
  });

  it('trains the same model from the same rows', () => {
    const again = trainTabularModel(FEATURES, sampleData(2000, 1));
    assert.deepEqual(again, model, 'training is a pure function of the rows');
  });

  it('rejects a value of the wrong type with the feature name in the message', () => {
    const bad = {
      rows: [{ Revenue: 'lots', Score: 1, Active: true, Colour: 'red' }, ...data.rows.slice(0, 10)],
      labels: [1, ...data.labels.slice(0, 10)],
    };
    assert.throws(() => trainTabularModel(FEATURES, bad), /"Revenue"/, 'a string in a number column is an error');
  });

  it('rejects labels that are not 0 or 1', () => {
    assert.throws(
      () => trainTabularModel(FEATURES, { rows: data.rows.slice(0, 2), labels: [1, 2] }),
      /labels must be 0 or 1/,
      'the trainer is for binary labels',
    );
  });

  it('returns probabilities between 0 and 1', () => {
    const probabilities = data.rows.slice(0, 100).map((row) => predictProbability(model, row));
    assert.ok(
      probabilities.every((p) => p > 0 && p < 1),
      'every prediction must be a probability',
    );
  });

  describe('splitTrainHoldout', () => {
    const split = splitTrainHoldout(data, 0.2, 42);

    it('holds out the requested share of rows and keeps every row exactly once', () => {
      assert.equal(split.holdout.rows.length, 400, '20% of 2000 rows are held out');
      assert.equal(split.train.rows.length, 1600, 'the rest are for training');
      const all = new Set([...split.train.rows, ...split.holdout.rows]);
      assert.equal(all.size, 2000, 'no row is lost or duplicated');
    });

    it('keeps each label with its row', () => {
      split.holdout.rows.forEach((row, i) => {
        assert.equal(split.holdout.labels[i], data.labels[data.rows.indexOf(row)], `holdout row ${i} kept its label`);
      });
    });

    it('splits the same way for the same seed and differently for another', () => {
      assert.deepEqual(splitTrainHoldout(data, 0.2, 42), split, 'the same seed gives the same split');
      assert.notDeepEqual(splitTrainHoldout(data, 0.2, 7).holdout.rows, split.holdout.rows, 'seeds pick rows');
    });
  });
});

describe('tabular trainer, multiclass and regression', () => {
  const classes = ['blue', 'green', 'red'];
  /** Class utilities: Score favours red, Active favours green, blue is the rest. */
  function multiclassData(count: number, seed: number): LabelledRows {
    const random = createRandom(seed);
    const rows: TabularRow[] = [];
    const labels: number[] = [];
    for (let i = 0; i < count; i++) {
      const score = random.normal();
      const active = random.bernoulli(0.5);
      const weights = [1, Math.exp(active ? 1.2 : -0.3), Math.exp(1.4 * score)];
      labels.push(classes.indexOf(random.choice(classes, weights)));
      rows.push({ Revenue: Math.round(Math.exp(random.normal(12, 1.5))), Score: score, Active: active, Colour: 'x' });
    }
    return { rows, labels };
  }

  const target = { task: 'multiclass_classification', classes, positiveClass: 'red' } as const;
  const data = multiclassData(1500, 3);
  const model = trainTabularModel(FEATURES, data, { target });
  if (model.task !== 'multiclass_classification') throw new Error('a multiclass target trains a multiclass model');
  const weight = (cls: string, column: string) =>
    model.coefficients[classes.indexOf(cls)]![model.columns.indexOf(column)]!;

  it('fits softmax weights that learn which feature favours which class', () => {
    assert.ok(model.training.converged, `Newton must converge (took ${model.training.iterations} iterations)`);
    assert.ok(weight('red', 'Score') > weight('blue', 'Score') + 0.5, 'Score favours red');
    assert.ok(weight('green', 'Active') > weight('blue', 'Active') + 0.5, 'Active favours green');
    const sum = model.intercepts.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum) < 1e-9, `the intercepts are the sum-zero solution (sum ${sum})`);
  });

  it('stops at the minimum of the documented loss: its gradient is zero', () => {
    // sum over rows of cross-entropy + ||w||² / (2C), intercepts free: d/dw = Σ (p − y) x + w / C, d/db = Σ (p − y).
    const x = data.rows.map((row) => [1, ...encodeRow(model.features, row)]);
    let largest = 0;
    classes.forEach((_, k) => {
      for (let j = 0; j < x[0]!.length; j++) {
        let g = j === 0 ? 0 : model.coefficients[k]![j - 1]!;
        data.rows.forEach((row, i) => {
          const p = predictClassProbabilities(model, row)[k]!;
          g += (p - (data.labels[i] === k ? 1 : 0)) * x[i]![j]!;
        });
        largest = Math.max(largest, Math.abs(g));
      }
    });
    assert.ok(largest < 1e-8, `the gradient is ${largest}`);
  });

  it('gives probabilities that sum to 1, the same for the same rows', () => {
    const p = predictClassProbabilities(model, data.rows[0]!);
    assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-12);
    assert.deepEqual(trainTabularModel(FEATURES, data, { target }), model, 'training is deterministic');
  });

  it('refuses labels that are not class indexes, or a class with no rows', () => {
    assert.throws(
      () => trainTabularModel(FEATURES, { rows: data.rows.slice(0, 2), labels: [0, 3] }, { target }),
      /class indexes 0 to 2/,
    );
    assert.throws(
      () => trainTabularModel(FEATURES, { rows: data.rows.slice(0, 2), labels: [0, 1] }, { target }),
      /missing red/,
    );
  });

  it('fits a ridge regression whose normal equations hold', () => {
    const random = createRandom(9);
    const rows: TabularRow[] = [];
    const values: number[] = [];
    for (let i = 0; i < 800; i++) {
      const score = random.normal();
      const active = random.bernoulli(0.4);
      rows.push({ Revenue: null, Score: score, Active: active, Colour: random.choice(['red', 'green'], [1, 1]) });
      values.push(50_000 + 12_000 * score + (active ? 8_000 : 0) + random.normal(0, 3_000));
    }
    const regressor = trainTabularModel(
      FEATURES.slice(1),
      { rows, labels: values },
      { target: { task: 'regression' } },
    );
    if (regressor.task !== 'regression') throw new Error('a regression target trains a regressor');
    const coefficient = (column: string) => regressor.coefficients[regressor.columns.indexOf(column)]!;
    // Score is standardised, so its coefficient is about 12,000 · sd(Score) ≈ 12,000.
    assert.ok(Math.abs(coefficient('Score') - 12_000) < 800, `Score's coefficient is ${coefficient('Score')}`);
    // Xᵀ(y − Xβ) = λβ (0 for the intercept): the closed form solved the documented objective.
    const x = rows.map((row) => [1, ...encodeRow(regressor.features, row)]);
    const residuals = rows.map((row, i) => values[i]! - predictValue(regressor, row));
    let largest = 0;
    for (let j = 0; j < x[0]!.length; j++) {
      const penalty = j === 0 ? 0 : regressor.coefficients[j - 1]!;
      const g = x.reduce((sum, xi, i) => sum + xi[j]! * residuals[i]!, 0) - penalty;
      largest = Math.max(largest, Math.abs(g));
    }
    assert.ok(largest < 1e-5, `the normal equations are off by ${largest}`);
    assert.deepEqual(regressor.training.label, {
      mean: values.reduce((a, b) => a + b, 0) / values.length,
      min: Math.min(...values),
      max: Math.max(...values),
    });
  });
});
