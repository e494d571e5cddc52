import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  FeatureType,
  MAX_IMPROVEMENT_ROWS,
  MODEL_NAME_PATTERN,
  MODEL_VERSION_PATTERN,
  ModelCard,
  actionableCandidates,
  explanationMethod,
  scoreOfValue,
} from '../src/model-card.ts';

const card = {
  name: 'lead-scoring',
  version: '1.0.0',
  task: 'binary_classification',
  features: [
    { name: 'Industry', type: 'category', default: 'Other' },
    { name: 'Employees', type: 'integer', allowMissing: true },
  ],
  inputs: { style: 'columns' },
  output: { name: 'probabilities' },
  bands: [
    { label: 'Hot', min: 0.7 },
    { label: 'Cold', min: 0 },
  ],
};

/** Where and why a card fails, as `path: message`. */
function problems(value: unknown): string[] {
  const parsed = ModelCard.safeParse(value);
  return parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('model card', () => {
  it('accepts a complete card and fills in the output transform', () => {
    const parsed = ModelCard.parse(card);
    assert.equal(parsed.output.transform, 'none');
    assert.deepEqual(parsed.features, card.features);
  });

  it('names the feature and field of each mistake', () => {
    assert.deepEqual(
      problems({
        ...card,
        features: [
          { name: 'A', type: 'number' },
          { name: 'A', type: 'category', allowMissing: true },
        ],
      }),
      [
        'features.1.name: duplicate feature "A"',
        'features.1.allowMissing: only number and integer features can be passed as NaN',
      ],
    );
    assert.deepEqual(problems({ ...card, features: [{ name: 'A', type: 'text' }] }), [
      'features.0.type: Invalid option: expected one of "number"|"integer"|"boolean"|"category"',
    ]);
  });

  it('needs a range to turn a regression value into a score', () => {
    assert.deepEqual(problems({ ...card, task: 'regression' }), [
      'output.range: regression models need output.range to map their value onto a 0-1 score',
    ]);
    assert.deepEqual(problems({ ...card, task: 'regression', output: { name: 'value', range: [0, 100] } }), []);
  });

  it('refuses bands outside [0, 1] or sharing a threshold', () => {
    assert.deepEqual(problems({ ...card, bands: [{ label: 'Hot', min: 1.5 }] }), [
      'bands.0.min: Too big: expected number to be <=1',
    ]);
    assert.deepEqual(
      problems({
        ...card,
        bands: [
          { label: 'Hot', min: 0.5 },
          { label: 'Warm', min: 0.5 },
        ],
      }),
      ['bands: two bands share the same min'],
    );
  });

  it("places a regression band at a value: its min is that value's score in the range", () => {
    const regression = { ...card, task: 'regression', output: { name: 'variable', range: [0, 200_000] } };
    const bands = [
      { label: 'Large', min: 0.25, minValue: 50_000 },
      { label: 'Small', min: 0, minValue: 0 },
    ];
    assert.deepEqual(problems({ ...regression, bands }), []);
    assert.deepEqual(problems({ ...regression, bands: [{ label: 'Large', min: 0.3, minValue: 50_000 }] }), [
      'bands.0.min: must be 0.25, where minValue 50000 falls in output.range',
    ]);
    assert.deepEqual(problems({ ...regression, bands: [{ label: 'Huge', min: 1, minValue: 900_000 }] }), [
      'bands.0.minValue: 900000 is outside output.range [0, 200000]',
    ]);
    assert.deepEqual(problems({ ...card, bands }), [
      'bands.0.minValue: only a regression band starts at a value',
      'bands.1.minValue: only a regression band starts at a value',
    ]);
    assert.deepEqual(problems({ ...regression, output: { name: 'variable', range: [5, 5] } }), [
      'output.range: the two ends of the range must differ (every value would get the same score)',
    ]);
  });

  it('scores a regression value by where it falls in the range, clamped to [0, 1]', () => {
    assert.equal(scoreOfValue(50, [0, 200]), 0.25);
    assert.equal(scoreOfValue(-10, [0, 200]), 0);
    assert.equal(scoreOfValue(500, [0, 200]), 1);
    assert.equal(scoreOfValue(50, [200, 0]), 0.75, 'a reversed range scores lower values higher');
  });

  it('records multiclass and regression metrics', () => {
    const metrics = {
      accuracy: 0.55,
      macroF1: 0.53,
      classes: [{ label: 'Won', rows: 61, precision: 0.49, recall: 0.79, f1: 0.61, auc: 0.73 }],
      mae: 12760.5,
      rmse: 18189.6,
      r2: 0.566,
    };
    assert.deepEqual(ModelCard.parse({ ...card, metrics }).metrics, metrics);
    assert.deepEqual(problems({ ...card, metrics: { classes: [{ label: 'Won', rows: 1.5 }] } }).slice(0, 1), [
      'metrics.classes.0.rows: Invalid input: expected int, received number',
    ]);
  });

  it('refuses keys it does not know, so a typo is not silently ignored', () => {
    assert.equal(problems({ ...card, bandz: [] }).length, 1);
    assert.equal(problems({ ...card, features: [{ name: 'A', type: 'number', defualt: 0 }] }).length, 1);
  });

  it('keeps names and versions usable as directory names', () => {
    assert.ok(MODEL_NAME_PATTERN.test('lead-scoring_v2.1'));
    assert.ok(!MODEL_NAME_PATTERN.test('../lead'));
    assert.ok(MODEL_VERSION_PATTERN.test('1.0.0-rc.1+build5'));
    assert.ok(!MODEL_VERSION_PATTERN.test('1.0/2'));
    assert.deepEqual(problems({ ...card, version: '' }), ['version: a version such as 1.0.0']);
    assert.deepEqual(FeatureType.options, ['number', 'integer', 'boolean', 'category']);
  });

  it('keeps occlusion for a card without an explanations block, and defaults a block to shapley', () => {
    assert.equal(explanationMethod(ModelCard.parse(card)), 'occlusion');
    const withBlock = ModelCard.parse({ ...card, explanations: {} });
    assert.equal(explanationMethod(withBlock), 'shapley');
    assert.deepEqual(withBlock.explanations, { method: 'shapley', improve: 'raise' });
    assert.equal(explanationMethod(ModelCard.parse({ ...card, explanations: { method: 'occlusion' } })), 'occlusion');
    assert.deepEqual(problems({ ...card, explanations: { method: 'lime' } }), [
      'explanations.method: Invalid option: expected one of "shapley"|"occlusion"',
    ]);
    assert.deepEqual(problems({ ...card, explanations: { tolerance: 0 } }), [
      'explanations.tolerance: must be above 0',
    ]);
  });

  it('expands actionable values: every category, both booleans, a listed set, or a number grid', () => {
    const parsed = ModelCard.parse({
      ...card,
      features: [
        { name: 'Source', type: 'category', categories: ['Web', 'Partner'], actionable: true },
        { name: 'HasPhone', type: 'boolean', default: false, actionable: true },
        { name: 'Opens', type: 'integer', min: 0, actionable: { min: 0, max: 10, step: 5 } },
        { name: 'Discount', type: 'number', actionable: { min: 0, max: 0.3, step: 0.1 } },
        { name: 'Tier', type: 'category', actionable: { values: ['Gold'] } },
        { name: 'Other', type: 'number' },
      ],
    });
    assert.deepEqual(
      parsed.features.map((f) => actionableCandidates(f)),
      [['Web', 'Partner'], [true, false], [0, 5, 10], [0, 0.1, 0.2, 0.3], ['Gold'], undefined],
    );
  });

  it('names what is wrong with actionable values', () => {
    const feature = (extra: Record<string, unknown>) => problems({ ...card, features: [{ name: 'F', ...extra }] });
    assert.deepEqual(feature({ type: 'number', actionable: true }), [
      'features.0.actionable: a number needs the values a suggestion may set: values, or min, max and step',
    ]);
    assert.deepEqual(feature({ type: 'category', actionable: true }), [
      'features.0.actionable: true means every listed category, and the feature lists none: list categories or values',
    ]);
    assert.deepEqual(feature({ type: 'number', actionable: { min: 0, max: 10 } }), [
      'features.0.actionable: a number grid needs min, max and step',
    ]);
    assert.deepEqual(feature({ type: 'integer', actionable: { min: 0, max: 10, step: 0.5 } }), [
      'features.0.actionable: an integer grid needs an integer min and step',
    ]);
    assert.deepEqual(feature({ type: 'number', min: 0, actionable: { values: [-1, 'x'] } }), [
      'features.0.actionable: -1 is outside the values the feature accepts (min 0, max -)',
      'features.0.actionable: "x" is not a number',
    ]);
    assert.deepEqual(feature({ type: 'category', actionable: { min: 0, max: 1, step: 1 } }), [
      'features.0.actionable: min, max and step are for numbers; a category lists values',
    ]);
    assert.deepEqual(feature({ type: 'number', actionable: { min: 0, max: 1000, step: 1 } }), [
      'features.0.actionable: the grid has more than 100 values: use a coarser step',
    ]);
  });

  it('refuses actionable values that would make more candidate rows per record than the limit', () => {
    const grid = { min: 0, max: 49, step: 1 };
    const three = ['A', 'B', 'C'].map((name) => ({ name, type: 'integer', actionable: grid }));
    const found = problems({ ...card, features: three });
    assert.equal(found.length, 1);
    assert.match(found[0]!, new RegExp(`^features: .* makes? 7650 candidate rows .* at most ${MAX_IMPROVEMENT_ROWS}`));
  });
});
