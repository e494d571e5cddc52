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
 * resolveRecord: a wrong value then fails only its record (a per-record error) instead of the
 * whole request.
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

/** Named `ScoreRequest` in the API document by its route, which adds the record-count limit (routes/score-routes.ts). */
export const ScoreRequest = z.object({
  model: z.string().min(1).openapi({ example: 'lead-scoring' }),
  version: z.string().min(1).optional().openapi({ description: "Omit to use the model's default version." }),
  records: z.array(ScoreRecord).min(1),
  explain: z.boolean().default(false).openapi({ description: 'Return the top factors behind each score.' }),
  improve: z.boolean().default(false).openapi({
    description:
      'Return "how to improve" suggestions: the best single change and the best pair of changes to the features the model card marks actionable. Models without actionable features return none.',
  }),
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
});
export type ScoreRequest = z.infer<typeof ScoreRequest>;

export type ScoreRecord = z.infer<typeof ScoreRecord>;

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const Factor = z
  .object({
    feature: z.string(),
    value: FeatureValue.openapi({ description: 'The value the model saw (after defaults were applied).' }),
    impact: z.number().openapi({
      description:
        "Signed effect of this feature versus its baseline: log-odds for classifiers, the regression output's raw units for regressors. See docs/explanations.md.",
    }),
  })
  .openapi('Factor');
export type Factor = z.infer<typeof Factor>;

export const Explanation = z
  .object({
    method: z.enum(['occlusion', 'shapley-exact', 'shapley-sampled', 'tree-shap']).openapi({
      description:
        "How the impacts were computed (the model card's explanations.method and what the graph allows): see docs/explanations.md.",
    }),
    margin: z.number().openapi({
      description: "The record's margin: log-odds of the score for classifiers, the raw value for regressors.",
    }),
    baselineMargin: z.number().openapi({
      description:
        'The margin of the all-baseline record. With a Shapley method the impacts of every feature add up to margin − baselineMargin.',
    }),
    errorBound: z.number().optional().openapi({
      description:
        'shapley-sampled only: every impact is within this of its exact Shapley value, with 95 % confidence (all at once).',
    }),
    permutations: z.number().int().optional().openapi({ description: 'shapley-sampled only: the orderings scored.' }),
  })
  .openapi('Explanation');
export type Explanation = z.infer<typeof Explanation>;

export const Change = z
  .object({
    feature: z.string(),
    from: FeatureValue.openapi({ description: 'The value the model saw.' }),
    to: FeatureValue.openapi({ description: 'The value the suggestion sets (one the model card allows).' }),
  })
  .openapi('Change');

export const Improvement = z
  .object({
    changes: z.array(Change).min(1).max(2),
    scoreAfter: z.number().min(0).max(1).openapi({ description: 'The score the record would get with the changes.' }),
  })
  .openapi('Improvement');
export type Improvement = z.infer<typeof Improvement>;

export const RecordWarning = z
  .object({
    code: z.enum(['UNSEEN_CATEGORY']).openapi({
      description: 'UNSEEN_CATEGORY: a category the model was not trained on; the score is what the model gives it.',
    }),
    feature: z.string(),
    message: z.string().openapi({
      example:
        'feature "Industry": "Biotech" is not a category the model was trained on ("Consulting", "Education", ...)',
    }),
  })
  .openapi('RecordWarning');
export type RecordWarning = z.infer<typeof RecordWarning>;

export const ClassProbability = z
  .object({
    label: z.string().openapi({ description: 'The class label, as text.' }),
    probability: z.number().min(0).max(1),
  })
  .openapi('ClassProbability');

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
    explanation: Explanation.optional().openapi({ description: 'Present when explain is true.' }),
    improvements: z.array(Improvement).optional().openapi({
      description:
        'Present when improve is true and the model card marks actionable features: the best pair of changes (when it beats the best single change) and the best single change, best first; empty when no allowed change improves the score.',
    }),
    probabilities: z.array(ClassProbability).optional().openapi({
      description: "Multiclass models only: every class with its probability, in the model's class order.",
    }),
    warnings: z.array(RecordWarning).optional().openapi({
      description: 'Present when the record was scored but something in it deserves a look (an unseen category).',
    }),
  })
  .openapi('ScoreResult');
export type ScoreResult = z.infer<typeof ScoreResult>;

export const RecordErrorCode = z.enum(['MISSING_FEATURE', 'INVALID_FEATURE', 'DUPLICATE_ID', 'INFERENCE_FAILED']);

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
