import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FeatureType, MODEL_NAME_PATTERN, MODEL_VERSION_PATTERN, ModelCard } from '../src/model-card.ts';

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
});
