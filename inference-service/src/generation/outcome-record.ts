import type { Logger } from '../observability/logger.ts';
import type { ServiceMetrics } from '../observability/metrics.ts';
import { RunFailedError } from './fallback-runner.ts';
import type { RunResult } from './fallback-runner.ts';
import type { GatewayError, GenerationTiming } from './gateway-error.ts';
import type { GenerationInput, GenerationResult } from './llm-gateway.ts';
import type { PiiType } from './generate-schemas.ts';
import type { MaskingReport } from './pii/masking.ts';
import { targetLabel } from './routes-config.ts';

/**
 * What the service keeps of a generation: Prometheus counters and one log line. Only names,
 * counts and timings: never messages, PII values, answers or provider error bodies (Salesforce
 * keeps the audit of record in AI_Interaction__c).
 */

export type RequestOutcome =
  'ok' | 'route_not_found' | 'masking_failed' | 'providers_failed' | 'deadline_exceeded' | 'output_rejected';

export interface OutcomeDetails {
  time: GenerationTiming;
  run?: RunResult | RunFailedError;
  masked?: MaskingReport;
  cost?: GenerationResult['cost'];
  usage?: GenerationResult['usage'];
  code?: GatewayError['code'];
  /** Why, in the gateway's own words (a rejection reason, an error class); never a value. */
  reason?: string;
}

export function recordOutcome(
  { metrics, logger }: { metrics: ServiceMetrics; logger: Logger },
  input: GenerationInput,
  route: string,
  outcome: RequestOutcome,
  details: OutcomeDetails,
): void {
  const attempts = details.run?.attempts ?? [];
  const answered = details.run instanceof RunFailedError ? undefined : details.run;
  const provider = answered ? targetLabel(answered.target) : 'none';
  metrics.counter(metrics.llmRequests, { route, provider, outcome }).inc();
  for (const attempt of attempts) {
    const labels = { route, provider: attempt.provider, model: attempt.model, outcome: attempt.outcome };
    metrics.counter(metrics.llmAttempts, labels).inc();
  }
  if (answered && details.usage && details.cost) {
    const model = answered.target.model;
    metrics.counter(metrics.llmTokens, { route, provider, model, direction: 'input' }).inc(details.usage.inputTokens);
    metrics.counter(metrics.llmTokens, { route, provider, model, direction: 'output' }).inc(details.usage.outputTokens);
    metrics.counter(metrics.llmCost, { route, provider, model }).inc(details.cost.total);
  }
  const masked = details.masked?.byType;
  if (masked) for (const type in masked) metrics.counter(metrics.piiMasked, { type }).inc(masked[type as PiiType]);
  metrics.histogram(metrics.llmGatewayDuration, { route }).observe(details.time.gatewayMs / 1000);

  const level = outcome === 'ok' ? 'info' : 'warn';
  if (!logger.isLevelEnabled(level)) return;
  logger[level](
    {
      requestId: input.requestId,
      api: input.api,
      route,
      outcome,
      ...(details.code ? { code: details.code } : {}),
      ...(details.reason ? { reason: details.reason } : {}),
      provider,
      model: answered?.target.model,
      attempts: attempts.map((a) => `${a.provider}/${a.model}:${a.outcome}${a.status ? `(${a.status})` : ''}`),
      inputTokens: details.usage?.inputTokens,
      outputTokens: details.usage?.outputTokens,
      costUsd: details.cost?.total,
      masked: details.masked?.byType,
      latencyMs: details.time.latencyMs,
      gatewayMs: details.time.gatewayMs,
      template: input.metadata?.template,
      templateVersion: input.metadata?.templateVersion,
      recordId: input.metadata?.recordId,
    },
    'llm request',
  );
}
