import { formatCsv } from './csv-table.ts';
import { createRandom, deriveSeed } from './random.ts';
import type { Random } from './random.ts';

/**
 * Seeded synthetic Opportunities for the multiclass and regression samples of
 * docs/training-models.md (docs/samples/opportunity-outcome.csv and opportunity-amount.csv),
 * which the tests train on. This comment is the spec the code follows.
 *
 * Each opportunity is drawn independently, always consuming the random stream in the same order:
 * 1. LeadSource, Type and Industry from fixed weights (the tables below).
 * 2. NumberOfEmployees = max(1, round(exp(ln 200 + 1.3 z))), z ~ N(0, 1): log-normal, median 200.
 * 3. Amount = exp(ln 20,000 + 0.45 · ln(employees / 200) + TYPE_AMOUNT[Type]
 *    + INDUSTRY_AMOUNT[Industry] + N(0, 0.35)), rounded to 100: bigger accounts buy bigger deals.
 * 4. Competitors ~ Poisson(1.2); DaysOpen = floor(Exponential(mean 60)), capped at 365;
 *    HasExecutiveSponsor ~ Bernoulli(0.55).
 * 5. Outcome: one of Won, Lost, Stalled, drawn from the softmax of
 *       Won      -0.3 + SOURCE_WIN[LeadSource] + 1.1 · sponsor − 0.45 · competitors
 *                − 0.35 · ln(Amount / 20,000) + 0.5 · [Type is Existing Business]
 *       Lost      0.3 · competitors − 0.4 · sponsor
 *       Stalled  -1.4 + 0.018 · DaysOpen
 *    so sponsors and referrals win, competitors lose, and old deals stall.
 * 6. Missing values, drawn last, completely at random: Industry 6 % (a blank picklist),
 *    NumberOfEmployees 8 %, HasExecutiveSponsor 4 % (a blank cell in the CSV).
 *
 * The outcome sample holds every field (Amount is one of its features); the
 * amount sample leaves out Outcome, DaysOpen and Competitors (unknown when a deal is sized).
 * Both start with an Id column, which the trainer leaves out as a record id.
 */

const LEAD_SOURCES = ['Web', 'Partner Referral', 'Trade Show', 'Employee Referral', 'Advertisement'] as const;
const LEAD_SOURCE_WEIGHTS = [0.35, 0.2, 0.15, 0.1, 0.2];
const SOURCE_WIN: Readonly<Record<(typeof LEAD_SOURCES)[number], number>> = {
  Web: 0,
  'Partner Referral': 0.6,
  'Trade Show': 0.1,
  'Employee Referral': 0.8,
  Advertisement: -0.4,
};

const TYPES = ['New Business', 'Existing Business'] as const;
const TYPE_WEIGHTS = [0.65, 0.35];
const TYPE_AMOUNT: Readonly<Record<(typeof TYPES)[number], number>> = { 'New Business': 0.25, 'Existing Business': 0 };

const INDUSTRIES = ['Technology', 'Manufacturing', 'Retail', 'Financial Services', 'Healthcare'] as const;
const INDUSTRY_WEIGHTS = [0.3, 0.2, 0.2, 0.15, 0.15];
const INDUSTRY_AMOUNT: Readonly<Record<(typeof INDUSTRIES)[number], number>> = {
  Technology: 0.2,
  Manufacturing: 0.3,
  Retail: -0.3,
  'Financial Services': 0.5,
  Healthcare: 0,
};

export const OUTCOMES = ['Won', 'Lost', 'Stalled'] as const;

/** The rows and seeds of the committed samples. */
export const OUTCOME_SAMPLE = { rows: 900, seed: 17 } as const;
export const AMOUNT_SAMPLE = { rows: 600, seed: 18 } as const;

export interface Opportunity {
  Id: string;
  LeadSource: string;
  Type: string;
  Industry: string | null;
  NumberOfEmployees: number | null;
  Amount: number;
  Competitors: number;
  DaysOpen: number;
  HasExecutiveSponsor: boolean | null;
  Outcome: (typeof OUTCOMES)[number];
}

export function generateOpportunities(rows: number, seed: number): Opportunity[] {
  if (!Number.isInteger(rows) || rows < 1) throw new Error(`rows must be a positive integer, got ${rows}`);
  const random = createRandom(deriveSeed(seed, 'opportunity-data'));
  return Array.from({ length: rows }, (_, i) => generateOpportunity(random, i));
}

function generateOpportunity(random: Random, index: number): Opportunity {
  const leadSource = random.choice(LEAD_SOURCES, LEAD_SOURCE_WEIGHTS);
  const type = random.choice(TYPES, TYPE_WEIGHTS);
  const industry = random.choice(INDUSTRIES, INDUSTRY_WEIGHTS);
  const employees = Math.max(1, Math.round(Math.exp(Math.log(200) + 1.3 * random.normal())));
  const amount =
    Math.round(
      Math.exp(
        Math.log(20_000) +
          0.45 * Math.log(employees / 200) +
          TYPE_AMOUNT[type] +
          INDUSTRY_AMOUNT[industry] +
          random.normal(0, 0.35),
      ) / 100,
    ) * 100;
  const competitors = random.poisson(1.2);
  const daysOpen = Math.min(365, Math.floor(-60 * Math.log(1 - random.next())));
  const sponsor = random.bernoulli(0.55);

  const utilities = [
    -0.3 +
      SOURCE_WIN[leadSource] +
      (sponsor ? 1.1 : 0) -
      0.45 * competitors -
      0.35 * Math.log(amount / 20_000) +
      (type === 'Existing Business' ? 0.5 : 0),
    0.3 * competitors - (sponsor ? 0.4 : 0),
    -1.4 + 0.018 * daysOpen,
  ];
  const weights = utilities.map(Math.exp);
  const outcome = random.choice(OUTCOMES, weights);

  return {
    Id: `006${String(index + 1).padStart(12, '0')}AAA`,
    LeadSource: leadSource,
    Type: type,
    Industry: random.bernoulli(0.06) ? null : industry,
    NumberOfEmployees: random.bernoulli(0.08) ? null : employees,
    Amount: amount,
    Competitors: competitors,
    DaysOpen: daysOpen,
    HasExecutiveSponsor: random.bernoulli(0.04) ? null : sponsor,
    Outcome: outcome,
  };
}

/** docs/samples/opportunity-outcome.csv: predict Outcome (Won, Lost, Stalled). */
export function opportunityOutcomeCsv(rows: number = OUTCOME_SAMPLE.rows, seed: number = OUTCOME_SAMPLE.seed): string {
  return sampleCsv(
    [
      'Id',
      'LeadSource',
      'Type',
      'Industry',
      'NumberOfEmployees',
      'Amount',
      'Competitors',
      'DaysOpen',
      'HasExecutiveSponsor',
      'Outcome',
    ],
    generateOpportunities(rows, seed),
  );
}

/** docs/samples/opportunity-amount.csv: predict Amount from what is known when a deal is opened. */
export function opportunityAmountCsv(rows: number = AMOUNT_SAMPLE.rows, seed: number = AMOUNT_SAMPLE.seed): string {
  return sampleCsv(
    ['Id', 'LeadSource', 'Type', 'Industry', 'NumberOfEmployees', 'HasExecutiveSponsor', 'Amount'],
    generateOpportunities(rows, seed),
  );
}

/** The columns of the opportunities as CSV; a missing value is an empty cell. */
function sampleCsv(columns: ReadonlyArray<keyof Opportunity>, opportunities: readonly Opportunity[]): string {
  return formatCsv(
    [...columns],
    opportunities.map((o) => columns.map((c) => (o[c] === null ? '' : String(o[c])))),
  );
}
