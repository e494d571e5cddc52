import { RunFailedError } from "./fallback-runner.js";
import { targetLabel } from "./routes-config.js";
export function recordOutcome({ metrics, logger }, input, route, outcome, details) {
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
    if (masked)
        for (const type in masked)
            metrics.counter(metrics.piiMasked, { type }).inc(masked[type]);
    metrics.histogram(metrics.llmGatewayDuration, { route }).observe(details.time.gatewayMs / 1000);
    const level = outcome === 'ok' ? 'info' : 'warn';
    if (!logger.isLevelEnabled(level))
        return;
    logger[level]({
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
    }, 'llm request');
}
