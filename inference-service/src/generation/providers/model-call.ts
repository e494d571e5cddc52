import { APICallError } from 'ai';
import type { LanguageModel } from 'ai';
import type { ChatMessage, ExtraAnswer, SamplingSettings } from '../domain.ts';
import { isOversizedAnswer } from './provider-fetch.ts';

/**
 * One call to one provider through the AI SDK, and what its failures mean for the fallback
 * runner.
 *
 * The call goes straight to the provider package's language model (`doGenerate`, the AI SDK's
 * provider interface) rather than through `generateText`: the gateway sends plain text
 * messages, uses no tools or steps, does its own retries and output parsing, and measured,
 * `generateText`'s step, telemetry and output machinery allocated about a third of the
 * gateway's memory per request and cost ~15 % of its CPU. The HTTP, authentication and
 * response parsing are still the provider package's.
 */

/** Thrown for a stream's `error` part: the provider reported a failure inside a 200 stream. */
export class StreamPartError extends Error {
  override name = 'StreamPartError';
  override readonly cause: unknown;

  constructor(cause: unknown) {
    super('the provider stream reported an error');
    this.cause = cause;
  }
}

/** The language model interface every @ai-sdk provider package implements (v4). */
export type ProviderLanguageModel = Extract<LanguageModel, { specificationVersion: 'v4' }>;
type CallOptions = Parameters<ProviderLanguageModel['doGenerate']>[0];
type Prompt = CallOptions['prompt'];
type ResponseFormat = NonNullable<CallOptions['responseFormat']>;

export interface ModelCall extends SamplingSettings {
  /** Already masked. */
  messages: ChatMessage[];
  maxOutputTokens: number;
  stopSequences?: string[];
  /** Ask the provider for JSON (with this schema when given); the gateway validates the answer itself. */
  json?: { schema?: Record<string, unknown> };
  /**
   * Fields put as they are into the provider's request body (`n`, the Open Connector's
   * `parameters`), for providers whose package passes them through (see `acceptsRawFields`).
   */
  rawFields?: Record<string, unknown>;
}

/** One more answer when `n` > 1 asked for several; still masked. */
export type ExtraChoice = Pick<ExtraAnswer, 'text' | 'finishReason'>;

export interface ModelAnswer {
  /** Still masked. */
  text: string;
  finishReason: string;
  /** Undefined when the provider did not report usage. */
  inputTokens: number | undefined;
  outputTokens: number | undefined;
  /** Settings the provider package says it ignored or changed (e.g. a seed Anthropic has no use for). */
  warnings: string[];
  extraChoices: ExtraChoice[];
}

// The gateway validates structured answers against the caller's schema after restoring the
// masked values, so providers are asked for best-effort (non-strict) schemas: OpenAI's strict
// mode refuses the many valid JSON Schemas it cannot enforce.
const NON_STRICT_JSON = { strictJsonSchema: false };

export async function callModel(
  model: ProviderLanguageModel,
  call: ModelCall,
  signal: AbortSignal,
): Promise<ModelAnswer> {
  const result = await model.doGenerate(callOptions(model, call, signal));
  // Providers that produce structured output through a tool (Anthropic) return it as text too.
  let text = '';
  for (const part of result.content) if (part.type === 'text') text += part.text;
  return {
    text,
    finishReason: result.finishReason.unified,
    inputTokens: result.usage.inputTokens.total,
    outputTokens: result.usage.outputTokens.total,
    warnings: result.warnings.map(describeWarning),
    extraChoices: call.rawFields?.n !== undefined ? extraChoices(result.response?.body) : [],
  };
}

/** The provider interface's call options for a gateway call; shared by completions and streams. */
export function callOptions(model: ProviderLanguageModel, call: ModelCall, signal: AbortSignal): CallOptions {
  // openai-compatible reads its options under the target's name and sends unknown ones as body fields.
  const providerName = model.provider.split('.')[0]!;
  const providerOptions = {
    ...(call.json !== undefined ? { openai: NON_STRICT_JSON, azure: NON_STRICT_JSON } : {}),
    ...(call.rawFields !== undefined ? { [providerName]: call.rawFields } : {}),
  };
  // Unset settings stay undefined, which the provider packages leave out of the request.
  return {
    prompt: toPrompt(call.messages),
    maxOutputTokens: call.maxOutputTokens,
    temperature: call.temperature,
    topP: call.topP,
    topK: call.topK,
    seed: call.seed,
    frequencyPenalty: call.frequencyPenalty,
    presencePenalty: call.presencePenalty,
    stopSequences: call.stopSequences,
    ...(call.json !== undefined ? { responseFormat: jsonFormat(call.json.schema) } : {}),
    ...(Object.keys(providerOptions).length > 0
      ? { providerOptions: providerOptions as NonNullable<CallOptions['providerOptions']> }
      : {}),
    abortSignal: signal,
  };
}

type Warning = Awaited<ReturnType<ProviderLanguageModel['doGenerate']>>['warnings'][number];

/** "seed: not supported by this provider (…)" from the AI SDK's warning. */
export function describeWarning(warning: Warning): string {
  switch (warning.type) {
    case 'unsupported':
      return `${warning.feature}: not supported by this provider${warning.details ? ` (${warning.details})` : ''}`;
    case 'compatibility':
      return `${warning.feature}: sent in a compatibility mode${warning.details ? ` (${warning.details})` : ''}`;
    case 'deprecated':
      return `${warning.setting}: deprecated (${warning.message})`;
    default:
      return 'message' in warning && typeof warning.message === 'string' ? warning.message : 'provider warning';
  }
}

const FINISH_REASONS: Record<string, string> = {
  stop: 'stop',
  length: 'length',
  content_filter: 'content-filter',
  tool_calls: 'tool-calls',
};

/** Choices after the first from a Chat Completions body (the provider package reads only the first). */
function extraChoices(body: unknown): ExtraChoice[] {
  const choices = (body as { choices?: unknown } | undefined)?.choices;
  if (!Array.isArray(choices)) return [];
  return choices.slice(1).map((choice: { message?: { content?: unknown }; finish_reason?: unknown }) => ({
    text: typeof choice?.message?.content === 'string' ? choice.message.content : '',
    finishReason:
      typeof choice?.finish_reason === 'string' ? (FINISH_REASONS[choice.finish_reason] ?? 'other') : 'other',
  }));
}

/** Text messages in the provider interface's prompt format. */
function toPrompt(messages: ChatMessage[]): Prompt {
  return messages.map((message) =>
    message.role === 'system'
      ? { role: 'system', content: message.content }
      : { role: message.role, content: [{ type: 'text', text: message.content }] },
  );
}

function jsonFormat(schema: Record<string, unknown> | undefined): ResponseFormat {
  if (schema === undefined) return { type: 'json' };
  return { type: 'json', schema: schema as Extract<ResponseFormat, { type: 'json' }>['schema'], name: 'answer' };
}

export type FailureOutcome =
  'timeout' | 'rate_limited' | 'server_error' | 'network_error' | 'client_error' | 'invalid_response';

export interface ClassifiedFailure {
  outcome: FailureOutcome;
  status: number | null;
  /** From retry-after-ms or retry-after (seconds or an HTTP date). */
  retryAfterMs?: number;
  /** Safe to log and return: built from the status and error class, never from the provider's text. */
  message: string;
}

/**
 * Maps an error from a provider call to an attempt outcome. Provider error bodies can quote
 * the prompt back, so nothing from them ends up in the message.
 */
export function classifyFailure(error: unknown): ClassifiedFailure {
  if (error instanceof StreamPartError) {
    const inner = classifyFailure(error.cause);
    // An error event in a stream is the provider's failure unless it says otherwise.
    return inner.outcome === 'client_error' && inner.status === null
      ? { outcome: 'server_error', status: null, message: 'the provider reported an error in its stream' }
      : inner;
  }
  if (APICallError.isInstance(error)) {
    const status = error.statusCode ?? null;
    if (status === null && isOversizedAnswer(error.cause)) {
      return { outcome: 'invalid_response', status, message: 'the provider answered with a body too large to read' };
    }
    if (status === null) return { outcome: 'network_error', status, message: 'could not reach the provider' };
    if (status >= 200 && status < 300) {
      return {
        outcome: 'invalid_response',
        status,
        message: 'the provider answered with a body that is not a valid completion',
      };
    }
    if (status === 429) {
      const retryAfterMs = parseRetryAfter(error.responseHeaders);
      return {
        outcome: 'rate_limited',
        status,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
        message: `rate limited (HTTP 429${retryAfterMs !== undefined ? `, retry after ${retryAfterMs} ms` : ''})`,
      };
    }
    if (status === 408) return { outcome: 'timeout', status, message: 'the provider timed out (HTTP 408)' };
    if (status >= 500) return { outcome: 'server_error', status, message: `provider error (HTTP ${status})` };
    return { outcome: 'client_error', status, message: `the provider refused the request (HTTP ${status})` };
  }
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'AI_JSONParseError' || name === 'AI_TypeValidationError' || name === 'AI_InvalidResponseDataError') {
    return { outcome: 'invalid_response', status: null, message: 'the provider answered with a malformed body' };
  }
  if (error instanceof TypeError && /fetch failed|network|socket/i.test(error.message)) {
    return { outcome: 'network_error', status: null, message: 'could not reach the provider' };
  }
  // Missing credentials, an unknown model id, an SDK limitation: this target cannot be used.
  return {
    outcome: 'client_error',
    status: null,
    message: `the provider could not be called (${typeof name === 'string' ? name : 'error'})`,
  };
}

/**
 * Whether a failure says the target is unwell (down, overloaded, timing out, answering garbage)
 * or misconfigured (401/403/404), so that it counts towards opening its circuit. A request the
 * provider rejected as invalid says nothing about the target.
 */
export function countsAgainstTarget(failure: ClassifiedFailure): boolean {
  if (failure.outcome !== 'client_error') return true;
  return failure.status === 401 || failure.status === 403 || failure.status === 404;
}

/** Whether the provider said 400/413/422: the request itself is wrong, so no other target would do better. */
export function isRequestRejection(failure: ClassifiedFailure): boolean {
  return (
    failure.outcome === 'client_error' && (failure.status === 400 || failure.status === 413 || failure.status === 422)
  );
}

function parseRetryAfter(headers: Record<string, string> | undefined): number | undefined {
  if (!headers) return undefined;
  const ms = Number(headers['retry-after-ms']);
  if (headers['retry-after-ms'] !== undefined && Number.isFinite(ms) && ms >= 0) return Math.round(ms);
  const value = headers['retry-after'];
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (value.trim() !== '' && Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}
