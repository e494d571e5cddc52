import { HTTPException } from 'hono/http-exception';
import { routePath } from 'hono/route';
import type { Context, ErrorHandler, MiddlewareHandler } from 'hono';
import type { Logger } from '../observability/logger.ts';
import type { ServiceMetrics } from '../observability/metrics.ts';
import { roundMs } from '../rounding.ts';
import { ApiError, openAiErrorType } from './api-error.ts';
import type { ErrorCode } from './api-error.ts';
import type { ErrorBody } from './error-schemas.ts';

declare module 'hono' {
  interface ContextVariableMap {
    /** The caller's X-Request-Id when well-formed, else a new UUID; echoed on the response and in logs. */
    requestId: string;
    /** When the request reached the app, on the performance.now() clock (the LLM gateway's latency starts here). */
    arrivedAt: number;
  }
}

/** Longer ids, or ids with other characters, are replaced rather than echoed into headers and logs. */
const MAX_REQUEST_ID_LENGTH = 255;
const REQUEST_ID_CHARACTERS = /^[\w\-=]+$/;

export interface RequestLifecycleOptions {
  metrics: ServiceMetrics;
  logger: Logger;
  /** Counted but never logged (health checks): load balancers poll them all day. */
  quietRoutes: Iterable<string>;
}

/**
 * The app's first middleware: every request gets an id, a metric sample under its route
 * pattern, and a log line when it failed.
 */
export function requestLifecycle({ metrics, logger, quietRoutes }: RequestLifecycleOptions): MiddlewareHandler {
  const quiet = new Set(quietRoutes);
  return async (c, next) => {
    c.set('arrivedAt', performance.now());
    let id = c.req.header('x-request-id');
    if (id === undefined || id.length > MAX_REQUEST_ID_LENGTH || !REQUEST_ID_CHARACTERS.test(id)) {
      id = crypto.randomUUID();
    }
    c.set('requestId', id);
    c.header('X-Request-Id', id);

    await next();

    // The pattern the request was addressed to, even when a middleware answered (a 401), so labels stay
    // bounded (no model names or ids); "unmatched" when only the app-wide middleware matched.
    const pattern = routePath(c, -1);
    const route = pattern.endsWith('*') ? 'unmatched' : pattern;
    const status = c.res.status;
    const seconds = (performance.now() - c.get('arrivedAt')) / 1000;
    metrics.observeRequest(route, c.req.method, status, seconds);
    // Successful requests log at debug: at thousands of requests per second a line each costs
    // more CPU than scoring, and Heroku's router already logs every request with its id.
    // Client errors log at info; server errors are logged by errorHandler with their stack.
    const level = status >= 400 ? 'info' : 'debug';
    if (logger.isLevelEnabled(level) && !quiet.has(route)) {
      logger[level]({ requestId: id, method: c.req.method, route, status, ms: roundMs(seconds * 1000) }, 'request');
    }
  };
}

/** The app's onError: the JSON error response for anything a route or middleware threw; unexpected errors are logged with their stack. */
export function errorHandler(logger: Logger): ErrorHandler {
  return (error, c) => {
    if (error instanceof ApiError) {
      if (error.retryAfterSeconds !== undefined) c.header('Retry-After', String(error.retryAfterSeconds));
      return errorBody(c, error.status, error.code, error.message, error.details, error.param);
    }
    if (error instanceof HTTPException) {
      if (error.status === 400) return errorBody(c, 400, 'INVALID_JSON', 'the request body is not valid JSON');
      return errorBody(c, error.status, error.status === 413 ? 'PAYLOAD_TOO_LARGE' : 'VALIDATION_ERROR', error.message);
    }
    logger.error({ requestId: c.get('requestId'), err: error, route: routePath(c, -1) }, 'unhandled error');
    return errorBody(c, 500, 'INTERNAL', 'internal error; the service log has the details under this request id');
  };
}

/** The error shape every route shares; also the app's 404 for unknown paths. */
export function errorBody(
  c: Context,
  status: ApiError['status'],
  code: ErrorCode,
  message: string,
  details?: unknown,
  param?: string,
): Response {
  const body: ErrorBody = {
    error: { code, message, type: openAiErrorType(status), param: param ?? null, requestId: c.get('requestId') },
  };
  if (details !== undefined) body.error.details = details;
  return c.json(body, status);
}
