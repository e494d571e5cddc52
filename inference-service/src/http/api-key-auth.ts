import { hash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { ApiError } from './api-error.ts';

/**
 * Service-key check. Keys are compared as SHA-256 digests with timingSafeEqual, so
 * neither the length nor the content of a configured key leaks through response timing,
 * and every configured key is compared (no early exit) so rotation windows behave the same.
 */
export function apiKeyAuth(apiKeys: string[]): MiddlewareHandler {
  const digests = apiKeys.map(digest);
  return (c, next) => {
    // `api-key` is where Salesforce's LLM Open Connector (and Azure OpenAI clients) send a key.
    const presented = presentedKey(c.req.header('authorization'), c.req.header('x-api-key') ?? c.req.header('api-key'));
    if (presented === undefined) {
      c.header('WWW-Authenticate', 'Bearer realm="byom-bridge"');
      throw new ApiError(
        401,
        'UNAUTHORIZED',
        'missing service key: send "Authorization: Bearer <key>", "X-API-Key: <key>" or "api-key: <key>"',
      );
    }
    const candidate = digest(presented);
    let matched = false;
    for (const known of digests) {
      matched = timingSafeEqual(candidate, known) || matched;
    }
    if (!matched) {
      c.header('WWW-Authenticate', 'Bearer realm="byom-bridge", error="invalid_token"');
      throw new ApiError(401, 'UNAUTHORIZED', 'invalid service key');
    }
    return next();
  };
}

/** One-shot hash: a third cheaper than a createHash() object, and it runs on every request. */
function digest(key: string): Buffer {
  return hash('sha256', key, 'buffer');
}

function presentedKey(authorization: string | undefined, apiKeyHeader: string | undefined): string | undefined {
  if (authorization) {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    if (match?.[1]) return match[1].trim();
  }
  const fromHeader = apiKeyHeader?.trim();
  return fromHeader ? fromHeader : undefined;
}
