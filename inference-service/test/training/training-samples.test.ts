import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { generateOpportunities, opportunityAmountCsv, opportunityOutcomeCsv } from '../../training/opportunity-data.ts';

const STALE =
  'is stale: run `node --conditions=@byom/source inference-service/training/write-training-samples.ts` and commit docs/samples';

describe('the multiclass and regression samples of docs/training-models.md', () => {
  it('are what their seeded generator writes', async () => {
    const samples = new URL('../../../docs/samples/', import.meta.url);
    assert.equal(
      await readFile(new URL('opportunity-outcome.csv', samples), 'utf8'),
      opportunityOutcomeCsv(),
      `opportunity-outcome.csv ${STALE}`,
    );
    assert.equal(
      await readFile(new URL('opportunity-amount.csv', samples), 'utf8'),
      opportunityAmountCsv(),
      `opportunity-amount.csv ${STALE}`,
    );
  });

  it('hold every outcome, blanks where the guide says, and follow the documented mechanism', () => {
    const deals = generateOpportunities(5000, 1);
    const share = (predicate: (d: (typeof deals)[number]) => boolean) => deals.filter(predicate).length / deals.length;
    for (const outcome of ['Won', 'Lost', 'Stalled']) assert.ok(share((d) => d.Outcome === outcome) > 0.15, outcome);
    assert.ok(Math.abs(share((d) => d.Industry === null) - 0.06) < 0.015, 'Industry is blank in about 6 % of deals');
    assert.ok(Math.abs(share((d) => d.HasExecutiveSponsor === null) - 0.04) < 0.01);
    const winRate = (sponsor: boolean) =>
      deals.filter((d) => d.HasExecutiveSponsor === sponsor && d.Outcome === 'Won').length /
      deals.filter((d) => d.HasExecutiveSponsor === sponsor).length;
    assert.ok(winRate(true) > winRate(false) + 0.1, 'an executive sponsor wins deals');
    assert.deepEqual(generateOpportunities(3, 1), deals.slice(0, 3), 'the same seed gives the same deals');
  });
});
