import { bodyLimit } from 'hono/body-limit';
import type { MiddlewareHandler } from 'hono';
import { ApiError } from './api-error.ts';

/**
 * Rejects bodies over `maxBytes` with 413 PAYLOAD_TOO_LARGE. A Content-Length decides alone
 * (Node's parser holds the body to it). Hono's bodyLimit, which reads `request.body` and so takes
 * @hono/node-server off its fast JSON path (costlier than scoring), counts chunked bodies only.
 */
export function bodySizeLimit(maxBytes: number): MiddlewareHandler {
  const tooLarge = () =>
    new ApiError(413, 'PAYLOAD_TOO_LARGE', `request body over ${maxBytes} bytes; send fewer records per request`, {
      limit: maxBytes,
    });
  const countingLimit = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw tooLarge();
    },
  });
  return (c, next) => {
    const declared = c.req.header('content-length');
    if (declared !== undefined && c.req.header('transfer-encoding') === undefined) {
      if (Number(declared) > maxBytes) throw tooLarge();
      return next();
    }
    return countingLimit(c, next);
  };
}
