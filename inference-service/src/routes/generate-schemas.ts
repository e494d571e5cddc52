import { z } from '@hono/zod-openapi';
import { ATTEMPT_OUTCOMES, CIRCUIT_POSITIONS, PII_TYPES } from '../generation/domain.ts';

/**
 * The `/v1/generate` contract between Apex and the LLM gateway. The Apex DTOs and the JSON
 * fixtures its callout mocks read are generated from these schemas (as for `/v1/score`), so
 * change them with care: adding optional fields is safe, renaming or removing is breaking.
 */

/** The kinds of value the gateway masks; `FIELD` is a value Apex marked as PII by field. */
export const PiiType = z.enum(PII_TYPES);

export const ChatMessage = z
  .object({
    role: z.enum(['system', 'user', 'assistant']),
    content: z.string().max(200_000),
  })
  .openapi('ChatMessage');

export const PiiValue = z
  .object({
    field: z.string().min(1).max(255).openapi({
      description: 'The field the value came from, as the template names it.',
      example: 'Lead.Email',
    }),
    value: z.string().max(10_000).openapi({ example: 'jane.doe@acme.example' }),
  })
  .openapi('PiiValue');

/** A 15- or 18-character Salesforce record id (an org id, a user id). */
export const SalesforceId = z
  .string()
  .regex(/^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/, 'must be a 15- or 18-character Salesforce id');

export const ResponseFormat = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('text') }),
    z.object({
      type: z.literal('json'),
      schema: z.record(z.string(), z.unknown()).openapi({
        description: 'A JSON Schema the answer must satisfy; the answer is parsed and validated before it is returned.',
      }),
    }),
  ])
  .openapi('ResponseFormat');

export const GenerateOptions = z
  .object({
    temperature: z.number().min(0).max(2).optional(),
    maxTokens: z.number().int().min(1).max(32_000).optional().openapi({
      description: "Caps the answer's tokens; the route's own cap applies when it is lower.",
    }),
    maxChars: z.number().int().min(1).max(100_000).optional().openapi({
      description: 'Rejects answers longer than this many characters (after restoring masked values).',
    }),
    responseFormat: ResponseFormat.optional(),
  })
  .openapi('GenerateOptions');

export const GenerateRequest = z
  .object({
    route: z.string().min(1).max(100).openapi({ description: 'A route name from BYOM_ROUTES.', example: 'insights' }),
    messages: z.array(ChatMessage).min(1).max(100).openapi({
      description: 'The rendered template, merge fields already resolved by Apex.',
    }),
    pii: z.array(PiiValue).max(1_000).default([]).openapi({
      description: 'Values Apex marks as PII by field; masked wherever they appear, besides what detection finds.',
    }),
    options: GenerateOptions.default({}),
    deadlineMs: z.number().int().min(100).max(120_000).optional().openapi({
      description:
        'How long the caller will wait, from when the request arrives. The gateway never runs past it, nor past 25 s.',
    }),
    metadata: z
      .object({
        template: z.string().max(255).optional(),
        templateVersion: z.number().int().optional(),
        recordId: z.string().max(18).optional(),
        orgId: SalesforceId.optional().openapi({
          description: "The calling org's id: per-org budgets and rate limits, metrics and logs.",
          example: '00D5g000000abcdEAA',
        }),
        userId: SalesforceId.optional().openapi({
          description: "The running user's id: per-user budgets and rate limits, metrics and logs.",
          example: '0055g000001xyzAAAQ',
        }),
      })
      .optional()
      .openapi({
        description:
          'Logged with the request (never the text): which template and record, and the org and user ids that ' +
          'per-org and per-user limits count against.',
      }),
    requestId: z.string().min(1).max(100).optional(),
    sentAt: z.iso.datetime({ offset: true }).optional(),
  })
  .openapi('GenerateRequest');
export type GenerateRequest = z.infer<typeof GenerateRequest>;

export const AttemptOutcome = z.enum(ATTEMPT_OUTCOMES);

export const Attempt = z
  .object({
    provider: z.string(),
    model: z.string(),
    region: z
      .string()
      .optional()
      .openapi({ description: "The target's region tag from the routes file, when it has one." }),
    outcome: AttemptOutcome,
    status: z.number().int().nullable().openapi({ description: "The provider's HTTP status, when it answered." }),
    latencyMs: z.number(),
    message: z.string().optional().openapi({ description: 'Why the attempt failed (never the prompt).' }),
    circuit: z
      .enum(CIRCUIT_POSITIONS)
      .optional()
      .openapi({
        description:
          "The target's circuit breaker when the attempt met it: closed; half_open (this attempt was the probe); " +
          'open (skipped, outcome circuit_open). Absent when the route has breakers turned off.',
      }),
  })
  .openapi('Attempt');

const UsageSource = z.enum(['provider', 'estimate']).openapi({
  description:
    '`provider`: as the provider reported it. `estimate`: the provider reported none, so this is the upper ' +
    'bound the gateway reserved for the request (never 0); `warnings` says so too.',
});

export const Usage = z
  .object({
    inputTokens: z.number().int().min(0),
    outputTokens: z.number().int().min(0),
    totalTokens: z.number().int().min(0),
    source: UsageSource,
  })
  .openapi('Usage');

export const Cost = z
  .object({
    input: z.number().min(0),
    output: z.number().min(0),
    total: z.number().min(0),
    currency: z.literal('USD'),
    source: UsageSource,
  })
  .openapi('Cost');

export const MaskingReport = z
  .object({
    total: z.number().int().min(0),
    byType: z.partialRecord(PiiType, z.number().int().min(0)).openapi({
      description: 'How many distinct values of each type were masked.',
      example: { FIELD: 2, EMAIL: 1 },
    }),
  })
  .openapi('MaskingReport');

export const GenerateResponse = z
  .object({
    id: z.string(),
    route: z.string(),
    provider: z.string().openapi({ description: 'The provider that produced the answer.', example: 'openai' }),
    model: z.string().openapi({ example: 'gpt-4o-mini' }),
    region: z.string().optional().openapi({ description: "The answering target's region tag, when it has one." }),
    text: z.string().openapi({ description: 'The answer, masked values restored.' }),
    json: z
      .unknown()
      .optional()
      .openapi({ description: 'The parsed answer when a JSON response format was asked for.' }),
    finishReason: z.string(),
    attempts: z.array(Attempt).min(1),
    usage: Usage,
    cost: Cost,
    latencyMs: z.number().openapi({ description: 'From request arrival to response.' }),
    gatewayMs: z.number().openapi({
      description: 'Time spent in the gateway itself: latencyMs minus time waiting on providers.',
    }),
    providerMs: z.number().optional().openapi({
      description: 'Time spent waiting on providers: every attempt, and the pauses between retries.',
    }),
    masked: MaskingReport,
    warnings: z.array(z.string()).openapi({
      description:
        'What was not honoured as asked: maxTokens above the route cap, settings the provider ignored, usage the ' +
        'provider did not report. Empty when everything was.',
    }),
  })
  .openapi('GenerateResponse');
export type GenerateResponse = z.infer<typeof GenerateResponse>;
