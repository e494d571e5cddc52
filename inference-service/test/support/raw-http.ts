import { connect } from 'node:net';
import type { Socket } from 'node:net';

/**
 * HTTP/1.1 spoken by hand over a socket, for what fetch cannot do: malformed requests, headers
 * that never end, bodies sent slowly, `Expect: 100-continue` and watching for the interim 100.
 */
export interface RawConnection {
  socket: Socket;
  /** Everything received so far. */
  received: () => string;
  /** Resolves once `received()` matches, or rejects after `timeoutMs`. */
  waitFor: (pattern: RegExp, timeoutMs?: number) => Promise<string>;
  /** Resolves when the server closes the connection (true), or false after `timeoutMs`. */
  closed: (timeoutMs?: number) => Promise<boolean>;
}

export async function openRaw(port: number): Promise<RawConnection> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let data = '';
  let ended = false;
  const listeners = new Set<() => void>();
  const notify = () => listeners.forEach((listener) => listener());
  socket.on('data', (chunk: Buffer) => {
    data += chunk.toString('utf8');
    notify();
  });
  socket.on('error', () => undefined);
  socket.on('close', () => {
    ended = true;
    notify();
  });
  const until = <T>(check: () => T | undefined, timeoutMs: number, onTimeout: () => T | Error): Promise<T> =>
    new Promise((resolve, reject) => {
      const test = () => {
        const value = check();
        if (value === undefined) return;
        cleanup();
        resolve(value);
      };
      const timer = setTimeout(() => {
        cleanup();
        const fallback = onTimeout();
        if (fallback instanceof Error) reject(fallback);
        else resolve(fallback);
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        listeners.delete(test);
      };
      listeners.add(test);
      test();
    });
  return {
    socket,
    received: () => data,
    waitFor: (pattern, timeoutMs = 5000) =>
      until(
        () => (pattern.test(data) ? data : undefined),
        timeoutMs,
        () => new Error(`no ${pattern} within ${timeoutMs} ms; received: ${JSON.stringify(data.slice(0, 500))}`),
      ),
    closed: (timeoutMs = 5000) =>
      until(
        () => (ended ? true : undefined),
        timeoutMs,
        () => false,
      ),
  };
}

/** The JSON body of the last response in `text` (which may hold a 100 Continue first). */
export function lastJsonBody(text: string): unknown {
  const start = text.lastIndexOf('\r\n\r\n');
  return JSON.parse(text.slice(start + 4));
}
