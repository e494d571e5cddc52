/** How the service rounds the numbers it reports, in one place so every answer and log agrees. */

/** Milliseconds to two decimals, as timings are reported (responses, Server-Timing, logs). */
export function roundMs(ms: number): number {
  return Math.round(ms * 100) / 100;
}

/** Six decimals: micro-dollars for costs; for scores and impacts, well below what a rep can read, and no float noise. */
export function sixDecimals(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
