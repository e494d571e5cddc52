import { OpenAPIHono } from '@hono/zod-openapi';
import type { Config } from './config.ts';
import { echoed } from './http/api-error.ts';
import { BytesInFlight, admitByBytesInFlight } from './http/admission-control.ts';
import { apiKeyAuth } from './http/api-key-auth.ts';
import { bodySizeLimit } from './http/body-size-limit.ts';
import { closeWhenRefused, sendContinue } from './http/expect-continue.ts';
import { jsonContentType } from './http/json-content-type.ts';
import { errorBody, errorHandler, requestLifecycle } from './http/request-lifecycle.ts';
import { requestSignature } from './http/request-signature.ts';
import { openApiDocumentOf } from './http/openapi-document.ts';
import type { ServiceState } from './http/service-state.ts';
import type { Logger } from './observability/logger.ts';
import type { ServiceMetrics } from './observability/metrics.ts';
import { docsRoutes } from './routes/docs-routes.ts';
import { HEALTH_PATHS, healthRoutes } from './routes/health-routes.ts';
import { metricsRoutes } from './routes/metrics-routes.ts';
import { modelRoutes } from './routes/model-routes.ts';
import { oipRoutes } from './routes/oip-routes.ts';
import { scoreRoutes } from './routes/score-routes.ts';
import { chatCompletionsRoutes } from './routes/chat-completions-routes.ts';
import { generateRoutes } from './routes/generate-routes.ts';
import { GatewayState } from './generation/gateway/gateway-state.ts';

export const SERVICE_VERSION = '0.1.0';

export interface AppDependencies {
  config: Pick<
    Config,
    'apiKeys' | 'maxRecordsPerRequest' | 'maxBodyBytes' | 'signingSecrets' | 'signatureToleranceSeconds'
  > &
    // Admission by bytes is off (unbounded) unless set: server.ts sets it, most in-process tests need not.
    Partial<Pick<Config, 'publicDocs' | 'maxBytesInFlight' | 'unsignedKeys'>>;
  /** The clock for signature freshness checks; tests inject one. */
  now?: () => number;
  state: ServiceState;
  logger: Logger;
  metrics: ServiceMetrics;
  /** The LLM gateway behind /v1/generate and /v1/chat/completions; absent when no BYOM_ROUTES is set. */
  llm?: GatewayState;
}

/**
 * Builds the HTTP app; server.ts starts it and tests call `app.request()` on it. One app, so
 * every request passes the same middleware, in the order below, before its route.
 */
export function createApp({ config, state, logger, metrics, now, llm }: AppDependencies): OpenAPIHono {
  const app = new OpenAPIHono();
  const bytesInFlight = new BytesInFlight(config.maxBytesInFlight ?? Number.POSITIVE_INFINITY);
  metrics.observeBytesInFlight(() => bytesInFlight.inFlight);

  app.use(closeWhenRefused);
  app.use(requestLifecycle({ metrics, logger, quietRoutes: Object.values(HEALTH_PATHS) }));
  app.route('/', healthRoutes(state));
  const docs = docsRoutes(openApiDocumentOf(app, SERVICE_VERSION));
  // Before the key check when public (development), after it otherwise.
  if (config.publicDocs) app.route('/', docs);
  app.use(apiKeyAuth(config.apiKeys, config.unsignedKeys));
  app.on(
    ['POST', 'PUT', 'PATCH'],
    '*',
    jsonContentType,
    bodySizeLimit(config.maxBodyBytes),
    admitByBytesInFlight(bytesInFlight, config.maxBodyBytes),
    sendContinue,
  );
  if (config.signingSecrets.length > 0) {
    const verify = requestSignature({
      secrets: config.signingSecrets,
      toleranceSeconds: config.signatureToleranceSeconds,
      logger,
      now,
    });
    app.on(['POST', 'PUT', 'PATCH'], '*', verify);
  }

  app.route('/', scoreRoutes(state, metrics, config.maxRecordsPerRequest));
  app.route('/', modelRoutes(state));
  app.route('/', oipRoutes(state, SERVICE_VERSION));
  const gateway = llm ?? new GatewayState(undefined);
  app.route('/', generateRoutes(gateway));
  app.route('/', chatCompletionsRoutes(gateway));

  app.route('/', metricsRoutes(metrics));
  if (!config.publicDocs) app.route('/', docs);

  app.notFound((c) => errorBody(c, 404, 'NOT_FOUND', `no route ${c.req.method} ${echoed(c.req.path)}; see /docs`));
  app.onError(errorHandler(logger));
  return app;
}
