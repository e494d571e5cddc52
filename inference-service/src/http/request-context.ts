import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';

declare module 'hono' {
  interface ContextVariableMap {
    /** The caller's X-Request-Id when it is usable, otherwise a new UUID; echoed on the response. */
    requestId: string;
    /** When the request reached the app, on the performance.now() clock (the LLM gateway's latency starts here). */
    arrivedAt: number;
  }
}

/** What the app does with each finished request: metrics and the request log line (app.ts). */
export type RequestObserver = (c: Parameters<MiddlewareHandler>[0], seconds: number) => void;

// Ids travel into logs and response headers: word characters, '-' and '=' only, as Hono's requestId allows.
const USABLE_ID = /^[\w\-=]{1,255}$/;

/**
 * The first middleware: gives the request its id and arrival time, then reports it to
 * `observe` once the response exists. One middleware rather than Hono's requestId plus a
 * timing one: each middleware is an async frame on every request (docs/performance.md).
 */
export function requestContext(observe: RequestObserver): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    const incoming = c.req.header('x-request-id');
    const id = incoming !== undefined && USABLE_ID.test(incoming) ? incoming : randomUUID();
    c.set('requestId', id);
    c.set('arrivedAt', started);
    // Set before the response exists, so every response carries it (errors from onError too).
    c.header('X-Request-Id', id);
    await next();
    observe(c, (performance.now() - started) / 1000);
  };
}
