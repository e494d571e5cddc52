import type { ChatMessage, GenerationInput } from '../generation/domain.ts';
import { ApiError } from '../http/api-error.ts';
import type { ChatCompletionRequest } from './chat-completions-schemas.ts';

/**
 * Maps a Chat Completions request (OpenAI's, or the LLM Open Connector's with its `parameters`)
 * onto the gateway's GenerationInput. Nothing is silently dropped: what the gateway forwards is
 * mapped, what it refuses the schema already refused, and every other field is named in the
 * answer's warnings.
 */

/** Request fields the gateway reads; any other is reported as not forwarded. */
const READ_FIELDS = new Set([
  'model',
  'messages',
  'max_tokens',
  'max_completion_tokens',
  'temperature',
  'top_p',
  'n',
  'stream',
  'stream_options',
  'stop',
  'seed',
  'frequency_penalty',
  'presence_penalty',
  'response_format',
  'parameters',
  'user',
  'pii',
  'tools',
  'functions',
  'logprobs',
  'top_logprobs',
  'logit_bias',
]);

type NumericOption =
  'temperature' | 'topP' | 'topK' | 'seed' | 'frequencyPenalty' | 'presencePenalty' | 'maxTokens' | 'n';

/** Open Connector `parameters` the gateway understands, applied as if sent at the top level (which wins). */
const KNOWN_PARAMETERS: Record<string, { option: NumericOption; valid: (value: unknown) => boolean }> = {
  temperature: { option: 'temperature', valid: (v) => number(v, 0, 2) },
  top_p: { option: 'topP', valid: (v) => number(v, 0, 1) },
  top_k: { option: 'topK', valid: (v) => integer(v, 1, 1_000_000) },
  seed: { option: 'seed', valid: (v) => integer(v, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER) },
  frequency_penalty: { option: 'frequencyPenalty', valid: (v) => number(v, -2, 2) },
  presence_penalty: { option: 'presencePenalty', valid: (v) => number(v, -2, 2) },
  max_tokens: { option: 'maxTokens', valid: (v) => integer(v, 1, 32_000) },
  max_completion_tokens: { option: 'maxTokens', valid: (v) => integer(v, 1, 32_000) },
  n: { option: 'n', valid: (v) => integer(v, 1, 128) },
};

export function generationInputOf(
  request: ChatCompletionRequest,
): Pick<GenerationInput, 'route' | 'messages' | 'pii' | 'options' | 'warnings'> {
  const warnings: string[] = [];
  const options: GenerationInput['options'] = {};
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  if (request.temperature != null) options.temperature = request.temperature;
  if (request.top_p != null) options.topP = request.top_p;
  if (maxTokens != null) options.maxTokens = maxTokens;
  if (request.seed != null) options.seed = request.seed;
  if (request.frequency_penalty != null) options.frequencyPenalty = request.frequency_penalty;
  if (request.presence_penalty != null) options.presencePenalty = request.presence_penalty;
  if (request.n != null && request.n > 1) options.n = request.n;
  if (request.stop != null) options.stop = [request.stop].flat();
  const format = request.response_format;
  if (format?.type === 'json_object') options.json = {};
  if (format?.type === 'json_schema') {
    options.json = format.json_schema.schema !== undefined ? { schema: format.json_schema.schema } : {};
  }

  const raw: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(request.parameters ?? {})) {
    const known = KNOWN_PARAMETERS[name];
    const invalid = () =>
      new ApiError(400, 'VALIDATION_ERROR', `invalid request: parameters.${name}: not a valid ${name}`, undefined, {
        param: `parameters.${name}`,
      });
    if (known !== undefined) {
      if (!known.valid(value)) throw invalid();
      options[known.option] ??= value as number;
    } else if (name === 'stop') {
      const stop = typeof value === 'string' ? [value] : value;
      if (!Array.isArray(stop) || stop.length > 4 || !stop.every((s) => typeof s === 'string')) throw invalid();
      options.stop ??= stop as string[];
    } else if (holdsText(value)) {
      // Text would reach the provider unmasked: the gateway masks only what it knows the meaning of.
      warnings.push(`parameters.${name}: not forwarded: values with text in them would reach the provider unmasked`);
    } else {
      raw[name] = value;
    }
  }
  if (Object.keys(raw).length > 0) options.rawFields = raw;
  if ((options.n ?? 1) > 1 && request.stream === true) {
    throw new ApiError(400, 'VALIDATION_ERROR', 'invalid request: n > 1 cannot be streamed; send n = 1', undefined, {
      param: 'n',
    });
  }

  request.messages.forEach((message, i) => {
    if (message.name !== undefined) warnings.push(`messages.${i}.name: not forwarded by the gateway`);
  });
  for (const name of Object.keys(request)) {
    const value = (request as Record<string, unknown>)[name];
    if (!READ_FIELDS.has(name) && value !== undefined && value !== null) {
      warnings.push(`${name}: not forwarded by the gateway`);
    }
  }

  return {
    route: request.model,
    messages: request.messages.map(toChatMessage),
    pii: request.pii ?? [],
    options,
    warnings,
  };
}

/** Text parts stay apart: each on its own line, so "hi" and "mail me" never run together. */
function toChatMessage(message: ChatCompletionRequest['messages'][number]): ChatMessage {
  const content = typeof message.content === 'string' ? message.content : message.content.map((p) => p.text).join('\n');
  return { role: message.role === 'developer' ? 'system' : message.role, content };
}

function number(value: unknown, min: number, max: number): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max;
}

function integer(value: unknown, min: number, max: number): boolean {
  return number(value, min, max) && Number.isInteger(value);
}

function holdsText(value: unknown): boolean {
  if (typeof value === 'string') return true;
  if (Array.isArray(value)) return value.some(holdsText);
  if (value !== null && typeof value === 'object') return Object.values(value).some(holdsText);
  return false;
}
