import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ModelCard, scoreOfValue } from '@byom/contracts/model-card';
import {
  chooseValueRange,
  classifierBands,
  parseBandSpecs,
  parseValueRange,
  regressionBands,
  roundToSignificant,
} from '../../training/score-bands.ts';

/** 0, 1, …, n − 1 scaled by `step`. */
const steps = (n: number, step: number) => Array.from({ length: n }, (_, i) => i * step);

describe('score bands', () => {
  it('reads --bands as names best first, each optionally with where it starts', () => {
    assert.deepEqual(parseBandSpecs('Hot, Warm ,Cold'), [{ label: 'Hot' }, { label: 'Warm' }, { label: 'Cold' }]);
    assert.deepEqual(parseBandSpecs('Large=50000,Medium=1e4,Small'), [
      { label: 'Large', from: 50000 },
      { label: 'Medium', from: 10000 },
      { label: 'Small' },
    ]);
  });

  const refused: Array<[string, RegExp]> = [
    ['Hot', /give two or three names/],
    ['A,B,C,D', /give two or three names/],
    ['A=0.8,B=0.6,C=0.4,D=0.2,E=0.1,F=0.05,G', /give 2 to 6 bands/],
    ['Hot,,Cold', /every band needs a name/],
    ['Hot,Hot', /two bands share a name/],
    ['Hot=0.6,Warm,Cold', /give every band but the last a starting point/],
    ['Hot,Cold=0', /leave out its starting point/],
    ['Hot=high,Cold', /"Hot=high" must be Name=number/],
  ];
  for (const [text, message] of refused) {
    it(`refuses --bands ${text}`, () => assert.throws(() => parseBandSpecs(text), { name: 'DatasetError', message }));
  }

  it('places classifier bands at the probabilities given, or at the training scores\u2019 percentiles', () => {
    assert.deepEqual(classifierBands([], parseBandSpecs('Likely=0.7,Possible=0.3,Unlikely')), [
      { label: 'Likely', min: 0.7 },
      { label: 'Possible', min: 0.3 },
      { label: 'Unlikely', min: 0 },
    ]);
    assert.deepEqual(classifierBands(steps(100, 0.01), parseBandSpecs('Likely,Unlikely')), [
      { label: 'Likely', min: 0.5 },
      { label: 'Unlikely', min: 0 },
    ]);
    assert.throws(() => classifierBands([], parseBandSpecs('A=1.5,B')), /a probability band starts above 0/);
    assert.throws(() => classifierBands([], parseBandSpecs('A=0.3,B=0.6,C')), /best first/);
  });

  it('scores a regressor over its labels\u2019 1st to 99th percentile, widened to two significant digits', () => {
    // 1,000 values 0, 250, …: the 1st percentile is 2,500, the 99th 247,500.
    assert.deepEqual(chooseValueRange(steps(1000, 250)), [2500, 250000]);
    assert.deepEqual(chooseValueRange([1234, 1234, 98765]), [1200, 99000]);
    assert.deepEqual(chooseValueRange([-0.01234, 0.5]), [-0.013, 0.5]);
    assert.deepEqual(parseValueRange('0, 250000'), [0, 250000]);
    assert.throws(() => parseValueRange('10,10'), /two numbers, low first/);
    assert.throws(() => parseValueRange('0'), /two numbers, low first/);
  });

  it('places regression bands at values, each with its score in the range, and the card accepts them', () => {
    const range: [number, number] = [0, 200_000];
    const given = regressionBands([], parseBandSpecs('Large=50000,Medium=10000,Small'), range);
    assert.deepEqual(given, [
      { label: 'Large', min: 0.25, minValue: 50000 },
      { label: 'Medium', min: 0.05, minValue: 10000 },
      { label: 'Small', min: 0, minValue: 0 },
    ]);
    // Predictions 0 … 99,900: the 80th percentile is 80,000 and the median 50,000.
    const fromData = regressionBands(steps(1000, 100), parseBandSpecs('Large,Medium,Small'), range);
    assert.deepEqual(
      fromData.map((b) => [b.label, b.minValue]),
      [
        ['Large', 80000],
        ['Medium', 50000],
        ['Small', 0],
      ],
    );
    const card = {
      name: 'deal-size',
      version: '1.0.0',
      task: 'regression',
      features: [{ name: 'x', type: 'number' }],
      inputs: { style: 'columns' },
      output: { name: 'variable', range },
      bands: fromData,
    };
    assert.ok(ModelCard.safeParse(card).success, 'the card accepts bands whose min is their value\u2019s score');
    for (const band of fromData) assert.equal(band.min, scoreOfValue(band.minValue!, range));
  });

  it('refuses regression bands outside the range, out of order, or that the predictions cannot separate', () => {
    const range: [number, number] = [0, 100];
    assert.throws(
      () => regressionBands([], parseBandSpecs('High=150,Low'), range),
      /band "High" starts at 150, outside the range 0 to 100 .*set --range/,
    );
    assert.throws(() => regressionBands([], parseBandSpecs('A=20,B=40,C'), range), /best first/);
    assert.throws(
      () => regressionBands([50, 50, 50, 50], parseBandSpecs('High,Medium,Low'), range),
      /the training predictions lie too close together/,
    );
  });

  it('rounds to significant digits without binary noise', () => {
    assert.equal(roundToSignificant(0.0012345, 2), 0.0012);
    assert.equal(roundToSignificant(123456, 2), 120000);
    assert.equal(roundToSignificant(-1234, 2, Math.floor), -1300);
    assert.equal(roundToSignificant(0, 2), 0);
  });
});
