import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CounterConfiguration } from 'prom-client';
import type { ModelRegistry } from '../models/model-registry.ts';

/**
 * One labelled series of a counter, counted in a plain number and read into the prom-client
 * counter when /metrics is scraped. prom-client validates and hashes the label set on every
 * inc(), even on a labelled child; at three counters per scored request that was a tenth of
 * the request's CPU (docs/performance.md).
 */
export class CounterCell {
  value = 0;
  readonly labels: Readonly<Record<string, string | number>>;

  constructor(labels: Readonly<Record<string, string | number>>) {
    this.labels = labels;
  }

  inc(amount = 1): void {
    // The checks prom-client makes: a counter only goes up, by a number.
    if (!(amount >= 0 && amount !== Infinity)) throw new TypeError(`a counter cannot go up by ${amount}`);
    this.value += amount;
  }
}

/**
 * Prometheus metrics for one app instance. Each app gets its own registry so tests can
 * build several apps in one process without their counters mixing.
 */
export class ServiceMetrics {
  readonly registry = new Registry();

  /** Each counter's cells by label key; a counter's collect() reads its own. */
  private readonly cells = new Map<Counter<string>, Map<string, CounterCell>>();

  readonly requests = this.countedCounter({
    name: 'byom_http_requests_total',
    help: 'HTTP requests by route pattern, method and status.',
    labelNames: ['route', 'method', 'status'] as const,
  });

  readonly requestDuration = new Histogram({
    name: 'byom_http_request_duration_seconds',
    help: 'HTTP request latency by route pattern and method.',
    labelNames: ['route', 'method'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly recordsScored = this.countedCounter({
    name: 'byom_records_scored_total',
    help: 'Records scored successfully, by model and version.',
    labelNames: ['model', 'version'] as const,
  });

  readonly recordErrors = this.countedCounter({
    name: 'byom_record_errors_total',
    help: 'Records that could not be scored, by model and error code.',
    labelNames: ['model', 'code'] as const,
  });

  readonly modelsLoaded = new Gauge({
    name: 'byom_models_loaded',
    help: 'Model versions loaded and ready to serve.',
    registers: [this.registry],
  });

  // LLM gateway. Labels come from the routes file (route, provider, model), never from callers.
  readonly llmRequests = this.countedCounter({
    name: 'byom_llm_requests_total',
    help: 'LLM gateway requests by route, the provider that answered ("none" if none did) and outcome.',
    labelNames: ['route', 'provider', 'outcome'] as const,
  });

  readonly llmAttempts = this.countedCounter({
    name: 'byom_llm_attempts_total',
    help: 'Provider calls by route, provider, model and outcome (ok, timeout, rate_limited, server_error, ...).',
    labelNames: ['route', 'provider', 'model', 'outcome'] as const,
  });

  readonly llmTokens = this.countedCounter({
    name: 'byom_llm_tokens_total',
    help: 'Tokens of answered LLM requests, by route, provider, model and direction (input or output).',
    labelNames: ['route', 'provider', 'model', 'direction'] as const,
  });

  readonly llmCost = this.countedCounter({
    name: 'byom_llm_cost_usd_total',
    help: 'Cost of answered LLM requests in USD, from the price table in the routes file.',
    labelNames: ['route', 'provider', 'model'] as const,
  });

  readonly llmGatewayDuration = new Histogram({
    name: 'byom_llm_gateway_duration_seconds',
    help: 'Time the gateway itself spent on a request (masking, checks, bookkeeping), not waiting on providers.',
    labelNames: ['route'] as const,
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1],
    registers: [this.registry],
  });

  readonly llmCircuitState = new Gauge({
    name: 'byom_llm_circuit_state',
    help: "Each route target's circuit breaker: 0 closed, 1 half-open (one probe let through), 2 open (skipped).",
    labelNames: ['route', 'provider', 'model'] as const,
    registers: [this.registry],
  });

  readonly llmCircuitTransitions = new Counter({
    name: 'byom_llm_circuit_transitions_total',
    help: 'Circuit breaker state changes by route target and the state entered (open, half_open, closed).',
    labelNames: ['route', 'provider', 'model', 'to'] as const,
    registers: [this.registry],
  });

  readonly llmLimitRefusals = new Counter({
    name: 'byom_llm_limit_refusals_total',
    help: 'LLM requests refused with 429 by a budget or rate limit, by route, scope (total, key, org, user) and limit.',
    labelNames: ['route', 'scope', 'limit'] as const,
    registers: [this.registry],
  });

  // Caller identity: a service key's id (never the key) and the org and user ids Apex sends, so
  // cost can be attributed. One series per route and caller: users are bounded by the org's reps.
  readonly llmCallerTokens = new Counter({
    name: 'byom_llm_caller_tokens_total',
    help: 'Tokens of answered LLM requests by route and caller (key_id, org_id, user_id; "none" when not sent).',
    labelNames: ['route', 'key_id', 'org_id', 'user_id'] as const,
    registers: [this.registry],
  });

  readonly llmCallerCost = new Counter({
    name: 'byom_llm_caller_cost_usd_total',
    help: 'Cost in USD of answered LLM requests by route and caller (key_id, org_id, user_id; "none" when not sent).',
    labelNames: ['route', 'key_id', 'org_id', 'user_id'] as const,
    registers: [this.registry],
  });

  readonly piiMasked = this.countedCounter({
    name: 'byom_pii_values_masked_total',
    help: 'Distinct PII values masked before a provider saw the text, by type (FIELD, EMAIL, PHONE, ...).',
    labelNames: ['type'] as const,
  });

  private readonly children = new Map<string, Histogram.Internal<string>>();

  /**
   * The cell of one labelled series of a counter, made once per label set. Labels come from
   * route patterns, statuses, model names and the routes file, never from callers, so the
   * maps stay small.
   */
  counter<L extends string>(metric: Counter<L>, labels: Partial<Record<L, string | number>>): CounterCell {
    const cells = this.cells.get(metric as Counter<string>)!;
    const key = labelKey(labels);
    let cell = cells.get(key);
    if (cell === undefined) {
      cell = new CounterCell({ ...(labels as Record<string, string | number>) });
      cells.set(key, cell);
    }
    return cell;
  }

  /**
   * The labelled child of a histogram, made once per label set: given a label object,
   * prom-client validates and sorts it on every call, a cost the scoring route would pay on
   * every request.
   */
  histogram<L extends string>(
    metric: Histogram<L>,
    labels: Partial<Record<L, string | number>>,
  ): Histogram.Internal<string> {
    const key = `${(metric as unknown as { name: string }).name}${labelKey(labels)}`;
    let child = this.children.get(key);
    if (child === undefined) {
      child = metric.labels(labels);
      this.children.set(key, child);
    }
    return child;
  }

  /** A counter in this registry whose series are CounterCells, copied in at scrape time. */
  private countedCounter<L extends string>(
    configuration: Omit<CounterConfiguration<L>, 'registers' | 'collect'>,
  ): Counter<L> {
    const cells = new Map<string, CounterCell>();
    const counter = new Counter<L>({
      ...configuration,
      registers: [this.registry],
      collect(this: Counter<L>) {
        this.reset();
        for (const cell of cells.values()) this.inc(cell.labels as Partial<Record<L, string | number>>, cell.value);
      },
    });
    this.cells.set(counter as Counter<string>, cells);
    return counter;
  }

  private readonly routes = new Map<string, RouteMetrics>();

  /** Counts and times one request. */
  observeRequest(route: string, method: string, status: number, seconds: number): void {
    const key = `${method} ${route}`;
    let series = this.routes.get(key);
    if (series === undefined) {
      series = new RouteMetrics(this, route, method);
      this.routes.set(key, series);
    }
    series.observe(status, seconds);
  }

  /** Reads the models' own run counters at scrape time, so the hot path pays nothing for them. */
  observeInference(registry: () => ModelRegistry | undefined): void {
    const perModel = (read: (stats: { runs: number; rows: number }) => number) =>
      function (this: Gauge<'model' | 'version'>) {
        for (const model of registry()?.all() ?? []) {
          this.set({ model: model.name, version: model.version }, read(model.stats));
        }
      };
    new Gauge({
      name: 'byom_inference_runs',
      help: 'onnxruntime session runs since start; concurrent requests share runs.',
      labelNames: ['model', 'version'] as const,
      registers: [this.registry],
      collect: perModel((stats) => stats.runs),
    });
    new Gauge({
      name: 'byom_inference_rows',
      help: 'Rows sent to onnxruntime since start (records, plus one per feature when explaining).',
      labelNames: ['model', 'version'] as const,
      registers: [this.registry],
      collect: perModel((stats) => stats.rows),
    });
  }

  constructor(options: { collectProcessMetrics: boolean }) {
    // Process metrics (RSS, event loop lag, GC) matter in production; tests skip their timers.
    if (options.collectProcessMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'byom_' });
  }
}

/**
 * The request series of one route pattern and method: its latency histogram and a counter
 * cell per status, found once instead of by label set on every request.
 */
class RouteMetrics {
  private readonly metrics: ServiceMetrics;
  private readonly route: string;
  private readonly method: string;
  private readonly duration: Histogram.Internal<string>;
  private readonly byStatus = new Map<number, CounterCell>();

  constructor(metrics: ServiceMetrics, route: string, method: string) {
    this.metrics = metrics;
    this.route = route;
    this.method = method;
    this.duration = metrics.histogram(metrics.requestDuration, { route, method });
  }

  observe(status: number, seconds: number): void {
    let requests = this.byStatus.get(status);
    if (requests === undefined) {
      requests = this.metrics.counter(this.metrics.requests, { route: this.route, method: this.method, status });
      this.byStatus.set(status, requests);
    }
    requests.inc();
    this.duration.observe(seconds);
  }
}

/**
 * Names and values both, so two callers that list the labels in different orders can never
 * share a key for different series (at worst they make two cells for one series, which
 * prom-client adds together at scrape time).
 */
function labelKey(labels: Record<string, string | number | undefined>): string {
  let key = '';
  for (const name in labels) key += `\u0000${name}=${labels[name]}`;
  return key;
}
