import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * Stable error codes. Clients (Apex first of all) branch on `code`, never on `message`,
 * so a code is never renamed; new situations get new codes. The wire schema
 * (error-schemas.ts) is built from this list, so code that throws errors needs no zod.
 */
export const ERROR_CODES = [
  'BAD_REQUEST',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  'MODEL_NOT_FOUND',
  'VALIDATION_ERROR',
  'INVALID_JSON',
  'UNSUPPORTED_MEDIA_TYPE',
  'PAYLOAD_TOO_LARGE',
  'TOO_MANY_RECORDS',
  'NOT_READY',
  'OVERLOADED',
  'REQUEST_TIMEOUT',
  'HEADERS_TOO_LARGE',
  'INFERENCE_FAILED',
  'ROUTE_NOT_FOUND',
  'MASKING_FAILED',
  'PROVIDERS_FAILED',
  'DEADLINE_EXCEEDED',
  'OUTPUT_REJECTED',
  'BUDGET_EXCEEDED',
  'RATE_LIMITED',
  'LIMITS_UNAVAILABLE',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** The one error type routes throw; the app's onError turns it into `{ error: { code, message } }`. */
export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: ContentfulStatusCode;
  readonly code: ErrorCode;
  readonly details: unknown;
  /** The request field at fault (`messages.0.content`, `n`), reported as OpenAI's `param`. */
  readonly param: string | undefined;
  /** Sent as Retry-After: when a refused request (429, 503) is worth sending again. */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    status: ContentfulStatusCode,
    code: ErrorCode,
    message: string,
    details?: unknown,
    extra: { param?: string | undefined; retryAfterSeconds?: number | undefined } = {},
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
    this.param = extra.param;
    this.retryAfterSeconds = extra.retryAfterSeconds;
  }
}

/**
 * OpenAI's error `type` for a status, which OpenAI clients and the LLM Open Connector read
 * beside the service's own `code`.
 */
export function openAiErrorType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

/** How much of a caller's own text an error message repeats: enough to recognise it, never a copy of a body. */
export const MAX_ECHOED_CHARS = 100;

/** Caller-supplied text for an error message: JSON-quoted, and cut to MAX_ECHOED_CHARS with an ellipsis. */
export function echoed(text: string): string {
  return JSON.stringify(text.length > MAX_ECHOED_CHARS ? `${text.slice(0, MAX_ECHOED_CHARS)}…` : text);
}

/** Models load in well under this (docs/benchmarks.md: boot to ready); a client that waits it finds them loaded. */
const NOT_READY_RETRY_SECONDS = 2;

/** 503 NOT_READY for a request that arrives while the service (or the part it needs) is still starting. */
export function notReady(message: string): ApiError {
  return new ApiError(503, 'NOT_READY', message, undefined, { retryAfterSeconds: NOT_READY_RETRY_SECONDS });
}
