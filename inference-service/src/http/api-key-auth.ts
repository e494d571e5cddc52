import { hash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { ApiError } from './api-error.ts';

declare module 'hono' {
  interface ContextVariableMap {
    /** Which service key the request presented, as its id (keyIdOf), never the key. */
    keyId: string;
    /** The key is one of BYOM_UNSIGNED_KEYS: OpenAI-compatible chat completions only, never signed. */
    unsignedKey: boolean;
  }
}

/** The one route an unsigned key may call: OpenAI-compatible clients (the LLM Open Connector) cannot sign. */
export const UNSIGNED_KEY_ROUTE = { method: 'POST', path: '/v1/chat/completions' } as const;

/**
 * Service-key check: SHA-256 digests compared with timingSafeEqual against every key (no early
 * exit), so timing reveals neither a key's length or content nor which key matched.
 * `unsignedKeys` (BYOM_UNSIGNED_KEYS) pass on UNSIGNED_KEY_ROUTE only, unsigned (request-signature.ts).
 */
export function apiKeyAuth(apiKeys: string[], unsignedKeys: string[] = []): MiddlewareHandler {
  const digests = [...apiKeys, ...unsignedKeys].map(digest);
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
    const unsigned = matched >= apiKeys.length;
    if (unsigned && (c.req.method !== UNSIGNED_KEY_ROUTE.method || c.req.path !== UNSIGNED_KEY_ROUTE.path)) {
      throw new ApiError(
        403,
        'FORBIDDEN',
        `this key is one of BYOM_UNSIGNED_KEYS, which may only call ${UNSIGNED_KEY_ROUTE.method} ${UNSIGNED_KEY_ROUTE.path}`,
      );
    }
    c.set('keyId', ids[matched]!);
    c.set('unsignedKey', unsigned);
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
