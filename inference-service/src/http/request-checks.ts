import type { Context, MiddlewareHandler } from 'hono';
import { ApiError } from './api-error.ts';

/**
 * What a request must pass before any route sees it: the service key, a JSON body of an
 * allowed size, a valid signature. Each check is written once, as a function that throws an
 * ApiError, and composed two ways:
 * - as Hono middleware, for the routes of the full app (asMiddleware);
 * - called in line by the scoring route (runChecks), which runs as Hono's single-handler fast
 *   path: every middleware layer costs an async frame per request, and at a few microseconds
 *   per score those frames were a fifth of the request (docs/performance.md).
 *
 * A check returns a promise only when it has to wait (a chunked body, a signed body), so
 * the common case costs no async frame at all.
 */
export type RequestCheck = (c: Context) => void | Promise<void>;

/** The checks, in order, for every request but health checks, and for requests with a body. */
export interface RequestChecks {
  always: RequestCheck[];
  /** POST, PUT and PATCH. */
  withBody: RequestCheck[];
}

export function asMiddleware(check: RequestCheck): MiddlewareHandler {
  return (c, next) => {
    const waiting = check(c);
    return waiting ? waiting.then(next) : next();
  };
}

/**
 * Runs checks in order (for a request with a body: `always`, then `withBody`); the first failure throws its
 * ApiError. Returns a promise only when a check has to wait, so the usual request, whose
 * checks are all synchronous, awaits nothing here.
 */
export function runChecks(c: Context, checks: readonly RequestCheck[], from = 0): Promise<void> | undefined {
  for (let i = from; i < checks.length; i++) {
    const waiting = checks[i]!(c);
    if (waiting) return waiting.then(() => runChecks(c, checks, i + 1));
  }
  return undefined;
}

const JSON_MEDIA_TYPE = /^application\/([a-z0-9.+-]*\+)?json\b/i;

/** 415 unless the body is declared as JSON (application/json or any +json type). */
export const jsonContentType: RequestCheck = (c) => {
  const type = c.req.header('content-type') ?? '';
  if (!JSON_MEDIA_TYPE.test(type)) {
    throw new ApiError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `send the body as JSON with "Content-Type: application/json" (got "${type || 'none'}")`,
    );
  }
};
