import { z } from '@hono/zod-openapi';
import { Attempt, Cost, MaskingReport, PiiValue, Usage } from './generate-schemas.ts';

/**
 * The part of OpenAI's Chat Completions API the gateway speaks, so that OpenAI SDKs and
 * Salesforce's LLM Open Connector can use it: `model` names a route, text messages in, text (or
 * JSON) answers out, whole or streamed. Parameters it cannot honour are never silently dropped:
 * tools, images and log probabilities are refused (400); any other field it does not forward is
 * named in `byom.warnings` of the answer (chat-completions-request.ts).
 */

const TextPart = z.object({ type: z.literal('text'), text: z.string() });

export const ChatCompletionMessage = z
  .looseObject({
    role: z.enum(['system', 'developer', 'user', 'assistant']).openapi({
      description: '"developer" is treated as "system". Tool messages are not supported.',
    }),
    content: z.union([z.string().max(200_000), z.array(TextPart).max(100)]).openapi({
      description:
        'Text, or an array of text parts, sent on separated by line breaks (image and audio parts are not supported).',
    }),
    name: z.string().optional(),
  })
  .openapi('ChatCompletionMessage');

const unsupported = (what: string, why: string) =>
  z
    .unknown()
    .optional()
    .refine(
      (value) =>
        value === undefined ||
        value === null ||
        value === false ||
        (typeof value === 'object' && Object.keys(value).length === 0),
      { message: `${what} ${why}` },
    );

const penalty = z.number().min(-2).max(2).nullish();

export const ChatCompletionRequest = z
  .looseObject({
    model: z.string().min(1).max(100).openapi({ description: 'A route name from BYOM_ROUTES.', example: 'insights' }),
    messages: z.array(ChatCompletionMessage).min(1).max(100),
    max_tokens: z.number().int().min(1).max(32_000).nullish(),
    max_completion_tokens: z.number().int().min(1).max(32_000).nullish(),
    temperature: z.number().min(0).max(2).nullish(),
    top_p: z.number().min(0).max(1).nullish(),
    n: z.number().int().min(1).max(128).nullish().openapi({
      description: 'More than 1 where every target of the route can answer several choices (openai-compatible).',
    }),
    stream: z.boolean().nullish().openapi({ description: "Server-Sent Events in OpenAI's chunk format." }),
    stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish().openapi({
      description: 'Accepted; the last chunk always carries usage.',
    }),
    stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
    seed: z.number().int().nullish(),
    frequency_penalty: penalty,
    presence_penalty: penalty,
    response_format: z
      .discriminatedUnion('type', [
        z.object({ type: z.literal('text') }),
        z.object({ type: z.literal('json_object') }),
        z.object({
          type: z.literal('json_schema'),
          json_schema: z.looseObject({
            name: z.string().optional(),
            schema: z.record(z.string(), z.unknown()).optional(),
            strict: z.boolean().nullish(),
          }),
        }),
      ])
      .nullish(),
    parameters: z
      .record(z.string(), z.unknown())
      .nullish()
      .openapi({
        description:
          'LLM Open Connector: further parameters for the provider. Known ones (top_p, top_k, seed, max_tokens, …) ' +
          'are applied as if sent at the top level; others are sent as they are to openai-compatible targets and ' +
          'reported in byom.warnings for the rest.',
        example: { top_p: 0.5 },
      }),
    user: z
      .string()
      .max(100)
      .regex(
        /^[\w.:-]+$/,
        'must be an opaque id (letters, digits, "_", ".", ":", "-"), never personal data such as an email',
      )
      .nullish()
      .openapi({ description: 'The end user, as an opaque id: per-user budgets and rate limits, metrics and logs.' }),
    tools: unsupported('tools', 'are not supported by the gateway'),
    functions: unsupported('functions', 'are not supported by the gateway'),
    logprobs: unsupported(
      'logprobs',
      'are not supported: answers are restored from masked placeholders, so token log-probabilities would not match the text',
    ),
    top_logprobs: unsupported('top_logprobs', 'are not supported (see logprobs)'),
    logit_bias: unsupported('logit_bias', 'is not supported: token ids would act on the masked text'),
    pii: z.array(PiiValue).max(1_000).optional().openapi({
      description:
        'BYOM extension: values to mask besides what detection finds, as in /v1/generate (send with the extra body option of an OpenAI SDK).',
    }),
  })
  .openapi('ChatCompletionRequest');
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequest>;

const FinishReason = z.enum(['stop', 'length', 'content_filter', 'tool_calls']);

const CompletionUsage = z.object({
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
  total_tokens: z.number().int(),
});

const ByomReport = z
  .object({
    route: z.string(),
    provider: z.string(),
    region: z.string().optional(),
    attempts: z.array(Attempt),
    usage: Usage,
    cost: Cost,
    latencyMs: z.number(),
    gatewayMs: z.number(),
    providerMs: z.number(),
    masked: MaskingReport,
    warnings: z.array(z.string()),
  })
  .openapi({
    description:
      'BYOM extension: what the gateway did, as in the /v1/generate response; `warnings` names what was not ' +
      'forwarded or honoured.',
  });

export const ChatCompletionResponse = z
  .object({
    id: z.string(),
    object: z.literal('chat.completion'),
    created: z.number().int().openapi({ description: 'Unix time in seconds.' }),
    model: z.string().openapi({ description: 'The model that answered (after any fallback).' }),
    choices: z
      .array(
        z.object({
          index: z.number().int(),
          message: z.object({
            role: z.literal('assistant'),
            content: z.string(),
            refusal: z.null(),
          }),
          finish_reason: FinishReason,
          logprobs: z.null(),
        }),
      )
      .min(1),
    usage: CompletionUsage.optional().openapi({
      description: 'As the provider reported it; absent when it reported none (byom.usage then holds the estimate).',
    }),
    system_fingerprint: z.null(),
    byom: ByomReport,
  })
  .openapi('ChatCompletionResponse');
export type ChatCompletionResponse = z.infer<typeof ChatCompletionResponse>;

/** One Server-Sent Event of a streamed answer, in OpenAI's `chat.completion.chunk` format. */
export const ChatCompletionChunk = z
  .object({
    id: z.string(),
    object: z.literal('chat.completion.chunk'),
    created: z.number().int(),
    model: z.string(),
    system_fingerprint: z.null(),
    choices: z.array(
      z.object({
        index: z.number().int(),
        delta: z.object({ role: z.literal('assistant').optional(), content: z.string().optional() }),
        finish_reason: FinishReason.nullable(),
        logprobs: z.null(),
      }),
    ),
    usage: CompletionUsage.nullable().optional(),
    byom: ByomReport.optional().openapi({ description: 'On the last chunk only.' }),
  })
  .openapi('ChatCompletionChunk');
export type ChatCompletionChunk = z.infer<typeof ChatCompletionChunk>;
