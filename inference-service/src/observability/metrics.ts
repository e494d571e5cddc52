import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ModelRegistry } from '../models/model-registry.ts';

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

  readonly piiMasked = new Counter({
    name: 'byom_pii_values_masked_total',
    help: 'Distinct PII values masked before a provider saw the text, by type (FIELD, EMAIL, PHONE, ...).',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });

  private readonly children = new Map<string, Counter.Internal | Histogram.Internal<string>>();

  /**
   * The labelled child of a counter or histogram, made once per label set. Given a label object, prom-client
   * validates, sorts and hashes it on every call, a cost the gateway and scoring routes would
   * pay several times per request. Labels come from route patterns, statuses and the routes
   * file, never from callers, so the map stays small.
   */
  counter<L extends string>(metric: Counter<L>, labels: Partial<Record<L, string | number>>): Counter.Internal {
    return this.child(metric, labels, () => metric.labels(labels)) as Counter.Internal;
  }

  histogram<L extends string>(
    metric: Histogram<L>,
    labels: Partial<Record<L, string | number>>,
  ): Histogram.Internal<string> {
    return this.child(metric, labels, () => metric.labels(labels)) as Histogram.Internal<string>;
  }

  private child(
    metric: Counter<string> | Histogram<string>,
    labels: Record<string, string | number | undefined>,
    make: () => Counter.Internal | Histogram.Internal<string>,
  ): Counter.Internal | Histogram.Internal<string> {
    // Names and values both, so two callers that list the labels in different orders can never
    // share a key for different series (at worst they cache the same child twice).
    let key = (metric as unknown as { name: string }).name;
    for (const name in labels) key += `\u0000${name}=${labels[name]}`;
    let child = this.children.get(key);
    if (child === undefined) {
      child = make();
      this.children.set(key, child);
    }
    return child;
  }

  /** Counts and times one request. */
  observeRequest(route: string, method: string, status: number, seconds: number): void {
    this.counter(this.requests, { route, method, status }).inc();
    this.histogram(this.requestDuration, { route, method }).observe(seconds);
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
