import { APICallError } from 'ai';
import type { LanguageModel } from 'ai';
import type { ChatMessage } from '../domain.ts';
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

/** The language model interface every @ai-sdk provider package implements (v4). */
export type ProviderLanguageModel = Extract<LanguageModel, { specificationVersion: 'v4' }>;
type CallOptions = Parameters<ProviderLanguageModel['doGenerate']>[0];
type Prompt = CallOptions['prompt'];
type ResponseFormat = NonNullable<CallOptions['responseFormat']>;

export interface ModelCall {
  /** Already masked. */
  messages: ChatMessage[];
  maxOutputTokens: number;
  temperature?: number;
  topP?: number;
  stopSequences?: string[];
  /** Ask the provider for JSON (with this schema when given); the gateway validates the answer itself. */
  json?: { schema?: Record<string, unknown> };
}

export interface ModelAnswer {
  /** Still masked. */
  text: string;
  finishReason: string;
  inputTokens: number;
  outputTokens: number;
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
  const result = await model.doGenerate({
    prompt: toPrompt(call.messages),
    maxOutputTokens: call.maxOutputTokens,
    ...(call.temperature !== undefined ? { temperature: call.temperature } : {}),
    ...(call.topP !== undefined ? { topP: call.topP } : {}),
    ...(call.stopSequences !== undefined ? { stopSequences: call.stopSequences } : {}),
    ...(call.json !== undefined
      ? {
          responseFormat: jsonFormat(call.json.schema),
          providerOptions: { openai: NON_STRICT_JSON, azure: NON_STRICT_JSON },
        }
      : {}),
    abortSignal: signal,
  });
  // Providers that produce structured output through a tool (Anthropic) return it as text too.
  let text = '';
  for (const part of result.content) if (part.type === 'text') text += part.text;
  return {
    text,
    finishReason: result.finishReason.unified,
    inputTokens: result.usage.inputTokens.total ?? 0,
    outputTokens: result.usage.outputTokens.total ?? 0,
  };
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
export function classifyFailure(error: unknown, now: () => number = Date.now): ClassifiedFailure {
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
      const retryAfterMs = parseRetryAfter(error.responseHeaders, now);
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

function parseRetryAfter(headers: Record<string, string> | undefined, now: () => number): number | undefined {
  if (!headers) return undefined;
  const ms = Number(headers['retry-after-ms']);
  if (headers['retry-after-ms'] !== undefined && Number.isFinite(ms) && ms >= 0) return Math.round(ms);
  const value = headers['retry-after'];
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (value.trim() !== '' && Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - now()) : undefined;
}
