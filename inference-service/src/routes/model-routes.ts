import { createRoute, z } from '@hono/zod-openapi';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { ApiError, echoed } from '../http/api-error.ts';
import { errorResponse } from '../http/error-schemas.ts';
import { createRouter } from '../http/router.ts';
import type { ServiceState } from '../http/service-state.ts';
import { ModelCard } from '@byom/contracts/model-card';
import type { ModelRegistry } from '../models/model-registry.ts';

const ModelSummary = z
  .object({
    name: z.string(),
    defaultVersion: z.string(),
    versions: z.array(z.string()),
    task: z.string(),
    description: z.string().optional(),
  })
  .openapi('ModelSummary');

const ModelList = z.object({ models: z.array(ModelSummary) }).openapi('ModelList');

const ExplanationSummary = z
  .object({
    version: z.string(),
    method: z
      .enum(['shapley', 'occlusion'])
      .openapi({ description: "The card's explanations.method (occlusion without one)." }),
    algorithm: z.enum(['tree-shap', 'coalitions']).optional().openapi({
      description: "shapley: TreeSHAP from the graph's trees, or model runs on coalitions of features.",
    }),
    groups: z.array(z.array(z.string())).optional().openapi({
      description:
        'coalitions: features whose contributions the graph lets be computed apart are in groups of their own; a group of k features off their baselines costs 2^k − 1 rows per record.',
    }),
    margins: z.enum(['logits', 'probability', 'value']).openapi({
      description:
        "Where log-odds come from: the graph's logits, or the probability (clamped to ±16.12 near 0 and 1); regressors: the raw value.",
    }),
    notes: z.array(z.string()).optional(),
    actionable: z.array(z.string()).openapi({ description: 'Features "how to improve" may change.' }),
  })
  .openapi('ExplanationSummary');

const ModelDetail = z
  .object({
    name: z.string(),
    defaultVersion: z.string(),
    versions: z.array(ModelCard).openapi({ description: 'The model card of every version, oldest first.' }),
    explanations: z
      .array(ExplanationSummary)
      .openapi({ description: 'How each version is explained, in the order of versions (docs/explanations.md).' }),
  })
  .openapi('ModelDetail');

const NameParam = z.object({
  name: z
    .string()
    .min(1)
    .openapi({ param: { name: 'name', in: 'path' }, example: 'lead-scoring' }),
});

const listRoute = createRoute({
  method: 'get',
  path: '/v1/models',
  operationId: 'listModels',
  summary: 'List the models this service serves',
  responses: {
    200: { description: 'Every model with its versions', content: { 'application/json': { schema: ModelList } } },
  },
});

const getRoute = createRoute({
  method: 'get',
  path: '/v1/models/{name}',
  operationId: 'getModel',
  summary: 'Model cards of one model: features, types, bands, metrics, training data',
  request: { params: NameParam },
  responses: {
    200: { description: 'The model cards', content: { 'application/json': { schema: ModelDetail } } },
    404: errorResponse('Unknown model'),
  },
});

export function modelRoutes(state: ServiceState): OpenAPIHono {
  const app = createRouter();
  app.openapi(listRoute, (c) => c.json({ models: state.requireRegistry().list() }, 200));
  app.openapi(getRoute, (c) => {
    const { name } = c.req.valid('param');
    const registry = state.requireRegistry();
    const family = registry.versionsOf(name);
    if (!family) throw modelNotFound(registry, name);
    return c.json(
      {
        name,
        defaultVersion: family.defaultVersion,
        versions: family.models.map((m) => m.card),
        explanations: family.models.map((m) => ({ version: m.version, ...m.explanation })),
      },
      200,
    );
  });
  return app;
}

/** 404 naming what exists, so a typo in Custom Metadata is fixed from the error alone. */
export function modelNotFound(registry: ModelRegistry, name: string, version?: string): ApiError {
  const known = registry.list().map((m) => ({ name: m.name, versions: m.versions, defaultVersion: m.defaultVersion }));
  const family = registry.versionsOf(name);
  const message =
    family && version !== undefined
      ? `model ${echoed(name)} has no version ${echoed(version)} (versions: ${family.models.map((m) => m.version).join(', ')})`
      : `unknown model ${echoed(name)} (known models: ${known.map((m) => m.name).join(', ') || 'none'})`;
  return new ApiError(404, 'MODEL_NOT_FOUND', message, { knownModels: known });
}
