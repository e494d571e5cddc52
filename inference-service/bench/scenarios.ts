import type { FeatureSpec } from '@byom/contracts/model-card';
import {
  buildDirectChatBody,
  buildGenerateBody,
  buildLargePromptBody,
  expectCompletion,
  expectGeneration,
} from './llm-request-bodies.ts';
import { buildScoreBody } from './request-bodies.ts';
import type { ScoreBody } from './request-bodies.ts';

/**
 * The benchmark's scenarios, measured the way callers use the service: Apex sends chunks of
 * up to 200 records (1,000 at most) from a few parallel Queueables, with or without
 * explanations, while insights go through the gateway with long prompts. Every scoring
 * scenario runs for each benchmark model and is paired with its floor: a bare Hono echo of
 * the same body at the same concurrency, plus onnxruntime's own session.run time for the
 * rows that request makes.
 */

/** A model the benchmark scores with, as its card describes it. */
export interface BenchModel {
  name: string;
  version: string;
  features: FeatureSpec[];
}

/** One load: which server, which request, how many connections. */
export interface Scenario {
  name: string;
  /** `explanations`: a second service process serving the explanation variants (explanation-models.ts). */
  target: 'service' | 'explanations' | 'echo' | 'stub';
  model?: string;
  connections: number;
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** Records per request, to turn requests/s into records/s. */
  records: number;
  /** Inspects one response before the load: a 200 that scored nothing must not pass for a fast run. */
  check?: (response: unknown) => string | undefined;
  /**
   * An overload scenario: 503 OVERLOADED answers are expected and measured, not a broken run,
   * and the callers wait the Retry-After they are given (as Apex's retries do).
   */
  allowShedding?: boolean;
  /** Scoring: the echo scenario and the request whose session runs make its floor. */
  floor?: { echo: string; request: ScoreBody };
  /** Runs at the same time as this one, against the same service (the mixed load's gateway side). */
  alongside?: Scenario;
  /**
   * An open loop at a share of the request rate another scenario reached, instead of a closed
   * loop: the mixed load is a busy service, not a saturated one, so its event-loop delay shows
   * stalls rather than the queue every saturated server has.
   */
  rate?: { of: string; share: number };
}

/**
 * Apex's parallel Queueables: a few on an ordinary org, more when a big data load fans out.
 * 1,000-record explained requests (the most Apex sends) run at the first count.
 */
export const CALLER_COUNTS = [8, 32] as const;
/** The overload: more concurrent 1,000-record explained requests than a 512 MB dyno can hold at once. */
export const OVERLOAD_CONNECTIONS = 256;
/** The mixed load's gateway callers and their prompt size (a long email thread with its PII). */
export const MIXED_GATEWAY_CONNECTIONS = 8;
export const LARGE_PROMPT_CHARS = 256 * 1024;
/** The mixed load's scoring side runs at this share of the rate score-200 @32 reached alone. */
export const MIXED_SCORING_SHARE = 0.5;
/** When that scenario did not run (a partial run): requests per second. */
export const MIXED_SCORING_FALLBACK_RATE = 50;

/**
 * Each explanation method on the same graph and the same records (docs/explanations.md):
 * 200-record explained requests at this many callers, for a model and its variants that differ
 * only in their card's explanations block (explanation-models.ts).
 */
export const EXPLANATION_CALLERS = 8;

/**
 * `models` are the benchmark's models; `variants` pairs each explanation variant with the
 * model whose graph it shares (its echo scenario is the variant's floor).
 */
export function buildScenarios(
  models: BenchModel[],
  apiKey: string,
  variants: Array<{ model: BenchModel; of: string }> = [],
): Scenario[] {
  // Echo and score requests are byte-identical, service key included, so only the handling differs.
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` };
  const scenarios: Scenario[] = [];
  for (const model of models) {
    const body = (records: number, explain: boolean) =>
      buildScoreBody(model.name, model.version, model.features, records, explain);
    const echo = (records: number, connections: number): Scenario => ({
      name: `${model.name} echo-${records} @${connections}`,
      target: 'echo',
      model: model.name,
      connections,
      method: 'POST',
      path: '/echo',
      headers,
      body: JSON.stringify(body(records, false)),
      records,
    });
    const score = (records: number, explain: boolean, connections: number, improve = false): Scenario => {
      const request = buildScoreBody(model.name, model.version, model.features, records, explain, improve);
      return {
        name: `${model.name} score-${records}${explain ? '-explain' : ''}${improve ? '-improve' : ''} @${connections}`,
        target: 'service',
        model: model.name,
        connections,
        method: 'POST',
        path: '/v1/score',
        headers,
        body: JSON.stringify(request),
        records,
        check: expectScores(records, explain, improve),
        floor: { echo: `${model.name} echo-${records} @${connections}`, request },
      };
    };
    scenarios.push(echo(1, 32), score(1, false, 32));
    for (const connections of CALLER_COUNTS) {
      scenarios.push(echo(200, connections), score(200, false, connections), score(200, true, connections));
    }
    if (model.features.some((f) => f.actionable !== undefined)) {
      scenarios.push(score(200, true, EXPLANATION_CALLERS, true));
    }
    scenarios.push(echo(1000, 8), score(1000, true, 8));
    scenarios.push({
      ...score(1000, true, OVERLOAD_CONNECTIONS),
      name: `${model.name} overload-1000-explain @${OVERLOAD_CONNECTIONS}`,
      allowShedding: true,
    });
    delete scenarios.at(-1)!.floor;
    scenarios.push({
      ...score(200, false, 32),
      name: `${model.name} mixed: score-200 @32 at ${MIXED_SCORING_SHARE * 100} % of its top rate + generate-${LARGE_PROMPT_CHARS / 1024}k @${MIXED_GATEWAY_CONNECTIONS}`,
      rate: { of: `${model.name} score-200 @32`, share: MIXED_SCORING_SHARE },
      alongside: {
        name: `generate-${LARGE_PROMPT_CHARS / 1024}k`,
        target: 'service',
        connections: MIXED_GATEWAY_CONNECTIONS,
        method: 'POST',
        path: '/v1/generate',
        headers,
        body: JSON.stringify(buildLargePromptBody(LARGE_PROMPT_CHARS)),
        records: 1,
        check: (response) =>
          (response as { masked?: { total?: number } }).masked?.total ? undefined : 'the long prompt was not masked',
      },
    });
  }
  for (const { model, of } of variants) {
    const request = buildScoreBody(model.name, model.version, model.features, 200, true);
    scenarios.push({
      name: `${model.name} score-200-explain @${EXPLANATION_CALLERS}`,
      target: 'explanations',
      model: model.name,
      connections: EXPLANATION_CALLERS,
      method: 'POST',
      path: '/v1/score',
      headers,
      body: JSON.stringify(request),
      records: 200,
      check: expectScores(200, true),
      floor: { echo: `${of} echo-200 @${EXPLANATION_CALLERS}`, request },
    });
  }
  // The LLM gateway's own overhead: the stub provider called directly, then through /v1/generate.
  scenarios.push(
    {
      name: 'llm-direct-1',
      target: 'stub',
      connections: 32,
      method: 'POST',
      path: '/chat/completions',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(buildDirectChatBody()),
      records: 1,
      check: expectCompletion,
    },
    {
      name: 'generate-1',
      target: 'service',
      connections: 32,
      method: 'POST',
      path: '/v1/generate',
      headers,
      body: JSON.stringify(buildGenerateBody()),
      records: 1,
      check: expectGeneration,
    },
  );
  return scenarios;
}

/** Every record scored, none in `errors`, factors (and improvements) present when asked for. */
function expectScores(records: number, explain: boolean, improve = false): (response: unknown) => string | undefined {
  return (response) => {
    const body = response as {
      results?: Array<{ factors?: unknown[]; improvements?: unknown[] }>;
      errors?: Array<{ message: string }>;
    };
    if (body.errors && body.errors.length > 0)
      return `${body.errors.length} record errors, first: ${body.errors[0]!.message}`;
    if (body.results?.length !== records) return `expected ${records} results, got ${body.results?.length ?? 'none'}`;
    if (explain && !body.results.every((r) => Array.isArray(r.factors) && r.factors.length > 0))
      return 'explain was on but results have no factors';
    if (improve && !body.results.every((r) => Array.isArray(r.improvements)))
      return 'improve was on but results have no improvements';
    return undefined;
  };
}
