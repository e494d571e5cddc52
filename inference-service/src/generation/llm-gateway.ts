import type { Logger } from '../observability/logger.ts';
import type { ServiceMetrics } from '../observability/metrics.ts';
import { RunFailedError, runWithFallback } from './fallback-runner.ts';
import { GatewayError } from './gateway-error.ts';
import { recordOutcome } from './outcome-record.ts';
import type { OutcomeDetails, RequestOutcome } from './outcome-record.ts';
import type { GenerationTiming } from './gateway-error.ts';
import type { AttemptRecord, ProviderFactory, RunResult } from './fallback-runner.ts';
import type { ChatMessage, PiiValue } from './generate-schemas.ts';
import type { ModelCall } from './model-call.ts';
import { OutputRejectedError, checkOutput, compileJsonSchema } from './output-checks.ts';
import { MaskingError, maskMessages } from './pii/masking.ts';
import type { MaskedMessages, MaskingReport } from './pii/masking.ts';
import { MAX_DEADLINE_MS, targetLabel } from './routes-config.ts';
import type { Route, RouteTable, RouteTarget } from './routes-config.ts';

/**
 * The LLM gateway behind `/v1/generate` and `/v1/chat/completions`: find the route, mask
 * PII, call the route's targets with fallback inside the caller's deadline, restore the
 * masked values, check the answer, and account for tokens, cost and time.
 *
 * Nothing here logs or returns prompt text, PII or answers except the answer itself to the
 * caller: logs and metrics carry routes, providers, outcomes, counts and timings.
 */

export interface GenerationInput {
  /** Which API the request came through, for logs. */
  api: 'generate' | 'chat.completions';
  route: string;
  messages: ChatMessage[];
  pii: PiiValue[];
  options: {
    temperature?: number;
    topP?: number;
    maxTokens?: number;
    maxChars?: number;
    stop?: string[];
    /** JSON output; with a JSON Schema the answer must satisfy. */
    json?: { schema?: Record<string, unknown> };
  };
  /** How long the caller waits, from `arrivedAt`; capped at 25 s. */
  deadlineMs?: number;
  /** When the request arrived, on the performance.now() clock. */
  arrivedAt: number;
  /** Aborts provider calls when the caller goes away. */
  signal?: AbortSignal;
  requestId?: string;
  metadata?: { template?: string; templateVersion?: number; recordId?: string };
}

export interface GenerationResult extends GenerationTiming {
  route: string;
  provider: string;
  model: string;
  region?: string;
  text: string;
  json?: unknown;
  finishReason: string;
  attempts: AttemptRecord[];
  usage: { inputTokens: number; outputTokens: number; totalTokens: number };
  cost: { input: number; output: number; total: number; currency: 'USD' };
  masked: MaskingReport;
}

export interface LlmGateway {
  generate(input: GenerationInput): Promise<GenerationResult>;
  routeNames(): string[];
}

export type MaskFunction = (messages: ChatMessage[], pii: PiiValue[]) => MaskedMessages<ChatMessage>;

export interface GatewayDependencies {
  routes: RouteTable;
  providers: ProviderFactory;
  logger: Logger;
  metrics: ServiceMetrics;
  /** The longest the gateway ever runs; 25 s (under Heroku's 30 s router limit) unless a test shortens it. */
  maxDeadlineMs?: number;
  /** The masking step; replaceable so tests can prove that a masking failure stops the request. */
  mask?: MaskFunction;
  now?: () => number;
}

export function createLlmGateway(deps: GatewayDependencies): LlmGateway {
  const { routes, providers, logger, metrics } = deps;
  const maxDeadlineMs = Math.min(deps.maxDeadlineMs ?? MAX_DEADLINE_MS, MAX_DEADLINE_MS);
  const mask = deps.mask ?? maskMessages;
  const now = deps.now ?? (() => performance.now());

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

  return {
    routeNames: () => routes.names(),

    async generate(input) {
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

      let masked: MaskedMessages<ChatMessage>;
      try {
        masked = mask(input.messages, input.pii);
      } catch (error) {
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
      const report = masked.vault.report();

      const budgetMs = Math.min(input.deadlineMs ?? maxDeadlineMs, maxDeadlineMs);
      const call = modelCall(route, masked.messages, input.options);
      let run: RunResult;
      try {
        run = await runWithFallback({
          route,
          call,
          deadlineAt: input.arrivedAt + budgetMs,
          providers,
          now,
          ...(input.signal ? { signal: input.signal } : {}),
        });
      } catch (error) {
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
      let output: { text: string; json?: unknown };
      try {
        output = checkOutput(run.answer.text, masked.vault, {
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

function modelCall(route: Route, messages: ChatMessage[], options: GenerationInput['options']): ModelCall {
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
export function priceOf(
  target: RouteTarget,
  usage: { inputTokens: number; outputTokens: number },
): GenerationResult['cost'] {
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
