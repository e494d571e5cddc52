import type { HttpBindings } from '@hono/node-server';
import type { MiddlewareHandler } from 'hono';

/**
 * `Expect: 100-continue`: Node would answer 100 at once, before any check; node-server.ts hands
 * such requests to the app instead, and `sendContinue` answers it once the key, media type,
 * declared size and admission have passed. A request refused before that never sends its body,
 * so `closeWhenRefused` closes its connection: the client's next bytes would be read as that body.
 */

declare module 'hono' {
  interface ContextVariableMap {
    /** Set once "100 Continue" has been sent for this request. */
    continued: true;
  }
}

function expectsContinue(c: { req: { header: (name: string) => string | undefined } }): boolean {
  return c.req.header('expect')?.toLowerCase() === '100-continue';
}

/** First in the chain: an `Expect: 100-continue` request answered without a 100 closes its connection. */
export const closeWhenRefused: MiddlewareHandler = async (c, next) => {
  await next();
  if (expectsContinue(c) && !c.get('continued')) c.header('Connection', 'close');
};

/** Right before the body is first read: tells a waiting client to send it. */
export const sendContinue: MiddlewareHandler<{ Bindings: Partial<HttpBindings> }> = (c, next) => {
  if (expectsContinue(c)) {
    // Absent when the app is called in-process (tests' app.request()), where nothing waits.
    c.env?.outgoing?.writeContinue();
    c.set('continued', true);
  }
  return next();
};
