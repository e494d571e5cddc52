import { HTTPException } from 'hono/http-exception';
import type { Context, MiddlewareHandler } from 'hono';
import type { Logger } from '../observability/logger.ts';
import type { ServiceMetrics } from '../observability/metrics.ts';
import { ApiError } from './api-error.ts';
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

/**
 * What every request gets, whichever way it is routed: an id, a metric sample by route
 * pattern, a log line when it failed, and errors as `{ error: { code, message } }`. The full
 * app applies it as middleware (`middleware()`); the scoring route calls `begin` and `end`
 * itself, since it runs as Hono's single-handler fast path (request-checks.ts says why).
 */
export class RequestLifecycle {
  private readonly metrics: ServiceMetrics;
  private readonly logger: Logger;
  private readonly quietRoutes: ReadonlySet<string>;

  /** `quietRoutes` (health checks) are counted but never logged: load balancers poll them all day. */
  constructor(metrics: ServiceMetrics, logger: Logger, quietRoutes: Iterable<string>) {
    this.metrics = metrics;
    this.logger = logger;
    this.quietRoutes = new Set(quietRoutes);
  }

  /** Gives the request its id and arrival time; returns the id. */
  begin(c: Context): string {
    c.set('arrivedAt', performance.now());
    let id = c.req.header('x-request-id');
    if (id === undefined || id.length > MAX_REQUEST_ID_LENGTH || !REQUEST_ID_CHARACTERS.test(id)) {
      id = crypto.randomUUID();
    }
    c.set('requestId', id);
    return id;
  }

  /** Counts and times the finished request under its route pattern, and logs it. */
  end(c: Context, route: string, status: number): void {
    const seconds = (performance.now() - c.get('arrivedAt')) / 1000;
    this.metrics.observeRequest(route, c.req.method, status, seconds);
    // Successful requests log at debug: at thousands of requests per second a line each costs
    // more CPU than scoring, and Heroku's router already logs every request with its id.
    // Client errors log at info; server errors are logged by errorResponse with their stack.
    const level = status >= 400 ? 'info' : 'debug';
    if (this.logger.isLevelEnabled(level) && !this.quietRoutes.has(route)) {
      this.logger[level](
        { requestId: c.get('requestId'), method: c.req.method, route, status, ms: round2(seconds * 1000) },
        'request',
      );
    }
  }

  /** begin and end around the full app's routes; errors reach `errorResponse` through the app's onError. */
  middleware(): MiddlewareHandler {
    return async (c, next) => {
      c.header('X-Request-Id', this.begin(c));
      await next();
      // The route pattern, not the path, keeps metric labels bounded (no model names or ids).
      const route = c.res.status === 404 && !c.req.routePath.includes('{') ? 'unmatched' : c.req.routePath;
      this.end(c, route, c.res.status);
    };
  }

  /** The JSON error response for anything a route or check threw; unexpected errors are logged with their stack. */
  errorResponse(c: Context, error: unknown): Response {
    if (error instanceof ApiError) return errorBody(c, error.status, error.code, error.message, error.details);
    if (error instanceof HTTPException) {
      if (error.status === 400) return errorBody(c, 400, 'INVALID_JSON', 'the request body is not valid JSON');
      return errorBody(c, error.status, error.status === 413 ? 'PAYLOAD_TOO_LARGE' : 'VALIDATION_ERROR', error.message);
    }
    this.logger.error({ requestId: c.get('requestId'), err: error, route: c.req.routePath }, 'unhandled error');
    return errorBody(c, 500, 'INTERNAL', 'internal error; the service log has the details under this request id');
  }
}

/** The error shape every route shares; also the full app's 404 for unknown paths. */
export function errorBody(
  c: Context,
  status: ApiError['status'],
  code: ErrorCode,
  message: string,
  details?: unknown,
): Response {
  const requestId = c.get('requestId');
  const body: ErrorBody = { error: { code, message, requestId } };
  if (details !== undefined) body.error.details = details;
  return c.json(body, status, { 'X-Request-Id': requestId });
}

/**
 * A JSON response with the request's id, built as a plain header object: Hono's c.json turns
 * more than one header into a Headers instance, which @hono/node-server then converts back,
 * a cost the scoring route pays on every request for nothing.
 */
export function jsonResponse(c: Context, body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', 'x-request-id': c.get('requestId') },
  });
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
