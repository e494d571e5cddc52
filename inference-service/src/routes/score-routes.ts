import { createRoute } from '@hono/zod-openapi';
import type { Handler } from 'hono';
import { ApiError } from '../http/api-error.ts';
import { ErrorBody } from '../http/error-schemas.ts';
import { runChecks } from '../http/request-checks.ts';
import type { RequestChecks } from '../http/request-checks.ts';
import { jsonResponse } from '../http/request-lifecycle.ts';
import type { RequestLifecycle } from '../http/request-lifecycle.ts';
import { validationError } from '../http/router.ts';
import type { ServiceState } from '../http/service-state.ts';
import type { ServiceMetrics } from '../observability/metrics.ts';
import { scoreRecords } from '../scoring/score-records.ts';
import { parseScoreRequest, ScoreRequest, ScoreResponse } from '../scoring/score-schemas.ts';
import { modelNotFound } from './model-routes.ts';

const errorDoc = (description: string) => ({
  description,
  content: { 'application/json': { schema: ErrorBody } },
});

export const SCORE_PATH = '/v1/score';

/** The route's OpenAPI description; the full app registers it for /openapi.json. */
export const scoreRoute = createRoute({
  method: 'post',
  path: SCORE_PATH,
  operationId: 'scoreRecords',
  summary: 'Score records with a model, optionally explaining each score',
  description:
    'Scores every record independently: a record that fails validation or inference comes back in `errors` ' +
    'and never fails the others.',
  request: { body: { required: true, content: { 'application/json': { schema: ScoreRequest } } } },
  responses: {
    200: { description: 'Scores and per-record errors', content: { 'application/json': { schema: ScoreResponse } } },
    400: errorDoc('The request body does not match the schema'),
    401: errorDoc('Missing or invalid service key'),
    404: errorDoc('Unknown model or version; details list the known models'),
    413: errorDoc('Body or record count over the limit'),
    503: errorDoc('Models are still loading'),
  },
});

export interface ScoreRouteDependencies {
  state: ServiceState;
  metrics: ServiceMetrics;
  lifecycle: RequestLifecycle;
  checks: RequestChecks;
  maxRecords: number;
}

/**
 * POST /v1/score as one Hono handler: id, checks, validation, scoring and metrics in line, so
 * the route runs on Hono's single-handler fast path instead of through a middleware chain
 * (request-checks.ts says why). It answers to exactly what the full app's middleware would:
 * the same checks in the same order, the same error bodies, the same metrics and logs.
 */
export function scoreHandler({ state, metrics, lifecycle, checks, maxRecords }: ScoreRouteDependencies): Handler {
  const allChecks = [...checks.always, ...checks.withBody];

  /**
   * Checks a parsed body and queues its records for the model. Synchronous, and handed the
   * body by a promise callback rather than holding it in the handler: V8 keeps an async
   * function's locals for as long as it waits, so a request waiting for its run would
   * otherwise hold its whole parsed body (docs/performance.md).
   */
  const queueScoring = (body: unknown) => {
    // Documented from ScoreRequest; parseScoreRequest accepts exactly what ScoreRequest accepts
    // at a fraction of the cost of parsing every record with the full object schema.
    const parsed = parseScoreRequest(body);
    if (!parsed.success) throw validationError(parsed.error.issues);
    const request = parsed.data;
    const registry = state.requireRegistry();
    if (request.records.length > maxRecords) {
      throw new ApiError(
        413,
        'TOO_MANY_RECORDS',
        `${request.records.length} records in one request; the limit is ${maxRecords}, so split them into chunks`,
        { limit: maxRecords },
      );
    }
    const model = registry.get(request.model, request.version);
    if (!model) throw modelNotFound(registry, request.model, request.version);
    return { model, scored: scoreRecords(model, request) };
  };

  return async (c) => {
    lifecycle.begin(c);
    let response: Response;
    try {
      const waiting = runChecks(c, allChecks);
      if (waiting) await waiting;
      const { model, scored } = await c.req.json().then(queueScoring, notJson);
      // Hono keeps the body text cached for the request's life; nothing reads it after this,
      // and under load a request waiting for the model would hold it (52 KB for 200 records).
      delete c.req.bodyCache.text;
      const answer = await scored;
      if (answer.results.length > 0)
        metrics
          .counter(metrics.recordsScored, { model: model.name, version: model.version })
          .inc(answer.results.length);
      for (const error of answer.errors)
        metrics.counter(metrics.recordErrors, { model: model.name, code: error.code }).inc();
      response = jsonResponse(c, answer);
    } catch (error) {
      response = lifecycle.errorResponse(c, error);
    }
    lifecycle.end(c, SCORE_PATH, response.status);
    return response;
  };
}

function notJson(): never {
  throw new ApiError(400, 'INVALID_JSON', 'the request body is not valid JSON');
}
