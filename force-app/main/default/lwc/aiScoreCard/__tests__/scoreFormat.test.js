import { ageInDays, formatFactorValue, formatRelative, formatScore, strengthOf, toneOf } from '../scoreFormat';
import { buildTrend, latestChange } from '../scoreTrend';
import { adminHintFor } from '../scoreHints';

const I18N = { locale: 'en-US', currency: 'USD', timeZone: 'America/Los_Angeles' };
const NOW = Date.parse('2026-03-10T16:30:00.000Z');
const ago = (milliseconds) => new Date(NOW - milliseconds).toISOString();
const MINUTE = 60 * 1000;
const DAY = 24 * 60 * MINUTE;

describe('c-ai-score-card formatting', () => {
  it('says how long ago a score was made, in words', () => {
    expect(formatRelative(ago(20 * 1000), NOW, 'en-US')).toBe('just now');
    expect(formatRelative(ago(5 * MINUTE), NOW, 'en-US')).toBe('5 minutes ago');
    expect(formatRelative(ago(3 * 60 * MINUTE), NOW, 'en-US')).toBe('3 hours ago');
    expect(formatRelative(ago(DAY + MINUTE), NOW, 'en-US')).toBe('yesterday');
    expect(formatRelative(ago(30 * DAY), NOW, 'en-US')).toBe('30 days ago');
    expect(formatRelative(ago(95 * DAY), NOW, 'en-US')).toBe('3 months ago');
    expect(formatRelative(ago(800 * DAY), NOW, 'en-US')).toBe('2 years ago');
    expect(formatRelative(ago(-5 * MINUTE), NOW, 'en-US')).toBe('just now');
  });

  it('counts whole days of age', () => {
    expect(ageInDays(ago(6 * DAY + 23 * 60 * MINUTE), NOW)).toBe(6);
    expect(ageInDays(ago(7 * DAY), NOW)).toBe(7);
  });

  it('formats each kind of factor value the way a rep reads it', () => {
    const value = (factor) => formatFactorValue(factor, I18N);

    expect(value({ valueType: 'number', numberValue: 1234.567 })).toBe('1,234.57');
    expect(value({ valueType: 'currency', numberValue: 120000 })).toBe('$120,000');
    expect(value({ valueType: 'currency', numberValue: 99.5 })).toBe('$99.50');
    expect(value({ valueType: 'percent', numberValue: 40 })).toBe('40%');
    expect(value({ valueType: 'date', textValue: '2026-01-15' })).toBe('Jan 15, 2026');
    expect(value({ valueType: 'datetime', textValue: '2026-01-02T18:00:00.000Z' })).toBe('Jan 2, 2026, 10:00 AM');
    expect(value({ valueType: 'boolean', booleanValue: true })).toBe('Yes');
    expect(value({ valueType: 'boolean', booleanValue: false })).toBe('No');
    expect(value({ valueType: 'presence', booleanValue: true })).toBe('Provided');
    expect(value({ valueType: 'presence', booleanValue: false })).toBe('Missing');
    expect(value({ valueType: 'blank' })).toBe('Not set');
    // The user cannot read the field the value came from: Apex sends no value.
    expect(value({ valueType: 'hidden' })).toBe('Hidden');
    expect(value({ valueType: 'text', textValue: 'Partner Referral' })).toBe('Partner Referral');
    expect(value({ valueType: 'something new' })).toBe('');
  });

  it('colours a score by its band, or by the score for bands it does not know', () => {
    expect(toneOf('Hot', 10)).toBe('high');
    expect(toneOf('warm', 95)).toBe('medium');
    expect(toneOf('Cold', 95)).toBe('low');
    expect(toneOf('Tier 1', 75)).toBe('high');
    expect(toneOf(undefined, 50)).toBe('medium');
    expect(toneOf('', 12)).toBe('low');
  });

  it('rounds scores and rates factor strength against the strongest factor', () => {
    expect(formatScore(82.5)).toBe('83');
    expect(formatScore(null)).toBe('');
    expect(strengthOf(-0.8, 0.8)).toEqual({ ratio: 1, word: 'strong', percent: 100 });
    expect(strengthOf(0.4, 0.8).word).toBe('moderate');
    // A barely-there factor still gets a visible sliver of bar.
    expect(strengthOf(0.01, 0.8)).toEqual({ ratio: expect.closeTo(0.0125), word: 'slight', percent: 8 });
  });

  it('describes the trend in one sentence, falling or flat too', () => {
    const point = (day, score) => ({ scoredAt: `2026-03-0${day}T18:00:00.000Z`, score, band: 'Warm' });

    expect(buildTrend([point(1, 70), point(2, 61)], I18N).summary).toBe(
      'Score trend over the last 2 scores, from Mar 1 to Mar 2: 70 to 61, down 9 points.',
    );
    expect(buildTrend([point(1, 60), point(2, 60)], I18N).summary).toContain('60 to 60, unchanged.');
    expect(buildTrend([point(1, 60), point(2, 61)], I18N).summary).toContain('up 1 point.');
    expect(buildTrend([point(1, 60)], I18N)).toBeNull();
    expect(latestChange([point(1, 70), point(2, 61)])).toEqual({ direction: 'down', points: 9 });
    expect(latestChange([point(1, 61), point(2, 61.2)])).toEqual({ direction: 'same', points: 0 });
    expect(latestChange([])).toBeNull();
  });

  it('turns error codes into what to ask the admin, with a fallback', () => {
    expect(adminHintFor('MODEL_NOT_FOUND')).toContain('model name and version');
    expect(adminHintFor('HTTP_503')).toContain('scoring service was unavailable');
    expect(adminHintFor(undefined)).toContain('admin guide');
  });
});
