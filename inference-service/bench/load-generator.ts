import { createRequire } from 'node:module';
import { text } from 'node:stream/consumers';

/**
 * Runs one autocannon load against one URL and prints a LoadResult as JSON on stdout.
 * run-bench.ts starts it as its own process so that generating load never shares an
 * event loop with the orchestrator's polling and sampling (on a 2-core machine the
 * generator still competes with the server for CPU; docs/benchmarks.md says so).
 *
 *   echo '{"url":"http://127.0.0.1:3100/echo", ...LoadJob}' | node bench/load-generator.ts
 */

export interface LoadJob {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
}

export interface LoadResult {
  /** Mean of autocannon's per-second request counts over the measured window (warm-up excluded). */
  requestsPerSecond: number;
  totalRequests: number;
  durationSeconds: number;
  /** From every response's own timing, to 0.01 ms: autocannon's histogram keeps whole milliseconds only. */
  latencyMs: { mean: number; p50: number; p99: number; max: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  /** CPU the load generator itself used while measuring, in % of one core: near 100 means it, not the server, may be the limit. */
  cpuPercent: number;
}

// The parts of autocannon's programmatic API this file uses (the package ships no types).
interface AutocannonOptions {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  connections: number;
  duration: number;
  warmup?: { connections: number; duration: number };
}
interface AutocannonResult {
  requests: { average: number; total: number };
  duration: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodeStats: Record<string, { count: number }>;
}
interface AutocannonRun extends PromiseLike<AutocannonResult> {
  on(event: 'start', listener: () => void): this;
  on(
    event: 'response',
    listener: (client: unknown, statusCode: number, bytes: number, responseTimeMs: number) => void,
  ): this;
}
const autocannon = createRequire(import.meta.url)('autocannon') as (options: AutocannonOptions) => AutocannonRun;

async function runLoad(job: LoadJob): Promise<LoadResult> {
  const latencies: number[] = [];
  let cpuAtStart = process.cpuUsage();
  let startedAt = performance.now();
  const run = autocannon({
    url: job.url,
    method: job.method,
    headers: job.headers,
    body: job.body,
    connections: job.connections,
    duration: job.durationSeconds,
    warmup: job.warmupSeconds > 0 ? { connections: job.connections, duration: job.warmupSeconds } : undefined,
  });
  // Only the measured run's tracker emits these; the warm-up reports to a separate one.
  run.on('start', () => {
    cpuAtStart = process.cpuUsage();
    startedAt = performance.now();
  });
  run.on('response', (_client, _status, _bytes, responseTimeMs) => latencies.push(responseTimeMs));
  const result = await run;
  const cpu = process.cpuUsage(cpuAtStart);
  const cpuPercent = Math.round(((cpu.user + cpu.system) / 1000 / (performance.now() - startedAt)) * 100);

  latencies.sort((a, b) => a - b);
  const statusCodes: Record<string, number> = {};
  for (const [code, stats] of Object.entries(result.statusCodeStats)) statusCodes[code] = stats.count;
  return {
    requestsPerSecond: round(result.requests.average),
    totalRequests: result.requests.total,
    durationSeconds: result.duration,
    latencyMs: {
      mean: round(latencies.reduce((sum, x) => sum + x, 0) / Math.max(latencies.length, 1)),
      p50: round(percentile(latencies, 50)),
      p99: round(percentile(latencies, 99)),
      max: round(latencies.at(-1) ?? 0),
    },
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
    cpuPercent,
  };
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

const job = JSON.parse(await text(process.stdin)) as LoadJob;
process.stdout.write(`${JSON.stringify(await runLoad(job))}\n`);
