import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { DEFAULT_TOLERANCE } from '../../src/explanations/explainer.ts';
import { PermutationSampler, simultaneousCriticalValue } from '../../src/explanations/shapley.ts';
import { resolveRecord } from '../../src/models/feature-encoder.ts';
import type { ModelValue } from '../../src/models/feature-encoder.ts';
import type { ScoreResponse } from '../../src/scoring/score-schemas.ts';
import { createRandom } from '../../training/random.ts';
import { bruteForceShapley } from '../support/brute-force-shapley.ts';
import { randomMlp, randomRecord } from '../support/random-models.ts';
import { createTestApp } from '../support/test-app.ts';
import type { TestApp } from '../support/test-app.ts';
import { writeModelDir } from '../support/test-models.ts';

/**
 * Sampled Shapley values (more than 12 features off their baselines): unbiased, adding up
 * exactly, and within the error bound they report in at least 95 % of records.
 */

/** A game with pairwise interactions and a threshold effect, and its exact Shapley values by brute force. */
function randomGame(seed: number, players: number) {
  const random = createRandom(seed);
  const single = Array.from({ length: players }, () => random.normal(0, 1));
  const pair = Array.from({ length: players * players }, () => (random.next() < 0.3 ? random.normal(0, 1) : 0));
  const value = (mask: number) => {
    let v = 0;
    let size = 0;
    for (let i = 0; i < players; i++) {
      if (!(mask & (1 << i))) continue;
      size++;
      v += single[i]!;
      for (let j = i + 1; j < players; j++) if (mask & (1 << j)) v += pair[i * players + j]!;
    }
    return v + (size >= players / 2 ? 1.5 : 0);
  };
  const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));
  const exact = Array.from({ length: players }, (_, i) => {
    let phi = 0;
    for (let mask = 0; mask < 1 << players; mask++) {
      if (mask & (1 << i)) continue;
      let size = 0;
      for (let j = 0; j < players; j++) if (mask & (1 << j)) size++;
      phi +=
        ((factorial(size) * factorial(players - size - 1)) / factorial(players)) *
        (value(mask | (1 << i)) - value(mask));
    }
    return phi;
  });
  return { value, exact };
}

describe('sampled Shapley values', () => {
  it('are unbiased and within their simultaneous 95 % bound in at least 95 % of runs (antithetic orderings)', (context) => {
    const players = 10;
    const { value, exact } = randomGame(7, players);
    const trials = 2000;
    const pairs = 16;
    let covered = 0;
    const meanError = new Float64Array(players);
    for (let trial = 0; trial < trials; trial++) {
      const sampler = new PermutationSampler(players, 1000 + trial);
      const orders = sampler.draw(pairs);
      const margins: number[] = [];
      for (let o = 0; o < orders.length / players; o++) {
        let mask = 0;
        for (let r = 0; r < players - 1; r++) {
          mask |= 1 << orders[o * players + r]!;
          margins.push(value(mask));
        }
      }
      sampler.absorb(margins, 0, value(0), value((1 << players) - 1));
      const estimates = new Float64Array(players);
      sampler.estimates(estimates);
      const bound = simultaneousCriticalValue(players, sampler.samples) * sampler.maxStandardError();
      if (estimates.every((e, i) => Math.abs(e - exact[i]!) <= bound)) covered++;
      estimates.forEach((e, i) => (meanError[i]! += (e - exact[i]!) / trials));
      const sum = estimates.reduce((s, e) => s + e, 0);
      assert.ok(Math.abs(sum - (value((1 << players) - 1) - value(0))) < 1e-9, 'every estimate adds up');
    }
    assert.ok(covered / trials >= 0.95, `the bound held in ${covered} of ${trials} runs`);
    context.diagnostic(`the bound held in ${covered} of ${trials} runs of ${pairs} antithetic pairs`);
    // Unbiased: the mean error over the runs is within a few standard errors of 0.
    for (const [i, error] of meanError.entries()) assert.ok(Math.abs(error) < 0.02, `player ${i}: mean error ${error}`);
  });

  describe('from the service, for a 13-feature MLP', () => {
    const mlp = randomMlp(41, 13, 'logit', 12);
    let t: TestApp;
    before(async () => {
      t = await createTestApp([await writeModelDir([mlp])]);
    });

    it('report an error bound that holds in at least 95 % of records, within the tolerance, adding up exactly', async (context) => {
      const model = t.registry.get(mlp.card.name)!;
      const random = createRandom(5);
      const records = Array.from({ length: 100 }, () => randomRecord(random, mlp.card));
      const runs = async () => {
        const text = await (await t.call('GET', '/metrics')).text();
        const line = text.split('\n').find((l) => l.startsWith(`byom_inference_runs_total{model="${mlp.card.name}"`));
        return Number(line?.split(' ').at(-1) ?? 0);
      };
      const runsBefore = await runs();
      const response = await t.call('POST', '/v1/score', {
        model: mlp.card.name,
        explain: true,
        topK: 100,
        records: records.map((features, i) => ({ id: `r${i}`, features })),
      });
      const json = (await response.json()) as ScoreResponse;
      assert.equal(response.status, 200, JSON.stringify(json));
      // About 40,000 rows in the first round alone: more than one run holds (MAX_RUN_ROWS).
      assert.ok((await runs()) - runsBefore >= 2, 'a request too big for one run is split');
      let held = 0;
      let worstRatio = 0;
      for (const [i, result] of json.results.entries()) {
        const explanation = result.explanation!;
        assert.equal(explanation.method, 'shapley-sampled');
        assert.ok(explanation.errorBound! <= DEFAULT_TOLERANCE, `record ${i}: bound ${explanation.errorBound}`);
        const resolved = resolveRecord(model.card.features, records[i]!);
        assert.ok(resolved.ok);
        const exact = await bruteForceShapley(
          resolved.values,
          model.baselines,
          async (rows: ModelValue[][]) =>
            (await model.predictAlone({ records: rows.map((values) => ({ values })) })).margins,
        );
        const impacts = new Map(result.factors!.map((f) => [f.feature, f.impact]));
        const errors = mlp.card.features.map((f, j) => Math.abs(impacts.get(f.name)! - exact.impacts[j]!));
        const worst = Math.max(...errors);
        worstRatio = Math.max(worstRatio, worst / explanation.errorBound!);
        // Impacts are rounded to 6 decimals.
        if (worst <= explanation.errorBound! + 5e-7) held++;
        const sum = result.factors!.reduce((s, f) => s + f.impact, 0);
        assert.ok(
          Math.abs(sum - (explanation.margin - explanation.baselineMargin)) <= 15 * 5e-7,
          `record ${i} adds up: ${sum} against ${explanation.margin - explanation.baselineMargin}`,
        );
      }
      assert.ok(held >= 95, `the bound held in ${held} of 100 records`);
      context.diagnostic(`the bound held in ${held} of 100 records; largest error / bound: ${worstRatio.toFixed(3)}`);
    });

    it('give the same answer for the same record, so a rescore does not move factors by chance', async () => {
      const random = createRandom(6);
      const features = randomRecord(random, mlp.card);
      const ask = async () =>
        (
          (await (
            await t.call('POST', '/v1/score', { model: mlp.card.name, explain: true, records: [{ id: 'r', features }] })
          ).json()) as ScoreResponse
        ).results[0]!.factors;
      assert.deepEqual(await ask(), await ask());
    });

    it('reach a tolerance the card sets', async () => {
      const tight = randomMlp(41, 13, 'logit', 12);
      tight.card = {
        ...tight.card,
        name: 'tight-mlp',
        explanations: { method: 'shapley', improve: 'raise', tolerance: 0.01 },
      };
      const app = await createTestApp([await writeModelDir([tight])]);
      const random = createRandom(8);
      const records = Array.from({ length: 10 }, (_, i) => ({
        id: `r${i}`,
        features: randomRecord(random, tight.card),
      }));
      const json = (await (
        await app.call('POST', '/v1/score', { model: 'tight-mlp', explain: true, records })
      ).json()) as ScoreResponse;
      for (const result of json.results) {
        const { errorBound, permutations } = result.explanation!;
        assert.ok(errorBound! <= 0.01 || permutations === 1024, `bound ${errorBound} after ${permutations} orderings`);
      }
    });
  });
});
