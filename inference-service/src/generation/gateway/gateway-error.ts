import { ApiError } from '../../http/api-error.ts';
import type { ErrorCode } from '../../http/api-error.ts';
import type { GenerationTiming } from '../domain.ts';

/**
 * Kept apart from the gateway so the routes can recognise its errors without loading the
 * AI SDK (which the service only imports when BYOM_ROUTES is set).
 */

/** An ApiError that also says how long the request took, for the timing headers. */
export class GatewayError extends ApiError {
  override name = 'GatewayError';
  readonly timing: GenerationTiming;

  constructor(
    status: ApiError['status'],
    code: ErrorCode,
    message: string,
    details: unknown,
    timing: GenerationTiming,
    retryAfterSeconds?: number,
    param?: string,
  ) {
    super(status, code, message, details, { param, retryAfterSeconds });
    this.timing = timing;
  }
}
