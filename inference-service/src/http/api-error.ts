import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * Stable error codes. Clients (Apex first of all) branch on `code`, never on `message`,
 * so a code is never renamed; new situations get new codes. The wire schema
 * (error-schemas.ts) is built from this list, so code that throws errors needs no zod.
 */
export const ERROR_CODES = [
  'UNAUTHORIZED',
  'NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  'MODEL_NOT_FOUND',
  'VALIDATION_ERROR',
  'INVALID_JSON',
  'UNSUPPORTED_MEDIA_TYPE',
  'PAYLOAD_TOO_LARGE',
  'TOO_MANY_RECORDS',
  'NOT_READY',
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

  constructor(status: ContentfulStatusCode, code: ErrorCode, message: string, details?: unknown, param?: string) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
    this.param = param;
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
