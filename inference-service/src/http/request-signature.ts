import { createHmac, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { Logger } from '../observability/logger.ts';
import { ApiError, echoed } from './api-error.ts';

/**
 * Verifies the HMAC-SHA256 body signature that the Salesforce External Credential adds to
 * every callout (docs/request-signing.md), and rejects stale and replayed requests.
 *
 * The signature covers the raw body bytes, which carry `sentAt` and `requestId`: credential
 * header formulas have no clock, so the freshness data travels inside what is signed. Replays
 * are recognised by the signature itself (it identifies the exact bytes), so a body is
 * accepted once within the tolerance window whatever it holds, with or without a `requestId`.
 */

export interface SignatureOptions {
  secrets: string[];
  toleranceSeconds: number;
  logger: Logger;
  /** The clock, injectable for tests. */
  now?: () => number;
}

const SIGNATURE_HEADER = 'x-byom-signature';
const SIGNATURE_FORMAT = /^v1=([0-9a-f]{64})$/i;
/** Bounds the replay cache; past it the oldest signatures are dropped (replay detection is best effort). */
const MAX_REMEMBERED_REQUESTS = 100_000;

export function requestSignature({
  secrets,
  toleranceSeconds,
  logger,
  now = Date.now,
}: SignatureOptions): MiddlewareHandler {
  const keys = secrets.map((secret) => Buffer.from(secret, 'utf8'));
  const seen = new Map<string, number>();

  const reject = (requestId: string | undefined, outcome: string, message: string): never => {
    logger.info({ requestId, signature: outcome }, 'request signature rejected');
    throw new ApiError(401, 'UNAUTHORIZED', message);
  };

  return async (c, next) => {
    // BYOM_UNSIGNED_KEYS reach this only on the chat-completions route (api-key-auth.ts).
    if (c.get('unsignedKey')) return next();
    const requestId = c.get('requestId');
    const match = SIGNATURE_FORMAT.exec(c.req.header(SIGNATURE_HEADER)?.trim() ?? '');
    if (!match) reject(requestId, 'missing', 'missing or malformed request signature (X-BYOM-Signature)');
    const presented = Buffer.from(match![1]!, 'hex');

    const body = Buffer.from(await c.req.arrayBuffer());
    let valid = false;
    for (const key of keys) {
      valid = timingSafeEqual(createHmac('sha256', key).update(body).digest(), presented) || valid;
    }
    if (!valid) reject(requestId, 'invalid', 'invalid request signature');

    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw new ApiError(400, 'INVALID_JSON', 'the request body is not valid JSON');
    }
    const { sentAt } = (parsed ?? {}) as { sentAt?: unknown };
    const sentMs = typeof sentAt === 'string' ? Date.parse(sentAt) : Number.NaN;
    const clock = now();
    if (!Number.isFinite(sentMs) || Math.abs(clock - sentMs) > toleranceSeconds * 1000) {
      reject(
        requestId,
        'expired',
        `request expired or not yet valid (sentAt ${typeof sentAt === 'string' ? echoed(sentAt) : 'missing or not a string'})`,
      );
    }
    const signature = match![1]!.toLowerCase();
    forgetExpired(seen, clock);
    if (seen.has(signature)) reject(requestId, 'replayed', 'replayed request');
    if (seen.size >= MAX_REMEMBERED_REQUESTS) seen.delete(seen.keys().next().value!);
    seen.set(signature, clock + toleranceSeconds * 1000);
    logger.debug({ requestId, signature: 'ok' }, 'request signature verified');
    // The validator parses the body again from the bytes Hono cached: Hono 4 never caches the parsed value.
    await next();
  };
}

/** Signatures are inserted in time order, so expired ones sit at the front of the map. */
function forgetExpired(seen: Map<string, number>, now: number): void {
  for (const [id, expires] of seen) {
    if (expires > now) return;
    seen.delete(id);
  }
}
