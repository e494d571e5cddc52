import { createRoute } from '@hono/zod-openapi';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { ApiError } from '../http/api-error.ts';
import { ErrorBody } from '../http/error-schemas.ts';
import { createRouter } from '../http/router.ts';
import type { ServiceState } from '../http/service-state.ts';
import type { ServiceMetrics } from '../observability/metrics.ts';
import { scoreRecords } from '../scoring/score-records.ts';
import { ScoreRequest, ScoreResponse } from '../scoring/score-schemas.ts';
import { modelNotFound } from './model-routes.ts';

const errorDoc = (description: string) => ({
  description,
  content: { 'application/json': { schema: ErrorBody } },
});

const scoreRoute = createRoute({
  method: 'post',
  path: '/v1/score',
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

/**
 * POST /v1/score. zod checks the envelope (ScoreRequest); each record's features are checked
 * against the model card in scoreRecords, so a bad record fails alone.
 */
export function scoreRoutes(state: ServiceState, metrics: ServiceMetrics, maxRecords: number): OpenAPIHono {
  const app = createRouter();
  app.openapi(scoreRoute, async (c) => {
    const request = c.req.valid('json');
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

    const answer = await scoreRecords(model, request);
    if (answer.results.length > 0) {
      metrics.recordsScored.labels({ model: model.name, version: model.version }).inc(answer.results.length);
    }
    for (const error of answer.errors) metrics.recordErrors.labels({ model: model.name, code: error.code }).inc();
    for (const result of answer.results) {
      for (const warning of result.warnings ?? []) {
        metrics.recordWarnings.labels({ model: model.name, code: warning.code }).inc();
      }
    }
    return c.json(answer, 200);
  });
  return app;
}
