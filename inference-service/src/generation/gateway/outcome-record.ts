import type { ErrorCode } from '../../http/api-error.ts';
import type { Logger } from '../../observability/logger.ts';
import type { ServiceMetrics } from '../../observability/metrics.ts';
import type {
  Cost,
  GenerationInput,
  GenerationTiming,
  MaskingReport,
  PiiType,
  RequestOutcome,
  Usage,
} from '../domain.ts';
import { RunFailedError } from './fallback-runner.ts';
import type { RunResult } from './fallback-runner.ts';
import { targetLabel } from './routes-config.ts';

/**
 * What the service keeps of a generation: Prometheus counters and one log line. Only names,
 * counts and timings: never messages, PII values, answers or provider error bodies (Salesforce
 * keeps the audit of record in AI_Interaction__c).
 */

export interface OutcomeDetails {
  time: GenerationTiming;
  run?: RunResult<unknown> | RunFailedError;
  masked?: MaskingReport;
  cost?: Cost;
  usage?: Usage;
  code?: ErrorCode;
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
    const caller = {
      route,
      key_id: input.caller.keyId ?? 'none',
      org_id: input.caller.orgId ?? 'none',
      user_id: input.caller.userId ?? 'none',
    };
    metrics.observeCaller(caller, details.usage.totalTokens, details.cost.total);
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
      keyId: input.caller.keyId,
      orgId: input.caller.orgId,
      userId: input.caller.userId,
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
