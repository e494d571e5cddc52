import { bodyLimit } from 'hono/body-limit';
import type { MiddlewareHandler } from 'hono';
import { ApiError } from './api-error.ts';

/**
 * Rejects bodies over `maxBytes` with 413 PAYLOAD_TOO_LARGE.
 *
 * With a Content-Length (what Salesforce and most clients send), the header decides and the
 * body is never touched here; Node's HTTP parser guarantees the body has exactly that
 * length. Hono's bodyLimit reads `request.body` first, which on @hono/node-server turns the
 * request into a web stream and takes it off the fast JSON path (it cost more than the whole
 * scoring step), so it only handles chunked bodies, where the size is known only by counting.
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
