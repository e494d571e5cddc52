import type { LoadResult } from './load-generator.ts';
import {
  CALLER_COUNTS,
  EXPLANATION_CALLERS,
  LARGE_PROMPT_CHARS,
  MIXED_GATEWAY_CONNECTIONS,
  MIXED_SCORING_SHARE,
  OVERLOAD_CONNECTIONS,
} from './scenarios.ts';

/**
 * The shape of one benchmark run (also written to bench/results/latest.json) and its two
 * renderings: a summary for the terminal and docs/benchmarks.md, which is regenerated on
 * every full run so the numbers in the docs always come from the code in the repo.
 */

export interface BootResult {
  readyMs: number;
  idleRssBytes: number;
  /** Event-loop delay p99 over a second of no load after boot: what the measurement reads at rest. */
  idleEventLoopDelayP99Ms: number;
}

export interface ScenarioResult extends LoadResult {
  name: string;
  target: string;
  model?: string;
  connections: number;
  records: number;
  requestBytes: number;
  /** Records of the requests served (2xx) per second. */
  recordsPerSecond: number;
  /** Peak VmRSS of the server under load, warm-up included (worker threads are part of it). */
  peakRssBytes: number;
  /** CPU the server used during the scenario, in % of one core. */
  targetCpuPercent: number;
  /** CPU used by anything but the server and the load generators, in % of one core: should be near 0. */
  otherCpuPercent: number;
  /** The service's event-loop delay p99 over the measured part (perf_hooks.monitorEventLoopDelay via /metrics). */
  eventLoopDelayP99Ms?: number;
  /** 503 OVERLOADED answers are expected: the scenario measures shedding. */
  allowsShedding?: boolean;
  /** An open loop at this rate (requests/s), instead of a closed loop. */
  ratePerSecond?: number;
  /** Scoring: the echo scenario of the same body and onnxruntime's own time for the request's rows. */
  floor?: { echo: string; rows: number; runMs: number };
  /** The load run at the same time (the mixed load's gateway requests). */
  alongside?: LoadResult & { name: string; connections: number };
}

export interface HealthDuringMasking {
  promptBytes: number;
  generateStatus: number;
  generateCode: string | undefined;
  generateMs: number;
  healthChecks: number;
  healthP99Ms: number;
  healthMaxMs: number;
}

export interface TargetResult {
  target: string;
  limit: string;
  measured: string;
  pass: boolean;
}

export interface BenchmarkRun {
  date: string;
  machine: {
    cpu: string;
    cores: number;
    memoryBytes: number;
    node: string;
    platform: string;
    /** Whole-machine CPU use in the second before the run; anything above a few % is other load. */
    busyPercentBefore: number | null;
    /** The 1-minute load average when the run started. */
    loadAverageBefore: number;
  };
  settings: {
    durationSeconds: number;
    warmupSeconds: number;
    models: string[];
    /** The stub LLM provider's mean answer time. */
    providerMs: number;
  };
  boots: BootResult[];
  scenarios: ScenarioResult[];
  healthDuringMasking?: HealthDuringMasking;
  targets: TargetResult[];
  /** Why the run cannot be trusted (unexpected non-2xx, errors); empty for a good run. */
  broken: string[];
}

// The orchestrator's own sampling and the kernel's network work show up as a few % here.
const OTHER_CPU_WARNING_PERCENT = 15;
const BUSY_BEFORE_WARNING_PERCENT = 10;

export function mb(bytes: number): number {
  return Math.round((bytes / 1024 / 1024) * 10) / 10;
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const int = (x: number) => Math.round(x).toLocaleString('en-US');

/** Wall time the server spends per request at the scenario's concurrency: 1 / requests per second. */
export function msPerRequest(s: LoadResult): number {
  return s.requestsPerSecond > 0 ? 1000 / s.requestsPerSecond : 0;
}

/** CPU time (all the server's threads) per request. */
export function cpuMsPerRequest(s: ScenarioResult): number {
  return s.requestsPerSecond > 0 ? (s.targetCpuPercent * 10) / s.requestsPerSecond : 0;
}

export interface Floor {
  echoMs: number;
  echoCpuMs: number;
  runMs: number;
  rows: number;
  floorMs: number;
  requestMs: number;
  ratio: number;
  cpuRatio: number;
}

/**
 * A scoring scenario against its floor: the bare echo's time per request for the same body at
 * the same concurrency, plus onnxruntime's session.run time for the request's rows. `cpuRatio`
 * compares CPU per request the same way, which other load on the machine disturbs less.
 */
export function floorOf(run: BenchmarkRun, s: ScenarioResult): Floor | undefined {
  const echo = s.floor && run.scenarios.find((e) => e.name === s.floor!.echo);
  if (!s.floor || !echo || echo.requestsPerSecond === 0 || s.requestsPerSecond === 0) return undefined;
  const echoMs = msPerRequest(echo);
  const floorMs = echoMs + s.floor.runMs;
  const cpuFloorMs = cpuMsPerRequest(echo) + s.floor.runMs;
  return {
    echoMs: round2(echoMs),
    echoCpuMs: round2(cpuMsPerRequest(echo)),
    runMs: s.floor.runMs,
    rows: s.floor.rows,
    floorMs: round2(floorMs),
    requestMs: round2(msPerRequest(s)),
    ratio: round2(msPerRequest(s) / floorMs),
    cpuRatio: round2(cpuMsPerRequest(s) / cpuFloorMs),
  };
}

/** Rows onnxruntime runs per record scored (explanations and improvements add rows), from the floor's count. */
export function rowsPerRecord(s: ScenarioResult): number | undefined {
  return s.floor && s.records > 0 ? round2(s.floor.rows / s.records) : undefined;
}

export function shedPercent(s: LoadResult): number {
  const shed = s.statusCodes['503'] ?? 0;
  return s.totalRequests > 0 ? Math.round((shed / s.totalRequests) * 1000) / 10 : 0;
}

function resultsTable(run: BenchmarkRun): string[] {
  const rows = run.scenarios.flatMap((s) => {
    const floor = floorOf(run, s);
    const delay = s.eventLoopDelayP99Ms !== undefined ? String(s.eventLoopDelayP99Ms) : '';
    const main =
      `| ${s.name} | ${int(s.recordsPerSecond)} | ${s.latencyMs.p50} | ${s.latencyMs.p99} | ${rowsPerRecord(s) ?? ''} | ` +
      `${round2(msPerRequest(s))} | ${round2(cpuMsPerRequest(s))} | ` +
      `${floor ? `${floor.echoMs} + ${floor.runMs} (${int(floor.rows)} rows)` : ''} | ${floor ? `${floor.ratio} / ${floor.cpuRatio}` : ''} | ` +
      `${delay} | ${mb(s.peakRssBytes)} | ${s.allowsShedding ? shedPercent(s) : ''} | ${s.targetCpuPercent} | ${s.otherCpuPercent} |`;
    if (!s.alongside) return [main];
    const a = s.alongside;
    return [
      main,
      `| ↳ alongside: ${a.name} @${a.connections} | ${int(a.acceptedPerSecond)} requests/s | ${a.latencyMs.p50} | ${a.latencyMs.p99} | | | | | | | | | | |`,
    ];
  });
  return [
    '| Scenario | Records/s | p50 ms | p99 ms | Rows / record | ms / request | CPU ms / request | Floor ms: echo + run | × floor (time / CPU) | Event-loop delay p99 ms | Peak RSS MB | Shed % | Server CPU % | Other CPU % |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ];
}

function targetsTable(run: BenchmarkRun): string[] {
  return [
    '| Target | Limit | Measured | Result |',
    '| --- | --- | --- | --- |',
    ...run.targets.map((t) => `| ${t.target} | ${t.limit} | ${t.measured} | ${t.pass ? 'PASS' : '**FAIL**'} |`),
  ];
}

function healthLine(run: BenchmarkRun): string {
  const h = run.healthDuringMasking;
  if (!h) return '';
  return (
    `Health checks while a ${round2(h.promptBytes / 1e6)} MB prompt was masked: ${h.healthChecks} \`/healthz\` requests, ` +
    `p99 **${h.healthP99Ms} ms**, slowest **${h.healthMaxMs} ms**; the generate request answered ${h.generateStatus}` +
    `${h.generateCode ? ` ${h.generateCode}` : ''} after ${int(h.generateMs)} ms.`
  );
}

export function renderConsoleSummary(run: BenchmarkRun): string {
  const lines = [
    '',
    `${run.settings.models.join(', ')}: ${run.settings.warmupSeconds} s warm-up + ${run.settings.durationSeconds} s per scenario; load average ${run.machine.loadAverageBefore.toFixed(2)} before`,
    '',
    ...resultsTable(run),
    '',
    healthLine(run),
    '',
    ...targetsTable(run),
    '',
    ...disturbances(run).map((d) => `WARNING: ${d}; these numbers are not trustworthy, rerun on a quiet machine.`),
  ];
  return `${lines.join('\n')}\n`;
}

/** Reasons not to trust this run's numbers: other load on the machine before or during it. */
export function disturbances(run: BenchmarkRun): string[] {
  const found: string[] = [];
  const busy = run.machine.busyPercentBefore;
  if (busy !== null && busy > BUSY_BEFORE_WARNING_PERCENT) {
    found.push(
      `the machine was already ${busy} % busy before the run (load average ${run.machine.loadAverageBefore.toFixed(2)})`,
    );
  }
  const disturbed = run.scenarios.filter((s) => s.otherCpuPercent > OTHER_CPU_WARNING_PERCENT);
  if (disturbed.length > 0) {
    found.push(
      `other processes used more than ${OTHER_CPU_WARNING_PERCENT} % of a core during ${disturbed.length} of ${run.scenarios.length} scenarios`,
    );
  }
  return found;
}

function gatewayOverheadLine(run: BenchmarkRun): string {
  const gateway = run.scenarios.find((s) => s.name === 'generate-1');
  const direct = run.scenarios.find((s) => s.name === 'llm-direct-1');
  if (!gateway || !direct) return '';
  return (
    `LLM gateway overhead (generate-1 minus llm-direct-1, 32 callers, the provider answering in ${run.settings.providerMs} ms ` +
    `on average): p50 **${round2(gateway.latencyMs.p50 - direct.latencyMs.p50)} ms**, p99 ` +
    `**${round2(gateway.latencyMs.p99 - direct.latencyMs.p99)} ms**; the service spent **${round2(cpuMsPerRequest(gateway))} ms of CPU ` +
    `per gateway request** (the stub ${round2(cpuMsPerRequest(direct))} ms per completion).`
  );
}

export function renderMarkdown(run: BenchmarkRun): string {
  const { settings, machine } = run;
  const failed = run.targets.filter((t) => !t.pass);
  const boots = run.boots.map((b) => `${b.readyMs} ms`).join(', ');
  return `# Benchmarks

<!-- Generated by \`npm run bench\` (inference-service/bench/run-bench.ts). Edits here are overwritten by the next run. -->

How the inference service performs under the load Salesforce puts on it, each scenario next
to its floor measured in the same run: what a bare Hono route costs for the same body, plus
what onnxruntime itself takes for the same rows. What is left is the service's own work.

## What is measured

- **The service** as production runs it: the Procfile's \`web\` command line itself, from the
  repository root, after \`npm run build\` (as Heroku does at deploy), so its V8 flags, \`MALLOC_ARENA_MAX\`
  and worker pool are a dyno's; \`NODE_ENV=production\`, \`LOG_LEVEL=info\` with the log discarded,
  request signing off (replay protection would refuse the repeated bodies), every limit at its default
  (\`MAX_BYTES_IN_FLIGHT\`, \`MAX_QUEUED_ROWS\`, \`WORKER_THREADS\`: [operations.md](operations.md)).
  It serves the bundled \`lead-scoring\` model (10 features: 4 categories one-hot encoded in the
  graph, 6 numbers) and, through \`MODEL_DIR\`, the benchmark's \`account-churn-mlp\`: a 30-feature
  torch MLP (30-64-32-1) exported with \`torch.onnx.export\` by
  \`inference-service/bench/models/export_account_churn_mlp.py\`.
- **Scenarios**, for each model: single-record requests; 200-record requests with and without
  explanations at ${CALLER_COUNTS.join(' and ')} concurrent callers (Apex's parallel Queueables); 1,000-record explained
  requests at ${CALLER_COUNTS[0]}; the same at ${OVERLOAD_CONNECTIONS} callers, more than a 512 MB dyno holds at once, where the service
  must shed with \`503\` and \`Retry-After\` (admission control) and the p99 is that of the requests it
  accepted; and a **mixed load**: 200-record requests sent evenly spaced at ${MIXED_SCORING_SHARE * 100} % of the rate
  \`score-200 @32\` reached (an open loop over up to 32 connections: a busy service, not a saturated
  one) while ${MIXED_GATEWAY_CONNECTIONS} callers send \`/v1/generate\` requests with ${LARGE_PROMPT_CHARS / 1024} KB prompts full of PII (masked on
  the worker pool). Then the LLM gateway's own
  overhead (\`generate-1\`, a Lead summary with four PII values, against \`llm-direct-1\`, the stub provider
  called directly with the masked request), and health checks while a 9 MB prompt is masked.
- **Explanation methods** ([explanations.md](explanations.md)), 200-record explained requests at ${EXPLANATION_CALLERS}
  callers on the same graph and records: the bundled card asks for Shapley values (exact: its graph
  makes every feature a group of its own) and \`-improve\` adds "how to improve" suggestions;
  \`lead-scoring-occlusion\` is the same model with \`explanations.method: "occlusion"\` (what a card
  without an explanations block gets); \`account-churn-mlp\` has no explanations block (occlusion) and
  \`account-churn-mlp-shapley\` asks for Shapley values, sampled, since all 30 features interact
  (bench/explanation-models.ts writes the variants; a second service process, started the same way,
  serves them beside the bundled models, so they add nothing to the other scenarios' memory). **Rows / record** is what onnxruntime runs per
  record scored: the record's own row plus those its explanation and its suggestions need.
- **The floor** of a scoring scenario, measured in the same run: the time per request of a bare
  Hono app that parses the same body and sends it back (\`inference-service/bench/echo-server.ts\`, same
  body, same number of callers), plus onnxruntime's own \`session.run\` time for exactly the rows that
  request makes (records, plus the rows its explanations and suggestions need), timed in the
  benchmark's own process on a session opened as the service opens it (\`bench/session-floor.ts\`; the
  median of 30 requests). **Request time** is the service's time per request at that concurrency
  (1 / requests per second); **× floor** divides it by the floor, and the same for CPU time per request
  (all the server's threads; the echo's CPU plus the run), which other load on the machine disturbs less.
- **Load**: autocannon in separate processes, closed loop (each caller sends its next request when
  the last is answered), ${settings.warmupSeconds} s warm-up then ${settings.durationSeconds} s measured per scenario, in one run of the same
  callers (answers during the warm-up are not counted). Requests are built
  from each model's card (\`GET /v1/models/{name}\`); before the load, one request per scenario must score
  every record with no per-record error, and during it any answer but 2xx (and 503 where shedding is
  measured) fails the benchmark.
- **Latency** p50 and p99 of the 2xx answers, per response, to 0.01 ms. **Records/s**: records of the
  requests served per second.
- **Event-loop delay p99**: the service's own \`perf_hooks.monitorEventLoopDelay\` histogram (prom-client's
  \`byom_nodejs_eventloop_lag_p99_seconds\`), restarted by a scrape of \`/metrics\` at the end of the warm-up
  and read at the end of the load, less its 10 ms sampling interval: the histogram records the time
  between the sampling timer's runs, so an idle loop reads ~10.2 ms (nodejs/node#25378); what is
  left is how late the timer ran. The idle reading after each boot is given below the table.
- **Peak RSS**: the service's VmRSS from /proc every 100 ms (worker threads included), in a service
  booted for the scenario: freed memory mostly stays with a process, so a scenario measured after
  another would report the earlier one's high-water mark. **CPU %**: the
  process's CPU time in % of one core; **Other CPU %**: what the rest of the machine used meanwhile.

## How to reproduce

\`\`\`sh
cd inference-service
npm run bench                                   # full run, about 12 minutes; rewrites this page
npm run bench -- --duration 3                   # shorter (or BENCH_DURATION=3)
npm run bench -- --no-docs                      # measure without rewriting this page
npm run bench -- --scenarios "score-200,mixed"  # scenarios whose name contains one of these; never rewrites this page
npm run bench -- --models account-churn-mlp     # one model (BENCH_MODELS; with MODEL_DIR, an operator's own)
npm run bench -- --provider-ms 0                # the stub LLM provider answers at once (this page: ${settings.providerMs} ms)
/usr/bin/python3 bench/models/export_account_churn_mlp.py   # re-export the MLP (Debian python3-torch, python3-onnx)
\`\`\`

Raw numbers of the last run: \`inference-service/bench/results/latest.json\` (not committed).

## Machine

| | |
| --- | --- |
| CPU | ${machine.cpu} |
| Cores | ${machine.cores} |
| Memory | ${(machine.memoryBytes / 1024 ** 3).toFixed(1)} GiB |
| Load average before the run | ${machine.loadAverageBefore.toFixed(2)} |
| CPU busy before the run | ${machine.busyPercentBefore ?? 'unknown'} % |
| Node | ${machine.node} |
| OS | ${machine.platform} |
| Date | ${run.date} |

## Results
${disturbances(run)
  .map((d) => `\n> **Warning: ${d}.** Rates and latencies are low and noisy; the CPU-time ratios hold up better.\n`)
  .join('')}
${resultsTable(run).join('\n')}

${healthLine(run)}

${gatewayOverheadLine(run)}

Boot to ready: ${boots}; idle RSS after boot ${run.boots.map((b) => `${mb(b.idleRssBytes)} MB`).join(', ')}; idle event-loop delay p99 ${run.boots.map((b) => `${b.idleEventLoopDelayP99Ms} ms`).join(', ')}.

## Targets

${targetsTable(run).join('\n')}

${failed.length === 0 ? 'Every target is met.' : `Missed: ${failed.map((t) => t.target).join('; ')}.`}

## Notes

- The load generators and the server share this machine's ${machine.cores} cores, and the service's worker pool
  competes with its own main thread for them; on a dyno the service has its cores to itself.
- Closed-loop latency follows the rate: with C callers always busy, latency is about C × the time per
  request, so it says little the time per request does not.
- Explanations run one extra row per feature that differs from its baseline, in the same session runs,
  so their cost grows with the number of features: about 9 rows per record for \`lead-scoring\`, 31 for
  \`account-churn-mlp\`.
- Every number comes from one run; on a shared 2-core VM runs differ by ±15 % or more. The CPU ratios
  are the steadier comparison.
`;
}
