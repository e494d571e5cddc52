import type { Logger } from '../../observability/logger.ts';
import type { ServiceMetrics } from '../../observability/metrics.ts';
import { MAX_DEADLINE_MS } from '../domain.ts';
import type {
  Caller,
  ChatMessage,
  CircuitPosition,
  Cost,
  ExtraAnswer,
  GenerationInput,
  GenerationResult,
  GenerationTiming,
  RequestOutcome,
  Route,
  RouteTarget,
  StreamEvent,
  Usage,
} from '../domain.ts';
import { MaskingError, PlaceholderVault, maskForLog, maskRequest } from '../pii/masking.ts';
import type { ForwardedValue, MaskingInput, MaskingOutput } from '../pii/masking.ts';
import { callModel, classifyFailure } from '../providers/model-call.ts';
import type { ModelAnswer, ModelCall } from '../providers/model-call.ts';
import { startStream } from '../providers/model-stream.ts';
import type { StartedStream } from '../providers/model-stream.ts';
import { acceptsRawFields } from '../providers/provider-catalog.ts';
import type { ProviderFactory } from '../providers/provider-factory.ts';
import { roundMs, sixDecimals } from '../../rounding.ts';
import { BudgetExceeded } from './budget-ledger.ts';
import type { BudgetLedger, UsageAmounts } from './budget-ledger.ts';
import { CircuitBreakers } from './circuit-breakers.ts';
import { RESPONSE_MARGIN_MS, RunFailedError, runWithFallback } from './fallback-runner.ts';
import type { Attempt, RunResult } from './fallback-runner.ts';
import { GatewayError } from './gateway-error.ts';
import { recordOutcome } from './outcome-record.ts';
import type { OutcomeDetails } from './outcome-record.ts';
import { OutputRejectedError, checkOutput, compileJsonSchema } from './output-checks.ts';
import type { CompiledJsonSchema } from './output-checks.ts';
import { targetLabel } from './routes-config.ts';
import type { RouteTable } from './routes-config.ts';
import { StreamRestorer } from './stream-restorer.ts';

/**
 * The LLM gateway behind `/v1/generate` and `/v1/chat/completions`: find the route, reserve
 * its budgets, mask PII, call the route's targets with fallback inside the caller's deadline,
 * restore the masked values, check the answer, and account for tokens, cost and time. A
 * streamed request does the same, falling back only until the first token arrives.
 *
 * Nothing here logs or returns prompt text, PII or answers except the answer itself to the
 * caller: logs and metrics carry routes, providers, outcomes, counts and timings.
 */

export interface LlmGateway {
  generate(input: GenerationInput): Promise<GenerationResult>;
  /**
   * Resolves once a target has sent its first token (or throws the GatewayError that a
   * completion would); the events then carry the restored text and end with `done` or `failed`.
   */
  stream(input: GenerationInput): Promise<GenerationStream>;
  routeNames(): string[];
}

export interface GenerationStream {
  route: string;
  provider: string;
  model: string;
  /** Ends with one `done` or `failed`; stopping early (the caller went away) aborts the provider's stream. */
  events: AsyncGenerator<StreamEvent, void, undefined>;
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
}

/** A request past its route lookup, budget reservation and masking: ready for its targets. */
interface Prepared {
  /** The request as logs and metrics may see it: caller ids and metadata masked. */
  input: GenerationInput;
  route: Route;
  schema: CompiledJsonSchema | undefined;
  call: ModelCall;
  vault: PlaceholderVault;
  masked: ReturnType<PlaceholderVault['report']>;
  /** The upper bound reserved, reported as usage when a provider reports none. */
  bound: UsageAmounts & { inputTokens: number };
  warnings: string[];
  settle: (used: UsageAmounts | 'unknown' | undefined) => void;
  deadlineAt: number;
  budgetMs: number;
}

export function createLlmGateway(deps: GatewayDependencies): LlmGateway {
  const { routes, providers, logger, metrics } = deps;
  const maxDeadlineMs = Math.min(deps.maxDeadlineMs ?? MAX_DEADLINE_MS, MAX_DEADLINE_MS);
  const mask = deps.mask ?? maskRequest;

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
    const latencyMs = performance.now() - input.arrivedAt;
    return {
      latencyMs: roundMs(latencyMs),
      gatewayMs: roundMs(Math.max(0, latencyMs - providerMs)),
      providerMs: roundMs(providerMs),
    };
  };

  const finish = (input: GenerationInput, routeLabel: string, outcome: RequestOutcome, fields: OutcomeDetails) =>
    recordOutcome({ metrics, logger }, input, routeLabel, outcome, fields);

  /** Reserves room in every budget and rate limit that applies, or refuses the request with 429. */
  const reserve = async (input: GenerationInput, route: Route, estimate: UsageAmounts, caller: Caller) => {
    const budgets = deps.budgets;
    if (budgets === undefined || !budgets.applies(route)) return undefined;
    try {
      return await budgets.reserve(route, caller, estimate);
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

  /** Route, JSON Schema, budgets, masking: everything before the first provider call. */
  const prepare = async (request: GenerationInput): Promise<Prepared> => {
    // Logs and metrics only ever see what the caller sent masked: its metadata, and the org
    // and user ids. Budgets count by the ids as sent.
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
    const n = input.options.n ?? 1;
    if (n > 1) {
      const unable = route.targets.filter((target) => !acceptsRawFields(target));
      if (unable.length > 0) {
        throw new GatewayError(
          400,
          'VALIDATION_ERROR',
          `n = ${n} is not supported by route "${route.name}": ${unable.map((t) => `${targetLabel(t)} (${t.provider})`).join(', ')} ` +
            'answer one choice per request; send n = 1, or use a route whose targets are all openai-compatible',
          undefined,
          timing(input, 0),
          undefined,
          'n',
        );
      }
    }
    const schema =
      input.options.json?.schema !== undefined
        ? compileJsonSchema(input.options.json.schema, 'responseFormat.schema')
        : undefined;
    const warnings = [...(input.warnings ?? [])];
    const maxOutputTokens = Math.min(route.maxTokens, input.options.maxTokens ?? route.maxTokens);
    if (input.options.maxTokens !== undefined && input.options.maxTokens > route.maxTokens) {
      warnings.push(
        `max_tokens: ${input.options.maxTokens} is above route "${route.name}"'s cap of ${route.maxTokens}; ` +
          `the answer is capped at ${route.maxTokens} tokens`,
      );
    }
    const estimate = upperBound(route, input.messages, maxOutputTokens * n);
    const reservation = await reserve(input, route, estimate, request.caller);
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
      AbortSignal.timeout(Math.max(0, Math.ceil(deadlineAt - performance.now()))),
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
    const maskedForwarded = masked.forwarded as { stop: string[] | null; schema: Record<string, unknown> | null };
    const options = {
      ...input.options,
      ...(maskedForwarded.stop !== null ? { stop: maskedForwarded.stop } : {}),
      ...(input.options.json !== undefined
        ? { json: maskedForwarded.schema !== null ? { schema: maskedForwarded.schema } : {} }
        : {}),
    };
    return {
      input,
      route,
      schema,
      call: modelCall(masked.messages, options, maxOutputTokens),
      vault,
      masked: vault.report(),
      bound: estimate,
      warnings,
      settle,
      deadlineAt,
      budgetMs,
    };
  };

  /** Runs the route's targets with fallback; a run that found no answer becomes its GatewayError. */
  const run = async <T>(prepared: Prepared, attempt: Attempt<T>): Promise<RunResult<T>> => {
    const { input } = prepared;
    try {
      return await runWithFallback({
        route: prepared.route,
        attempt,
        breakers,
        deadlineAt: prepared.deadlineAt,
        providers,
        ...(input.signal ? { signal: input.signal } : {}),
      });
    } catch (error) {
      prepared.settle(undefined);
      if (!(error instanceof RunFailedError)) throw error;
      const time = timing(input, error.waitedMs);
      const deadline = error.kind === 'deadline_exceeded';
      finish(input, prepared.route.name, error.kind, {
        time,
        run: error,
        masked: prepared.masked,
        code: deadline ? 'DEADLINE_EXCEEDED' : 'PROVIDERS_FAILED',
      });
      throw new GatewayError(
        deadline ? 504 : 502,
        deadline ? 'DEADLINE_EXCEEDED' : 'PROVIDERS_FAILED',
        deadline
          ? `no answer within the deadline of ${prepared.budgetMs} ms: ${error.message}`
          : `no provider could answer: ${error.message}`,
        { attempts: error.attempts, deadlineMs: prepared.budgetMs },
        time,
      );
    }
  };

  /** The call a target gets: raw fields only where its provider sends them on. */
  const callFor = (prepared: Prepared, target: RouteTarget): ModelCall => {
    if (prepared.call.rawFields === undefined || acceptsRawFields(target)) return prepared.call;
    const call = { ...prepared.call };
    delete call.rawFields;
    return call;
  };

  /** Usage and cost as reported, or the reserved upper bound flagged as an estimate. */
  const accounting = (
    prepared: Prepared,
    target: RouteTarget,
    inputTokens: number | undefined,
    outputTokens: number | undefined,
    warnings: string[],
  ): { usage: Usage; cost: Cost } => {
    let usage: Usage;
    if (inputTokens === undefined || outputTokens === undefined) {
      usage = {
        inputTokens: prepared.bound.inputTokens,
        outputTokens: prepared.bound.tokens - prepared.bound.inputTokens,
        totalTokens: prepared.bound.tokens,
        source: 'estimate',
      };
      warnings.push(
        `usage: ${targetLabel(target)} reported no token usage; usage and cost are the upper bound the gateway ` +
          'reserved for this request, not measured values',
      );
    } else {
      usage = { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens, source: 'provider' };
    }
    const cost = { ...priceOf(target, usage), source: usage.source };
    prepared.settle(
      usage.source === 'estimate' ? 'unknown' : { tokens: usage.totalTokens, costMicros: Math.ceil(cost.total * 1e6) },
    );
    return { usage, cost };
  };

  const rawFieldWarnings = (prepared: Prepared, target: RouteTarget): string[] => {
    const raw = prepared.call.rawFields;
    if (raw === undefined || acceptsRawFields(target)) return [];
    return [
      `parameters: ${Object.keys(raw).join(', ')} not forwarded: ${targetLabel(target)} (${target.provider}) takes ` +
        'no raw request fields',
    ];
  };

  /** Checks the answer (and any extra ones); a rejection is recorded and thrown as OUTPUT_REJECTED. */
  const checked = (
    prepared: Prepared,
    runResult: RunResult<unknown>,
    answers: Array<{ text: string; finishReason: string }>,
    usage: Usage,
    cost: Cost,
  ): Array<{ text: string; json?: unknown; finishReason: string }> => {
    const { input, route, schema } = prepared;
    try {
      return answers.map((answer) => ({
        ...checkOutput(answer.text, prepared.vault, {
          maxChars: Math.min(route.maxChars, input.options.maxChars ?? route.maxChars),
          ...(input.options.json !== undefined ? { json: schema !== undefined ? { schema } : {} } : {}),
        }),
        finishReason: answer.finishReason,
      }));
    } catch (error) {
      if (!(error instanceof OutputRejectedError)) throw error;
      const time = timing(input, runResult.waitedMs);
      finish(input, route.name, 'output_rejected', {
        time,
        run: runResult,
        masked: prepared.masked,
        usage,
        cost,
        code: 'OUTPUT_REJECTED',
        reason: error.reason,
      });
      throw new GatewayError(
        502,
        'OUTPUT_REJECTED',
        `the answer from ${targetLabel(runResult.target)} ${runResult.target.model} was rejected: ${error.message}`,
        {
          reason: error.reason,
          ...(error.issues.length > 0 ? { issues: error.issues } : {}),
          provider: targetLabel(runResult.target),
          model: runResult.target.model,
          attempts: runResult.attempts,
          usage,
          cost,
        },
        time,
      );
    }
  };

  const result = (
    prepared: Prepared,
    runResult: RunResult<unknown>,
    answers: Array<{ text: string; json?: unknown; finishReason: string }>,
    usage: Usage,
    cost: Cost,
    warnings: string[],
  ): GenerationResult => {
    const [first, ...extra] = answers;
    const time = timing(prepared.input, runResult.waitedMs);
    finish(prepared.input, prepared.route.name, 'ok', { time, run: runResult, masked: prepared.masked, usage, cost });
    return {
      route: prepared.route.name,
      provider: targetLabel(runResult.target),
      model: runResult.target.model,
      ...(runResult.target.region !== undefined ? { region: runResult.target.region } : {}),
      text: first!.text,
      ...(first!.json !== undefined ? { json: first!.json } : {}),
      finishReason: first!.finishReason,
      attempts: runResult.attempts,
      usage,
      cost,
      masked: prepared.masked,
      extraAnswers: extra as ExtraAnswer[],
      warnings,
      ...time,
    };
  };

  return {
    routeNames: () => routes.names(),

    async generate(request) {
      const prepared = await prepare(request);
      const answered = await run<ModelAnswer>(prepared, (model, signal, target) =>
        callModel(model, callFor(prepared, target), signal),
      );
      const { answer, target } = answered;
      const warnings = [...prepared.warnings, ...rawFieldWarnings(prepared, target), ...answer.warnings];
      const { usage, cost } = accounting(prepared, target, answer.inputTokens, answer.outputTokens, warnings);
      const answers = checked(prepared, answered, [answer, ...answer.extraChoices], usage, cost);
      return result(prepared, answered, answers, usage, cost, warnings);
    },

    async stream(request) {
      const prepared = await prepare(request);
      // Aborts the provider's stream after the first token: the caller went away, the deadline passed.
      const streamAbort = new AbortController();
      const started = await run<StartedStream>(prepared, (model, signal, target) =>
        startStream(model, callFor(prepared, target), AbortSignal.any([signal, streamAbort.signal])),
      );
      const { target } = started;
      const events = streamEvents(prepared, started, streamAbort);
      return { route: prepared.route.name, provider: targetLabel(target), model: target.model, events };
    },
  };

  async function* streamEvents(
    prepared: Prepared,
    started: RunResult<StartedStream>,
    streamAbort: AbortController,
  ): AsyncGenerator<StreamEvent, void, undefined> {
    const { input } = prepared;
    const { target } = started;
    const restorer = new StreamRestorer(prepared.vault);
    const onCallerGone = () => streamAbort.abort();
    input.signal?.addEventListener('abort', onCallerGone, { once: true });
    let deadlinePassed = false;
    const deadline = setTimeout(
      () => {
        deadlinePassed = true;
        streamAbort.abort();
      },
      Math.max(0, prepared.deadlineAt - RESPONSE_MARGIN_MS - performance.now()),
    );
    const streamedFrom = performance.now();
    try {
      const first = restorer.push(started.answer.first);
      if (first.length > 0) yield { type: 'text', text: first };
      let end: { finishReason: string; inputTokens: number | undefined; outputTokens: number | undefined } | undefined;
      try {
        for await (const piece of started.answer.rest) {
          if (piece.type === 'finish') {
            end = piece;
            break;
          }
          const text = restorer.push(piece.text);
          if (text.length > 0) yield { type: 'text', text };
        }
      } catch (error) {
        // After the first token there is no falling back: the caller already has part of an answer.
        prepared.settle('unknown');
        const failure = deadlinePassed
          ? {
              code: 'DEADLINE_EXCEEDED',
              message: `the stream was still running at the deadline of ${prepared.budgetMs} ms`,
            }
          : {
              code: 'PROVIDERS_FAILED',
              message: `${targetLabel(target)} ${target.model} failed after the answer had started: ${classifyFailure(error).message}`,
            };
        const waited = started.waitedMs + (performance.now() - streamedFrom);
        finish(input, prepared.route.name, 'stream_interrupted', {
          time: timing(input, waited),
          run: started,
          masked: prepared.masked,
          code: failure.code === 'DEADLINE_EXCEEDED' ? 'DEADLINE_EXCEEDED' : 'PROVIDERS_FAILED',
          reason: deadlinePassed ? 'deadline' : 'provider_stream_failed',
        });
        yield { type: 'failed', status: deadlinePassed ? 504 : 502, ...failure };
        return;
      }
      const rest = restorer.flush();
      if (rest.length > 0) yield { type: 'text', text: rest };
      const finishReason = end?.finishReason ?? 'other';
      const warnings = [...prepared.warnings, ...rawFieldWarnings(prepared, target), ...started.answer.warnings];
      const { usage, cost } = accounting(prepared, target, end?.inputTokens, end?.outputTokens, warnings);
      const runResult = { ...started, waitedMs: started.waitedMs + (performance.now() - streamedFrom) };
      let answers;
      try {
        answers = checked(prepared, runResult, [{ text: restorer.maskedAnswer(), finishReason }], usage, cost);
      } catch (error) {
        if (!(error instanceof GatewayError)) throw error;
        yield { type: 'failed', status: error.status, code: error.code, message: error.message };
        return;
      }
      yield { type: 'done', result: result(prepared, runResult, answers, usage, cost, warnings) };
    } finally {
      clearTimeout(deadline);
      input.signal?.removeEventListener('abort', onCallerGone);
      // The caller stopped reading (or the stream ended): stop the provider too.
      streamAbort.abort();
    }
  }
}

const CIRCUIT_GAUGE: Record<CircuitPosition, number> = { closed: 0, half_open: 1, open: 2 };

function modelCall(messages: ChatMessage[], options: GenerationInput['options'], maxOutputTokens: number): ModelCall {
  const { temperature, topP, topK, seed, frequencyPenalty, presencePenalty, stop, json, n = 1, rawFields } = options;
  const raw = { ...rawFields, ...(n > 1 ? { n } : {}) };
  return {
    messages,
    maxOutputTokens,
    ...{ temperature, topP, topK, seed, frequencyPenalty, presencePenalty },
    ...(stop !== undefined ? { stopSequences: stop } : {}),
    ...(json !== undefined ? { json } : {}),
    ...(Object.keys(raw).length > 0 ? { rawFields: raw } : {}),
  };
}

/**
 * The most a request can use, reserved before it is sent: input tokens at most one per UTF-8 byte
 * of the messages plus a few per message for the chat format (no tokenizer makes more), output
 * tokens as many as it may generate, priced at the route's dearest target.
 */
function upperBound(
  route: Route,
  messages: ChatMessage[],
  maxOutputTokens: number,
): UsageAmounts & { inputTokens: number } {
  let inputTokens = 3;
  for (const message of messages) inputTokens += Buffer.byteLength(message.content, 'utf8') + 4;
  let costMicros = 0;
  for (const target of route.targets) {
    const cost = priceOf(target, { inputTokens, outputTokens: maxOutputTokens });
    costMicros = Math.max(costMicros, Math.ceil(cost.total * 1e6));
  }
  return { inputTokens, tokens: inputTokens + maxOutputTokens, costMicros };
}

/** Cost from the routes file's price per 1,000 tokens, to the micro-dollar. */
function priceOf(target: RouteTarget, usage: { inputTokens: number; outputTokens: number }): Omit<Cost, 'source'> {
  const input = (usage.inputTokens / 1000) * target.pricePer1K.input;
  const output = (usage.outputTokens / 1000) * target.pricePer1K.output;
  return {
    input: sixDecimals(input),
    output: sixDecimals(output),
    total: sixDecimals(input + output),
    currency: 'USD',
  };
}
