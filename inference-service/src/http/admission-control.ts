import type { MiddlewareHandler } from 'hono';
import { ApiError } from './api-error.ts';

/**
 * Admission control by request bytes in flight, which bound the memory the service needs (a body
 * becomes several times its size in objects while served). Past the budget a request is refused
 * before its body is read, with 503 OVERLOADED; a request alone in flight is always admitted, so
 * any body the size limit accepts can be served. (Queued rows are bounded per model too:
 * models/inference-batcher.ts.)
 */

/** Seconds a shed request should wait: long enough for a queue of in-flight requests to clear. */
export const OVERLOAD_RETRY_SECONDS = 1;

export class BytesInFlight {
  private used = 0;
  readonly budget: number;

  constructor(budget: number) {
    this.budget = budget;
  }

  /** Takes `bytes` from the budget, or returns false when they do not fit beside what is in flight. */
  tryTake(bytes: number): boolean {
    if (this.used > 0 && this.used + bytes > this.budget) return false;
    this.used += bytes;
    return true;
  }

  give(bytes: number): void {
    this.used -= bytes;
  }

  get inFlight(): number {
    return this.used;
  }
}

/** The 503 every overload refusal answers with. */
export function overloaded(message: string): ApiError {
  return new ApiError(503, 'OVERLOADED', message, undefined, { retryAfterSeconds: OVERLOAD_RETRY_SECONDS });
}

/**
 * For requests with a body. The declared Content-Length is what counts; a chunked body, whose
 * size is known only once read, counts as the largest body the service accepts.
 */
export function admitByBytesInFlight(bytes: BytesInFlight, maxBodyBytes: number): MiddlewareHandler {
  return async (c, next) => {
    const declared = c.req.header('content-length');
    const size =
      declared !== undefined && c.req.header('transfer-encoding') === undefined ? Number(declared) : maxBodyBytes;
    if (!bytes.tryTake(size)) {
      throw overloaded('the service is busy with other requests; retry after the time in Retry-After');
    }
    try {
      await next();
    } finally {
      bytes.give(size);
    }
  };
}
