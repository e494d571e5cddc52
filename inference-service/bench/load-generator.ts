import { Agent, request } from 'node:http';
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
  /**
   * An open loop instead of a closed one: requests sent evenly spaced at this many a second,
   * over at most `connections` keep-alive connections (runPaced).
   */
  ratePerSecond?: number;
  /**
   * Callers that wait as long as a 503's Retry-After says before sending again, as Apex's retries
   * do, instead of autocannon's immediate resend: an overload is measured as callers behave in it.
   */
  honourRetryAfter?: boolean;
}

export interface LoadResult {
  /** Answers per second in the measured window (warm-up excluded). */
  requestsPerSecond: number;
  totalRequests: number;
  durationSeconds: number;
  /**
   * From every 2xx response's own timing, to 0.01 ms (autocannon's histogram keeps whole
   * milliseconds only); shed requests (503) are quick and would flatter it, so they are left out.
   */
  latencyMs: { mean: number; p50: number; p99: number; max: number };
  /** 2xx responses per second: what was served, when some requests were shed. */
  acceptedPerSecond: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  /** CPU the load generator itself used while measuring, in % of one core: near 100 means it, not the server, may be the limit. */
  cpuPercent: number;
  /**
   * An open loop's requests due in the measured window that were not counted, by why: an error's
   * code, or "answered after the window" (a few are the requests in flight when it closes).
   */
  uncounted?: Record<string, number>;
}

// The parts of autocannon's programmatic API this file uses (the package ships no types).
interface AutocannonOptions {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  connections: number;
  duration: number;
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

/**
 * One autocannon run over the warm-up and the measured window together, counting only the
 * answers that arrive in the measured window. (autocannon's own warm-up runs separate clients
 * and drops them with their requests unanswered, so the server briefly serves twice the
 * callers: enough 1,000-record bodies to pass MAX_BYTES_IN_FLIGHT, which no real caller does.)
 * Status codes, errors and timeouts count the whole run, warm-up included.
 */
async function runLoad(job: LoadJob): Promise<LoadResult> {
  const latencies: number[] = [];
  let measured = 0;
  let cpuAtStart = process.cpuUsage();
  let measureFrom = Number.POSITIVE_INFINITY;
  const run = autocannon({
    url: job.url,
    method: job.method,
    headers: job.headers,
    body: job.body,
    connections: job.connections,
    duration: job.warmupSeconds + job.durationSeconds,
  });
  run.on('start', () => {
    measureFrom = performance.now() + job.warmupSeconds * 1000;
    setTimeout(() => (cpuAtStart = process.cpuUsage()), job.warmupSeconds * 1000);
  });
  run.on('response', (_client, status, _bytes, responseTimeMs) => {
    if (performance.now() < measureFrom) return;
    measured++;
    if (status >= 200 && status < 300) latencies.push(responseTimeMs);
  });
  const result = await run;
  const elapsedMs = Math.max(performance.now() - measureFrom, 1);
  const cpu = process.cpuUsage(cpuAtStart);
  const cpuPercent = Math.round(((cpu.user + cpu.system) / 1000 / elapsedMs) * 100);

  latencies.sort((a, b) => a - b);
  const statusCodes: Record<string, number> = {};
  for (const [code, stats] of Object.entries(result.statusCodeStats)) statusCodes[code] = stats.count;
  return {
    requestsPerSecond: round(measured / (elapsedMs / 1000)),
    acceptedPerSecond: round(latencies.length / (elapsedMs / 1000)),
    totalRequests: result.requests.total,
    durationSeconds: job.durationSeconds,
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

/**
 * `connections` callers, each on its own keep-alive connection, in a closed loop: send, await the
 * answer, and after a 503 wait its Retry-After first. Warm-up answers are not counted.
 */
async function runCallers(job: LoadJob): Promise<LoadResult> {
  const latencies: number[] = [];
  const statusCodes: Record<string, number> = {};
  let errors = 0;
  let total = 0;
  const started = performance.now();
  const measureFrom = started + job.warmupSeconds * 1000;
  const stopAt = measureFrom + job.durationSeconds * 1000;
  let cpuAtStart = process.cpuUsage();
  setTimeout(() => (cpuAtStart = process.cpuUsage()), job.warmupSeconds * 1000);
  const body = job.body ?? '';
  const headers = { ...job.headers, 'content-length': String(Buffer.byteLength(body)) };
  const caller = async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    while (performance.now() < stopAt) {
      const sent = performance.now();
      const answer = await send(job.url, job.method, headers, body, agent).catch(() => undefined);
      const done = performance.now();
      if (sent >= measureFrom && done <= stopAt) {
        total++;
        if (answer === undefined) errors++;
        else {
          statusCodes[answer.status] = (statusCodes[answer.status] ?? 0) + 1;
          if (answer.status >= 200 && answer.status < 300) latencies.push(done - sent);
        }
      }
      if (answer?.status === 503) {
        const waitMs = Math.min(Number(answer.retryAfter ?? 1) * 1000, Math.max(0, stopAt - performance.now()));
        await new Promise((resolve) => setTimeout(resolve, waitMs));
      }
    }
    agent.destroy();
  };
  await Promise.all(Array.from({ length: job.connections }, caller));
  return summarize(job.durationSeconds, { latencies, statusCodes, errors, total }, process.cpuUsage(cpuAtStart));
}

/**
 * An open loop: requests sent evenly spaced at `ratePerSecond`, whatever the answers do, over a
 * pool of at most `connections` keep-alive connections (a request finding them all busy waits for
 * one, and its time counts from when it was due, so a slow server is not flattered). autocannon's
 * own rate is a quota per connection per second, sent back to back when each second starts: every
 * connection bursts at once, and the server is saturated for part of each second and idle for the
 * rest, which is not a busy service's load.
 */
async function runPaced(job: LoadJob): Promise<LoadResult> {
  const counts = { latencies: [] as number[], statusCodes: {} as Record<string, number>, errors: 0, total: 0 };
  const started = performance.now();
  const measureFrom = started + job.warmupSeconds * 1000;
  const stopAt = measureFrom + job.durationSeconds * 1000;
  const intervalMs = 1000 / job.ratePerSecond!;
  let cpuAtStart = process.cpuUsage();
  setTimeout(() => (cpuAtStart = process.cpuUsage()), job.warmupSeconds * 1000);
  const body = job.body ?? '';
  const headers = { ...job.headers, 'content-length': String(Buffer.byteLength(body)) };
  const agent = new Agent({ keepAlive: true, maxSockets: job.connections });
  const inFlight: Array<Promise<void>> = [];
  const uncounted: Record<string, number> = {};
  const skip = (why: string) => (uncounted[why] = (uncounted[why] ?? 0) + 1);
  const fire = (due: number) =>
    send(job.url, job.method, headers, body, agent).then(
      (answer) => {
        const done = performance.now();
        if (due < measureFrom) return;
        if (done > stopAt) return void skip('answered after the window');
        counts.total++;
        counts.statusCodes[answer.status] = (counts.statusCodes[answer.status] ?? 0) + 1;
        if (answer.status >= 200 && answer.status < 300) counts.latencies.push(done - due);
      },
      (error: NodeJS.ErrnoException) => {
        if (due < measureFrom) return;
        counts.errors++;
        skip(error.code ?? error.message);
      },
    );
  for (let sent = 0; ; sent++) {
    const due = started + sent * intervalMs;
    if (due >= stopAt) break;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight.push(fire(due));
  }
  await Promise.all(inFlight);
  agent.destroy();
  return { ...summarize(job.durationSeconds, counts, process.cpuUsage(cpuAtStart)), uncounted };
}

/** A LoadResult from what a load of our own counted in its measured window. */
function summarize(
  seconds: number,
  counts: { latencies: number[]; statusCodes: Record<string, number>; errors: number; total: number },
  cpu: NodeJS.CpuUsage,
): LoadResult {
  const { latencies, statusCodes, errors, total } = counts;
  latencies.sort((a, b) => a - b);
  const non2xx = Object.entries(statusCodes)
    .filter(([code]) => !code.startsWith('2'))
    .reduce((sum, [, n]) => sum + n, 0);
  return {
    requestsPerSecond: round(total / seconds),
    acceptedPerSecond: round(latencies.length / seconds),
    totalRequests: total,
    durationSeconds: seconds,
    latencyMs: {
      mean: round(latencies.reduce((sum, x) => sum + x, 0) / Math.max(latencies.length, 1)),
      p50: round(percentile(latencies, 50)),
      p99: round(percentile(latencies, 99)),
      max: round(latencies.at(-1) ?? 0),
    },
    non2xx,
    errors,
    timeouts: 0,
    statusCodes,
    cpuPercent: Math.round(((cpu.user + cpu.system) / 1000 / (seconds * 1000)) * 100),
  };
}

function send(
  url: string,
  method: string,
  headers: Record<string, string>,
  body: string,
  agent: Agent,
): Promise<{ status: number; retryAfter: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent, timeout: 60_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
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
const result = job.ratePerSecond !== undefined ? runPaced(job) : job.honourRetryAfter ? runCallers(job) : runLoad(job);
process.stdout.write(`${JSON.stringify(await result)}\n`);
