/**
 * Generates the JSON fixtures the Apex tests read from the zod schemas of the service
 * contract, so Apex tests and the service cannot drift apart silently. Three static resources
 * in force-app/main/default/staticresources/:
 *
 * - `AiScoringFixtures.json` for `/v1/score` (read by AiCalloutMock),
 * - `AiGenerationFixtures.json` for `/v1/generate` (read by AiGenerationCalloutMock),
 * - `AiFeatureMappingFixtures.json`: Feature_Mapping__c values as @byom/contracts reads them
 *   (read by AiFeatureMappingTest; feature-mapping-fixtures.ts).
 *
 * Every fixture marked `valid` is parsed here with its schema (`ScoreRequest`,
 * `ScoreResponse`, `GenerateRequest`, `GenerateResponse` or `ErrorBody`); every deliberately
 * broken one is shown NOT to parse (or not to be JSON at all) and says what it violates.
 * Record ids in the scoring fixtures are placeholders the Apex mock fills in from the request
 * it answers: `{{id:N}}` is the N-th record sent, and a fixture with `"perRecord": true` has
 * one result template (id `{{id}}`) repeated for every record sent.
 *
 *   npm run fixtures:apex                # write every file (node --conditions=@byom/source this file)
 *   npm run fixtures:apex -- --check     # exit 1 when one is stale
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GenerateRequest, GenerateResponse } from '../src/routes/generate-schemas.ts';
import { ErrorBody } from '../src/http/error-schemas.ts';
import { ScoreRequest, ScoreResponse } from '../src/scoring/score-schemas.ts';
import {
  FEATURE_MAPPING_CASES,
  FEATURE_MAPPING_OUTPUT_FILE,
  renderFeatureMappingFixtures,
} from './feature-mapping-fixtures.ts';

const staticResource = (name: string) =>
  fileURLToPath(new URL(`../../force-app/main/default/staticresources/${name}`, import.meta.url));

export const OUTPUT_FILE = staticResource('AiScoringFixtures.json');
export const GENERATION_OUTPUT_FILE = staticResource('AiGenerationFixtures.json');

/** Ids substituted for the placeholders when a fixture is validated here. */
const EXAMPLE_IDS = ['00Q5g00000AbCdEAAV', '00Q5g00000AbCdFAAV', '00Q5g00000AbCdGAAV'];
/** An id no request ever sends: the answer to a record the caller does not know. */
const UNKNOWN_ID = '00Q000000000000AAA';

type Schema = 'ScoreRequest' | 'ScoreResponse' | 'GenerateRequest' | 'GenerateResponse' | 'ErrorBody';

interface FixtureSpec {
  description: string;
  status?: number;
  contentType?: string;
  /** The body: an object is serialized as JSON, a string is sent as is. */
  body: unknown;
  schema: Schema;
  /** True when the body must parse with `schema`; false when it must not. */
  valid: boolean;
  /** What a deliberately broken fixture violates (required when valid is false). */
  violates?: string;
  perRecord?: boolean;
}

export interface Fixture {
  description: string;
  kind: 'request' | 'response';
  status: number | null;
  contentType: string;
  schema: Schema;
  valid: boolean;
  violates: string | null;
  perRecord: boolean;
  body: string;
}

const leadFactors = [
  { feature: 'LeadSource', value: 'Employee Referral', impact: 1.18 },
  { feature: 'DaysSinceLastActivity', value: 3, impact: 0.94 },
  { feature: 'TitleSeniority', value: 'VP', impact: 0.66 },
  { feature: 'HasPhone', value: true, impact: 0.31 },
  { feature: 'Country', value: 'India', impact: -0.42 },
];

/** OpenAI's error type the service sends beside each code (openAiErrorType in src/http/api-error.ts). */
const ERROR_TYPES: Record<string, string> = {
  UNAUTHORIZED: 'authentication_error',
  MODEL_NOT_FOUND: 'not_found_error',
  ROUTE_NOT_FOUND: 'not_found_error',
  NOT_FOUND: 'not_found_error',
  BUDGET_EXCEEDED: 'rate_limit_error',
  RATE_LIMITED: 'rate_limit_error',
  MASKING_FAILED: 'server_error',
  INTERNAL: 'server_error',
  PROVIDERS_FAILED: 'server_error',
  OUTPUT_REJECTED: 'server_error',
  NOT_READY: 'server_error',
  LIMITS_UNAVAILABLE: 'server_error',
  DEADLINE_EXCEEDED: 'server_error',
};

/** What the bundled model suggests for a Web lead that has not been contacted lately (best first). */
const leadImprovements = [
  {
    changes: [
      { feature: 'LeadSource', from: 'Web', to: 'Partner Referral' },
      { feature: 'DaysSinceLastActivity', from: 21, to: 0 },
    ],
    scoreAfter: 0.9112,
  },
  { changes: [{ feature: 'LeadSource', from: 'Web', to: 'Partner Referral' }], scoreAfter: 0.8841 },
];
const leadExplanation = { method: 'shapley-exact', margin: 1.538, baselineMargin: -1.050296 };

const errorBody = (code: string, message: string, details?: unknown) => ({
  error: {
    code,
    message,
    type: ERROR_TYPES[code] ?? 'invalid_request_error',
    param: null,
    ...(details === undefined ? {} : { details }),
    requestId: 'req-0001',
  },
});

/** What Salesforce receives when Heroku's router gives up on any endpoint: the same page for both contracts. */
const HEROKU_ROUTER_TIMEOUT: FixtureSpec = {
  description: 'The Heroku router gave up (H12 request timeout): an HTML page, not a service body.',
  status: 503,
  contentType: 'text/html',
  schema: 'ErrorBody',
  valid: false,
  violates: 'not JSON: not written by the service',
  body: '<html><body><h1>Application error</h1><p>H12 Request timeout</p></body></html>',
};

const SCORING_SPECS: Record<string, FixtureSpec> = {
  score_request_lead: {
    description: 'A request Apex sends for two leads (features as the Lead_Scoring endpoint maps them).',
    schema: 'ScoreRequest',
    valid: true,
    body: {
      model: 'lead-scoring',
      records: [
        {
          id: '{{id:0}}',
          features: {
            LeadSource: 'Web',
            Industry: 'Technology',
            Country: 'United States',
            TitleSeniority: 'Director',
            AnnualRevenue: 25000000,
            NumberOfEmployees: 180,
            HasEmail: true,
            HasPhone: false,
            DaysSinceLastActivity: 4,
            EmailOpens30d: 2,
          },
        },
        {
          id: '{{id:1}}',
          features: {
            LeadSource: 'Purchased List',
            Industry: null,
            Country: 'India',
            TitleSeniority: 'Unknown',
            AnnualRevenue: null,
            NumberOfEmployees: null,
            HasEmail: false,
            HasPhone: true,
            DaysSinceLastActivity: null,
            EmailOpens30d: 0,
          },
        },
      ],
      explain: true,
      improve: true,
      topK: 5,
      requestId: '3f1c9a1e-5d0b-4c55-9a57-0d5c1f0b9e21',
      sentAt: '2026-01-15T09:30:00.000Z',
    },
  },
  score_success: {
    description: 'Every record scored with band and top factors (one result per record sent).',
    status: 200,
    schema: 'ScoreResponse',
    valid: true,
    perRecord: true,
    body: {
      model: 'lead-scoring',
      version: '1.0.0',
      results: [
        {
          id: '{{id}}',
          score: 0.8234,
          band: 'Hot',
          factors: leadFactors,
          explanation: leadExplanation,
          improvements: leadImprovements,
        },
      ],
      errors: [],
    },
  },
  score_success_no_band: {
    description: 'Every record scored by a model whose card defines no bands and without explanations.',
    status: 200,
    schema: 'ScoreResponse',
    valid: true,
    perRecord: true,
    body: {
      model: 'lead-scoring',
      version: '1.0.0',
      results: [{ id: '{{id}}', score: 0.125, band: null }],
      errors: [],
    },
  },
  score_partial_errors: {
    description: 'Three records: the first scored, the second and third rejected with per-record errors.',
    status: 200,
    schema: 'ScoreResponse',
    valid: true,
    body: {
      model: 'lead-scoring',
      version: '1.0.0',
      results: [{ id: '{{id:0}}', score: 0.41, band: 'Warm', factors: leadFactors.slice(0, 2) }],
      errors: [
        { id: '{{id:1}}', code: 'INVALID_FEATURE', message: 'feature "AnnualRevenue" must be a number, got string' },
        { id: '{{id:2}}', code: 'MISSING_FEATURE', message: 'feature "LeadSource" is required and has no default' },
      ],
    },
  },
  score_unknown_id: {
    description: 'Two records sent; the answer scores the first and an id that was never sent.',
    status: 200,
    schema: 'ScoreResponse',
    valid: true,
    body: {
      model: 'lead-scoring',
      version: '1.0.0',
      results: [
        { id: '{{id:0}}', score: 0.5, band: 'Warm' },
        { id: UNKNOWN_ID, score: 0.9, band: 'Hot' },
      ],
      errors: [],
    },
  },
  score_missing_id: {
    description: 'Two records sent; the answer has neither a result nor an error for the second.',
    status: 200,
    schema: 'ScoreResponse',
    valid: true,
    body: {
      model: 'lead-scoring',
      version: '1.0.0',
      results: [{ id: '{{id:0}}', score: 0.33, band: 'Cold' }],
      errors: [],
    },
  },
  score_malformed_improvements: {
    description:
      'One record scored; of its three suggestions only the last fits the contract (no changes, a score above 1).',
    status: 200,
    schema: 'ScoreResponse',
    valid: false,
    violates: 'Improvement.changes needs one or two changes and scoreAfter must be between 0 and 1',
    body: {
      model: 'lead-scoring',
      version: '1.0.0',
      results: [
        {
          id: '{{id:0}}',
          score: 0.52,
          band: 'Hot',
          improvements: [
            { changes: [], scoreAfter: 0.7 },
            { changes: [{ feature: 'HasPhone', from: false, to: true }], scoreAfter: 1.4 },
            { changes: [{ feature: 'HasPhone', from: false, to: true }], scoreAfter: 0.61 },
          ],
        },
      ],
      errors: [],
    },
  },
  score_unseen_category: {
    description:
      'Two records scored; the first sent a category the model was not trained on, so its result carries a warning.',
    status: 200,
    schema: 'ScoreResponse',
    valid: true,
    body: {
      model: 'lead-scoring',
      version: '1.0.0',
      results: [
        {
          id: '{{id:0}}',
          score: 0.37,
          band: 'Warm',
          warnings: [
            {
              code: 'UNSEEN_CATEGORY',
              feature: 'Industry',
              message:
                'feature "Industry": "Biotech" is not a category the model was trained on ("Consulting", "Education", ' +
                '"Energy", "Financial Services", "Government", "Healthcare", "Manufacturing", "Media", "Retail", ' +
                '"Technology"); it was scored the way the model treats unknown categories, usually as none of them',
            },
          ],
        },
        { id: '{{id:1}}', score: 0.52, band: 'Hot' },
      ],
      errors: [],
    },
  },
  score_multiclass: {
    description:
      "A multiclass model's answer: the score is the positive class's probability, and every class's probability comes with it.",
    status: 200,
    schema: 'ScoreResponse',
    valid: true,
    perRecord: true,
    body: {
      model: 'opportunity-stage',
      version: '1.0.0',
      results: [
        {
          id: '{{id}}',
          score: 0.61,
          band: 'Likely',
          probabilities: [
            { label: 'lost', probability: 0.14 },
            { label: 'open', probability: 0.25 },
            { label: 'won', probability: 0.61 },
          ],
        },
      ],
      errors: [],
    },
  },
  score_out_of_range: {
    description: 'Two records sent; scores outside 0..1 for both.',
    status: 200,
    schema: 'ScoreResponse',
    valid: false,
    violates: 'ScoreResult.score must be between 0 and 1',
    body: {
      model: 'lead-scoring',
      version: '1.0.0',
      results: [
        { id: '{{id:0}}', score: 1.7, band: 'Hot' },
        { id: '{{id:1}}', score: -0.2, band: 'Cold' },
      ],
      errors: [],
    },
  },
  score_wrong_types: {
    description: 'Two records sent; the first score is a string, the second is fine.',
    status: 200,
    schema: 'ScoreResponse',
    valid: false,
    violates: 'ScoreResult.score must be a number',
    body: {
      model: 'lead-scoring',
      version: '1.0.0',
      results: [
        { id: '{{id:0}}', score: 'high', band: 'Hot' },
        { id: '{{id:1}}', score: 0.61, band: 'Warm' },
      ],
      errors: [],
    },
  },
  score_wrong_schema: {
    description: 'A JSON object from some other API: no results list at all.',
    status: 200,
    schema: 'ScoreResponse',
    valid: false,
    violates: 'ScoreResponse needs model, version, results and errors',
    body: { predictions: [{ label: 1, probability: 0.8 }], status: 'ok' },
  },
  score_not_json: {
    description: 'An HTML page with status 200 (a proxy or a misrouted Named Credential URL).',
    status: 200,
    contentType: 'text/html',
    schema: 'ScoreResponse',
    valid: false,
    violates: 'not JSON',
    body: '<!DOCTYPE html><html><head><title>Welcome</title></head><body>It works!</body></html>',
  },
  score_empty_body: {
    description: 'Status 200 with an empty body.',
    status: 200,
    contentType: 'text/plain',
    schema: 'ScoreResponse',
    valid: false,
    violates: 'not JSON',
    body: '',
  },
  error_400_validation: {
    description: 'The request broke the ScoreRequest schema.',
    status: 400,
    schema: 'ErrorBody',
    valid: true,
    body: errorBody('VALIDATION_ERROR', 'records: expected at least 1 record'),
  },
  error_401_unauthorized: {
    description: 'Wrong or missing service key.',
    status: 401,
    schema: 'ErrorBody',
    valid: true,
    body: errorBody('UNAUTHORIZED', 'invalid service key'),
  },
  error_403_proxy: {
    description: 'A proxy or firewall in front of the service refused the request (not a service body).',
    status: 403,
    contentType: 'text/plain',
    schema: 'ErrorBody',
    valid: false,
    violates: 'not JSON: not written by the service',
    body: 'Forbidden',
  },
  error_404_model_not_found: {
    description: 'The model named in the request is not served.',
    status: 404,
    schema: 'ErrorBody',
    valid: true,
    body: errorBody('MODEL_NOT_FOUND', 'unknown model "lead-scorer" (known models: lead-scoring)', {
      knownModels: [{ name: 'lead-scoring', versions: ['1.0.0'], defaultVersion: '1.0.0' }],
    }),
  },
  error_404_not_found: {
    description: 'No route at this path (Path__c or the Named Credential URL is wrong).',
    status: 404,
    schema: 'ErrorBody',
    valid: true,
    body: errorBody('NOT_FOUND', 'no route for POST /v1/scores'),
  },
  error_413_too_many_records: {
    description: 'More records than MAX_RECORDS_PER_REQUEST.',
    status: 413,
    schema: 'ErrorBody',
    valid: true,
    body: errorBody('TOO_MANY_RECORDS', 'at most 100 records per request, got 500'),
  },
  error_429_rate_limited: {
    description: 'A proxy in front of the service throttles, with an error code of its own (not a service code).',
    status: 429,
    schema: 'ErrorBody',
    valid: false,
    violates: 'error.code must be one of the service error codes',
    body: { error: { code: 'TOO_MANY_REQUESTS', message: 'Too many requests, retry later' } },
  },
  error_500_internal: {
    description: 'Unexpected failure in the service.',
    status: 500,
    schema: 'ErrorBody',
    valid: true,
    body: errorBody('INTERNAL', 'internal error'),
  },
  error_503_not_ready: {
    description: 'The service is starting and has not loaded its models yet.',
    status: 503,
    schema: 'ErrorBody',
    valid: true,
    body: errorBody('NOT_READY', 'models are still loading'),
  },
  error_503_heroku: HEROKU_ROUTER_TIMEOUT,
};

const LEAD_SYSTEM_PROMPT =
  'You are a sales development assistant inside Salesforce. Use only the facts given; an empty value means unknown.';
const LEAD_USER_PROMPT = [
  'Lead: Jane Doe, VP Operations at Acme Robotics',
  'Industry: Manufacturing',
  'Email: jane.doe@acme.example',
  'Phone: +1 415 555 0100',
  'Lead source: Partner Referral',
  'Last activity: 2026-01-12',
  'Today: 2026-01-15',
  'Notes from the rep:',
  'Asked for a demo of the fleet dashboard; reply to ops-team@acme.example too.',
].join('\n');

const LEAD_SUMMARY_TEXT = [
  'Summary: Jane Doe, VP Operations at Acme Robotics (manufacturing), came in through a partner referral and',
  'asked for a demo of the fleet dashboard three days ago.',
  'Next best step: call Jane at +1 415 555 0100 today to book the demo, then confirm by email to',
  'jane.doe@acme.example with ops-team@acme.example in copy. A referral with a demo request is the warmest signal.',
  'Watch out: budget and timeline are unknown; ask about both on the call.',
].join('\n');

const okAttempt = (provider: string, model: string, latencyMs: number) => ({
  provider,
  model,
  outcome: 'ok',
  status: 200,
  latencyMs,
});

const generateResponse = (overrides: Record<string, unknown> = {}) => ({
  id: 'gen_3f1c9a1e5d0b4c55',
  route: 'insights',
  provider: 'openai',
  model: 'gpt-4o-mini',
  text: LEAD_SUMMARY_TEXT,
  finishReason: 'stop',
  attempts: [okAttempt('openai', 'gpt-4o-mini', 1840.2)],
  usage: { inputTokens: 412, outputTokens: 96, totalTokens: 508, source: 'provider' },
  cost: { input: 0.0000618, output: 0.0000576, total: 0.0001194, currency: 'USD', source: 'provider' },
  latencyMs: 1852.4,
  gatewayMs: 1.3,
  masked: { total: 4, byType: { FIELD: 3, EMAIL: 1 } },
  warnings: [],
  ...overrides,
});

/** A copy of a body without some members, for fixtures that leave required members out. */
const without = (body: Record<string, unknown>, ...members: string[]) =>
  Object.fromEntries(Object.entries(body).filter(([member]) => !members.includes(member)));

const GENERATION_SPECS: Record<string, FixtureSpec> = {
  generate_request_lead: {
    description: 'A request Apex sends for the Lead_Summary template: rendered messages, the PII values by field.',
    schema: 'GenerateRequest',
    valid: true,
    body: {
      route: 'insights',
      messages: [
        { role: 'system', content: LEAD_SYSTEM_PROMPT },
        { role: 'user', content: LEAD_USER_PROMPT },
      ],
      pii: [
        { field: 'Lead.Name', value: 'Jane Doe' },
        { field: 'Lead.Email', value: 'jane.doe@acme.example' },
        { field: 'Lead.Phone', value: '+1 415 555 0100' },
      ],
      options: { temperature: 0.3, maxTokens: 400, maxChars: 2000 },
      deadlineMs: 28000,
      metadata: {
        template: 'Lead_Summary',
        templateVersion: 1,
        recordId: '00Q5g00000AbCdEAAV',
        orgId: '00D5g000000abcdEAA',
        userId: '0055g000001xyzAAAQ',
      },
      requestId: '3f1c9a1e-5d0b-4c55-9a57-0d5c1f0b9e21',
      sentAt: '2026-01-15T09:30:00.000Z',
    },
  },
  generate_success: {
    description: 'The first target answered: text with the masked values restored, usage, cost and masking report.',
    status: 200,
    schema: 'GenerateResponse',
    valid: true,
    body: generateResponse(),
  },
  generate_success_after_fallback: {
    description: 'The first target timed out; the route fell back to the second, which answered.',
    status: 200,
    schema: 'GenerateResponse',
    valid: true,
    body: generateResponse({
      provider: 'anthropic',
      model: 'claude-3-5-haiku-latest',
      attempts: [
        {
          provider: 'openai',
          model: 'gpt-4o-mini',
          outcome: 'timeout',
          status: null,
          latencyMs: 8000.6,
          message: 'no answer within 8000 ms',
        },
        okAttempt('anthropic', 'claude-3-5-haiku-latest', 2110.9),
      ],
      usage: { inputTokens: 431, outputTokens: 102, totalTokens: 533, source: 'provider' },
      cost: { input: 0.0003448, output: 0.000408, total: 0.0007528, currency: 'USD', source: 'provider' },
      latencyMs: 10125.8,
      gatewayMs: 2.1,
    }),
  },
  generate_success_nothing_masked: {
    description: 'A self-hosted model (price 0) answered a prompt in which nothing needed masking.',
    status: 200,
    schema: 'GenerateResponse',
    valid: true,
    body: generateResponse({
      route: 'insights-local',
      provider: 'openai-compatible',
      model: 'llama3.1:8b',
      text: 'Risk level: Medium. The close date is next week and the last activity was a month ago.',
      attempts: [okAttempt('openai-compatible', 'llama3.1:8b', 3120)],
      usage: { inputTokens: 380, outputTokens: 24, totalTokens: 404, source: 'provider' },
      cost: { input: 0, output: 0, total: 0, currency: 'USD', source: 'provider' },
      latencyMs: 3131,
      gatewayMs: 0.9,
      masked: { total: 0, byType: {} },
    }),
  },
  generate_success_cut_at_max_tokens: {
    description: 'The answer stopped at the max tokens cap (finishReason length), with a structured json member.',
    status: 200,
    schema: 'GenerateResponse',
    valid: true,
    body: generateResponse({
      text: 'Summary: Jane Doe, VP Operations at Acme Robotics, asked for a demo. Next best step: call Jane',
      json: { summary: 'Jane Doe asked for a demo.' },
      finishReason: 'length',
      usage: { inputTokens: 412, outputTokens: 400, totalTokens: 812, source: 'provider' },
      cost: { input: 0.0000618, output: 0.00024, total: 0.0003018, currency: 'USD', source: 'provider' },
    }),
  },
  generate_missing_text: {
    description: 'A generate answer without the text member.',
    status: 200,
    schema: 'GenerateResponse',
    valid: false,
    violates: 'GenerateResponse.text is required',
    body: without(generateResponse(), 'text'),
  },
  generate_wrong_types: {
    description: 'Text is a number and the token counts are strings.',
    status: 200,
    schema: 'GenerateResponse',
    valid: false,
    violates: 'GenerateResponse.text must be a string and usage counts numbers',
    body: generateResponse({ text: 42, usage: { inputTokens: '412', outputTokens: '96', totalTokens: '508' } }),
  },
  generate_missing_usage: {
    description: 'Text is there but usage and cost are missing, so the call cannot be accounted for.',
    status: 200,
    schema: 'GenerateResponse',
    valid: false,
    violates: 'GenerateResponse.usage and cost are required',
    body: without(generateResponse(), 'usage', 'cost'),
  },
  generate_wrong_schema: {
    description: 'An OpenAI chat completion (the Named Credential points at a provider, not at the gateway).',
    status: 200,
    schema: 'GenerateResponse',
    valid: false,
    violates: 'GenerateResponse needs text, provider, model, usage and cost',
    body: {
      id: 'chatcmpl-123',
      object: 'chat.completion',
      model: 'gpt-4o-mini',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 12, completion_tokens: 2, total_tokens: 14 },
    },
  },
  generate_not_json: {
    description: 'An HTML page with status 200 (a proxy or a misrouted Named Credential URL).',
    status: 200,
    contentType: 'text/html',
    schema: 'GenerateResponse',
    valid: false,
    violates: 'not JSON',
    body: '<!DOCTYPE html><html><head><title>Welcome</title></head><body>It works!</body></html>',
  },
  generate_empty_body: {
    description: 'Status 200 with an empty body.',
    status: 200,
    contentType: 'text/plain',
    schema: 'GenerateResponse',
    valid: false,
    violates: 'not JSON',
    body: '',
  },
  error_400_validation: {
    description: 'The request broke the GenerateRequest schema (a template setting out of range).',
    status: 400,
    schema: 'ErrorBody',
    valid: true,
    body: errorBody('VALIDATION_ERROR', 'options.temperature: Too big: expected number to be <=2'),
  },
  error_401_unauthorized: {
    description: 'Wrong or missing service key.',
    status: 401,
    schema: 'ErrorBody',
    valid: true,
    body: errorBody('UNAUTHORIZED', 'invalid service key'),
  },
  error_404_route_not_found: {
    description: 'The route named by the template is not in the service BYOM_ROUTES file.',
    status: 404,
    schema: 'ErrorBody',
    valid: true,
    body: errorBody('ROUTE_NOT_FOUND', 'unknown route "insights" (known routes: default)'),
  },
  error_404_not_found: {
    description: 'No /v1/generate at this URL (an older service, or the Named Credential URL has a path).',
    status: 404,
    schema: 'ErrorBody',
    valid: true,
    body: errorBody('NOT_FOUND', 'no route for POST /v1/generate'),
  },
  error_413_payload_too_large: {
    description: 'The rendered prompt is larger than the service accepts.',
    status: 413,
    schema: 'ErrorBody',
    valid: true,
    body: errorBody('PAYLOAD_TOO_LARGE', 'request body larger than 1048576 bytes'),
  },
  error_429_rate_limited: {
    description: 'A proxy in front of the service throttles, with an error code of its own (not a service code).',
    status: 429,
    schema: 'ErrorBody',
    valid: false,
    violates: 'error.code must be one of the service error codes',
    body: { error: { code: 'TOO_MANY_REQUESTS', message: 'Too many requests, retry later' } },
  },
  error_500_masking_failed: {
    description: 'Masking failed, so the request was refused and nothing reached a provider (fail closed).',
    status: 500,
    schema: 'ErrorBody',
    valid: true,
    body: errorBody('MASKING_FAILED', 'could not mask the request; it was not sent to any provider'),
  },
  error_500_internal: {
    description: 'Unexpected failure in the service.',
    status: 500,
    schema: 'ErrorBody',
    valid: true,
    body: errorBody('INTERNAL', 'internal error'),
  },
  error_502_providers_failed: {
    description: 'Every target of the route failed (5xx, 429 or network errors), fallbacks included; details say how.',
    status: 502,
    schema: 'ErrorBody',
    valid: true,
    body: errorBody('PROVIDERS_FAILED', 'no provider could answer: all 2 targets of route "insights" failed', {
      attempts: [
        { provider: 'openai', model: 'gpt-4o-mini', outcome: 'server_error', status: 503, latencyMs: 420.4 },
        {
          provider: 'anthropic',
          model: 'claude-3-5-haiku-latest',
          outcome: 'rate_limited',
          status: 429,
          latencyMs: 95.2,
          message: 'rate limited; retry-after 30 s is past the deadline',
        },
      ],
      deadlineMs: 28000,
    }),
  },
  error_502_output_rejected: {
    description: 'The answer failed the output checks (too long, or a placeholder that could not be restored).',
    status: 502,
    schema: 'ErrorBody',
    valid: true,
    body: errorBody('OUTPUT_REJECTED', 'the answer is 2417 characters long, more than maxChars 2000'),
  },
  error_429_budget_exceeded: {
    description:
      "A token or cost budget of the route has no room for the request (here the user's daily cost budget); " +
      'details name the limit and when it resets. Nothing was sent to any provider.',
    status: 429,
    schema: 'ErrorBody',
    valid: true,
    body: errorBody(
      'BUDGET_EXCEEDED',
      'the daily cost budget (USD 2) of route "insights" for user 0055g000001xyzAAAQ has no room for this request ' +
        '(1.9873 used, up to 0.0213 needed); it resets at 2025-06-03T00:00:00.000Z',
      {
        limit: { scope: 'user', id: '0055g000001xyzAAAQ', route: 'insights', name: 'costPerDayUsd', value: 2 },
        used: 1.9873,
        requested: 0.0213,
        resetsAt: '2025-06-03T00:00:00.000Z',
        retryAfterSeconds: 25140,
      },
    ),
  },
  error_429_route_rate_limited: {
    description: 'The route allows no more requests this minute for this caller; details say when the minute ends.',
    status: 429,
    schema: 'ErrorBody',
    valid: true,
    body: errorBody(
      'RATE_LIMITED',
      'the rate limit of 60 requests per minute of route "insights" for org 00D5g000000abcdEAA is reached; ' +
        'it resets at 2025-06-02T16:21:00.000Z',
      {
        limit: { scope: 'org', id: '00D5g000000abcdEAA', route: 'insights', name: 'requestsPerMinute', value: 60 },
        used: 60,
        requested: 1,
        resetsAt: '2025-06-02T16:21:00.000Z',
        retryAfterSeconds: 23,
      },
    ),
  },
  error_503_not_ready: {
    description: 'The service is starting.',
    status: 503,
    schema: 'ErrorBody',
    valid: true,
    body: errorBody('NOT_READY', 'the service is starting'),
  },
  error_503_heroku: HEROKU_ROUTER_TIMEOUT,
  error_504_deadline_exceeded: {
    description: 'No target answered before the request deadline; details list the attempts that ran out of time.',
    status: 504,
    schema: 'ErrorBody',
    valid: true,
    body: errorBody('DEADLINE_EXCEEDED', 'no answer within the deadline of 28000 ms: the provider did not answer', {
      attempts: [
        {
          provider: 'openai',
          model: 'gpt-4o-mini',
          outcome: 'deadline',
          status: null,
          latencyMs: 27990.1,
          message: 'stopped at the deadline',
        },
      ],
      deadlineMs: 28000,
    }),
  },
};

/** One static resource: its file, its fixtures and what its header tells the reader. */
interface FixtureFile {
  file: string;
  specs: Record<string, FixtureSpec>;
  header: Record<string, unknown>;
}

const GENERATED_BY = 'inference-service/contract/generate-apex-fixtures.ts (do not edit by hand)';

export const FIXTURE_FILES: FixtureFile[] = [
  {
    file: OUTPUT_FILE,
    specs: SCORING_SPECS,
    header: {
      generatedBy: GENERATED_BY,
      placeholders: {
        '{{id:N}}': 'the id of the N-th record in the request being answered',
        '{{id}}': 'in a perRecord fixture, the one result is repeated with the id of every record sent',
      },
      unknownId: UNKNOWN_ID,
    },
  },
  {
    file: GENERATION_OUTPUT_FILE,
    specs: GENERATION_SPECS,
    header: {
      generatedBy: GENERATED_BY,
      contract: 'POST /v1/generate: GenerateRequest, GenerateResponse and ErrorBody',
    },
  },
];

const schemas: Record<Schema, { safeParse(value: unknown): { success: boolean; error?: unknown } }> = {
  ScoreRequest,
  ScoreResponse,
  GenerateRequest,
  GenerateResponse,
  ErrorBody,
};

/** Replaces the id placeholders with example ids, expanding a per-record template. */
export function withExampleIds(body: string, perRecord: boolean): string {
  let text = body;
  if (perRecord) {
    const parsed = JSON.parse(text) as { results: unknown[] };
    parsed.results = EXAMPLE_IDS.map(() => parsed.results[0]);
    text = JSON.stringify(parsed);
    let index = 0;
    text = text.replace(/\{\{id\}\}/g, () => EXAMPLE_IDS[index++ % EXAMPLE_IDS.length]);
  }
  return text.replace(/\{\{id:(\d+)\}\}/g, (_match, n: string) => EXAMPLE_IDS[Number(n)]);
}

/** Checks a fixture against its schema; throws when a valid one fails or a broken one passes. */
export function checkFixture(name: string, fixture: Fixture): void {
  let parsed: unknown;
  let isJson = true;
  try {
    parsed = JSON.parse(withExampleIds(fixture.body, fixture.perRecord));
  } catch {
    isJson = false;
  }
  const result = isJson ? schemas[fixture.schema].safeParse(parsed) : { success: false };
  if (fixture.valid && !result.success) {
    throw new Error(`fixture ${name} should parse as ${fixture.schema}: ${String(result.error)}`);
  }
  if (!fixture.valid && result.success) {
    throw new Error(`fixture ${name} is labelled broken (${fixture.violates}) but parses as ${fixture.schema}`);
  }
}

export function buildFixtures(specs: Record<string, FixtureSpec>): Record<string, Fixture> {
  const fixtures: Record<string, Fixture> = {};
  for (const name of Object.keys(specs).sort()) {
    const spec = specs[name];
    if (!spec.valid && !spec.violates) throw new Error(`fixture ${name} is broken on purpose but does not say why`);
    const fixture: Fixture = {
      description: spec.description,
      kind: spec.schema.endsWith('Request') ? 'request' : 'response',
      status: spec.status ?? null,
      contentType: spec.contentType ?? 'application/json',
      schema: spec.schema,
      valid: spec.valid,
      violates: spec.violates ?? null,
      perRecord: spec.perRecord ?? false,
      body: typeof spec.body === 'string' ? spec.body : JSON.stringify(spec.body),
    };
    checkFixture(name, fixture);
    fixtures[name] = fixture;
  }
  return fixtures;
}

export function render(fixtureFile: FixtureFile): string {
  const document = { ...fixtureFile.header, fixtures: buildFixtures(fixtureFile.specs) };
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** Every static resource this writes: the callout fixtures, and the feature mapping cases. */
function staticResources(): Array<{ file: string; text: string; count: number }> {
  return [
    ...FIXTURE_FILES.map((f) => ({ file: f.file, text: render(f), count: Object.keys(f.specs).length })),
    {
      file: FEATURE_MAPPING_OUTPUT_FILE,
      text: renderFeatureMappingFixtures(GENERATED_BY),
      count: FEATURE_MAPPING_CASES.length,
    },
  ];
}

function main(argv: string[]): number {
  const check = argv.includes('--check');
  let stale = 0;
  for (const { file, text: expected, count } of staticResources()) {
    if (!check) {
      writeFileSync(file, expected);
      console.log(`wrote ${count} fixtures to ${file}`);
      continue;
    }
    let current = '';
    try {
      current = readFileSync(file, 'utf8');
    } catch {
      // A missing file is stale too.
    }
    if (current === expected) {
      console.log(`Apex fixtures are up to date: ${path.basename(file)} (${count} fixtures)`);
    } else {
      stale++;
      console.error(`${file} is stale: run npm run fixtures:apex and commit the result`);
    }
  }
  return stale === 0 ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = main(process.argv.slice(2));
}
