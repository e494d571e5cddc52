import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Server as NetServer } from 'node:net';
import type { Socket } from 'node:net';
import { serve } from '@hono/node-server';
import { openAiErrorType } from './api-error.ts';
import type { ErrorCode } from './api-error.ts';
import type { ErrorBody } from './error-schemas.ts';

/**
 * The Node HTTP server the app runs on, for what only the server can do: timeouts, a connection
 * cap, Node's own refusals (unparseable, headers too large, too slow) in the service's JSON error
 * shape, `Expect: 100-continue` handed to the app (expect-continue.ts), and a shutdown drain that
 * fails no request a client has sent.
 */

type FetchCallback = Parameters<typeof serve>[0]['fetch'];

export interface HttpServerOptions {
  port: number;
  host: string;
  /** Time to receive a request's headers, then its whole body: slow clients cannot hold a connection for minutes. */
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  /** Connections past this are dropped on accept. */
  maxConnections: number;
}

/** Node's refusals, by the code of the error it raises, as the app would answer them. */
const NODE_REFUSALS: Record<string, { status: number; code: ErrorCode; message: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    code: 'REQUEST_TIMEOUT',
    message: 'the request did not arrive in time; send the headers and body without pausing',
  },
  HPE_HEADER_OVERFLOW: {
    status: 431,
    code: 'HEADERS_TOO_LARGE',
    message: 'the request headers are larger than the server accepts (16 KB)',
  },
};
const MALFORMED = { status: 400, code: 'BAD_REQUEST' as ErrorCode, message: 'the request is not valid HTTP/1.1' };

/**
 * How long a connection that was idle when draining began may stay, so that a request its
 * client was sending at that moment is answered (with `Connection: close`) instead of reset.
 */
const DRAIN_IDLE_GRACE_MS = 500;
const DRAIN_SWEEP_MS = 50;

interface ConnectionState {
  /** Responses not yet finished (more than one only with pipelining). */
  open: Set<ServerResponse>;
  idleSince: number;
}

export class HttpServer {
  readonly server: Server;
  private readonly connections = new Map<Socket, ConnectionState>();
  private draining = false;

  constructor(fetch: FetchCallback, options: HttpServerOptions) {
    this.server = serve({
      fetch,
      port: options.port,
      hostname: options.host,
      serverOptions: {
        headersTimeout: options.headersTimeoutMs,
        requestTimeout: options.requestTimeoutMs,
        // Node checks both timeouts this often (30 s by default, which would let a request run to twice its limit).
        connectionsCheckingInterval: Math.min(1000, options.headersTimeoutMs),
      },
    }) as Server;
    this.server.maxConnections = options.maxConnections;
    this.server.on('connection', (socket: Socket) => this.track(socket));
    // Before the app's own listener, so a draining response says `Connection: close` however soon it is written.
    this.server.prependListener('request', (request: IncomingMessage, response: ServerResponse) =>
      this.opened(request, response),
    );
    // Without this listener Node sends "100 Continue" itself, before any check.
    this.server.on('checkContinue', (request: IncomingMessage, response: ServerResponse) =>
      this.server.emit('request', request, response),
    );
    this.server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => this.refuse(error, socket));
  }

  /**
   * Stops accepting connections and resolves once every connection has closed: in-flight
   * requests finish, every response from now on says `Connection: close`, and connections that
   * stay idle past a short grace are closed. Nothing is reset while a client may be sending on it.
   */
  drain(): Promise<void> {
    this.draining = true;
    for (const state of this.connections.values()) {
      for (const response of state.open) if (!response.headersSent) response.setHeader('Connection', 'close');
    }
    // net.Server's close stops the listener only; http.Server's would also close every idle
    // connection at once, racing a client that is writing its next request on one of them.
    NetServer.prototype.close.call(this.server);
    return new Promise((resolve) => {
      const sweep = setInterval(() => {
        const now = performance.now();
        for (const [socket, state] of this.connections) {
          if (state.open.size === 0 && now - state.idleSince >= DRAIN_IDLE_GRACE_MS) socket.end();
        }
        if (this.connections.size === 0) {
          clearInterval(sweep);
          resolve();
        }
      }, DRAIN_SWEEP_MS);
    });
  }

  /** Open connections, for the shutdown log. */
  get connectionCount(): number {
    return this.connections.size;
  }

  /** After the shutdown timeout: whatever is still open goes. */
  closeAll(): void {
    for (const socket of this.connections.keys()) socket.destroy();
  }

  private track(socket: Socket): void {
    this.connections.set(socket, { open: new Set(), idleSince: performance.now() });
    socket.once('close', () => this.connections.delete(socket));
  }

  private opened(request: IncomingMessage, response: ServerResponse): void {
    const state = this.connections.get(request.socket);
    if (this.draining) response.setHeader('Connection', 'close');
    if (!state) return;
    state.open.add(response);
    response.once('close', () => {
      state.open.delete(response);
      state.idleSince = performance.now();
    });
  }

  private refuse(error: NodeJS.ErrnoException, socket: Socket): void {
    const responding = [...(this.connections.get(socket)?.open ?? [])].some((r) => r.headersSent);
    if (error.code === 'ECONNRESET' || !socket.writable || responding) {
      socket.destroy();
      return;
    }
    const refusal = NODE_REFUSALS[error.code ?? ''] ?? MALFORMED;
    const body: ErrorBody = {
      error: {
        code: refusal.code,
        message: refusal.message,
        type: openAiErrorType(refusal.status),
        param: null,
        requestId: randomUUID(),
      },
    };
    const json = JSON.stringify(body);
    socket.end(
      `HTTP/1.1 ${refusal.status} ${STATUS_CODES[refusal.status]}\r\n` +
        'Content-Type: application/json\r\n' +
        `Content-Length: ${Buffer.byteLength(json)}\r\n` +
        `X-Request-Id: ${body.error.requestId}\r\n` +
        'Connection: close\r\n\r\n' +
        json,
    );
  }
}
