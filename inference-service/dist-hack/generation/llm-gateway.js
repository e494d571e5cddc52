import { RunFailedError, runWithFallback } from "./fallback-runner.js";
import { GatewayError } from "./gateway-error.js";
import { recordOutcome } from "./outcome-record.js";
import { OutputRejectedError, checkOutput, compileJsonSchema } from "./output-checks.js";
import { MaskingError, maskMessages } from "./pii-masking.js";
import { MAX_DEADLINE_MS, targetLabel } from "./routes-config.js";
export function createLlmGateway(deps) {
    const { routes, providers, logger, metrics } = deps;
    const maxDeadlineMs = Math.min(deps.maxDeadlineMs ?? MAX_DEADLINE_MS, MAX_DEADLINE_MS);
    const mask = deps.mask ?? maskMessages;
    const now = deps.now ?? (() => performance.now());
    const timing = (input, providerMs) => {
        const latencyMs = now() - input.arrivedAt;
        return {
            latencyMs: round(latencyMs),
            gatewayMs: round(Math.max(0, latencyMs - providerMs)),
            providerMs: round(providerMs),
        };
    };
    const finish = (input, routeLabel, outcome, fields) => recordOutcome({ metrics, logger }, input, routeLabel, outcome, fields);
    return {
        routeNames: () => routes.names(),
        async generate(input) {
            const route = routes.get(input.route);
            if (route === undefined) {
                const time = timing(input, 0);
                finish(input, 'unknown', 'route_not_found', { time, code: 'ROUTE_NOT_FOUND' });
                throw new GatewayError(404, 'ROUTE_NOT_FOUND', `no route named "${input.route}"; the routes file defines: ${routes.names().join(', ')}`, { knownRoutes: routes.names() }, time);
            }
            const schema = input.options.json?.schema !== undefined
                ? compileJsonSchema(input.options.json.schema, 'responseFormat.schema')
                : undefined;
            let masked;
            try {
                masked = mask(input.messages, input.pii);
            }
            catch (error) {
                // Fail closed: the text is never sent unmasked.
                const time = timing(input, 0);
                finish(input, route.name, 'masking_failed', {
                    time,
                    code: 'MASKING_FAILED',
                    // A MaskingError names a PII type at most; any other error's message could quote the
                    // values (a RegExp error quotes its pattern), so only its class is logged.
                    reason: error instanceof MaskingError ? error.message : `${error?.name ?? 'error'} in masking`,
                });
                throw new GatewayError(500, 'MASKING_FAILED', 'the request could not be masked, so it was not sent to any provider', undefined, time);
            }
            const report = masked.vault.report();
            const budgetMs = Math.min(input.deadlineMs ?? maxDeadlineMs, maxDeadlineMs);
            const call = modelCall(route, masked.messages, input.options);
            let run;
            try {
                run = await runWithFallback({
                    route,
                    call,
                    deadlineAt: input.arrivedAt + budgetMs,
                    providers,
                    now,
                    ...(input.signal ? { signal: input.signal } : {}),
                });
            }
            catch (error) {
                if (!(error instanceof RunFailedError))
                    throw error;
                const time = timing(input, error.waitedMs);
                const deadline = error.kind === 'deadline_exceeded';
                finish(input, route.name, error.kind, {
                    time,
                    run: error,
                    masked: report,
                    code: deadline ? 'DEADLINE_EXCEEDED' : 'PROVIDERS_FAILED',
                });
                throw new GatewayError(deadline ? 504 : 502, deadline ? 'DEADLINE_EXCEEDED' : 'PROVIDERS_FAILED', deadline
                    ? `no answer within the deadline of ${budgetMs} ms: ${error.message}`
                    : `no provider could answer: ${error.message}`, { attempts: error.attempts, deadlineMs: budgetMs }, time);
            }
            const usage = {
                inputTokens: run.answer.inputTokens,
                outputTokens: run.answer.outputTokens,
                totalTokens: run.answer.inputTokens + run.answer.outputTokens,
            };
            const cost = priceOf(run.target, usage);
            let output;
            try {
                output = checkOutput(run.answer.text, masked.vault, {
                    maxChars: Math.min(route.maxChars, input.options.maxChars ?? route.maxChars),
                    ...(input.options.json !== undefined ? { json: schema !== undefined ? { schema } : {} } : {}),
                });
            }
            catch (error) {
                if (!(error instanceof OutputRejectedError))
                    throw error;
                const time = timing(input, run.waitedMs);
                finish(input, route.name, 'output_rejected', {
                    time,
                    run,
                    masked: report,
                    usage,
                    cost,
                    code: 'OUTPUT_REJECTED',
                    reason: error.reason,
                });
                throw new GatewayError(502, 'OUTPUT_REJECTED', `the answer from ${targetLabel(run.target)} ${run.target.model} was rejected: ${error.message}`, {
                    reason: error.reason,
                    ...(error.issues.length > 0 ? { issues: error.issues } : {}),
                    provider: targetLabel(run.target),
                    model: run.target.model,
                    attempts: run.attempts,
                    usage,
                    cost,
                }, time);
            }
            const time = timing(input, run.waitedMs);
            finish(input, route.name, 'ok', { time, run, masked: report, usage, cost });
            return {
                route: route.name,
                provider: targetLabel(run.target),
                model: run.target.model,
                ...(run.target.region !== undefined ? { region: run.target.region } : {}),
                text: output.text,
                ...(output.json !== undefined ? { json: output.json } : {}),
                finishReason: run.answer.finishReason,
                attempts: run.attempts,
                usage,
                cost,
                masked: report,
                ...time,
            };
        },
    };
}
function modelCall(route, messages, options) {
    return {
        messages,
        maxOutputTokens: Math.min(route.maxTokens, options.maxTokens ?? route.maxTokens),
        ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
        ...(options.topP !== undefined ? { topP: options.topP } : {}),
        ...(options.stop !== undefined ? { stopSequences: options.stop } : {}),
        ...(options.json !== undefined ? { json: options.json } : {}),
    };
}
/** Cost from the routes file's price per 1,000 tokens, to the micro-dollar. */
export function priceOf(target, usage) {
    const input = (usage.inputTokens / 1000) * target.pricePer1K.input;
    const output = (usage.outputTokens / 1000) * target.pricePer1K.output;
    return { input: micro(input), output: micro(output), total: micro(input + output), currency: 'USD' };
}
function micro(usd) {
    return Math.round(usd * 1e6) / 1e6;
}
function round(ms) {
    return Math.round(ms * 100) / 100;
}
