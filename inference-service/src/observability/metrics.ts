import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Distinct callers with series of their own in the caller metrics; later ones count as "other". */
export const MAX_CALLER_SERIES = 10_000;

/**
 * Prometheus metrics for one app instance. Each app gets its own registry so tests can
 * build several apps in one process without their counters mixing.
 */
export class ServiceMetrics {
  readonly registry = new Registry();

  readonly requests = new Counter({
    name: 'byom_http_requests_total',
    help: 'HTTP requests by route pattern, method and status.',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
  });

  readonly requestDuration = new Histogram({
    name: 'byom_http_request_duration_seconds',
    help: 'HTTP request latency by route pattern and method.',
    labelNames: ['route', 'method'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly recordsScored = new Counter({
    name: 'byom_records_scored_total',
    help: 'Records scored successfully, by model and version.',
    labelNames: ['model', 'version'] as const,
    registers: [this.registry],
  });

  readonly recordErrors = new Counter({
    name: 'byom_record_errors_total',
    help: 'Records that could not be scored, by model and error code.',
    labelNames: ['model', 'code'] as const,
    registers: [this.registry],
  });

  readonly recordWarnings = new Counter({
    name: 'byom_record_warnings_total',
    help: 'Warnings on scored records (an unseen category), by model and warning code.',
    labelNames: ['model', 'code'] as const,
    registers: [this.registry],
  });

  // Rows per run well above 1 under load means concurrent requests share session runs.
  readonly inferenceRuns = new Counter({
    name: 'byom_inference_runs_total',
    help: 'onnxruntime session runs for /v1/score, by model and version; concurrent requests share runs.',
    labelNames: ['model', 'version'] as const,
    registers: [this.registry],
  });

  readonly inferenceRows = new Counter({
    name: 'byom_inference_rows_total',
    help: 'Rows sent to onnxruntime for /v1/score (records, plus one per explained feature), by model and version.',
    labelNames: ['model', 'version'] as const,
    registers: [this.registry],
  });

  readonly inferenceQueuedRows = new Gauge({
    name: 'byom_inference_queued_rows',
    help: 'Rows waiting for or in an onnxruntime run, by model and version; past MAX_QUEUED_ROWS requests get 503.',
    labelNames: ['model', 'version'] as const,
    registers: [this.registry],
  });

  private readBytesInFlight: () => number = () => 0;

  readonly bytesInFlight: Gauge = new Gauge({
    name: 'byom_request_bytes_in_flight',
    help: 'Request body bytes being served; past MAX_BYTES_IN_FLIGHT requests get 503 OVERLOADED.',
    registers: [this.registry],
    collect: (): void => this.bytesInFlight.set(this.readBytesInFlight()),
  });

  readonly modelsLoaded = new Gauge({
    name: 'byom_models_loaded',
    help: 'Model versions loaded and ready to serve.',
    registers: [this.registry],
  });

  // LLM gateway. Labels come from the routes file (route, provider, model), never from callers.
  readonly llmRequests = new Counter({
    name: 'byom_llm_requests_total',
    help: 'LLM gateway requests by route, the provider that answered ("none" if none did) and outcome.',
    labelNames: ['route', 'provider', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly llmAttempts = new Counter({
    name: 'byom_llm_attempts_total',
    help: 'Provider calls by route, provider, model and outcome (ok, timeout, rate_limited, server_error, ...).',
    labelNames: ['route', 'provider', 'model', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly llmTokens = new Counter({
    name: 'byom_llm_tokens_total',
    help: 'Tokens of answered LLM requests, by route, provider, model and direction (input or output).',
    labelNames: ['route', 'provider', 'model', 'direction'] as const,
    registers: [this.registry],
  });

  readonly llmCost = new Counter({
    name: 'byom_llm_cost_usd_total',
    help: 'Cost of answered LLM requests in USD, from the price table in the routes file.',
    labelNames: ['route', 'provider', 'model'] as const,
    registers: [this.registry],
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
  // cost can be attributed. One series per route and caller, up to MAX_CALLER_SERIES (observeCaller).
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

  readonly piiMasked = new Counter({
    name: 'byom_pii_values_masked_total',
    help: 'Distinct PII values masked before a provider saw the text, by type (FIELD, EMAIL, PHONE, ...).',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });

  /** The labelled series of a counter (`metric.labels(labels)`), for src/generation. */
  counter<L extends string>(metric: Counter<L>, labels: Partial<Record<L, string | number>>): Counter.Internal {
    return metric.labels(labels);
  }

  /** The labelled series of a histogram, for src/generation; the same as `metric.labels(labels)`. */
  histogram<L extends string>(
    metric: Histogram<L>,
    labels: Partial<Record<L, string | number>>,
  ): Histogram.Internal<L> {
    return metric.labels(labels);
  }

  /** Caller series (route, key, org, user) seen so far; bounded by MAX_CALLER_SERIES. */
  private readonly callers = new Set<string>();

  /**
   * Counts an answered LLM request's tokens and cost for its caller. Org and user ids come from
   * callers (an OpenAI-compatible client may send a new `user` per session), so past
   * MAX_CALLER_SERIES distinct callers a new one is counted as org_id and user_id "other": memory
   * and scrapes stay bounded, and the log still names every caller.
   */
  observeCaller(
    labels: { route: string; key_id: string; org_id: string; user_id: string },
    tokens: number,
    cost: number,
  ): void {
    const key = `${labels.route}\u0000${labels.key_id}\u0000${labels.org_id}\u0000${labels.user_id}`;
    let series = labels;
    if (!this.callers.has(key)) {
      if (this.callers.size < MAX_CALLER_SERIES) this.callers.add(key);
      else series = { ...labels, org_id: 'other', user_id: 'other' };
    }
    this.llmCallerTokens.labels(series).inc(tokens);
    this.llmCallerCost.labels(series).inc(cost);
  }

  /** Where the bytes-in-flight gauge reads its value at scrape time. */
  observeBytesInFlight(read: () => number): void {
    this.readBytesInFlight = read;
  }

  /** Counts and times one request under its route pattern. */
  observeRequest(route: string, method: string, status: number, seconds: number): void {
    this.requests.labels({ route, method, status }).inc();
    this.requestDuration.labels({ route, method }).observe(seconds);
  }

  constructor(options: { collectProcessMetrics: boolean }) {
    // Process metrics (RSS, event loop lag, GC) matter in production; tests skip their timers.
    if (options.collectProcessMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'byom_' });
  }
}
