import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as prettier from 'prettier';
import type { FeatureSpec } from '@byom/contracts/model-card';
import { renderConsoleSummary, renderMarkdown } from './benchmark-report.ts';
import type { BenchmarkRun, BootResult, HealthDuringMasking, ScenarioResult } from './benchmark-report.ts';
import { evaluateTargets } from './benchmark-targets.ts';
import {
  freePort,
  hasExited,
  httpRequest,
  killChildrenOnExit,
  machineBusyPercent,
  readRssBytes,
  sampleProcess,
  startCommandLine,
  startNode,
  stopAllChildren,
  stopChild,
  waitUntilReady,
} from './child-processes.ts';
import type { Child } from './child-processes.ts';
import { BENCH_ROUTE, buildDirectChatBody, buildLargePromptBody } from './llm-request-bodies.ts';
import { EXPLANATION_VARIANTS, writeExplanationVariants } from './explanation-models.ts';
import type { LoadJob, LoadResult } from './load-generator.ts';
import { buildService, procfileWebCommand, REPO_ROOT } from './production-command.ts';
import type { ScoreBody } from './request-bodies.ts';
import { MIXED_SCORING_FALLBACK_RATE, buildScenarios } from './scenarios.ts';
import type { BenchModel, Scenario } from './scenarios.ts';
import { measureSessionFloors } from './session-floor.ts';

/**
 * `npm run bench`: boots the service as production runs it (with the bundled model and the
 * benchmark's torch model), next to a bare Hono echo server and a stub LLM provider, and
 * drives them with autocannon from separate processes. For each scenario it reports records/s,
 * latency, peak RSS, the service's event-loop delay and the floor measured in the same run,
 * evaluates the targets (benchmark-targets.ts) and rewrites docs/benchmarks.md. A missed target
 * is a result (exit 0); a benchmark that could not measure (a server that did not start,
 * unexpected non-2xx answers) is a failure (exit 1).
 *
 *   npm run bench -- --duration 3                 # shorter smoke run (or BENCH_DURATION=3)
 *   npm run bench -- --scenarios "score-200,mixed" # only scenarios whose name contains one of these
 *   npm run bench -- --models account-churn-mlp   # one model only (BENCH_MODELS)
 *   npm run bench -- --provider-ms 0              # the stub LLM provider answers at once
 */

const SERVICE_DIR = fileURLToPath(new URL('..', import.meta.url));
const RESULTS_FILE = path.join(SERVICE_DIR, 'bench', 'results', 'latest.json');
/** Where a run of some scenarios only goes, so latest.json always holds a full run. */
const PARTIAL_RESULTS_FILE = path.join(SERVICE_DIR, 'bench', 'results', 'partial.json');
const DOCS_FILE = path.join(SERVICE_DIR, '..', 'docs', 'benchmarks.md');
/** The benchmark's own models (the torch MLP), served next to the bundled ones through MODEL_DIR. */
const BENCH_MODEL_DIR = path.join(SERVICE_DIR, 'bench', 'models');
const BUNDLED_MODEL_DIR = path.join(SERVICE_DIR, 'models');
const DEFAULT_MODELS = ['lead-scoring', 'account-churn-mlp'];
/**
 * How long the stub LLM provider takes to answer, on average. Hosted models take from a few
 * hundred milliseconds to seconds for a summary; 100 ms is well under the fastest of them.
 */
const DEFAULT_PROVIDER_MS = 100;
/** The largest prompt the service accepts, near MAX_BODY_BYTES: health checks are timed while it is masked. */
const HUGE_PROMPT_CHARS = 9_000_000;
const HEALTH_POLL_MS = 20;

interface Options {
  durationSeconds: number;
  warmupSeconds: number;
  boots: number;
  models: string[];
  writeDocs: boolean;
  /** Substrings of the scenario names to run; undefined runs them all. */
  scenarios: string[] | undefined;
  providerMs: number;
}

interface ServerUnderTest {
  child: Child;
  baseUrl: string;
}

function readOptions(): Options {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: process.env.BENCH_DURATION ?? '10' },
      warmup: { type: 'string', default: process.env.BENCH_WARMUP },
      boots: { type: 'string', default: process.env.BENCH_BOOTS ?? '3' },
      models: { type: 'string', default: process.env.BENCH_MODELS ?? DEFAULT_MODELS.join(',') },
      scenarios: { type: 'string', default: process.env.BENCH_SCENARIOS },
      'provider-ms': { type: 'string', default: process.env.BENCH_PROVIDER_MS ?? String(DEFAULT_PROVIDER_MS) },
      'no-docs': { type: 'boolean', default: false },
    },
  });
  const durationSeconds = positive('--duration', values.duration);
  const list = (raw: string | undefined) =>
    raw
      ?.split(',')
      .map((name) => name.trim())
      .filter((name) => name.length > 0);
  const models = list(values.models) ?? DEFAULT_MODELS;
  return {
    durationSeconds,
    // JIT and connection setup settle within a couple of seconds; a smoke run warms up less.
    warmupSeconds:
      values.warmup === undefined
        ? Math.min(3, Math.ceil(durationSeconds / 3))
        : positive('--warmup', values.warmup, true),
    boots: Math.max(1, Math.round(positive('--boots', values.boots))),
    models,
    // A partial run never rewrites docs/benchmarks.md: the page describes a full run.
    writeDocs: !values['no-docs'] && !values.scenarios && models.join(',') === DEFAULT_MODELS.join(','),
    scenarios: list(values.scenarios),
    providerMs: wholeMilliseconds('--provider-ms', values['provider-ms']),
  };
}

function wholeMilliseconds(flag: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0)
    throw new Error(`${flag} must be a whole number of milliseconds, got "${raw}"`);
  return value;
}

function positive(flag: string, raw: string, allowZero = false): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || (value === 0 && !allowZero))
    throw new Error(`${flag} must be a positive number of seconds, got "${raw}"`);
  return value;
}

async function main(): Promise<number> {
  const options = readOptions();
  killChildrenOnExit();
  log('building the service (npm run build) as Heroku does at deploy');
  buildService();
  const apiKey = randomBytes(24).toString('base64url');
  const servers = new Map<string, ServerUnderTest>();
  const loadBefore = os.loadavg()[0]!;
  const busyBefore = await machineBusyPercent();
  if (busyBefore !== undefined && busyBefore > 10) log(`warning: the machine is already ${busyBefore} % busy`);
  try {
    // The stub LLM provider comes first: the service's routes file points at it.
    const stub = await startStubLlmServer(options.providerMs);
    servers.set('stub', stub);
    const routesFile = await writeBenchRoutes(stub.baseUrl);
    // Boot the service several times (boot time varies with disk cache and CPU); the last one takes the load.
    const boots: BootResult[] = [];
    let service: ServerUnderTest | undefined;
    for (let i = 1; i <= options.boots; i++) {
      const boot = await bootService(apiKey, routesFile, BENCH_MODEL_DIR);
      service = boot.server;
      const idleRssBytes = readRssBytes(service.child.pid) ?? 0;
      // A second of no load: the event-loop delay reading at rest, the floor of the mixed-load target.
      await eventLoopDelayP99Ms(service, apiKey);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const idleEventLoopDelayP99Ms = await eventLoopDelayP99Ms(service, apiKey);
      boots.push({ readyMs: Math.round(boot.readyMs), idleRssBytes, idleEventLoopDelayP99Ms });
      log(`service boot ${i}/${options.boots}: ready in ${Math.round(boot.readyMs)} ms`);
      if (i < options.boots) await stopChild(service.child);
    }
    servers.set('service', service!);
    servers.set('echo', await startEchoServer());
    const variantsDir = await writeExplanationVariants(BUNDLED_MODEL_DIR, BENCH_MODEL_DIR);
    const explanations = (await bootService(apiKey, routesFile, variantsDir)).server;
    servers.set('explanations', explanations);

    const models = await Promise.all(options.models.map((name) => fetchModel(service!, apiKey, name)));
    const variants = await Promise.all(
      Object.entries(EXPLANATION_VARIANTS)
        .filter(([, variant]) => options.models.includes(variant.from))
        .map(async ([name, variant]) => ({ model: await fetchModel(explanations, apiKey, name), of: variant.from })),
    );
    const scenarios = selectScenarios(buildScenarios(models, apiKey, variants), options);
    for (const scenario of scenarios) await preflight(scenario, servers);

    log('timing onnxruntime session.run for each scoring request (the floor)');
    const floorRequests = new Map<string, ScoreBody>();
    for (const scenario of scenarios) if (scenario.floor) floorRequests.set(scenario.name, scenario.floor.request);
    const floors = await measureSessionFloors([BUNDLED_MODEL_DIR, BENCH_MODEL_DIR, variantsDir], floorRequests);

    const results: ScenarioResult[] = [];
    const modelDirs = { service: BENCH_MODEL_DIR, explanations: variantsDir };
    for (const scenario of scenarios) {
      if (scenario.target === 'service' || scenario.target === 'explanations') {
        // Each scenario gets a service booted for it, so its peak RSS is its own: freed memory
        // mostly stays with the process (glibc keeps it for reuse), and a scenario measured after
        // the overload would otherwise report the overload's high-water mark.
        await stopChild(servers.get(scenario.target)!.child);
        servers.set(scenario.target, (await bootService(apiKey, routesFile, modelDirs[scenario.target])).server);
      }
      log(
        `${scenario.name}: ${options.warmupSeconds} s warm-up + ${options.durationSeconds} s` +
          (scenario.alongside ? ` with ${scenario.alongside.name} @${scenario.alongside.connections} alongside` : ''),
      );
      const rateOf = scenario.rate && results.find((r) => r.name === scenario.rate!.of);
      const rate = scenario.rate
        ? Math.max(1, Math.round(rateOf ? rateOf.requestsPerSecond * scenario.rate.share : MIXED_SCORING_FALLBACK_RATE))
        : undefined;
      const result = await runScenario(scenario, servers, apiKey, options, rate);
      // Requests admitted near the end are still being served: the next scenario starts on an idle service.
      await settle(servers.get(scenario.target === 'explanations' ? 'explanations' : 'service')!, apiKey);
      const floor = floors.get(scenario.name);
      if (floor && scenario.floor) result.floor = { echo: scenario.floor.echo, ...floor };
      results.push(result);
    }
    const health =
      options.scenarios === undefined || options.scenarios.some((s) => 'masking'.includes(s))
        ? await measureHealthDuringMasking(servers.get('service')!, apiKey)
        : undefined;

    const run: BenchmarkRun = {
      date: new Date().toISOString(),
      machine: { ...describeMachine(), busyPercentBefore: busyBefore ?? null, loadAverageBefore: loadBefore },
      settings: {
        durationSeconds: options.durationSeconds,
        warmupSeconds: options.warmupSeconds,
        models: models.map((m) => `${m.name}@${m.version}`),
        providerMs: options.providerMs,
      },
      boots,
      scenarios: results,
      ...(health ? { healthDuringMasking: health } : {}),
      targets: [],
      broken: results.flatMap(describeBreakage),
    };
    run.targets = evaluateTargets(run);

    const resultsFile = options.writeDocs ? RESULTS_FILE : PARTIAL_RESULTS_FILE;
    await mkdir(path.dirname(resultsFile), { recursive: true });
    await writeFile(resultsFile, `${JSON.stringify(run, null, 2)}\n`);
    process.stdout.write(renderConsoleSummary(run));
    if (run.broken.length > 0) {
      log(`benchmark failed, docs not updated:\n  ${run.broken.join('\n  ')}`);
      return 1;
    }
    if (options.writeDocs) {
      // Formatted with the repo's Prettier config so `npm run lint` accepts the generated page as is.
      const config = await prettier.resolveConfig(DOCS_FILE);
      await writeFile(DOCS_FILE, await prettier.format(renderMarkdown(run), { ...config, filepath: DOCS_FILE }));
      log(`wrote ${path.relative(process.cwd(), RESULTS_FILE)} and ${path.relative(process.cwd(), DOCS_FILE)}`);
    } else {
      log(`wrote ${path.relative(process.cwd(), resultsFile)} (docs/benchmarks.md not rewritten)`);
    }
    return 0;
  } finally {
    await stopAllChildren();
  }
}

/** Spawns the service as production runs it and times spawn → first 200 from /readyz. */
async function bootService(
  apiKey: string,
  routesFile: string,
  modelDir: string,
): Promise<{ server: ServerUnderTest; readyMs: number }> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    BYOM_API_KEYS: apiKey,
    // LLM routes on: the service boots and runs as it does with the gateway in use.
    BYOM_ROUTES: routesFile,
    MODEL_DIR: modelDir,
    LOG_LEVEL: 'info',
  };
  // Every request carries the same body, which replay protection would reject; signing is measured apart, if ever.
  delete env.BYOM_SIGNING_SECRET;
  const baseUrl = `http://127.0.0.1:${port}`;
  const startedAt = performance.now();
  // The Procfile's own command line (main() builds the compiled service it runs first).
  const child = startCommandLine('service', procfileWebCommand(), { cwd: REPO_ROOT, env, stdout: 'ignore' });
  const readyMs = await waitUntilReady(child, () => httpRequest(`${baseUrl}/readyz`, { timeoutMs: 1000 }), startedAt);
  return { server: { child, baseUrl }, readyMs };
}

async function startEchoServer(): Promise<ServerUnderTest> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const child = startNode('echo server', ['bench/echo-server.ts'], {
    cwd: SERVICE_DIR,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1' },
    stdout: 'ignore',
  });
  const probe = () =>
    httpRequest(`${baseUrl}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  await waitUntilReady(child, probe, performance.now());
  return { child, baseUrl };
}

/** The stub OpenAI-compatible provider the gateway scenarios call (test/support/stub-llm-provider.ts). */
async function startStubLlmServer(delayMs: number): Promise<ServerUnderTest> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}/v1`;
  const child = startNode('stub LLM provider', ['bench/stub-llm-server.ts'], {
    cwd: SERVICE_DIR,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', STUB_DELAY_MS: String(delayMs) },
    stdout: 'ignore',
  });
  const probe = () =>
    httpRequest(`${baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(buildDirectChatBody()),
    });
  await waitUntilReady(child, probe, performance.now());
  return { child, baseUrl };
}

/** One route with one target, the stub: no retries, so every request is one provider call. */
async function writeBenchRoutes(stubBaseUrl: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'byom-bench-'));
  const file = path.join(dir, 'routes.json');
  const routes = {
    routes: {
      [BENCH_ROUTE]: {
        retries: 0,
        targets: [
          {
            provider: 'openai-compatible',
            name: 'stub',
            model: 'bench-model',
            baseUrl: stubBaseUrl,
            pricePer1K: { input: 0.00015, output: 0.0006 },
          },
        ],
      },
    },
  };
  await writeFile(file, JSON.stringify(routes));
  return file;
}

interface ModelDetail {
  defaultVersion: string;
  versions: Array<{ version: string; features: FeatureSpec[] }>;
}

async function fetchModel(service: ServerUnderTest, apiKey: string, name: string): Promise<BenchModel> {
  const response = await httpRequest(`${service.baseUrl}/v1/models/${encodeURIComponent(name)}`, {
    headers: { authorization: `Bearer ${apiKey}` },
  });
  if (response.status !== 200) throw new Error(`GET /v1/models/${name} answered ${response.status}: ${response.body}`);
  const detail = JSON.parse(response.body) as ModelDetail;
  const card = detail.versions.find((v) => v.version === detail.defaultVersion);
  if (!card) throw new Error(`model ${name} has no card for its default version ${detail.defaultVersion}`);
  return { name, version: card.version, features: card.features };
}

/** The scenarios whose names contain one of --scenarios, with those their floors and rates need. */
function selectScenarios(all: Scenario[], options: Options): Scenario[] {
  const wanted = options.scenarios;
  if (!wanted) return all;
  const picked = all.filter((s) => wanted.some((part) => s.name.includes(part)));
  if (picked.length === 0 && !wanted.some((part) => 'masking'.includes(part))) {
    throw new Error(
      `no scenario matches ${wanted.join(', ')}; the scenarios are:\n  ${all.map((s) => s.name).join('\n  ')}`,
    );
  }
  const needed = new Set(picked.flatMap((s) => [...(s.floor ? [s.floor.echo] : []), ...(s.rate ? [s.rate.of] : [])]));
  for (const s of all) if (needed.has(s.name) && s.floor) needed.add(s.floor.echo);
  return all.filter((s) => picked.includes(s) || needed.has(s.name));
}

async function preflight(scenario: Scenario, servers: Map<string, ServerUnderTest>): Promise<void> {
  for (const s of [scenario, ...(scenario.alongside ? [scenario.alongside] : [])]) {
    const server = servers.get(s.target)!;
    const response = await httpRequest(server.baseUrl + s.path, {
      method: s.method,
      headers: s.headers,
      body: s.body,
      timeoutMs: 30_000,
    });
    if (response.status < 200 || response.status > 299)
      throw new Error(`${s.name}: a single request answered ${response.status}: ${response.body.slice(0, 500)}`);
    const problem = s.check?.(JSON.parse(response.body));
    if (problem) throw new Error(`${s.name}: ${problem}`);
  }
}

async function runScenario(
  scenario: Scenario,
  servers: Map<string, ServerUnderTest>,
  apiKey: string,
  options: Options,
  ratePerSecond?: number,
): Promise<ScenarioResult> {
  const server = servers.get(scenario.target)!;
  if (hasExited(server.child))
    throw new Error(`${server.child.name} died before ${scenario.name}:\n${server.child.stderrTail()}`);
  const job = (s: Scenario): LoadJob => ({
    url: servers.get(s.target)!.baseUrl + s.path,
    method: s.method,
    headers: s.headers,
    body: s.body,
    connections: s.connections,
    durationSeconds: options.durationSeconds,
    warmupSeconds: options.warmupSeconds,
    ...(s.allowShedding ? { honourRetryAfter: true } : {}),
  });
  const deadlineMs = (options.warmupSeconds + options.durationSeconds) * 1000 + 60_000;
  const sampler = sampleProcess(server.child.pid);
  // The service's event-loop delay histogram restarts at every scrape of /metrics: once at the
  // end of the warm-up, then read at the end of the load.
  const measuresDelay = scenario.target === 'service' || scenario.target === 'explanations';
  const warmedUp = measuresDelay
    ? new Promise<void>((resolve) =>
        setTimeout(() => void eventLoopDelayP99Ms(server, apiKey).finally(resolve), options.warmupSeconds * 1000),
      )
    : Promise.resolve();
  const [load, alongside] = await Promise.all([
    runLoadGenerator({ ...job(scenario), ...(ratePerSecond !== undefined ? { ratePerSecond } : {}) }, deadlineMs),
    scenario.alongside ? runLoadGenerator(job(scenario.alongside), deadlineMs) : undefined,
  ]);
  await warmedUp;
  const delayP99 = measuresDelay ? await eventLoopDelayP99Ms(server, apiKey) : undefined;
  const { peakRssBytes, cpuPercent, machineCpuPercent } = sampler.stop(options.durationSeconds);
  const generatorCpu = load.cpuPercent + (alongside?.cpuPercent ?? 0);
  return {
    name: scenario.name,
    target: scenario.target,
    ...(scenario.model ? { model: scenario.model } : {}),
    connections: scenario.connections,
    records: scenario.records,
    requestBytes: Buffer.byteLength(scenario.body ?? ''),
    ...load,
    recordsPerSecond: Math.round(load.acceptedPerSecond * scenario.records),
    peakRssBytes,
    targetCpuPercent: cpuPercent,
    // Whatever the machine did beyond the server and the load generators: other processes' load.
    otherCpuPercent: Math.max(0, machineCpuPercent - cpuPercent - generatorCpu),
    ...(delayP99 !== undefined ? { eventLoopDelayP99Ms: delayP99 } : {}),
    ...(scenario.allowShedding ? { allowsShedding: true } : {}),
    ...(ratePerSecond !== undefined ? { ratePerSecond } : {}),
    ...(alongside && scenario.alongside
      ? { alongside: { name: scenario.alongside.name, connections: scenario.alongside.connections, ...alongside } }
      : {}),
  };
}

/** Waits until the service serves no request body (byom_request_bytes_in_flight 0), at most a minute. */
async function settle(service: ServerUnderTest, apiKey: string): Promise<void> {
  const deadline = performance.now() + 60_000;
  while (performance.now() < deadline) {
    const response = await httpRequest(`${service.baseUrl}/metrics`, {
      headers: { authorization: `Bearer ${apiKey}` },
      timeoutMs: 10_000,
    });
    if (/^byom_request_bytes_in_flight 0$/m.test(response.body)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the service still had requests in flight a minute after the load stopped');
}

/**
 * prom-client's monitorEventLoopDelay resolution (its default `eventLoopMonitoringPrecision`).
 * The histogram records the time between the sampling timer's runs, so an idle loop reads
 * ~10.2 ms at p99 (nodejs/node#25378: min 10.03 ms when idle); the delay is what exceeds it.
 */
const EVENT_LOOP_SAMPLING_MS = 10;

/**
 * The p99 of the service's event-loop delay since the last scrape: prom-client's
 * monitorEventLoopDelay histogram, less the sampling interval it includes.
 */
async function eventLoopDelayP99Ms(server: ServerUnderTest, apiKey: string): Promise<number> {
  const response = await httpRequest(`${server.baseUrl}/metrics`, {
    headers: { authorization: `Bearer ${apiKey}` },
    timeoutMs: 10_000,
  });
  const match = /^byom_nodejs_eventloop_lag_p99_seconds (\S+)$/m.exec(response.body);
  if (!match) throw new Error(`/metrics has no byom_nodejs_eventloop_lag_p99_seconds (status ${response.status})`);
  return Math.round(Math.max(0, Number(match[1]) * 1000 - EVENT_LOOP_SAMPLING_MS) * 100) / 100;
}

/**
 * Health checks while the largest prompt the service accepts is masked: one /v1/generate with
 * a 9 MB prompt full of PII, and /healthz asked every 20 ms until it is answered.
 */
async function measureHealthDuringMasking(service: ServerUnderTest, apiKey: string): Promise<HealthDuringMasking> {
  const body = JSON.stringify(buildLargePromptBody(HUGE_PROMPT_CHARS, 25_000));
  log(`health checks while a ${Math.round(Buffer.byteLength(body) / 1e5) / 10} MB prompt is masked`);
  const latencies: number[] = [];
  const started = performance.now();
  let done = false;
  const generate = httpRequest(`${service.baseUrl}/v1/generate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body,
    timeoutMs: 60_000,
  }).finally(() => (done = true));
  while (!done) {
    const asked = performance.now();
    await httpRequest(`${service.baseUrl}/healthz`, { timeoutMs: 10_000 });
    latencies.push(performance.now() - asked);
    await new Promise((resolve) => setTimeout(resolve, HEALTH_POLL_MS));
  }
  const answer = await generate;
  latencies.sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    promptBytes: Buffer.byteLength(body),
    generateStatus: answer.status,
    generateCode:
      answer.status === 200 ? undefined : (JSON.parse(answer.body) as { error?: { code?: string } }).error?.code,
    generateMs: Math.round(performance.now() - started),
    healthChecks: latencies.length,
    healthP99Ms: round(latencies[Math.min(latencies.length - 1, Math.ceil(latencies.length * 0.99) - 1)] ?? 0),
    healthMaxMs: round(latencies.at(-1) ?? 0),
  };
}

/** Runs bench/load-generator.ts in its own process, with a hard deadline. */
async function runLoadGenerator(job: LoadJob, deadlineMs: number): Promise<LoadResult> {
  const child = startNode('load generator', ['bench/load-generator.ts'], {
    cwd: SERVICE_DIR,
    env: process.env,
    stdout: 'pipe',
  });
  let stdout = '';
  child.process.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  const exited = new Promise<number | null>((resolve) => child.process.once('exit', (code) => resolve(code)));
  child.process.stdin?.end(JSON.stringify(job));
  const deadline = setTimeout(() => child.process.kill('SIGKILL'), deadlineMs);
  const code = await exited;
  clearTimeout(deadline);
  if (code !== 0)
    throw new Error(`load generator exited with ${code ?? 'a signal (deadline)'}:\n${child.stderrTail()}`);
  return JSON.parse(stdout) as LoadResult;
}

/** Why a scenario's numbers cannot stand: answers other than 2xx (and, when shedding is measured, 503), errors, nothing done. */
function describeBreakage(r: ScenarioResult): string[] {
  const loads: Array<[string, LoadResult]> = [
    [r.name, r],
    ...(r.alongside ? [[r.alongside.name, r.alongside] as [string, LoadResult]] : []),
  ];
  return loads.flatMap(([name, load]) => {
    const unexpected = Object.entries(load.statusCodes).filter(
      ([code]) => !code.startsWith('2') && !(r.allowsShedding && code === '503'),
    );
    if (unexpected.length === 0 && load.errors + load.timeouts === 0 && load.totalRequests > 0) return [];
    const codes = Object.entries(load.statusCodes)
      .map(([code, n]) => `${code}: ${n}`)
      .join(', ');
    const uncounted = Object.entries(load.uncounted ?? {})
      .map(([why, n]) => `${why}: ${n}`)
      .join(', ');
    return [
      `${name}: ${load.totalRequests} requests, ${load.errors} errors, ${load.timeouts} timeouts (status codes ${codes || 'none'})` +
        (uncounted ? `; not counted: ${uncounted}` : ''),
    ];
  });
}

function describeMachine(): Omit<BenchmarkRun['machine'], 'busyPercentBefore' | 'loadAverageBefore'> {
  let cpuinfo = '';
  try {
    cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    // Not Linux: os.cpus() below still names the CPU.
  }
  const cpuModel = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  return {
    cpu: cpuModel,
    cores: os.availableParallelism(),
    memoryBytes: os.totalmem(),
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
  };
}

function log(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

try {
  process.exitCode = await main();
} catch (error) {
  log(`benchmark broke: ${(error as Error).message}`);
  process.exitCode = 1;
}
