import { OpenAPIHono } from '@hono/zod-openapi';
import { Hono } from 'hono';
import type { Config } from './config.ts';
import { apiKeyAuth } from './http/api-key-auth.ts';
import { bodySizeLimit } from './http/body-size-limit.ts';
import { asMiddleware, jsonContentType } from './http/request-checks.ts';
import type { RequestChecks } from './http/request-checks.ts';
import { RequestLifecycle, errorBody } from './http/request-lifecycle.ts';
import { requestSignature } from './http/request-signature.ts';
import { renderApiDocsPage } from './http/api-docs-page.ts';
import type { ServiceState } from './http/service-state.ts';
import type { Logger } from './observability/logger.ts';
import type { ServiceMetrics } from './observability/metrics.ts';
import { HEALTH_PATHS, healthRoutes } from './routes/health-routes.ts';
import { modelRoutes } from './routes/model-routes.ts';
import { oipRoutes } from './routes/oip-routes.ts';
import { SCORE_PATH, scoreHandler, scoreRoute } from './routes/score-routes.ts';
import { chatCompletionsRoutes } from './routes/chat-completions-routes.ts';
import { generateRoutes } from './routes/generate-routes.ts';
import { GatewayState } from './generation/gateway/gateway-state.ts';

export const SERVICE_VERSION = '0.1.0';

export interface AppDependencies {
  config: Pick<
    Config,
    'apiKeys' | 'maxRecordsPerRequest' | 'maxBodyBytes' | 'signingSecrets' | 'signatureToleranceSeconds'
  >;
  /** The clock for signature freshness checks; tests inject one. */
  now?: () => number;
  state: ServiceState;
  logger: Logger;
  metrics: ServiceMetrics;
  /** The LLM gateway behind /v1/generate and /v1/chat/completions; absent when no BYOM_ROUTES is set. */
  llm?: GatewayState;
}

/**
 * Builds the HTTP app; server.ts starts it and tests call `app.request()` on it.
 *
 * Two Hono apps: POST /v1/score, the route Salesforce calls for every scored record, is the
 * outer app's one route, so Hono calls its handler directly (its single-handler fast path);
 * every other request falls through to the full app, where the same request lifecycle and
 * checks run as middleware.
 */
export function createApp(deps: AppDependencies): Hono {
  const { config, state, logger, metrics, now } = deps;
  const lifecycle = new RequestLifecycle(metrics, logger, Object.values(HEALTH_PATHS));
  const checks: RequestChecks = {
    always: [apiKeyAuth(config.apiKeys)],
    withBody: [jsonContentType, bodySizeLimit(config.maxBodyBytes)],
  };
  if (config.signingSecrets.length > 0) {
    checks.withBody.push(
      requestSignature({
        secrets: config.signingSecrets,
        toleranceSeconds: config.signatureToleranceSeconds,
        logger,
        ...(now ? { now } : {}),
      }),
    );
  }

  const full = fullApp(deps, lifecycle, checks);
  const app = new Hono();
  app.post(SCORE_PATH, scoreHandler({ state, metrics, lifecycle, checks, maxRecords: config.maxRecordsPerRequest }));
  // c.env carries @hono/node-server's incoming and outgoing messages through to the full app.
  app.notFound((c) => full.fetch(c.req.raw, c.env as object | undefined));
  return app;
}

/** Every route but the scoring fast path, behind the lifecycle and checks as middleware. */
function fullApp(
  { state, metrics, llm }: AppDependencies,
  lifecycle: RequestLifecycle,
  checks: RequestChecks,
): OpenAPIHono {
  const app = new OpenAPIHono();
  metrics.observeInference(() => state.registry);

  app.use(lifecycle.middleware());
  app.route('/', healthRoutes(state));
  for (const check of checks.always) app.use(asMiddleware(check));
  for (const check of checks.withBody) app.on(['POST', 'PUT', 'PATCH'], '*', asMiddleware(check));

  // Served by createApp's outer app; registered here so /openapi.json describes it.
  app.openAPIRegistry.registerPath(scoreRoute);
  app.route('/', modelRoutes(state));
  app.route('/', oipRoutes(state, SERVICE_VERSION));
  const gateway = llm ?? new GatewayState(undefined);
  app.route('/', generateRoutes(gateway));
  app.route('/', chatCompletionsRoutes(gateway));

  app.get('/metrics', async (c) => {
    c.header('Content-Type', metrics.registry.contentType);
    return c.body(await metrics.registry.metrics());
  });

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer' });
  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKeyHeader', {
    type: 'apiKey',
    in: 'header',
    name: 'X-API-Key',
  });
  const openApiConfig: Parameters<typeof app.getOpenAPIDocument>[0] = {
    openapi: '3.0.3',
    info: {
      title: 'BYOM Bridge inference service',
      version: SERVICE_VERSION,
      description:
        'ONNX scoring with per-feature explanations for Salesforce, the Open Inference Protocol v2, and an LLM ' +
        'gateway with PII masking (/v1/generate, and OpenAI-compatible /v1/chat/completions).',
    },
    security: [{ bearerAuth: [] }, { apiKeyHeader: [] }],
  };
  let openApiDocument: unknown;
  const document = () => (openApiDocument ??= app.getOpenAPIDocument(openApiConfig));
  app.get('/openapi.json', (c) => c.json(document()));
  app.get('/docs', (c) => c.html(renderApiDocsPage(document() as Parameters<typeof renderApiDocsPage>[0])));

  app.notFound((c) => errorBody(c, 404, 'NOT_FOUND', `no route ${c.req.method} ${c.req.path}; see /docs`));
  app.onError((error, c) => lifecycle.errorResponse(c, error));
  return app;
}
