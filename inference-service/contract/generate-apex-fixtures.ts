/**
 * Generates the JSON fixtures the Apex callout mocks read (the static resource
 * force-app/main/default/staticresources/AiScoringFixtures.json) from the zod schemas of the
 * `/v1/score` contract, so Apex tests and the service cannot drift apart silently.
 *
 * Every fixture marked `valid` is parsed with `ScoreResponse`, `ScoreRequest` or `ErrorBody`
 * here; every deliberately broken one is shown NOT to parse (or not to be JSON at all) and
 * says what it violates. Record ids are placeholders the Apex mock fills in from the request
 * it answers: `{{id:N}}` is the N-th record sent, and a fixture with `"perRecord": true` has
 * one result template (id `{{id}}`) repeated for every record sent.
 *
 *   node inference-service/contract/generate-apex-fixtures.ts          # write the file
 *   node inference-service/contract/generate-apex-fixtures.ts --check  # exit 1 when it is stale
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ErrorBody } from '../src/http/error-schemas.ts';
import { ScoreRequest, ScoreResponse } from '../src/scoring/score-schemas.ts';

export const OUTPUT_FILE = fileURLToPath(
  new URL('../../force-app/main/default/staticresources/AiScoringFixtures.json', import.meta.url),
);

/** Ids substituted for the placeholders when a fixture is validated here. */
const EXAMPLE_IDS = ['00Q5g00000AbCdEAAV', '00Q5g00000AbCdFAAV', '00Q5g00000AbCdGAAV'];
/** An id no request ever sends: the answer to a record the caller does not know. */
const UNKNOWN_ID = '00Q000000000000AAA';

type Schema = 'ScoreRequest' | 'ScoreResponse' | 'ErrorBody';

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

const errorBody = (code: string, message: string, details?: unknown) => ({
  error: { code, message, ...(details === undefined ? {} : { details }), requestId: 'req-0001' },
});

const SPECS: Record<string, FixtureSpec> = {
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
      results: [{ id: '{{id}}', score: 0.8234, band: 'Hot', factors: leadFactors }],
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
    description: 'A gateway in front of the service throttles (the service itself has no rate-limit code).',
    status: 429,
    schema: 'ErrorBody',
    valid: false,
    violates: 'error.code must be one of the service error codes',
    body: { error: { code: 'RATE_LIMITED', message: 'Too many requests, retry later' } },
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
  error_503_heroku: {
    description: 'The Heroku router gave up (H12 request timeout): an HTML page, not a service body.',
    status: 503,
    contentType: 'text/html',
    schema: 'ErrorBody',
    valid: false,
    violates: 'not JSON: not written by the service',
    body: '<html><body><h1>Application error</h1><p>H12 Request timeout</p></body></html>',
  },
};

const schemas: Record<Schema, { safeParse(value: unknown): { success: boolean; error?: unknown } }> = {
  ScoreRequest,
  ScoreResponse,
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

export function buildFixtures(): Record<string, Fixture> {
  const fixtures: Record<string, Fixture> = {};
  for (const name of Object.keys(SPECS).sort()) {
    const spec = SPECS[name];
    if (!spec.valid && !spec.violates) throw new Error(`fixture ${name} is broken on purpose but does not say why`);
    const fixture: Fixture = {
      description: spec.description,
      kind: spec.schema === 'ScoreRequest' ? 'request' : 'response',
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

export function render(): string {
  const document = {
    generatedBy: 'inference-service/contract/generate-apex-fixtures.ts (do not edit by hand)',
    placeholders: {
      '{{id:N}}': 'the id of the N-th record in the request being answered',
      '{{id}}': 'in a perRecord fixture, the one result is repeated with the id of every record sent',
    },
    unknownId: UNKNOWN_ID,
    fixtures: buildFixtures(),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

function main(argv: string[]): number {
  const expected = render();
  if (argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(OUTPUT_FILE, 'utf8');
    } catch {
      // A missing file is stale too.
    }
    if (current !== expected) {
      console.error(
        `${OUTPUT_FILE} is stale: run node inference-service/contract/generate-apex-fixtures.ts and commit the result`,
      );
      return 1;
    }
    console.log(`Apex fixtures are up to date (${Object.keys(SPECS).length} fixtures)`);
    return 0;
  }
  writeFileSync(OUTPUT_FILE, expected);
  console.log(`wrote ${Object.keys(SPECS).length} fixtures to ${OUTPUT_FILE}`);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = main(process.argv.slice(2));
}
