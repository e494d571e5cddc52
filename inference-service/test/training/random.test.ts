import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRandom, deriveSeed } from '../../training/random.ts';

const draws = (seed: number, count: number): number[] => {
  const random = createRandom(seed);
  return Array.from({ length: count }, () => random.next());
};

describe('training random', () => {
  it('produces the same sequence for the same seed', () => {
    assert.deepEqual(draws(42, 1000), draws(42, 1000), 'two generators seeded 42 must agree draw for draw');
  });

  it('produces a different sequence for a different seed', () => {
    assert.notDeepEqual(draws(42, 20), draws(43, 20), 'seeds 42 and 43 must not share a sequence');
  });

  it('pins the first draws of seed 42 so a change to the generator cannot go unnoticed', () => {
    // Any change here changes the synthetic data and therefore the committed model bytes.
    const first = draws(42, 3).map((x) => Math.round(x * 1e9));
    assert.deepEqual(first, [601103752, 448290559, 852465793], 'mulberry32(42) must start with these draws');
  });

  it('keeps uniform draws in [0, 1) with a mean near one half', () => {
    const values = draws(7, 20_000);
    assert.ok(
      values.every((x) => x >= 0 && x < 1),
      'every draw must lie in [0, 1)',
    );
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    assert.ok(Math.abs(mean - 0.5) < 0.01, `mean of 20,000 uniform draws was ${mean}`);
  });

  it('draws normals with the requested mean and standard deviation', () => {
    const random = createRandom(11);
    const values = Array.from({ length: 20_000 }, () => random.normal(10, 2));
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
    assert.ok(Math.abs(mean - 10) < 0.05, `mean of N(10, 2) draws was ${mean}`);
    assert.ok(Math.abs(sd - 2) < 0.05, `sd of N(10, 2) draws was ${sd}`);
  });

  it('draws Poisson counts with the requested mean', () => {
    const random = createRandom(5);
    const values = Array.from({ length: 20_000 }, () => random.poisson(3));
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    assert.ok(Math.abs(mean - 3) < 0.05, `mean of Poisson(3) draws was ${mean}`);
  });

  it('picks items in proportion to their weights and never picks a zero-weight item', () => {
    const random = createRandom(3);
    const counts = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 20_000; i++) counts[random.choice(['a', 'b', 'c'] as const, [1, 3, 0])]++;
    assert.equal(counts.c, 0, 'an item with weight 0 must never be picked');
    assert.ok(Math.abs(counts.b / 20_000 - 0.75) < 0.01, `weight 3 of 4 was picked ${counts.b} times in 20,000`);
  });

  it('shuffles into a permutation of the input', () => {
    const items = Array.from({ length: 100 }, (_, i) => i);
    const shuffled = createRandom(9).shuffled(items);
    assert.notDeepEqual(shuffled, items, 'a shuffle of 100 items must change the order');
    assert.deepEqual(
      [...shuffled].sort((a, b) => a - b),
      items,
      'a shuffle must keep every item exactly once',
    );
  });

  it('derives different seeds for different streams of the same seed', () => {
    assert.notEqual(deriveSeed(42, 'lead-data'), deriveSeed(42, 'split'), 'streams must not share a seed');
    assert.equal(deriveSeed(42, 'lead-data'), deriveSeed(42, 'lead-data'), 'deriving must be deterministic');
  });
});
