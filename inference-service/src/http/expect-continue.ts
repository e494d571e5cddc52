import type { HttpBindings } from '@hono/node-server';
import type { MiddlewareHandler } from 'hono';

/**
 * `Expect: 100-continue`: the client sends its headers and waits to be told to send the body.
 * Node would say so at once, before any check; node-server.ts hands such requests to the app
 * instead, and `sendContinue` tells the client to go on only once the key, the media type, the
 * declared size and admission have passed. A request refused before that never sends its body,
 * so `closeWhenRefused` makes its answer close the connection: the client's next bytes on it
 * would otherwise be read as the body it never sent.
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
