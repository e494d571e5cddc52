import { formatDateTime, formatScore, formatShortDate } from './scoreFormat';

/** Drawing area of the sparkline, in SVG user units (the SVG scales to the card's width). */
export const TREND_WIDTH = 320;
export const TREND_HEIGHT = 64;
const PAD_X = 6;
const PAD_Y = 6;

const round = (value) => Math.round(value * 10) / 10;

/**
 * Geometry and words for the trend of recent scores: an SVG line and area on a fixed 0..100
 * scale (so a flat line means a stable score, not a zoomed-in wobble), one sentence that
 * says the same for screen readers, and rows for an assistive table.
 * @param {Array<{scoredAt: string, score: number, band: string}>} history oldest first
 * @param {{locale: string, timeZone: string}} i18n the user's settings
 * @returns {object|null} null when there are fewer than two scores to compare
 */
export function buildTrend(history, { locale, timeZone }) {
  const points = (history ?? []).filter((point) => point.score !== null && point.score !== undefined);
  if (points.length < 2) {
    return null;
  }
  const step = (TREND_WIDTH - 2 * PAD_X) / (points.length - 1);
  const yOf = (score) => round(PAD_Y + ((100 - Number(score)) / 100) * (TREND_HEIGHT - 2 * PAD_Y));
  const plotted = points.map((point, index) => ({
    key: `${point.scoredAt}-${index}`,
    x: round(PAD_X + index * step),
    y: yOf(point.score),
    score: formatScore(point.score),
    band: point.band ?? '',
    date: formatDateTime(point.scoredAt, locale, timeZone),
  }));
  const line = plotted.map((point, index) => `${index === 0 ? 'M' : 'L'}${point.x} ${point.y}`).join(' ');
  const bottom = TREND_HEIGHT - PAD_Y;
  const first = plotted[0];
  const last = plotted[plotted.length - 1];
  const change = Math.round(Number(points[points.length - 1].score)) - Math.round(Number(points[0].score));
  const from = formatShortDate(points[0].scoredAt, locale, timeZone);
  const to = formatShortDate(points[points.length - 1].scoredAt, locale, timeZone);
  return {
    viewBox: `0 0 ${TREND_WIDTH} ${TREND_HEIGHT}`,
    linePath: line,
    areaPath: `${line} L${last.x} ${bottom} L${first.x} ${bottom} Z`,
    midline: yOf(50),
    baseline: bottom,
    width: TREND_WIDTH,
    last,
    points: plotted,
    startLabel: `${from} · ${first.score}`,
    endLabel: `${to} · ${last.score}`,
    summary:
      `Score trend over the last ${points.length} scores, from ${from} to ${to}: ` +
      `${first.score} to ${last.score}, ${describeChange(change)}.`,
  };
}

function describeChange(change) {
  if (change === 0) return 'unchanged';
  const points = Math.abs(change) === 1 ? 'point' : 'points';
  return change > 0 ? `up ${change} ${points}` : `down ${-change} ${points}`;
}

/**
 * The change between the two newest scores, for the "▲ 6 since the previous score" line.
 * @returns {{direction: 'up'|'down'|'same', points: number}|null}
 */
export function latestChange(history) {
  const points = (history ?? []).filter((point) => point.score !== null && point.score !== undefined);
  if (points.length < 2) {
    return null;
  }
  const change =
    Math.round(Number(points[points.length - 1].score)) - Math.round(Number(points[points.length - 2].score));
  return { direction: change > 0 ? 'up' : change < 0 ? 'down' : 'same', points: Math.abs(change) };
}
