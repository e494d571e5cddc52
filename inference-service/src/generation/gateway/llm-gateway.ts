import type { Logger } from '../../observability/logger.ts';
import type { ServiceMetrics } from '../../observability/metrics.ts';
import { MAX_DEADLINE_MS } from '../domain.ts';
import type {
  Caller,
  ChatMessage,
  CircuitPosition,
  Cost,
  GenerationInput,
  GenerationResult,
  GenerationTiming,
  RequestOutcome,
  Route,
  RouteTarget,
} from '../domain.ts';
import { MaskingError, PlaceholderVault, maskForLog, maskRequest } from '../pii/masking.ts';
import type { ForwardedValue, MaskingInput, MaskingOutput } from '../pii/masking.ts';
import type { ModelAnswer, ModelCall } from '../providers/model-call.ts';
import type { ProviderFactory } from '../providers/provider-factory.ts';
import { callModel } from '../providers/model-call.ts';
import { BudgetExceeded } from './budget-ledger.ts';
import type { BudgetLedger, UsageAmounts } from './budget-ledger.ts';
import { CircuitBreakers } from './circuit-breakers.ts';
import { RunFailedError, runWithFallback } from './fallback-runner.ts';
import type { RunResult } from './fallback-runner.ts';
import { GatewayError } from './gateway-error.ts';
import { recordOutcome } from './outcome-record.ts';
import type { OutcomeDetails } from './outcome-record.ts';
import { OutputRejectedError, checkOutput, compileJsonSchema } from './output-checks.ts';
import { targetLabel } from './routes-config.ts';
import type { RouteTable } from './routes-config.ts';

/**
 * The LLM gateway behind `/v1/generate` and `/v1/chat/completions`: find the route, mask
 * PII, call the route's targets with fallback inside the caller's deadline, restore the
 * masked values, check the answer, and account for tokens, cost and time.
 *
 * Nothing here logs or returns prompt text, PII or answers except the answer itself to the
 * caller: logs and metrics carry routes, providers, outcomes, counts and timings.
 */

export interface LlmGateway {
  generate(input: GenerationInput): Promise<GenerationResult>;
  routeNames(): string[];
}

/**
 * The masking step. It may run elsewhere (server.ts hands large prompts to the worker pool) and
 * must stop when `signal` aborts: the caller's deadline counts the time masking takes.
 */
export type MaskFunction = (
  input: MaskingInput<ChatMessage>,
  signal: AbortSignal,
) => MaskingOutput<ChatMessage> | Promise<MaskingOutput<ChatMessage>>;

export interface GatewayDependencies {
  routes: RouteTable;
  providers: ProviderFactory;
  logger: Logger;
  metrics: ServiceMetrics;
  /** The longest the gateway ever runs; 25 s (under Heroku's 30 s router limit) unless a test shortens it. */
  maxDeadlineMs?: number;
  /** The masking step; replaceable so tests can prove that a masking failure stops the request. */
  mask?: MaskFunction;
  /** Budgets and rate limits; without them (no limits configured) nothing is counted. */
  budgets?: BudgetLedger;
  now?: () => number;
}

export function createLlmGateway(deps: GatewayDependencies): LlmGateway {
  const { routes, providers, logger, metrics } = deps;
  const maxDeadlineMs = Math.min(deps.maxDeadlineMs ?? MAX_DEADLINE_MS, MAX_DEADLINE_MS);
  const mask = deps.mask ?? maskRequest;
  const now = deps.now ?? (() => performance.now());

  const breakers = new CircuitBreakers(routes.all(), (target, route, position) => {
    const labels = { route: route.name, provider: targetLabel(target), model: target.model };
    metrics.llmCircuitState.labels(labels).set(CIRCUIT_GAUGE[position]);
    metrics.llmCircuitTransitions.labels({ ...labels, to: position }).inc();
  });
  for (const route of routes.all()) {
    if (route.breaker === false) continue;
    for (const target of route.targets) {
      metrics.llmCircuitState.labels({ route: route.name, provider: targetLabel(target), model: target.model }).set(0);
    }
  }

  const timing = (input: GenerationInput, providerMs: number): GenerationTiming => {
    const latencyMs = now() - input.arrivedAt;
    return {
      latencyMs: round(latencyMs),
      gatewayMs: round(Math.max(0, latencyMs - providerMs)),
      providerMs: round(providerMs),
    };
  };

  const finish = (input: GenerationInput, routeLabel: string, outcome: RequestOutcome, fields: OutcomeDetails) =>
    recordOutcome({ metrics, logger }, input, routeLabel, outcome, fields);

  /** Reserves room in every budget and rate limit that applies, or refuses the request with 429. */
  const reserve = async (input: GenerationInput, route: Route, maxOutputTokens: number, caller: Caller) => {
    const budgets = deps.budgets;
    if (budgets === undefined || !budgets.applies(route)) return undefined;
    try {
      return await budgets.reserve(route, caller, upperBound(route, input.messages, maxOutputTokens));
    } catch (error) {
      const time = timing(input, 0);
      if (error instanceof BudgetExceeded) {
        const limit = error.exceeded;
        finish(input, route.name, limit.code === 'RATE_LIMITED' ? 'rate_limited' : 'budget_exceeded', {
          time,
          code: limit.code,
          reason: `${limit.scope}:${limit.limit}`,
        });
        metrics.llmLimitRefusals.labels({ route: route.name, scope: limit.scope, limit: limit.limit }).inc();
        const retryAfterSeconds = Math.max(1, Math.ceil((limit.resetsAt.getTime() - Date.now()) / 1000));
        throw new GatewayError(
          429,
          limit.code,
          error.message,
          {
            limit: {
              scope: limit.scope,
              ...(limit.id !== undefined ? { id: limit.id } : {}),
              route: limit.route,
              name: limit.limit,
              value: limit.value,
            },
            used: limit.used,
            requested: limit.requested,
            resetsAt: limit.resetsAt.toISOString(),
            retryAfterSeconds,
          },
          time,
          retryAfterSeconds,
        );
      }
      finish(input, route.name, 'limits_unavailable', {
        time,
        code: 'LIMITS_UNAVAILABLE',
        reason: `${(error as Error)?.name ?? 'error'} from the ${budgets.store.kind} budget store`,
      });
      throw new GatewayError(
        503,
        'LIMITS_UNAVAILABLE',
        "the route's budgets and rate limits cannot be checked right now, so the request was not sent; retry shortly",
        undefined,
        time,
        5,
      );
    }
  };

  return {
    routeNames: () => routes.names(),

    async generate(request) {
      // Logs and metrics only ever see what the caller sent masked: its metadata, and the org
      // and user ids (an OpenAI client's `user` is free text, often an email). Budgets count by
      // the ids as sent.
      const input: GenerationInput = {
        ...request,
        caller: {
          ...request.caller,
          ...maskForLog({ orgId: request.caller.orgId, userId: request.caller.userId }, request.pii),
        },
        ...(request.metadata ? { metadata: maskForLog(request.metadata, request.pii) } : {}),
      };
      const route = routes.get(input.route);
      if (route === undefined) {
        const time = timing(input, 0);
        finish(input, 'unknown', 'route_not_found', { time, code: 'ROUTE_NOT_FOUND' });
        throw new GatewayError(
          404,
          'ROUTE_NOT_FOUND',
          `no route named "${input.route}"; the routes file defines: ${routes.names().join(', ')}`,
          { knownRoutes: routes.names() },
          time,
        );
      }
      const schema =
        input.options.json?.schema !== undefined
          ? compileJsonSchema(input.options.json.schema, 'responseFormat.schema')
          : undefined;

      const maxOutputTokens = Math.min(route.maxTokens, input.options.maxTokens ?? route.maxTokens);
      const reservation = await reserve(input, route, maxOutputTokens, request.caller);
      const settle = (used: UsageAmounts | 'unknown' | undefined) => {
        if (reservation === undefined) return;
        deps
          .budgets!.settle(reservation, used)
          .catch((error: unknown) =>
            logger.error(
              { requestId: input.requestId, route: route.name, err: { name: (error as Error)?.name } },
              'could not settle a budget reservation; the limits keep the whole reservation',
            ),
          );
      };

      // Every string the provider will receive, besides the messages: stop sequences and the
      // JSON Schema (answers are checked against the caller's own schema, restored values and all).
      const forwarded = {
        stop: input.options.stop ?? null,
        schema: (input.options.json?.schema ?? null) as ForwardedValue,
      };
      const budgetMs = Math.min(input.deadlineMs ?? maxDeadlineMs, maxDeadlineMs);
      const deadlineAt = input.arrivedAt + budgetMs;
      const maskingSignal = AbortSignal.any([
        AbortSignal.timeout(Math.max(0, Math.ceil(deadlineAt - now()))),
        ...(input.signal ? [input.signal] : []),
      ]);
      let masked: MaskingOutput<ChatMessage>;
      try {
        masked = await mask({ messages: input.messages, pii: input.pii, forwarded }, maskingSignal);
      } catch (error) {
        settle(undefined);
        if (maskingSignal.aborted) {
          // Nothing was sent: the deadline (or the caller) ran out while the prompt was being masked.
          const time = timing(input, 0);
          finish(input, route.name, 'deadline_exceeded', { time, code: 'DEADLINE_EXCEEDED', reason: 'masking' });
          throw new GatewayError(
            504,
            'DEADLINE_EXCEEDED',
            `no answer within the deadline of ${budgetMs} ms: masking the prompt took longer, so it was not sent to any provider`,
            { attempts: [], deadlineMs: budgetMs },
            time,
          );
        }
        // Fail closed: the text is never sent unmasked.
        const time = timing(input, 0);
        finish(input, route.name, 'masking_failed', {
          time,
          code: 'MASKING_FAILED',
          // A MaskingError names a PII type at most; any other error's message could quote the
          // values (a RegExp error quotes its pattern), so only its class is logged.
          reason: error instanceof MaskingError ? error.message : `${(error as Error)?.name ?? 'error'} in masking`,
        });
        throw new GatewayError(
          500,
          'MASKING_FAILED',
          'the request could not be masked, so it was not sent to any provider',
          undefined,
          time,
        );
      }
      const vault = PlaceholderVault.fromSnapshot(masked.vault);
      const report = vault.report();
      const maskedForwarded = masked.forwarded as { stop: string[] | null; schema: Record<string, unknown> | null };

      const call = modelCall(
        masked.messages,
        {
          ...input.options,
          ...(maskedForwarded.stop !== null ? { stop: maskedForwarded.stop } : {}),
          ...(input.options.json !== undefined
            ? { json: maskedForwarded.schema !== null ? { schema: maskedForwarded.schema } : {} }
            : {}),
        },
        maxOutputTokens,
      );
      let run: RunResult<ModelAnswer>;
      try {
        run = await runWithFallback({
          route,
          attempt: (model, signal) => callModel(model, call, signal),
          breakers,
          deadlineAt,
          providers,
          now,
          ...(input.signal ? { signal: input.signal } : {}),
        });
      } catch (error) {
        settle(undefined);
        if (!(error instanceof RunFailedError)) throw error;
        const time = timing(input, error.waitedMs);
        const deadline = error.kind === 'deadline_exceeded';
        finish(input, route.name, error.kind, {
          time,
          run: error,
          masked: report,
          code: deadline ? 'DEADLINE_EXCEEDED' : 'PROVIDERS_FAILED',
        });
        throw new GatewayError(
          deadline ? 504 : 502,
          deadline ? 'DEADLINE_EXCEEDED' : 'PROVIDERS_FAILED',
          deadline
            ? `no answer within the deadline of ${budgetMs} ms: ${error.message}`
            : `no provider could answer: ${error.message}`,
          { attempts: error.attempts, deadlineMs: budgetMs },
          time,
        );
      }

      const usage = {
        inputTokens: run.answer.inputTokens,
        outputTokens: run.answer.outputTokens,
        totalTokens: run.answer.inputTokens + run.answer.outputTokens,
      };
      const cost = priceOf(run.target, usage);
      settle({ tokens: usage.totalTokens, costMicros: Math.ceil(cost.total * 1e6) });
      let output: { text: string; json?: unknown };
      try {
        output = checkOutput(run.answer.text, vault, {
          maxChars: Math.min(route.maxChars, input.options.maxChars ?? route.maxChars),
          ...(input.options.json !== undefined ? { json: schema !== undefined ? { schema } : {} } : {}),
        });
      } catch (error) {
        if (!(error instanceof OutputRejectedError)) throw error;
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
        throw new GatewayError(
          502,
          'OUTPUT_REJECTED',
          `the answer from ${targetLabel(run.target)} ${run.target.model} was rejected: ${error.message}`,
          {
            reason: error.reason,
            ...(error.issues.length > 0 ? { issues: error.issues } : {}),
            provider: targetLabel(run.target),
            model: run.target.model,
            attempts: run.attempts,
            usage,
            cost,
          },
          time,
        );
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

const CIRCUIT_GAUGE: Record<CircuitPosition, number> = { closed: 0, half_open: 1, open: 2 };

function modelCall(messages: ChatMessage[], options: GenerationInput['options'], maxOutputTokens: number): ModelCall {
  return {
    messages,
    maxOutputTokens,
    ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
    ...(options.topP !== undefined ? { topP: options.topP } : {}),
    ...(options.stop !== undefined ? { stopSequences: options.stop } : {}),
    ...(options.json !== undefined ? { json: options.json } : {}),
  };
}

/**
 * The most a request can use, reserved before it is sent: input tokens at most one per UTF-8 byte
 * of the messages plus a few per message for the chat format (no tokenizer makes more), output
 * tokens as many as it may generate, priced at the route's dearest target.
 */
function upperBound(route: Route, messages: ChatMessage[], maxOutputTokens: number): UsageAmounts {
  let inputTokens = 3;
  for (const message of messages) inputTokens += Buffer.byteLength(message.content, 'utf8') + 4;
  let costMicros = 0;
  for (const target of route.targets) {
    const cost = priceOf(target, { inputTokens, outputTokens: maxOutputTokens });
    costMicros = Math.max(costMicros, Math.ceil(cost.total * 1e6));
  }
  return { tokens: inputTokens + maxOutputTokens, costMicros };
}

/** Cost from the routes file's price per 1,000 tokens, to the micro-dollar. */
export function priceOf(target: RouteTarget, usage: { inputTokens: number; outputTokens: number }): Cost {
  const input = (usage.inputTokens / 1000) * target.pricePer1K.input;
  const output = (usage.outputTokens / 1000) * target.pricePer1K.output;
  return { input: micro(input), output: micro(output), total: micro(input + output), currency: 'USD' };
}

function micro(usd: number): number {
  return Math.round(usd * 1e6) / 1e6;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
