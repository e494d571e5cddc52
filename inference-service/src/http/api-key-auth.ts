import { hash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { ApiError } from './api-error.ts';

declare module 'hono' {
  interface ContextVariableMap {
    /** Which service key the request presented, as its id (keyIdOf), never the key. */
    keyId: string;
  }
}

/**
 * Service-key check. Keys are compared as SHA-256 digests with timingSafeEqual, so
 * neither the length nor the content of a configured key leaks through response timing,
 * and every configured key is compared (no early exit) so rotation windows behave the same.
 */
export function apiKeyAuth(apiKeys: string[]): MiddlewareHandler {
  const digests = apiKeys.map(digest);
  const ids = digests.map(idOfDigest);
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
    let matched = -1;
    for (let i = 0; i < digests.length; i++) {
      if (timingSafeEqual(candidate, digests[i]!)) matched = i;
    }
    if (matched < 0) {
      c.header('WWW-Authenticate', 'Bearer realm="byom-bridge", error="invalid_token"');
      throw new ApiError(401, 'UNAUTHORIZED', 'invalid service key');
    }
    c.set('keyId', ids[matched]!);
    return next();
  };
}

/**
 * How a service key is named in budgets, metrics and logs: "key-" and the first 8 hex digits of
 * its SHA-256 (`printf %s "$KEY" | sha256sum | cut -c1-8`). It tells keys apart during a rotation
 * without revealing anything usable about them.
 */
export function keyIdOf(key: string): string {
  return idOfDigest(digest(key));
}

function idOfDigest(keyDigest: Buffer): string {
  return `key-${keyDigest.toString('hex').slice(0, 8)}`;
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
