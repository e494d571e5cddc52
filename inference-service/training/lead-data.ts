import { createRandom, deriveSeed } from './random.ts';
import type { Random } from './random.ts';
import type { LabelledRows, TabularFeature, TabularRow } from './tabular-trainer.ts';

/**
 * The seeded synthetic Lead data set the bundled `lead-scoring` model is trained on.
 * docs/lead-scoring-model.md describes it for readers; this comment is the spec the
 * code follows.
 *
 * Each lead is drawn independently, always consuming the random stream in the same order:
 * 1. LeadSource, Industry, Country and TitleSeniority from fixed weights (the tables below).
 * 2. Company size: a latent z ~ N(0, 1); AnnualRevenue = exp(ln 4M + 1.5 z) rounded to
 *    1,000 (log-normal, median 4M); NumberOfEmployees = max(1, round(AnnualRevenue / 150k
 *    · exp(N(0, 0.5)))), so employees track revenue with about 150k revenue per head.
 * 3. HasEmail ~ Bernoulli(0.88), HasPhone ~ Bernoulli(0.70).
 * 4. DaysSinceLastActivity: with probability 0.7 an active lead, Exponential(mean 12 days),
 *    otherwise a stale one, Exponential(mean 90 days); rounded down, capped at 365.
 * 5. EmailOpens30d ~ Poisson(1 + 5 · exp(-days / 20)) when the lead has an email, else 0.
 * 6. Conversion: latent log-odds
 *       -3.65
 *       + SOURCE_EFFECT[LeadSource] + SENIORITY_EFFECT[TitleSeniority]
 *       + INDUSTRY_EFFECT[Industry] + COUNTRY_EFFECT[Country]      (0 when not listed)
 *       + 0.3 · ln(1 + employees / 50)                                (size, diminishing returns)
 *       + 0.4 · HasEmail + 0.35 · HasPhone
 *       + 1.4 · exp(-days / 21)                                       (recency decays over ~3 weeks)
 *       + 0.45 · ln(1 + EmailOpens30d)                                (engagement, diminishing)
 *       + N(0, 0.6)                                                   (everything the CRM does not see)
 *    and IsConverted ~ Bernoulli(sigmoid(log-odds)); about a quarter of leads convert.
 * 7. Missing values, drawn after the label from the true values, completely at random:
 *    Industry 5% (null: a blank picklist), AnnualRevenue 15%, NumberOfEmployees 10%,
 *    DaysSinceLastActivity 8%. The label uses the true values, so a model only sees what a
 *    real CRM would: partly missing data.
 */

export const LEAD_SOURCES = [
  'Web',
  'Phone Inquiry',
  'Partner Referral',
  'Purchased List',
  'Trade Show',
  'Webinar',
  'Employee Referral',
  'Other',
] as const;
const LEAD_SOURCE_WEIGHTS = [0.28, 0.08, 0.09, 0.15, 0.1, 0.12, 0.05, 0.13];

export const INDUSTRIES = [
  'Technology',
  'Financial Services',
  'Healthcare',
  'Manufacturing',
  'Retail',
  'Education',
  'Media',
  'Energy',
  'Government',
  'Consulting',
] as const;
const INDUSTRY_WEIGHTS = [0.2, 0.13, 0.11, 0.12, 0.1, 0.06, 0.06, 0.05, 0.05, 0.12];

export const COUNTRIES = [
  'United States',
  'United Kingdom',
  'Germany',
  'France',
  'Canada',
  'Australia',
  'India',
  'Brazil',
] as const;
const COUNTRY_WEIGHTS = [0.4, 0.12, 0.1, 0.07, 0.08, 0.06, 0.1, 0.07];

export const TITLE_SENIORITIES = ['C-Level', 'VP', 'Director', 'Manager', 'Individual Contributor', 'Unknown'] as const;
const TITLE_SENIORITY_WEIGHTS = [0.06, 0.1, 0.16, 0.24, 0.3, 0.14];

/** Log-odds effect of each lead source: referrals and direct inquiries convert, bought lists rarely do. */
export const SOURCE_EFFECT: Readonly<Record<(typeof LEAD_SOURCES)[number], number>> = {
  Web: 0,
  'Phone Inquiry': 0.7,
  'Partner Referral': 0.9,
  'Purchased List': -1,
  'Trade Show': 0.2,
  Webinar: 0.4,
  'Employee Referral': 1.2,
  Other: -0.3,
};

/** Log-odds effect of seniority: people who can buy (Director, VP) convert best; unknown titles worst. */
export const SENIORITY_EFFECT: Readonly<Record<(typeof TITLE_SENIORITIES)[number], number>> = {
  'C-Level': 0.5,
  VP: 0.7,
  Director: 0.6,
  Manager: 0.3,
  'Individual Contributor': -0.2,
  Unknown: -0.6,
};

/** Industries with an effect; the others (and a blank industry) have none. */
export const INDUSTRY_EFFECT: Readonly<Partial<Record<(typeof INDUSTRIES)[number], number>>> = {
  Technology: 0.35,
  'Financial Services': 0.2,
  Education: -0.35,
  Government: -0.5,
};

/** Countries with an effect (e.g. where the sales team has coverage); the others have none. */
export const COUNTRY_EFFECT: Readonly<Partial<Record<(typeof COUNTRIES)[number], number>>> = {
  'United States': 0.15,
  India: -0.45,
  Brazil: -0.3,
};

const BASE_LOG_ODDS = -3.65;
const MISSING_RATE = { Industry: 0.05, AnnualRevenue: 0.15, NumberOfEmployees: 0.1, DaysSinceLastActivity: 0.08 };

/** The features of the lead-scoring model; the names are the Lead fields an admin maps them from. */
export const LEAD_FEATURES: readonly TabularFeature[] = [
  { name: 'LeadSource', type: 'category', label: 'Lead source', description: 'Where the lead came from.' },
  { name: 'Industry', type: 'category', label: 'Industry', description: "The lead's company industry." },
  { name: 'Country', type: 'category', label: 'Country', description: "The lead's country." },
  {
    name: 'TitleSeniority',
    type: 'category',
    label: 'Title seniority',
    description: "Seniority derived from the lead's title (C-Level, VP, Director, Manager, Individual Contributor).",
  },
  {
    name: 'AnnualRevenue',
    type: 'number',
    label: 'Annual revenue',
    description: "The company's annual revenue; blank is imputed with the training median.",
  },
  {
    name: 'NumberOfEmployees',
    type: 'integer',
    label: 'Employees',
    description: "The company's head count; blank is imputed with the training median.",
  },
  { name: 'HasEmail', type: 'boolean', label: 'Has email', description: 'The lead has an email address.' },
  { name: 'HasPhone', type: 'boolean', label: 'Has phone', description: 'The lead has a phone number.' },
  {
    name: 'DaysSinceLastActivity',
    type: 'integer',
    label: 'Days since last activity',
    description: 'Days since the last logged task or event; blank is imputed with the training median.',
  },
  {
    name: 'EmailOpens30d',
    type: 'integer',
    label: 'Email opens (30 days)',
    description: 'Marketing emails the lead opened in the last 30 days.',
  },
];

export const LEAD_LABEL = 'IsConverted';

export interface LeadDataOptions {
  rows?: number;
  seed?: number;
}

export const DEFAULT_LEAD_ROWS = 20_000;
export const DEFAULT_LEAD_SEED = 42;

/** Generates `rows` leads with their IsConverted label; the same options always give the same leads. */
export function generateLeads(options: LeadDataOptions = {}): LabelledRows {
  const count = options.rows ?? DEFAULT_LEAD_ROWS;
  const seed = options.seed ?? DEFAULT_LEAD_SEED;
  if (!Number.isInteger(count) || count < 1) throw new Error(`rows must be a positive integer, got ${count}`);
  const random = createRandom(deriveSeed(seed, 'lead-data'));
  const rows: TabularRow[] = [];
  const labels: number[] = [];
  for (let i = 0; i < count; i++) {
    const { row, label } = generateLead(random);
    rows.push(row);
    labels.push(label);
  }
  return { rows, labels };
}

function generateLead(random: Random): { row: TabularRow; label: number } {
  const leadSource = random.choice(LEAD_SOURCES, LEAD_SOURCE_WEIGHTS);
  const industry = random.choice(INDUSTRIES, INDUSTRY_WEIGHTS);
  const country = random.choice(COUNTRIES, COUNTRY_WEIGHTS);
  const seniority = random.choice(TITLE_SENIORITIES, TITLE_SENIORITY_WEIGHTS);

  const size = random.normal();
  const annualRevenue = Math.round(Math.exp(Math.log(4_000_000) + 1.5 * size) / 1000) * 1000;
  const employees = Math.max(1, Math.round((annualRevenue / 150_000) * Math.exp(random.normal(0, 0.5))));

  const hasEmail = random.bernoulli(0.88);
  const hasPhone = random.bernoulli(0.7);

  const activeMeanDays = random.bernoulli(0.7) ? 12 : 90;
  const days = Math.min(365, Math.floor(-activeMeanDays * Math.log(1 - random.next())));
  const emailOpens = hasEmail ? random.poisson(1 + 5 * Math.exp(-days / 20)) : 0;

  const logOdds =
    BASE_LOG_ODDS +
    SOURCE_EFFECT[leadSource] +
    SENIORITY_EFFECT[seniority] +
    (INDUSTRY_EFFECT[industry] ?? 0) +
    (COUNTRY_EFFECT[country] ?? 0) +
    0.3 * Math.log1p(employees / 50) +
    (hasEmail ? 0.4 : 0) +
    (hasPhone ? 0.35 : 0) +
    1.4 * Math.exp(-days / 21) +
    0.45 * Math.log1p(emailOpens) +
    random.normal(0, 0.6);
  const label = random.bernoulli(1 / (1 + Math.exp(-logOdds))) ? 1 : 0;

  const row: TabularRow = {
    LeadSource: leadSource,
    Industry: random.bernoulli(MISSING_RATE.Industry) ? null : industry,
    Country: country,
    TitleSeniority: seniority,
    AnnualRevenue: random.bernoulli(MISSING_RATE.AnnualRevenue) ? null : annualRevenue,
    NumberOfEmployees: random.bernoulli(MISSING_RATE.NumberOfEmployees) ? null : employees,
    HasEmail: hasEmail,
    HasPhone: hasPhone,
    DaysSinceLastActivity: random.bernoulli(MISSING_RATE.DaysSinceLastActivity) ? null : days,
    EmailOpens30d: emailOpens,
  };
  return { row, label };
}
