import { createRoute } from '@hono/zod-openapi';
import { validator } from 'hono/validator';
import { ApiError } from "../http/api-error.js";
import { ErrorBody } from "../http/error-schemas.js";
import { createRouter, validationError } from "../http/router.js";
import { scoreRecords } from "../scoring/score-records.js";
import { parseScoreRequest, ScoreRequest, ScoreResponse } from "../scoring/score-schemas.js";
import { modelNotFound } from "./model-routes.js";
const errorResponse = (description) => ({
    description,
    content: { 'application/json': { schema: ErrorBody } },
});
const scoreRoute = createRoute({
    method: 'post',
    path: '/v1/score',
    operationId: 'scoreRecords',
    summary: 'Score records with a model, optionally explaining each score',
    description: 'Scores every record independently: a record that fails validation or inference comes back in `errors` ' +
        'and never fails the others.',
    request: { body: { required: true, content: { 'application/json': { schema: ScoreRequest } } } },
    responses: {
        200: { description: 'Scores and per-record errors', content: { 'application/json': { schema: ScoreResponse } } },
        400: errorResponse('The request body does not match the schema'),
        401: errorResponse('Missing or invalid service key'),
        404: errorResponse('Unknown model or version; details list the known models'),
        413: errorResponse('Body or record count over the limit'),
        503: errorResponse('Models are still loading'),
    },
});
export function scoreRoutes(state, metrics, maxRecords) {
    const app = createRouter();
    // Documented from ScoreRequest; validated by parseScoreRequest, which accepts exactly what
    // ScoreRequest accepts at a fraction of the cost (zod-openapi's own validator would parse
    // every record with the full object schema).
    app.openAPIRegistry.registerPath(scoreRoute);
    const validScoreRequest = validator('json', (body, c) => {
        const parsed = parseScoreRequest(body);
        if (!parsed.success)
            throw validationError(parsed.error.issues);
        // Hono keeps the body text cached for the request's life; nothing reads it after this,
        // and under load a request waiting for the model would hold it (52 KB for 200 records).
        delete c.req.bodyCache.text;
        return parsed.data;
    });
    app.post(scoreRoute.path, validScoreRequest, async (c) => {
        const request = c.req.valid('json');
        const registry = state.requireRegistry();
        if (request.records.length > maxRecords) {
            throw new ApiError(413, 'TOO_MANY_RECORDS', `${request.records.length} records in one request; the limit is ${maxRecords}, so split them into chunks`, { limit: maxRecords });
        }
        const model = registry.get(request.model, request.version);
        if (!model)
            throw modelNotFound(registry, request.model, request.version);
        const response = await scoreRecords(model, request);
        if (response.results.length > 0)
            metrics
                .counter(metrics.recordsScored, { model: model.name, version: model.version })
                .inc(response.results.length);
        for (const error of response.errors)
            metrics.counter(metrics.recordErrors, { model: model.name, code: error.code }).inc();
        return c.json(response, 200);
    });
    return app;
}
