import type { LoadResult } from './load-generator.ts';

/**
 * The shape of one benchmark run (also written to bench/results/latest.json) and its two
 * renderings: a summary for the terminal and docs/benchmarks.md, which is regenerated on
 * every full run so the numbers in the docs always come from the code in the repo.
 */

export interface BootResult {
  readyMs: number;
  idleRssBytes: number;
}

export interface ScenarioResult extends LoadResult {
  name: string;
  target: string;
  /** Concurrent callers (absent in runs from before it varied: the run's connections). */
  connections?: number;
  /** Rows onnxruntime ran per record scored (explanation scenarios), from the service's counters. */
  rowsPerRecord?: number;
  records: number;
  requestBytes: number;
  recordsPerSecond: number;
  /** Peak VmRSS of the server under load, warm-up included. */
  peakRssBytes: number;
  /** CPU the server used during the scenario, in % of one core. */
  targetCpuPercent: number;
  /** CPU used by anything but the server and the load generator, in % of one core: should be near 0. */
  otherCpuPercent: number;
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
  };
  settings: {
    connections: number;
    durationSeconds: number;
    warmupSeconds: number;
    model: string;
    /** The stub LLM provider's mean answer time; absent in runs from before it was a setting (0). */
    providerMs?: number;
  };
  boots: BootResult[];
  scenarios: ScenarioResult[];
  /** Request-rate ratios, scoring over echo. */
  ratios: Record<string, number>;
  targets: TargetResult[];
  /** Why the run cannot be trusted (non-2xx, errors); empty for a good run. */
  broken: string[];
}

// The orchestrator's own sampling and the kernel's network work show up as a few % here.
const OTHER_CPU_WARNING_PERCENT = 15;
const BUSY_BEFORE_WARNING_PERCENT = 10;

export function mb(bytes: number): number {
  return Math.round((bytes / 1024 / 1024) * 10) / 10;
}

export function bootSummary(boots: BootResult[]): { medianMs: number; maxMs: number } {
  const sorted = boots.map((b) => b.readyMs).sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const medianMs = sorted.length % 2 === 1 ? sorted[mid]! : Math.round((sorted[mid - 1]! + sorted[mid]!) / 2);
  return { medianMs, maxMs: sorted.at(-1) ?? 0 };
}

const int = (x: number) => Math.round(x).toLocaleString('en-US');

function resultsTable(run: BenchmarkRun): string[] {
  return [
    '| Scenario | Server | Callers | Records / request | Rows / record | Requests/s | Records/s | p50 ms | p99 ms | Non-2xx + errors | Peak RSS MB | Server CPU % | Load generator CPU % | Other CPU % |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...run.scenarios.map(
      (s) =>
        `| ${s.name} | ${s.target} | ${s.connections ?? run.settings.connections} | ${s.records} | ${s.rowsPerRecord ?? '—'} | ${int(s.requestsPerSecond)} | ${int(s.recordsPerSecond)} | ${s.latencyMs.p50} | ${s.latencyMs.p99} | ` +
        `${s.non2xx + s.errors + s.timeouts} | ${mb(s.peakRssBytes)} | ${s.targetCpuPercent} | ${s.cpuPercent} | ${s.otherCpuPercent} |`,
    ),
  ];
}

function targetsTable(run: BenchmarkRun): string[] {
  return [
    '| Target | Limit | Measured | Result |',
    '| --- | --- | --- | --- |',
    ...run.targets.map((t) => `| ${t.target} | ${t.limit} | ${t.measured} | ${t.pass ? 'PASS' : '**FAIL**'} |`),
  ];
}

export function renderConsoleSummary(run: BenchmarkRun): string {
  const boot = bootSummary(run.boots);
  const lines = [
    '',
    `${run.settings.model}, ${run.settings.connections} connections, ${run.settings.warmupSeconds} s warm-up + ${run.settings.durationSeconds} s per scenario`,
    '',
    ...resultsTable(run),
    '',
    ...Object.entries(run.ratios).map(([name, value]) => `${name}: ${Math.round(value * 100)} %`),
    `boot to ready: median ${boot.medianMs} ms, max ${boot.maxMs} ms (${run.boots.map((b) => b.readyMs).join(', ')})`,
    '',
    ...targetsTable(run),
    '',
    ...disturbances(run).map((d) => `WARNING: ${d}; these numbers are not trustworthy, rerun on a quiet machine.`),
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * Reasons not to trust this run's numbers: other load on the machine before or during it.
 * Ratios suffer too, in either direction, since echo and score scenarios run at different times.
 */
export function disturbances(run: BenchmarkRun): string[] {
  const found: string[] = [];
  const busy = run.machine.busyPercentBefore;
  if (busy !== null && busy > BUSY_BEFORE_WARNING_PERCENT) {
    found.push(`the machine was already ${busy} % busy before the run`);
  }
  const disturbed = run.scenarios.filter((s) => s.otherCpuPercent > OTHER_CPU_WARNING_PERCENT);
  if (disturbed.length > 0) {
    found.push(
      `other processes used CPU during ${disturbed.map((s) => `${s.name} (${s.otherCpuPercent} % of a core)`).join(', ')}`,
    );
  }
  return found;
}

function providerDelay(providerMs: number): string {
  return providerMs > 0
    ? `${providerMs} ms on average (delays spread evenly between ${providerMs / 2} and ${(providerMs * 3) / 2} ms, in the same order every run, like a provider whose answers take varying time)`
    : 'no delay at all';
}

/** The gateway's overhead over calling the provider directly, when both scenarios ran. */
function gatewayOverhead(run: BenchmarkRun): string {
  const gateway = run.scenarios.find((s) => s.name === 'generate-1');
  const direct = run.scenarios.find((s) => s.name === 'llm-direct-1');
  if (!gateway || !direct) return '';
  const ms = (x: number) => Math.round(x * 100) / 100;
  // CPU per request is what the overhead costs regardless of load; closed-loop latency follows from it.
  const cpuMs = (s: ScenarioResult) =>
    s.requestsPerSecond > 0 ? ms((s.targetCpuPercent * 10) / s.requestsPerSecond) : 0;
  return (
    `LLM gateway overhead (generate-1 minus llm-direct-1, ${run.settings.connections} connections, the provider answering ` +
    `in ${run.settings.providerMs ?? 0} ms on average): p50 ` +
    `**${ms(gateway.latencyMs.p50 - direct.latencyMs.p50)} ms**, p99 **${ms(gateway.latencyMs.p99 - direct.latencyMs.p99)} ms**. ` +
    `The service spent **${cpuMs(gateway)} ms of CPU per gateway request** (the stub ${cpuMs(direct)} ms per completion); ` +
    `each request's own gateway time is also in its \`X-BYOM-Gateway-Ms\` header and in the ` +
    `\`byom_llm_gateway_duration_seconds\` histogram.\n\n`
  );
}

/** Observations that depend on this run's numbers. */
function runNotes(run: BenchmarkRun): string[] {
  const notes: string[] = [];
  const echo = run.scenarios.find((s) => s.name === 'echo-1');
  if (echo && echo.latencyMs.p99 >= 10) {
    notes.push(
      `- Even the bare echo route has a p99 of ${echo.latencyMs.p99} ms at ${run.settings.connections} connections here, so no Hono route ` +
        'can meet the 10 ms p99 target on this machine while the load generator shares its cores.',
    );
  }
  const saturatedGenerator = run.scenarios.filter((s) => s.cpuPercent >= 90).map((s) => s.name);
  if (saturatedGenerator.length > 0) {
    notes.push(
      `- The load generator used a whole core in ${saturatedGenerator.join(', ')}: those rates are partly its ceiling.`,
    );
  }
  const gateway = run.scenarios.find((s) => s.name === 'generate-1');
  if (gateway) {
    const providerMs = run.settings.providerMs ?? 0;
    notes.push(
      providerMs > 0
        ? `- The stub provider answered in ${providerMs} ms on average, so the ${run.settings.connections} connections sent the ` +
            `gateway ${int(gateway.requestsPerSecond)} requests/s and the overhead is what one request adds to a provider call ` +
            "at that load. With `--provider-ms 0` (a provider that answers at once) the same pair measures the gateway's " +
            'throughput instead: every connection is always busy and latency is queueing, about ' +
            `${run.settings.connections} ÷ requests/s.`
        : `- The stub provider answered at once, so with ${run.settings.connections} connections always busy the gateway's ` +
            `latency is about ${run.settings.connections} / ${int(gateway.requestsPerSecond)} requests/s: queueing, which ` +
            'measures CPU per request (throughput) rather than what a request adds to a real provider call.',
    );
  }
  return notes;
}

export function renderMarkdown(run: BenchmarkRun): string {
  const boot = bootSummary(run.boots);
  const { settings, machine } = run;
  const failed = run.targets.filter((t) => !t.pass);
  const scenarioRows = run.scenarios.map((s) => `| ${s.name} | ${s.target} | ${s.records} | ${int(s.requestBytes)} |`);
  return `# Benchmarks

<!-- Generated by \`npm run bench\` (inference-service/bench/run-bench.ts). Edits here are overwritten by the next run. -->

How fast the inference service scores, measured against the cheapest possible Hono route
on the same machine in the same run, so the numbers say what the service's own work costs
rather than how fast the machine is.

## What is measured

- **The service** as production runs it: the Procfile's \`web\` command line itself, run from the
  repository root (the benchmark first compiles the service with \`npm run build\`, as Heroku does at
  deploy), so its V8 flags and \`MALLOC_ARENA_MAX\` are the ones a dyno gets; with \`NODE_ENV=production\`,
  one service key, \`LOG_LEVEL=info\` with its log written to /dev/null, the bundled models,
  listening on 127.0.0.1. Request signing is off (\`BYOM_SIGNING_SECRET\` unset): its replay
  protection would reject the repeated bodies, so the HMAC check is not in these numbers.
  \`BYOM_HEAP_MB\` and \`NODE_OPTIONS\` from the environment reach it as they would on a dyno.
- **The echo route** (\`inference-service/bench/echo-server.ts\`): a bare Hono app on
  @hono/node-server whose one route parses the JSON body and sends it back. It is the
  ceiling for any Hono route here; the service is reported as a fraction of it.
- **The LLM gateway** (\`generate-1\`): the service boots with a routes file (\`BYOM_ROUTES\`)
  whose one route calls a stub OpenAI-compatible provider (\`inference-service/bench/stub-llm-server.ts\`,
  the tests' stub in its own process), which answers with an echo of the prompt after ${providerDelay(settings.providerMs ?? 0)}. The request
  is a rendered Lead summary template with four PII values (two marked by field, an email and a phone
  number), so every request is masked, sent through the AI SDK, restored and checked.
  \`llm-direct-1\` sends the stub the chat completion the gateway would send it, directly: the
  difference in latency at the same load is the gateway's overhead. The delay stands in for the
  provider's own time (hosted models take from a few hundred milliseconds to seconds for a summary):
  with a stub that answers at once, 32 busy connections would measure how many requests the gateway
  can take per second, not what it adds to one.
- **Explanations** (\`explain-200-*\`, \`mlp30-explain-200-*\`, \`bench/explanation-scenarios.ts\`): 200-record
  explained requests at 8 callers (parallel Queueables), sent to a second service process (same command,
  started the same way) whose \`MODEL_DIR\` adds model variants that differ only in their card's
  \`explanations.method\`: the bundled lead model explained by occlusion, by Shapley values (exact: the graph
  puts every feature in a group of its own) and with "how to improve" suggestions; and a seeded 30-feature
  MLP in which every feature interacts with every other, by occlusion and by sampled Shapley values (the
  default tolerance, 0.05 log-odds). **Rows / record** is what onnxruntime ran per record scored during the
  scenario (\`byom_inference_rows_total\` over \`byom_records_scored_total\` from the service's \`/metrics\`).
- **Load**: autocannon in a separate process, ${settings.connections} connections unless the table says otherwise, closed loop (each
  connection sends its next request when the previous one is answered), ${settings.warmupSeconds} s warm-up
  then ${settings.durationSeconds} s measured per scenario, the scenarios one after another in this order:

| Scenario | Server | Records / request | Request body bytes |
| --- | --- | ---: | ---: |
${scenarioRows.join('\n')}

- **Requests** are built from the model card of \`${settings.model}\` (\`GET /v1/models/{name}\`):
  categories cycle through the card's categories, numbers vary around the baseline,
  booleans alternate; \`-explain\` asks for the top 5 factors per record. Echo and score
  scenarios send byte-identical requests (service key included). Before the load, one
  request per scenario must score every record with no per-record errors; during it,
  any non-2xx response or socket error fails the benchmark instead of counting as speed.
- **Latency** (p50, p99) is timed per response by the load generator, to 0.01 ms.
- **Records/s** is requests/s times records per request.
- **RSS** is the server's VmRSS from /proc, sampled every 100 ms during each scenario
  (warm-up included); the peak is reported. **CPU %** is the process's CPU time over the
  measured part of the scenario in % of one core (above 100 % when GC or onnxruntime threads
  run next to the main thread). **Other CPU %** is what the rest of the machine used meanwhile
  (machine CPU minus server and load generator, including the kernel's loopback work): more
  than a few % means something else was running and the numbers are low.
- **Boot to ready** is spawn of the Procfile's command to the first 200 from \`/readyz\`,
  polled every 5 ms, over ${run.boots.length} cold starts.

## How to reproduce

\`\`\`sh
cd inference-service
npm run bench                      # full run, about a minute; rewrites this page
npm run bench -- --duration 3      # smoke run (or BENCH_DURATION=3)
npm run bench -- --no-docs         # measure without rewriting this page
npm run bench -- --scenarios llm-direct-1,generate-1   # some scenarios only (BENCH_SCENARIOS); never rewrites this page
npm run bench -- --provider-ms 0   # the stub LLM provider answers at once (BENCH_PROVIDER_MS; this page: ${settings.providerMs ?? 0} ms)
\`\`\`

Other options: \`--warmup <s>\` (BENCH_WARMUP), \`--boots <n>\` (BENCH_BOOTS), \`--model <name>\`
(BENCH_MODEL; with MODEL_DIR to benchmark an operator's own model). Node 24 is required (the
benchmark runs TypeScript directly). Raw numbers of the last run:
\`inference-service/bench/results/latest.json\` (not committed).

## Machine

| | |
| --- | --- |
| CPU | ${machine.cpu} |
| Cores | ${machine.cores} |
| Memory | ${(machine.memoryBytes / 1024 ** 3).toFixed(1)} GiB |
| CPU busy before the run | ${machine.busyPercentBefore ?? 'unknown'} % |
| Node | ${machine.node} |
| OS | ${machine.platform} |
| Date | ${run.date} |

## Results
${disturbances(run)
  .map(
    (d) =>
      `\n> **Warning: ${d}.** These numbers, and the ratios built on them, are not trustworthy; rerun on a quiet machine.\n`,
  )
  .join('')}
${resultsTable(run).join('\n')}

Request rate, scoring over echo: ${Object.entries(run.ratios)
    .map(([name, value]) => `${name} **${Math.round(value * 100)} %**`)
    .join(', ')}.

${gatewayOverhead(run)}Boot to ready: median **${boot.medianMs} ms**, slowest ${boot.maxMs} ms (${run.boots.map((b) => `${b.readyMs} ms`).join(', ')}); idle RSS after
boot ${run.boots.map((b) => `${mb(b.idleRssBytes)} MB`).join(', ')}.

## Targets

${targetsTable(run).join('\n')}

${failed.length === 0 ? 'Every target is met.' : `Missed: ${failed.map((t) => t.target).join('; ')}.`}

## Notes

- The load generator and the server share this machine's ${machine.cores} cores. The CPU columns show
  which side is the limit: a server near 100 % is saturated (Node runs JavaScript on one
  core); a load generator near 100 % means the measured rate is partly autocannon's ceiling,
  which flatters the ratio to echo rather than hurting it.
- Closed-loop latency follows the request rate: with ${settings.connections} connections always busy, mean latency
  is about ${settings.connections} / (requests/s), so a p99 under 10 ms at ${settings.connections} connections needs well over
  ${int(settings.connections * 100)} requests/s. Latency here is mostly waiting in the server's queue, not the work of one request.
- Batching is what makes scoring cheap: HTTP, authentication, validation and logging are paid
  once per request, so 200-record requests score far more records per second than single ones.
  Salesforce sends up to \`Batch_Size__c\` records per callout for this reason.
- Explanations run 1 + F rows per record (F = features in the card) through the model in
  the same session run, so their cost grows with the number of features.
- Every number comes from one run. On a shared 2-core VM, runs differ by about ±15 %; compare
  several runs before reading much into a small change.
- V8 sizes its heap from the memory the process sees (${(machine.memoryBytes / 1024 ** 3).toFixed(1)} GiB here): left alone, the young
  generation can grow to 128 MB under load and the old one to four times its live data before a full
  collection. The Procfile's \`--max-semi-space-size\` and \`--heap-growing-percent\` bound both; a dyno
  with less memory, or \`--max-old-space-size\` (\`BYOM_HEAP_MB\`), keeps RSS lower still at some cost in throughput.
- Boot time is measured from starting the Procfile's command; \`npm start\` (development)
  runs the TypeScript sources and adds npm's own start-up on top.
- To see where the service's time goes, run \`npm run build\` and start it with \`node --cpu-prof dist/server.js\` (same
  environment as above), send one scenario's load with autocannon, stop it with Ctrl-C and
  open the \`.cpuprofile\` in Chrome DevTools.
${runNotes(run).join('\n')}
`;
}
