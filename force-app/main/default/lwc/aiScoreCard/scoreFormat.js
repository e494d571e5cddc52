/**
 * Formatting for the score card, in the user's Salesforce locale, currency and time zone
 * (passed in from @salesforce/i18n so these functions stay pure and testable).
 */

const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Band names models commonly use, by how good they are for the rep. */
const HIGH_BANDS = new Set(['hot', 'high', 'a', 'very likely', 'likely', 'strong']);
const MEDIUM_BANDS = new Set(['warm', 'medium', 'b', 'possible', 'moderate']);
const LOW_BANDS = new Set(['cold', 'low', 'c', 'd', 'unlikely', 'weak']);

/**
 * The colour family of a score: by its band when the band name is a known one, else by the
 * score itself, so a model with its own band names still gets sensible colours.
 * @returns {'high'|'medium'|'low'}
 */
export function toneOf(band, score) {
  const name = (band ?? '').trim().toLowerCase();
  if (HIGH_BANDS.has(name)) return 'high';
  if (MEDIUM_BANDS.has(name)) return 'medium';
  if (LOW_BANDS.has(name)) return 'low';
  if (score >= 70) return 'high';
  if (score >= 40) return 'medium';
  return 'low';
}

/** A 0..100 score as the whole number the card shows. */
export function formatScore(score) {
  return score === null || score === undefined ? '' : String(Math.round(Number(score)));
}

/** Whole days between an ISO time and now (never negative). */
export function ageInDays(iso, now) {
  return Math.max(0, Math.floor((now - Date.parse(iso)) / DAY));
}

/**
 * "just now", "5 minutes ago", "yesterday", "3 weeks ago"…
 * @param {string} iso the past moment
 * @param {number} now epoch milliseconds
 * @param {string} locale e.g. en-US
 */
export function formatRelative(iso, now, locale) {
  const elapsed = Math.max(0, now - Date.parse(iso));
  if (elapsed < MINUTE) {
    return 'just now';
  }
  const format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  if (elapsed < HOUR) return format.format(-Math.floor(elapsed / MINUTE), 'minute');
  if (elapsed < DAY) return format.format(-Math.floor(elapsed / HOUR), 'hour');
  // Days up to a month, so the card and its staleness warning ("20 days old") agree.
  if (elapsed < 31 * DAY) return format.format(-Math.floor(elapsed / DAY), 'day');
  if (elapsed < 365 * DAY) return format.format(-Math.floor(elapsed / (30 * DAY)), 'month');
  return format.format(-Math.floor(elapsed / (365 * DAY)), 'year');
}

/** "Mar 10, 2026, 7:25 AM" in the user's time zone. */
export function formatDateTime(iso, locale, timeZone) {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(new Date(iso));
}

/** "Mar 10" in the user's time zone. */
export function formatShortDate(iso, locale, timeZone) {
  return new Intl.DateTimeFormat(locale, { month: 'short', day: 'numeric', timeZone }).format(new Date(iso));
}

/**
 * The value of one factor as a rep reads it, from the typed value Apex sends.
 * @param {object} factor an AiScoreCardView.Factor
 * @param {{locale: string, currency: string, timeZone: string}} i18n the user's settings
 */
export function formatFactorValue(factor, { locale, currency, timeZone }) {
  switch (factor.valueType) {
    case 'number':
      return new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }).format(factor.numberValue);
    case 'currency':
      return new Intl.NumberFormat(locale, {
        style: 'currency',
        currency,
        maximumFractionDigits: Number.isInteger(factor.numberValue) ? 0 : 2,
      }).format(factor.numberValue);
    case 'percent':
      // Salesforce percent fields hold 0..100.
      return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(
        factor.numberValue / 100,
      );
    case 'date':
      // A date has no time zone: format it as the calendar day it names.
      return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(
        new Date(`${factor.textValue.slice(0, 10)}T00:00:00Z`),
      );
    case 'datetime':
      return formatDateTime(factor.textValue, locale, timeZone);
    case 'boolean':
      return factor.booleanValue ? 'Yes' : 'No';
    case 'presence':
      return factor.booleanValue ? 'Provided' : 'Missing';
    case 'blank':
      return 'Not set';
    case 'hidden':
      // The user cannot read the field the value came from: Apex sent no value.
      return 'Hidden';
    default:
      return factor.textValue ?? '';
  }
}

/**
 * How strongly a factor pushed, relative to the strongest factor shown, in words for
 * screen readers and as a bar width for everyone else.
 */
export function strengthOf(impact, strongest) {
  const ratio = strongest > 0 ? Math.abs(impact) / strongest : 0;
  const word = ratio >= 0.66 ? 'strong' : ratio >= 0.33 ? 'moderate' : 'slight';
  return { ratio, word, percent: Math.max(8, Math.round(ratio * 100)) };
}
