import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COUNTRIES, generateLeads, INDUSTRIES, LEAD_FEATURES, LEAD_SOURCES } from '../../training/lead-data.ts';

describe('synthetic lead data', () => {
  const leads = generateLeads();
  const share = (predicate: (row: (typeof leads.rows)[number]) => boolean) =>
    leads.rows.filter(predicate).length / leads.rows.length;

  it('generates 20,000 labelled leads by default', () => {
    assert.equal(leads.rows.length, 20_000, 'the default data set has 20,000 rows');
    assert.equal(leads.labels.length, 20_000, 'every lead has a label');
  });

  it('generates the same leads for the same seed and different leads for another seed', () => {
    assert.deepEqual(generateLeads({ rows: 500, seed: 42 }), generateLeads({ rows: 500, seed: 42 }), 'seeded');
    assert.notDeepEqual(generateLeads({ rows: 500, seed: 1 }).rows, generateLeads({ rows: 500, seed: 2 }).rows, 'seed');
  });

  it('starts the default data set with the same leads as a smaller one, so --rows only adds leads', () => {
    assert.deepEqual(generateLeads({ rows: 100 }).rows, leads.rows.slice(0, 100), 'rows are drawn one after another');
  });

  it('converts between 20% and 30% of leads', () => {
    const rate = leads.labels.reduce((a, b) => a + b, 0) / leads.labels.length;
    assert.ok(rate > 0.2 && rate < 0.3, `positive rate was ${rate}`);
  });

  it('gives every lead a value of the declared type for every feature, null only where data goes missing', () => {
    const nullable = new Set(['Industry', 'AnnualRevenue', 'NumberOfEmployees', 'DaysSinceLastActivity']);
    for (const feature of LEAD_FEATURES) {
      const expected = feature.type === 'category' ? 'string' : feature.type === 'boolean' ? 'boolean' : 'number';
      const wrong = leads.rows.filter((row) => {
        const value = row[feature.name];
        return value === null ? !nullable.has(feature.name) : typeof value !== expected;
      });
      assert.equal(wrong.length, 0, `${feature.name} must always be a ${expected}`);
    }
  });

  it('leaves the documented share of values blank', () => {
    const missing = (name: string) => share((row) => row[name] === null);
    assert.ok(Math.abs(missing('AnnualRevenue') - 0.15) < 0.01, `AnnualRevenue blank ${missing('AnnualRevenue')}`);
    assert.ok(Math.abs(missing('NumberOfEmployees') - 0.1) < 0.01, 'about 10% of head counts are blank');
    assert.ok(Math.abs(missing('DaysSinceLastActivity') - 0.08) < 0.01, 'about 8% of activity dates are blank');
    assert.ok(Math.abs(missing('Industry') - 0.05) < 0.01, 'about 5% of industries are blank');
  });

  it('uses only the documented picklist values', () => {
    assert.ok(
      leads.rows.every((row) => (LEAD_SOURCES as readonly unknown[]).includes(row.LeadSource)),
      'LeadSource is one of the eight sources',
    );
    assert.ok(
      leads.rows.every((row) => row.Industry === null || (INDUSTRIES as readonly unknown[]).includes(row.Industry)),
      'Industry is one of the ten industries or blank',
    );
    assert.ok(
      leads.rows.every((row) => (COUNTRIES as readonly unknown[]).includes(row.Country)),
      'Country is one of the eight countries',
    );
  });

  it('converts referrals far more often than purchased lists', () => {
    const rate = (source: string) => {
      const labels = leads.rows.flatMap((row, i) => (row.LeadSource === source ? [leads.labels[i]] : []));
      return labels.reduce((a, b) => a + b, 0) / labels.length;
    };
    assert.ok(rate('Employee Referral') > 2 * rate('Purchased List'), 'source quality drives conversion');
  });

  it('makes head count grow with revenue', () => {
    const both = leads.rows.filter(
      (row) => typeof row.AnnualRevenue === 'number' && typeof row.NumberOfEmployees === 'number',
    );
    const big = both.filter((row) => Number(row.AnnualRevenue) > 20_000_000);
    const small = both.filter((row) => Number(row.AnnualRevenue) < 1_000_000);
    const medianEmployees = (rows: typeof both) => {
      const sorted = rows.map((row) => Number(row.NumberOfEmployees)).sort((a, b) => a - b);
      return sorted[Math.floor(sorted.length / 2)];
    };
    assert.ok(medianEmployees(big) > 10 * medianEmployees(small), 'companies with more revenue employ more people');
  });
});
