import { createRoute, z } from '@hono/zod-openapi';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { overloaded } from '../http/admission-control.ts';
import { ApiError } from '../http/api-error.ts';
import { errorResponse } from '../http/error-schemas.ts';
import { createRouter } from '../http/router.ts';
import type { ServiceState } from '../http/service-state.ts';
import { QueueFullError } from '../models/inference-batcher.ts';
import type { ServiceMetrics } from '../observability/metrics.ts';
import { scoreRecords } from '../scoring/score-records.ts';
import { ScoreRequest, ScoreResponse } from '../scoring/score-schemas.ts';
import { modelNotFound } from './model-routes.ts';

/** `admit` runs inside the body schema, on the validator's parse: Hono caches a body's text, not its parsed value. */
function scoreRoute(state: ServiceState, maxRecords: number) {
  const body = z.preprocess(
    (value) => {
      admit(value, state, maxRecords);
      return value;
    },
    // maxItems documents the limit; admit() enforces it first, with its own 413.
    ScoreRequest.extend({ records: ScoreRequest.shape.records.max(maxRecords) }).openapi('ScoreRequest'),
  );
  return createRoute({
    method: 'post',
    path: '/v1/score',
    operationId: 'scoreRecords',
    summary: 'Score records with a model, optionally explaining each score',
    description:
      'Scores every record independently: a record that fails validation or inference comes back in `errors` ' +
      'and never fails the others.',
    request: { body: { required: true, content: { 'application/json': { schema: body } } } },
    responses: {
      200: { description: 'Scores and per-record errors', content: { 'application/json': { schema: ScoreResponse } } },
      400: errorResponse('The request body does not match the schema'),
      401: errorResponse('Missing or invalid service key'),
      404: errorResponse('Unknown model or version; details list the known models'),
      413: errorResponse('Body or record count over the limit'),
      503: errorResponse(
        'NOT_READY: models are still loading; OVERLOADED: too much work is queued (admission control). Retry-After says when to retry',
      ),
    },
  });
}

/**
 * Refusals the parsed body allows before zod looks at a record, so a hopeless request costs no
 * validation: 413 TOO_MANY_RECORDS (a million empty records would be a million zod issues), and
 * 503 OVERLOADED when the model's queue has no room for its rows (each record, plus one per
 * feature when explaining). Anything malformed is left to zod to describe.
 */
function admit(value: unknown, state: ServiceState, maxRecords: number): void {
  const body = value as { model?: unknown; version?: unknown; records?: unknown; explain?: unknown } | null;
  const records = body?.records;
  if (!Array.isArray(records)) return;
  if (records.length > maxRecords) {
    throw new ApiError(
      413,
      'TOO_MANY_RECORDS',
      `${records.length} records in one request; the limit is ${maxRecords}, so split them into chunks`,
      { limit: maxRecords },
    );
  }
  const model =
    typeof body!.model === 'string' && (body!.version === undefined || typeof body!.version === 'string')
      ? state.registry?.get(body!.model, body!.version)
      : undefined;
  const rows = records.length * (body!.explain === true && model ? 1 + model.card.features.length : 1);
  if (model && !model.hasRoomFor(rows)) {
    throw overloaded(`model ${model.name} is busy: its queue has no room for ${rows} more rows`);
  }
}

/**
 * POST /v1/score. The record count and the model's queue are checked first (admit), then zod
 * checks the envelope (ScoreRequest); each record's features are checked against the model card
 * in scoreRecords, so a bad record fails alone.
 */
export function scoreRoutes(state: ServiceState, metrics: ServiceMetrics, maxRecords: number): OpenAPIHono {
  const app = createRouter();
  app.openapi(scoreRoute(state, maxRecords), async (c) => {
    const request = c.req.valid('json');
    const registry = state.requireRegistry();
    const model = registry.get(request.model, request.version);
    if (!model) throw modelNotFound(registry, request.model, request.version);

    let answer;
    try {
      answer = await scoreRecords(model, request);
    } catch (error) {
      if (error instanceof QueueFullError) throw overloaded(`model ${model.name} is busy: ${error.message}`);
      throw error;
    }
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
