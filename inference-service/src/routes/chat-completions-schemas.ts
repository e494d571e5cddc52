import { z } from '@hono/zod-openapi';
import { Attempt, Cost, MaskingReport, PiiValue } from './generate-schemas.ts';

/**
 * The part of OpenAI's Chat Completions API the gateway speaks, so that OpenAI SDKs and
 * Salesforce's LLM Open Connector can use it: `model` names a route, text messages in, one
 * text (or JSON) answer out. Unknown fields are ignored, as OpenAI clients send many;
 * features the gateway cannot honour (streaming, n > 1, tools, images) are refused with a
 * message that says so rather than silently dropped.
 */

const TextPart = z.object({ type: z.literal('text'), text: z.string() });

export const ChatCompletionMessage = z
  .looseObject({
    role: z.enum(['system', 'developer', 'user', 'assistant']).openapi({
      description: '"developer" is treated as "system". Tool messages are not supported.',
    }),
    content: z.union([z.string().max(200_000), z.array(TextPart).max(100)]).openapi({
      description: 'Text, or an array of text parts (image and audio parts are not supported).',
    }),
    name: z.string().optional(),
  })
  .openapi('ChatCompletionMessage');

const unsupported = (what: string) =>
  z
    .unknown()
    .optional()
    .refine((value) => value === undefined || value === null || (Array.isArray(value) && value.length === 0), {
      message: `${what} are not supported by the gateway`,
    });

export const ChatCompletionRequest = z
  .looseObject({
    model: z.string().min(1).max(100).openapi({ description: 'A route name from BYOM_ROUTES.', example: 'insights' }),
    messages: z.array(ChatCompletionMessage).min(1).max(100),
    max_tokens: z.number().int().min(1).max(32_000).nullish(),
    max_completion_tokens: z.number().int().min(1).max(32_000).nullish(),
    temperature: z.number().min(0).max(2).nullish(),
    top_p: z.number().min(0).max(1).nullish(),
    n: z
      .number()
      .int()
      .nullish()
      .refine((n) => n === undefined || n === null || n === 1, { message: 'only n = 1 is supported' }),
    stream: z
      .boolean()
      .nullish()
      .refine((stream) => stream !== true, {
        message:
          'streaming is not supported: masked values are restored and the answer is checked only once it is complete; send stream: false',
      }),
    stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
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
    user: z
      .string()
      .max(100)
      .regex(
        /^[\w.:-]+$/,
        'must be an opaque id (letters, digits, "_", ".", ":", "-"), never personal data such as an email',
      )
      .nullish()
      .openapi({ description: 'The end user, as an opaque id: per-user budgets and rate limits, metrics and logs.' }),
    tools: unsupported('tools'),
    functions: unsupported('functions'),
    pii: z.array(PiiValue).max(1_000).optional().openapi({
      description:
        'BYOM extension: values to mask besides what detection finds, as in /v1/generate (send with the extra body option of an OpenAI SDK).',
    }),
  })
  .openapi('ChatCompletionRequest');
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequest>;

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
          finish_reason: z.enum(['stop', 'length', 'content_filter', 'tool_calls']),
          logprobs: z.null(),
        }),
      )
      .length(1),
    usage: z.object({
      prompt_tokens: z.number().int(),
      completion_tokens: z.number().int(),
      total_tokens: z.number().int(),
    }),
    system_fingerprint: z.null(),
    byom: z
      .object({
        route: z.string(),
        provider: z.string(),
        region: z.string().optional(),
        attempts: z.array(Attempt),
        cost: Cost,
        latencyMs: z.number(),
        gatewayMs: z.number(),
        providerMs: z.number(),
        masked: MaskingReport,
      })
      .openapi({ description: 'BYOM extension: what the gateway did, as in the /v1/generate response.' }),
  })
  .openapi('ChatCompletionResponse');
export type ChatCompletionResponse = z.infer<typeof ChatCompletionResponse>;
