import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ErrorCode } from './error-schemas.ts';

/** The one error type routes throw; the app's onError turns it into `{ error: { code, message } }`. */
export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: ContentfulStatusCode;
  readonly code: ErrorCode;
  readonly details: unknown;

  constructor(status: ContentfulStatusCode, code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}
