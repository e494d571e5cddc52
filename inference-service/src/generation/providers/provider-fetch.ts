import { STATUS_CODES } from 'node:http';
import { Readable } from 'node:stream';
import { Agent, EnvHttpProxyAgent, request } from 'undici';
import type { Dispatcher } from 'undici';

/**
 * The `fetch` every AI SDK provider is given: undici's `request` on one keep-alive connection
 * pool, answering with a standard `Response` that holds the whole body.
 *
 * Why not the global fetch: it runs every request and response through WHATWG streams, and
 * measured on the gateway benchmark that was ~250 µs of CPU per provider call; this path
 * costs ~90 µs for the same exchange. Completions are read in full (the gateway restores and
 * checks the whole answer before replying); a streamed answer (text/event-stream) is handed on
 * as it arrives, as a web stream over the same connection.
 *
 * What it keeps from fetch: the caller's AbortSignal (the deadline), any method, string or
 * byte bodies, repeated response headers. What it does differently, on purpose:
 * - redirects are not followed (provider APIs do not redirect; a 3xx reaches the fallback
 *   runner as a failed attempt rather than silently sending the prompt elsewhere);
 * - `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` are honoured (undici's EnvHttpProxyAgent), so an
 *   egress proxy works without NODE_USE_ENV_PROXY;
 * - an answer larger than `maxResponseBytes` fails the attempt instead of filling memory.
 * Any other body type (a stream, form data) goes to the global fetch, unchanged.
 */

type FetchFunction = typeof globalThis.fetch;

export interface ProviderFetchOptions {
  /** Largest provider answer read, in bytes (a completion is a few KB). */
  maxResponseBytes?: number;
  /** Where HTTPS_PROXY, HTTP_PROXY and NO_PROXY are read (process.env by default). */
  env?: Record<string, string | undefined>;
}

const DEFAULT_MAX_PROVIDER_RESPONSE_BYTES = 8 * 1024 * 1024;

// Statuses whose Response must not have a body (the constructor throws otherwise).
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

export function createProviderFetch(options: ProviderFetchOptions = {}): FetchFunction {
  const dispatcher = createDispatcher(
    options.maxResponseBytes ?? DEFAULT_MAX_PROVIDER_RESPONSE_BYTES,
    options.env ?? process.env,
  );

  return async function providerFetch(input, init) {
    const body = init?.body;
    if (
      input instanceof Request ||
      !(body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array)
    ) {
      return globalThis.fetch(input, init);
    }
    const url = typeof input === 'string' ? input : input.href;
    const signal = init?.signal ?? undefined;
    try {
      const answer = await request(url, {
        method: (init?.method ?? 'GET') as Dispatcher.HttpMethod,
        headers: headerRecord(init?.headers),
        ...(body !== undefined && body !== null ? { body } : {}),
        ...(signal ? { signal } : {}),
        dispatcher,
      });
      const answerInit = {
        status: answer.statusCode,
        statusText: STATUS_CODES[answer.statusCode] ?? '',
        headers: responseHeaders(answer.headers),
      };
      // A streamed answer is handed on as it arrives; anything else is read whole.
      if (answer.statusCode === 200 && String(answer.headers['content-type'] ?? '').startsWith('text/event-stream')) {
        return new Response(Readable.toWeb(answer.body) as ReadableStream<Uint8Array>, answerInit);
      }
      const bytes = await answer.body.bytes();
      return new Response(NULL_BODY_STATUSES.has(answer.statusCode) ? null : bytes, answerInit);
    } catch (error) {
      throw asFetchError(error, signal);
    }
  };
}

/**
 * Fails the way fetch fails, which is what the AI SDK and the fallback runner understand:
 * the signal's reason when the caller aborted, otherwise a TypeError('fetch failed') whose
 * cause is undici's error (the SDK turns it into a retryable network APICallError).
 */
function asFetchError(error: unknown, signal: AbortSignal | undefined): unknown {
  if (signal?.aborted) return signal.reason;
  return new TypeError('fetch failed', { cause: error });
}

/** Whether an attempt failed because the provider's answer was larger than the fetch reads. */
export function isOversizedAnswer(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE';
}

/**
 * A keep-alive pool; behind an egress proxy when the environment names one (undici's
 * EnvHttpProxyAgent, which also honours NO_PROXY). Without one, the plain agent skips the
 * proxy agent's URL parse on every request.
 */
function createDispatcher(maxResponseBytes: number, env: Record<string, string | undefined>): Dispatcher {
  // Idle connections are kept 30 s unless the provider's Keep-Alive header says otherwise.
  const pool = { maxResponseSize: maxResponseBytes, keepAliveTimeout: 30_000 };
  const httpProxy = env.HTTP_PROXY || env.http_proxy;
  const httpsProxy = env.HTTPS_PROXY || env.https_proxy;
  if (!httpProxy && !httpsProxy) return new Agent(pool);
  return new EnvHttpProxyAgent({
    ...pool,
    ...(httpProxy ? { httpProxy } : {}),
    ...(httpsProxy ? { httpsProxy } : {}),
    noProxy: env.NO_PROXY ?? env.no_proxy ?? '',
  });
}

function headerRecord(headers: RequestInit['headers']): Record<string, string> {
  if (headers === undefined) return {};
  if (headers instanceof Headers || Array.isArray(headers)) return Object.fromEntries(headers);
  // The AI SDK leaves optional headers (an organization, a project) undefined.
  const record: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers as Record<string, string | undefined>)) {
    if (value !== undefined) record[name] = value;
  }
  return record;
}

function responseHeaders(raw: Record<string, string | string[] | undefined>): Headers {
  const headers = new Headers();
  for (const name in raw) {
    const value = raw[name];
    if (value === undefined) continue;
    if (typeof value === 'string') headers.append(name, value);
    else for (const one of value) headers.append(name, one);
  }
  return headers;
}
