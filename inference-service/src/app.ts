import { OpenAPIHono } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import type { Context } from 'hono';
import type { Config } from './config.ts';
import { ApiError } from './http/api-error.ts';
import { apiKeyAuth } from './http/api-key-auth.ts';
import { bodySizeLimit } from './http/body-size-limit.ts';
import { requestSignature } from './http/request-signature.ts';
import { renderApiDocsPage } from './http/api-docs-page.ts';
import type { ErrorBody, ErrorCode } from './http/error-schemas.ts';
import type { ServiceState } from './http/service-state.ts';
import type { Logger } from './observability/logger.ts';
import type { ServiceMetrics } from './observability/metrics.ts';
import { HEALTH_PATHS, healthRoutes } from './routes/health-routes.ts';
import { modelRoutes } from './routes/model-routes.ts';
import { oipRoutes } from './routes/oip-routes.ts';
import { scoreRoutes } from './routes/score-routes.ts';
import { chatCompletionsRoutes } from './routes/chat-completions-routes.ts';
import { generateRoutes } from './routes/generate-routes.ts';
import { GatewayState } from './generation/gateway-state.ts';

export const SERVICE_VERSION = '0.1.0';

declare module 'hono' {
  interface ContextVariableMap {
    /** When the request reached the app, on the performance.now() clock (the LLM gateway's latency starts here). */
    arrivedAt: number;
  }
}

const HEALTH_ROUTES = new Set<string>(Object.values(HEALTH_PATHS));

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

/** Builds the HTTP app; server.ts starts it and tests call `app.request()` on it. */
export function createApp({ config, state, logger, metrics, now, llm }: AppDependencies): OpenAPIHono {
  const app = new OpenAPIHono();
  metrics.observeInference(() => state.registry);

  app.use(requestId());
  app.use(async (c, next) => {
    const started = performance.now();
    c.set('arrivedAt', started);
    await next();
    const seconds = (performance.now() - started) / 1000;
    // The route pattern, not the path, keeps metric labels bounded (no model names or ids).
    const route = c.res.status === 404 && !c.req.routePath.includes('{') ? 'unmatched' : c.req.routePath;
    metrics.observeRequest(route, c.req.method, c.res.status, seconds);
    // Successful requests log at debug: at thousands of requests per second a line each costs
    // more CPU than scoring, and Heroku's router already logs every request with its id.
    // Client errors log at info; server errors are logged by onError with their stack.
    const level = c.res.status >= 400 ? 'info' : 'debug';
    if (logger.isLevelEnabled(level) && !HEALTH_ROUTES.has(route)) {
      logger[level](
        {
          requestId: c.get('requestId'),
          method: c.req.method,
          route,
          status: c.res.status,
          ms: round2(seconds * 1000),
        },
        'request',
      );
    }
  });

  app.route('/', healthRoutes(state));

  app.use(apiKeyAuth(config.apiKeys));
  app.on(['POST', 'PUT', 'PATCH'], '*', requireJson, bodySizeLimit(config.maxBodyBytes));
  if (config.signingSecrets.length > 0) {
    const verify = requestSignature({
      secrets: config.signingSecrets,
      toleranceSeconds: config.signatureToleranceSeconds,
      logger,
      ...(now ? { now } : {}),
    });
    app.on(['POST', 'PUT', 'PATCH'], '*', verify);
  }

  app.route('/', scoreRoutes(state, metrics, config.maxRecordsPerRequest));
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

  app.notFound((c) => errorResponse(c, 404, 'NOT_FOUND', `no route ${c.req.method} ${c.req.path}; see /docs`));
  app.onError((error, c) => {
    if (error instanceof ApiError) return errorResponse(c, error.status, error.code, error.message, error.details);
    if (error instanceof HTTPException) {
      if (error.status === 400) return errorResponse(c, 400, 'INVALID_JSON', 'the request body is not valid JSON');
      return errorResponse(
        c,
        error.status,
        error.status === 413 ? 'PAYLOAD_TOO_LARGE' : 'VALIDATION_ERROR',
        error.message,
      );
    }
    logger.error({ requestId: c.get('requestId'), err: error, route: c.req.routePath }, 'unhandled error');
    return errorResponse(c, 500, 'INTERNAL', 'internal error; the service log has the details under this request id');
  });
  return app;
}

function errorResponse(
  c: Context,
  status: ApiError['status'],
  code: ErrorCode,
  message: string,
  details?: unknown,
): Response {
  const body: ErrorBody = { error: { code, message, requestId: c.get('requestId') } };
  if (details !== undefined) body.error.details = details;
  return c.json(body, status);
}

function requireJson(c: Context, next: () => Promise<void>): Promise<void> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/([a-z0-9.+-]*\+)?json\b/i.test(type)) {
    throw new ApiError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `send the body as JSON with "Content-Type: application/json" (got "${type || 'none'}")`,
    );
  }
  return next();
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
