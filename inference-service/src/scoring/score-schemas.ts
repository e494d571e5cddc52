import { z } from '@hono/zod-openapi';

/**
 * The `/v1/score` contract between Apex and the service. Apex DTOs and the JSON fixtures
 * its callout mocks read are generated from these schemas, so change them with care:
 * adding optional fields is safe, renaming or removing is a breaking change.
 */

/** A feature value as returned in factors; requests are checked value by value against the model card. */
export const FeatureValue = z.union([z.number(), z.string(), z.boolean(), z.null()]);

/**
 * Features are checked as "a JSON object" here and value by value against the model card in
 * resolveRecord: a wrong value then fails only its record (a per-record error), and zod does
 * not walk every key of every record (that walk cost more than inference for 200 records).
 */
const FeatureMap = z
  .custom<Record<string, unknown>>(isJsonObject, {
    message: 'features must be an object of feature name to value',
  })
  .openapi({
    type: 'object',
    additionalProperties: { nullable: true, oneOf: [{ type: 'number' }, { type: 'string' }, { type: 'boolean' }] },
    description:
      'Feature name to value (number, string, boolean or null). Unknown names are ignored; null means missing.',
    example: { LeadSource: 'Web', Industry: 'Technology', AnnualRevenue: 25000000, HasEmail: true },
  });

const MAX_RECORD_ID_LENGTH = 255;
const MAX_TOP_K = 100;
const DEFAULT_TOP_K = 5;
const MAX_CALLER_REQUEST_ID_LENGTH = 100;

export const ScoreRecord = z
  .object({
    id: z
      .string()
      .min(1)
      .max(MAX_RECORD_ID_LENGTH)
      .openapi({ description: 'Caller-chosen record id (a Salesforce Id).', example: '00Q5g00000AbCdEAAV' }),
    features: FeatureMap,
  })
  .openapi('ScoreRecord');

export const ScoreRequest = z
  .object({
    model: z.string().min(1).openapi({ example: 'lead-scoring' }),
    version: z.string().min(1).optional().openapi({ description: "Omit to use the model's default version." }),
    records: z.array(ScoreRecord).min(1),
    explain: z.boolean().default(false).openapi({ description: 'Return the top factors behind each score.' }),
    topK: z
      .number()
      .int()
      .min(1)
      .max(MAX_TOP_K)
      .default(DEFAULT_TOP_K)
      .openapi({ description: 'How many factors to return per record.' }),
    requestId: z.string().min(1).max(MAX_CALLER_REQUEST_ID_LENGTH).optional().openapi({
      description: 'Caller-made unique id; with request signing, a repeat is rejected as a replay.',
    }),
    sentAt: z.iso.datetime({ offset: true }).optional().openapi({
      description: 'When the caller sent the request (ISO 8601); with request signing, must be within the tolerance.',
    }),
  })
  .openapi('ScoreRequest');
export type ScoreRequest = z.infer<typeof ScoreRequest>;

export type ScoreRecord = z.infer<typeof ScoreRecord>;

/**
 * Validates a `/v1/score` body. ScoreRequest stays the one definition of what is valid:
 * `usualScoreRequest` accepts, by hand, the bodies Salesforce sends (no `sentAt`), and any
 * body it does not accept goes through ScoreRequest itself, so issues are exactly zod's and
 * the hand check only has to agree with ScoreRequest on what it accepts
 * (test/http/score-request-parsing.test.ts holds the two together). A zod parse allocates a
 * result object and payloads per field and per record: for 200 records a third of the
 * request's garbage and a fifth of its CPU, and for one record a tenth of its CPU
 * (docs/performance.md).
 */
export function parseScoreRequest(body: unknown): z.ZodSafeParseResult<ScoreRequest> {
  const usual = usualScoreRequest(body);
  return usual ? { success: true, data: usual } : ScoreRequest.safeParse(body);
}

/**
 * The request ScoreRequest would return for `body`, or undefined when the body is invalid or
 * has a `sentAt` (whose ISO 8601 check is left to zod). Records are passed through as sent
 * (unknown keys included; nothing reads them); unknown top-level keys are dropped, as zod drops them.
 */
function usualScoreRequest(body: unknown): ScoreRequest | undefined {
  if (!isJsonObject(body)) return undefined;
  const { model, version, records, explain, topK, requestId, sentAt } = body;
  if (typeof model !== 'string' || model.length < 1) return undefined;
  if (version !== undefined && (typeof version !== 'string' || version.length < 1)) return undefined;
  if (!Array.isArray(records) || records.length < 1 || !records.every(isScoreRecord)) return undefined;
  if (explain !== undefined && typeof explain !== 'boolean') return undefined;
  if (topK !== undefined && !(Number.isInteger(topK) && (topK as number) >= 1 && (topK as number) <= MAX_TOP_K)) {
    return undefined;
  }
  if (
    requestId !== undefined &&
    (typeof requestId !== 'string' || requestId.length < 1 || requestId.length > MAX_CALLER_REQUEST_ID_LENGTH)
  ) {
    return undefined;
  }
  if (sentAt !== undefined) return undefined;
  const request: ScoreRequest = {
    model,
    records,
    explain: explain ?? false,
    topK: (topK as number | undefined) ?? DEFAULT_TOP_K,
  };
  if (version !== undefined) request.version = version;
  if (requestId !== undefined) request.requestId = requestId;
  return request;
}

/** Exactly the records ScoreRecord accepts. */
function isScoreRecord(record: unknown): record is ScoreRecord {
  if (!isJsonObject(record)) return false;
  const { id, features } = record;
  return typeof id === 'string' && id.length >= 1 && id.length <= MAX_RECORD_ID_LENGTH && isJsonObject(features);
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const Factor = z
  .object({
    feature: z.string(),
    value: FeatureValue.openapi({ description: 'The value the model saw (after defaults were applied).' }),
    impact: z.number().openapi({
      description:
        'Signed effect of this feature versus its baseline: log-odds for classifiers, score units for regressors. See docs/explanations.md.',
    }),
  })
  .openapi('Factor');
export type Factor = z.infer<typeof Factor>;

export const ScoreResult = z
  .object({
    id: z.string(),
    score: z.number().min(0).max(1).openapi({
      description: 'Probability of the positive class (classifiers) or the value mapped onto [0, 1] (regressors).',
    }),
    band: z
      .string()
      .nullable()
      .openapi({ description: 'Band from the model card thresholds; null when the card defines none.' }),
    value: z.number().optional().openapi({ description: 'Regressors only: the raw predicted value.' }),
    factors: z
      .array(Factor)
      .optional()
      .openapi({ description: 'Present when explain is true: top-k features by absolute impact.' }),
  })
  .openapi('ScoreResult');
export type ScoreResult = z.infer<typeof ScoreResult>;

export const RecordErrorCode = z.enum(['MISSING_FEATURE', 'INVALID_FEATURE', 'DUPLICATE_ID', 'INFERENCE_FAILED']);
export type RecordErrorCode = z.infer<typeof RecordErrorCode>;

export const RecordError = z
  .object({
    id: z.string(),
    code: RecordErrorCode,
    message: z.string().openapi({ example: 'feature "AnnualRevenue" must be a number, got string' }),
  })
  .openapi('RecordError');
export type RecordError = z.infer<typeof RecordError>;

export const ScoreResponse = z
  .object({
    model: z.string(),
    version: z.string(),
    results: z.array(ScoreResult),
    errors: z
      .array(RecordError)
      .openapi({ description: 'One entry per record that could not be scored; the others still are.' }),
  })
  .openapi('ScoreResponse');
export type ScoreResponse = z.infer<typeof ScoreResponse>;
