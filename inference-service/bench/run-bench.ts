import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as prettier from 'prettier';
import type { FeatureSpec } from '@byom/contracts/model-card';
import { mb, renderConsoleSummary, renderMarkdown } from './benchmark-report.ts';
import type { BenchmarkRun, BootResult, ScenarioResult, TargetResult } from './benchmark-report.ts';
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
import type { LoadJob, LoadResult } from './load-generator.ts';
import { buildService, procfileWebCommand, REPO_ROOT } from './production-command.ts';
import { buildScoreBody } from './request-bodies.ts';
import {
  EXPLANATION_CALLERS,
  EXPLANATION_MODELS,
  countersFor,
  explanationScenarios,
  writeExplanationModels,
} from './explanation-scenarios.ts';
import {
  BENCH_ROUTE,
  buildDirectChatBody,
  buildGenerateBody,
  expectCompletion,
  expectGeneration,
} from './llm-request-bodies.ts';

/**
 * `npm run bench`: boots the service as production would run it, next to a bare Hono echo
 * server, and drives both with autocannon from a separate process. Reports throughput,
 * latency, memory and boot-to-ready time against the targets in docs/benchmarks.md, and
 * rewrites that page. A missed target is a result (exit 0); a benchmark that could not
 * measure (a server that did not start, non-2xx responses) is a failure (exit 1).
 *
 *   npm run bench -- --duration 3     # shorter smoke run (or BENCH_DURATION=3)
 *   npm run bench -- --scenarios llm-direct-1,generate-1   # only these (or BENCH_SCENARIOS=...)
 *   npm run bench -- --provider-ms 0  # the stub LLM provider answers at once (or BENCH_PROVIDER_MS=0)
 */

const SERVICE_DIR = fileURLToPath(new URL('..', import.meta.url));
const RESULTS_FILE = path.join(SERVICE_DIR, 'bench', 'results', 'latest.json');
/** Where a run of some scenarios only goes, so latest.json always holds a full run. */
const PARTIAL_RESULTS_FILE = path.join(SERVICE_DIR, 'bench', 'results', 'partial.json');
const DOCS_FILE = path.join(SERVICE_DIR, '..', 'docs', 'benchmarks.md');
const CONNECTIONS = 32;
/**
 * How long the stub LLM provider takes to answer, on average. Hosted models take from a few
 * hundred milliseconds to seconds for a summary; 100 ms is well under the fastest of them, so
 * 32 connections send the gateway ~300 requests/s, far more than 32 real calls would.
 */
const DEFAULT_PROVIDER_MS = 100;

interface Options {
  durationSeconds: number;
  warmupSeconds: number;
  boots: number;
  model: string;
  writeDocs: boolean;
  /** Names of the scenarios to run; undefined runs them all. */
  scenarios: string[] | undefined;
  /** The stub LLM provider's mean answer time (0: at once). */
  providerMs: number;
}

/** A process the scenarios send load to. A later benchmark (say, a stub LLM provider) adds one to the map. */
interface ServerUnderTest {
  child: Child;
  baseUrl: string;
}

/** One load: which server, which request. New scenarios are new entries in the list, nothing else. */
interface Scenario {
  name: string;
  target: string;
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** Records per request, to turn requests/s into records/s. */
  records: number;
  /** Inspects one response before the load: a 200 that scored nothing must not pass for a fast run. */
  check?: (response: unknown) => string | undefined;
  /** Concurrent callers; CONNECTIONS unless set. */
  connections?: number;
  /** The model scored: its rows per record are read from the service's counters. */
  model?: string;
}

function readOptions(): Options {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: process.env.BENCH_DURATION ?? '10' },
      warmup: { type: 'string', default: process.env.BENCH_WARMUP },
      boots: { type: 'string', default: process.env.BENCH_BOOTS ?? '3' },
      model: { type: 'string', default: process.env.BENCH_MODEL ?? 'lead-scoring' },
      scenarios: { type: 'string', default: process.env.BENCH_SCENARIOS },
      'provider-ms': { type: 'string', default: process.env.BENCH_PROVIDER_MS ?? String(DEFAULT_PROVIDER_MS) },
      'no-docs': { type: 'boolean', default: false },
    },
  });
  const durationSeconds = positive('--duration', values.duration);
  return {
    durationSeconds,
    // JIT and connection setup settle within a couple of seconds; a smoke run warms up less.
    warmupSeconds:
      values.warmup === undefined
        ? Math.min(3, Math.ceil(durationSeconds / 3))
        : positive('--warmup', values.warmup, true),
    boots: Math.max(1, Math.round(positive('--boots', values.boots))),
    model: values.model,
    // A partial run never rewrites docs/benchmarks.md: the page describes a full run.
    writeDocs: !values['no-docs'] && !values.scenarios,
    scenarios: values.scenarios
      ?.split(',')
      .map((name) => name.trim())
      .filter((name) => name.length > 0),
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
      const boot = await bootService(apiKey, routesFile);
      service = boot.server;
      boots.push({ readyMs: Math.round(boot.readyMs), idleRssBytes: readRssBytes(service.child.pid) ?? 0 });
      log(`service boot ${i}/${options.boots}: ready in ${Math.round(boot.readyMs)} ms`);
      if (i < options.boots) await stopChild(service.child);
    }
    servers.set('service', service!);
    servers.set('echo', await startEchoServer());
    // The explanation scenarios' model variants (explanation-scenarios.ts) get a service of their
    // own, so the boots above and the other scenarios run with the bundled models only.
    const explanationModels = await writeExplanationModels(path.join(SERVICE_DIR, 'models'));
    servers.set('explanations', (await bootService(apiKey, routesFile, explanationModels)).server);

    const card = await fetchModelFeatures(servers.get('service')!, apiKey, options.model);
    const explanationCards = new Map<string, { version: string; features: FeatureSpec[] }>();
    for (const model of EXPLANATION_MODELS) {
      explanationCards.set(model, await fetchModelFeatures(servers.get('explanations')!, apiKey, model));
    }
    const scenarios = selectScenarios(
      [
        ...buildScenarios(options.model, card.version, card.features, apiKey),
        ...explanationScenarios(explanationCards).map((s): Scenario => ({
          ...s,
          target: 'explanations',
          method: 'POST',
          path: '/v1/score',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
        })),
      ],
      options,
    );
    for (const scenario of scenarios) await preflight(scenario, servers);

    const results: ScenarioResult[] = [];
    for (const scenario of scenarios) {
      log(
        `${scenario.name}: ${options.warmupSeconds} s warm-up + ${options.durationSeconds} s at ${scenario.connections ?? CONNECTIONS} connections`,
      );
      results.push(await runScenario(scenario, servers.get(scenario.target)!, options, apiKey));
    }

    const run: BenchmarkRun = {
      date: new Date().toISOString(),
      machine: { ...describeMachine(), busyPercentBefore: busyBefore ?? null },
      settings: {
        connections: CONNECTIONS,
        durationSeconds: options.durationSeconds,
        warmupSeconds: options.warmupSeconds,
        model: `${options.model}@${card.version}`,
        providerMs: options.providerMs,
      },
      boots,
      scenarios: results,
      ratios: ratios(results, [
        ['score-1', 'echo-1'],
        ['score-200', 'echo-200'],
        ['score-200-explain', 'echo-200'],
      ]),
      targets: [],
      broken: results
        .filter((r) => r.non2xx + r.errors + r.timeouts > 0 || r.totalRequests === 0)
        .map(describeBreakage),
    };
    run.targets = evaluateTargets(run);

    const resultsFile = options.scenarios ? PARTIAL_RESULTS_FILE : RESULTS_FILE;
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
  modelDir?: string,
): Promise<{ server: ServerUnderTest; readyMs: number }> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...(modelDir ? { MODEL_DIR: modelDir } : {}),
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    BYOM_API_KEYS: apiKey,
    // LLM routes on: the service boots and runs as it does with the gateway in use.
    BYOM_ROUTES: routesFile,
    LOG_LEVEL: 'info',
  };
  // Every request carries the same body, which replay protection would reject; signing is measured apart, if ever.
  delete env.BYOM_SIGNING_SECRET;
  const baseUrl = `http://127.0.0.1:${port}`;
  const startedAt = performance.now();
  // The Procfile's own command line (main() builds the compiled service it runs first).
  const child = startCommandLine('service', procfileWebCommand(), {
    cwd: REPO_ROOT,
    env,
    stdout: 'ignore',
  });
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

async function fetchModelFeatures(
  service: ServerUnderTest,
  apiKey: string,
  model: string,
): Promise<{ version: string; features: FeatureSpec[] }> {
  const response = await httpRequest(`${service.baseUrl}/v1/models/${encodeURIComponent(model)}`, {
    headers: { authorization: `Bearer ${apiKey}` },
  });
  if (response.status !== 200) throw new Error(`GET /v1/models/${model} answered ${response.status}: ${response.body}`);
  const detail = JSON.parse(response.body) as ModelDetail;
  const card = detail.versions.find((v) => v.version === detail.defaultVersion);
  if (!card) throw new Error(`model ${model} has no card for its default version ${detail.defaultVersion}`);
  return card;
}

function buildScenarios(model: string, version: string, features: FeatureSpec[], apiKey: string): Scenario[] {
  // Both servers get byte-identical requests, service key included, so only the handling differs.
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` };
  const body = (records: number, explain: boolean) =>
    JSON.stringify(buildScoreBody(model, version, features, records, explain));
  const echo = (name: string, records: number): Scenario => ({
    name,
    target: 'echo',
    method: 'POST',
    path: '/echo',
    headers,
    body: body(records, false),
    records,
  });
  const score = (name: string, records: number, explain: boolean): Scenario => ({
    name,
    target: 'service',
    method: 'POST',
    path: '/v1/score',
    headers,
    body: body(records, explain),
    records,
    check: expectScores(records, explain),
  });
  return [
    echo('echo-1', 1),
    score('score-1', 1, false),
    echo('echo-200', 200),
    score('score-200', 200, false),
    score('score-200-explain', 200, true),
    // The LLM gateway: the stub provider called directly, then through /v1/generate.
    {
      name: 'llm-direct-1',
      target: 'stub',
      method: 'POST',
      path: '/chat/completions',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(buildDirectChatBody()),
      records: 1,
      check: expectCompletion,
    },
    {
      name: 'generate-1',
      target: 'service',
      method: 'POST',
      path: '/v1/generate',
      headers,
      body: JSON.stringify(buildGenerateBody()),
      records: 1,
      check: expectGeneration,
    },
  ];
}

/** The scenarios named by --scenarios (BENCH_SCENARIOS), in the benchmark's own order. */
function selectScenarios(all: Scenario[], options: Options): Scenario[] {
  if (!options.scenarios) return all;
  const unknown = options.scenarios.filter((name) => !all.some((s) => s.name === name));
  if (unknown.length > 0)
    throw new Error(
      `unknown scenario(s) ${unknown.join(', ')}; the scenarios are ${all.map((s) => s.name).join(', ')}`,
    );
  return all.filter((s) => options.scenarios!.includes(s.name));
}

/** Every record scored, none in `errors`, factors present exactly when asked for. */
function expectScores(records: number, explain: boolean): (response: unknown) => string | undefined {
  return (response) => {
    const body = response as { results?: Array<{ factors?: unknown[] }>; errors?: Array<{ message: string }> };
    if (body.errors && body.errors.length > 0)
      return `${body.errors.length} record errors, first: ${body.errors[0]!.message}`;
    if (body.results?.length !== records) return `expected ${records} results, got ${body.results?.length ?? 'none'}`;
    if (explain && !body.results.every((r) => Array.isArray(r.factors) && r.factors.length > 0))
      return 'explain was on but results have no factors';
    return undefined;
  };
}

async function preflight(scenario: Scenario, servers: Map<string, ServerUnderTest>): Promise<void> {
  const server = servers.get(scenario.target);
  if (!server) throw new Error(`scenario ${scenario.name} targets unknown server "${scenario.target}"`);
  const response = await httpRequest(server.baseUrl + scenario.path, {
    method: scenario.method,
    headers: scenario.headers,
    body: scenario.body,
  });
  if (response.status < 200 || response.status > 299)
    throw new Error(`${scenario.name}: a single request answered ${response.status}: ${response.body.slice(0, 500)}`);
  const problem = scenario.check?.(JSON.parse(response.body));
  if (problem) throw new Error(`${scenario.name}: ${problem}`);
}

async function runScenario(
  scenario: Scenario,
  server: ServerUnderTest,
  options: Options,
  apiKey: string,
): Promise<ScenarioResult> {
  if (hasExited(server.child))
    throw new Error(`${server.child.name} died before ${scenario.name}:\n${server.child.stderrTail()}`);
  const connections = scenario.connections ?? CONNECTIONS;
  const job: LoadJob = {
    url: server.baseUrl + scenario.path,
    method: scenario.method,
    headers: scenario.headers,
    body: scenario.body,
    connections,
    durationSeconds: options.durationSeconds,
    warmupSeconds: options.warmupSeconds,
  };
  const counters = async () => {
    if (!scenario.model) return undefined;
    const response = await httpRequest(`${server.baseUrl}/metrics`, { headers: { authorization: `Bearer ${apiKey}` } });
    return countersFor(response.body, scenario.model);
  };
  const before = await counters();
  const sampler = sampleProcess(server.child.pid);
  const load = await runLoadGenerator(job, (options.warmupSeconds + options.durationSeconds) * 1000 + 30_000);
  const { peakRssBytes, cpuPercent, machineCpuPercent } = sampler.stop(options.durationSeconds);
  const after = await counters();
  const rowsPerRecord =
    before && after && after.records > before.records
      ? Math.round(((after.rows - before.rows) / (after.records - before.records)) * 10) / 10
      : undefined;
  return {
    name: scenario.name,
    target: scenario.target,
    connections,
    ...(rowsPerRecord !== undefined ? { rowsPerRecord } : {}),
    records: scenario.records,
    requestBytes: Buffer.byteLength(scenario.body ?? ''),
    ...load,
    recordsPerSecond: Math.round(load.requestsPerSecond * scenario.records),
    peakRssBytes,
    targetCpuPercent: cpuPercent,
    // Whatever the machine did beyond the server and the load generator: other processes' load.
    otherCpuPercent: Math.max(0, machineCpuPercent - cpuPercent - load.cpuPercent),
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

/** Request-rate ratios for the pairs whose scenarios both ran. */
function ratios(results: ScenarioResult[], pairs: Array<[string, string]>): Record<string, number> {
  const rate = (name: string) => results.find((r) => r.name === name)?.requestsPerSecond;
  const found: Record<string, number> = {};
  for (const [numerator, denominator] of pairs) {
    const a = rate(numerator);
    const b = rate(denominator);
    if (a !== undefined && b !== undefined && b > 0)
      found[`${numerator} / ${denominator}`] = Math.round((a / b) * 1000) / 1000;
  }
  return found;
}

function describeBreakage(r: ScenarioResult): string {
  const codes = Object.entries(r.statusCodes)
    .map(([code, n]) => `${code}: ${n}`)
    .join(', ');
  return `${r.name}: ${r.totalRequests} requests, ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts (status codes ${codes || 'none'})`;
}

/**
 * The targets from the benchmark issues, each evaluated when the scenarios it needs ran.
 * Boot uses the slowest boot: every cold start has to make it.
 */
function evaluateTargets(run: BenchmarkRun): TargetResult[] {
  const scenario = (name: string) => run.scenarios.find((s) => s.name === name)!;
  const serviceRss = Math.max(
    ...run.boots.map((b) => b.idleRssBytes),
    ...run.scenarios.filter((s) => s.target === 'service').map((s) => s.peakRssBytes),
  );
  const slowestBoot = Math.max(...run.boots.map((b) => b.readyMs));
  const pct = (x: number) => `${Math.round(x * 100)} %`;
  // The gateway's overhead: its latency minus the stub provider's own, at the same load.
  const overhead = (percentile: 'p50' | 'p99') =>
    Math.round((scenario('generate-1').latencyMs[percentile] - scenario('llm-direct-1').latencyMs[percentile]) * 100) /
    100;
  const explained = (name: string) => `${name}@${EXPLANATION_CALLERS}`;
  const targets: Array<{ needs: string[]; evaluate: () => TargetResult }> = [
    {
      needs: [explained('explain-200-shapley-exact'), explained('explain-200-occlusion')],
      evaluate: () => {
        const ratio =
          scenario(explained('explain-200-shapley-exact')).latencyMs.p99 /
          scenario(explained('explain-200-occlusion')).latencyMs.p99;
        return {
          target: `explained 200-record Shapley p99 vs occlusion p99, bundled model, ${EXPLANATION_CALLERS} callers`,
          limit: '< 3 ×',
          measured: `${Math.round(ratio * 100) / 100} ×`,
          pass: ratio < 3,
        };
      },
    },
    {
      needs: ['score-1', 'echo-1'],
      evaluate: () => ({
        target: 'score-1 request rate vs echo-1',
        limit: '≥ 70 %',
        measured: pct(run.ratios['score-1 / echo-1']!),
        pass: run.ratios['score-1 / echo-1']! >= 0.7,
      }),
    },
    {
      needs: ['score-200', 'echo-200'],
      evaluate: () => ({
        target: 'score-200 request rate vs echo-200 (explanations off)',
        limit: '≥ 50 %',
        measured: pct(run.ratios['score-200 / echo-200']!),
        pass: run.ratios['score-200 / echo-200']! >= 0.5,
      }),
    },
    {
      needs: ['score-1'],
      evaluate: () => ({
        target: `score-1 p99 latency at ${CONNECTIONS} connections`,
        limit: '< 10 ms',
        measured: `${scenario('score-1').latencyMs.p99} ms`,
        pass: scenario('score-1').latencyMs.p99 < 10,
      }),
    },
    {
      needs: ['generate-1', 'llm-direct-1'],
      evaluate: () => ({
        target: `LLM gateway overhead at p50 (generate-1 − llm-direct-1, ${CONNECTIONS} connections)`,
        limit: '< 2 ms',
        measured: `${overhead('p50')} ms`,
        pass: overhead('p50') < 2,
      }),
    },
    {
      needs: ['generate-1', 'llm-direct-1'],
      evaluate: () => ({
        target: `LLM gateway overhead at p99 (generate-1 − llm-direct-1, ${CONNECTIONS} connections)`,
        limit: '< 10 ms',
        measured: `${overhead('p99')} ms`,
        pass: overhead('p99') < 10,
      }),
    },
    {
      needs: [],
      evaluate: () => ({
        target: `boot to ready (slowest of ${run.boots.length})`,
        limit: '< 2 s',
        measured: `${slowestBoot} ms`,
        pass: slowestBoot < 2000,
      }),
    },
    {
      needs: [],
      evaluate: () => ({
        target: 'service RSS (peak, idle and under load)',
        limit: '< 250 MB',
        measured: `${mb(serviceRss)} MB`,
        pass: serviceRss < 250 * 1024 * 1024,
      }),
    },
  ];
  const ran = new Set(run.scenarios.map((s) => s.name));
  return targets.filter((t) => t.needs.every((name) => ran.has(name))).map((t) => t.evaluate());
}

function describeMachine(): Omit<BenchmarkRun['machine'], 'busyPercentBefore'> {
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
