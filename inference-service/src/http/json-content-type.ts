import type { MiddlewareHandler } from 'hono';
import { ApiError, echoed } from './api-error.ts';

const JSON_MEDIA_TYPE = /^application\/([a-z0-9.+-]*\+)?json\b/i;

/** 415 unless the body is declared as JSON (application/json or any +json type). */
export const jsonContentType: MiddlewareHandler = (c, next) => {
  const type = c.req.header('content-type') ?? '';
  if (!JSON_MEDIA_TYPE.test(type)) {
    throw new ApiError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `send the body as JSON with "Content-Type: application/json" (got ${type ? echoed(type) : 'none'})`,
    );
  }
  return next();
};
