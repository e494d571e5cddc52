import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * A real OpenAI-compatible provider on 127.0.0.1, for tests and the benchmark: it answers
 * `POST /v1/chat/completions` (and `/chat/completions`) the way OpenAI, vLLM or Ollama do,
 * and can be scripted request by request to fail the ways real providers fail. It records
 * every request it receives, so tests can assert what a provider would have seen (no PII).
 *
 * Without a script it echoes the last user message, which is what masking round trips need:
 * the placeholders the gateway sent come back in the answer.
 *
 * A request with `stream: true` gets the reply as Server-Sent Events in OpenAI's chunk format,
 * a few characters a chunk (`chunks` says exactly how), with usage in a last chunk when the
 * request asks for it (`stream_options.include_usage`), as OpenAI does. A request with `n` > 1
 * gets n choices: choice i is the reply with " (i)" after it for i > 0.
 */

export interface ChatCompletionBody {
  model?: string;
  messages?: Array<{ role: string; content: unknown }>;
  max_tokens?: number;
  max_completion_tokens?: number;
  temperature?: number;
  response_format?: unknown;
  [key: string]: unknown;
}

export interface StubRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body, or undefined when it was not JSON. */
  body: ChatCompletionBody | undefined;
  rawBody: string;
  receivedAt: number;
}

export type StubBehaviour =
  /** A normal completion. `text` defaults to an echo of the last user message. */
  | {
      type: 'reply';
      text?: string | ((request: ChatCompletionBody) => string);
      /** Milliseconds before answering; a function draws a new delay for every request. */
      delayMs?: number | (() => number);
      finishReason?: string;
      /** `null` leaves usage out of the answer, as some OpenAI-compatible servers do. */
      usage?: { prompt_tokens: number; completion_tokens: number } | null;
      /** The model id the stub reports; defaults to the requested one. */
      model?: string;
      /** Streaming: the text in these pieces (default: four characters each). */
      chunks?: string[];
      /** Streaming: milliseconds between chunks. */
      chunkDelayMs?: number;
      /** Streaming: drop the connection after this many chunks, as a provider that dies mid-answer. */
      breakAfterChunks?: number;
    }
  /** An HTTP error with an OpenAI-style error body, e.g. 500, 503, 429 with retry-after, 400. */
  | {
      type: 'error';
      status: number;
      /** Sent as the `retry-after` header (seconds or an HTTP date). */
      retryAfter?: string;
      /** Sent as `retry-after-ms`, as OpenAI does. */
      retryAfterMs?: number;
      message?: string;
      delayMs?: number;
    }
  /** Accepts the request and never answers, until the client gives up or the stub closes. */
  | { type: 'hang' }
  /** A 200 whose body is not a chat completion (cut off JSON by default). */
  | { type: 'malformed'; body?: string; contentType?: string }
  /** Destroys the connection without a response: a network error for the client. */
  | { type: 'disconnect' };

export interface StubLlmProvider {
  /** Base URL for OpenAI-compatible clients, ending in /v1. */
  readonly baseUrl: string;
  readonly port: number;
  /** Every request received, oldest first (unless started with `record: false`). */
  readonly requests: StubRequest[];
  /** Queues behaviours for the next requests, whatever their model. */
  script(...behaviours: StubBehaviour[]): void;
  /** Queues behaviours for the next requests naming this model; they take precedence over `script`. */
  scriptModel(model: string, ...behaviours: StubBehaviour[]): void;
  /** What requests get once the queues are empty; an echo reply unless changed. */
  setDefault(behaviour: StubBehaviour): void;
  /** Clears recorded requests, queues and the default. */
  reset(): void;
  /** Everything every recorded request sent, as one string: for "no PII reached the provider" assertions. */
  receivedText(): string;
  close(): Promise<void>;
}

const ECHO: StubBehaviour = { type: 'reply' };

export async function startStubLlmProvider(
  options: { port?: number; host?: string; record?: boolean } = {},
): Promise<StubLlmProvider> {
  const record = options.record ?? true;
  const requests: StubRequest[] = [];
  const queue: StubBehaviour[] = [];
  const modelQueues = new Map<string, StubBehaviour[]>();
  let fallback: StubBehaviour = ECHO;
  const sockets = new Set<Socket>();
  let sequence = 0;

  const next = (model: string | undefined): StubBehaviour => {
    const forModel = model === undefined ? undefined : modelQueues.get(model);
    if (forModel && forModel.length > 0) return forModel.shift()!;
    return queue.shift() ?? fallback;
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      let body: ChatCompletionBody | undefined;
      try {
        body = JSON.parse(rawBody) as ChatCompletionBody;
      } catch {
        body = undefined;
      }
      const path = (req.url ?? '/').split('?')[0]!;
      if (record) {
        requests.push({
          method: req.method ?? 'GET',
          path,
          headers: req.headers,
          body,
          rawBody,
          receivedAt: Date.now(),
        });
      }
      if (req.method !== 'POST' || (path !== '/v1/chat/completions' && path !== '/chat/completions')) {
        sendJson(res, 404, { error: { message: `no route ${req.method} ${path}`, type: 'invalid_request_error' } });
        return;
      }
      if (body === undefined) {
        sendJson(res, 400, { error: { message: 'body is not JSON', type: 'invalid_request_error' } });
        return;
      }
      respond(req, res, next(body.model), body, ++sequence);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  // Load from a benchmark can open many keep-alive connections at once.
  server.keepAliveTimeout = 65_000;

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('stub provider has no port');
  const port = address.port;

  return {
    baseUrl: `http://${options.host ?? '127.0.0.1'}:${port}/v1`,
    port,
    requests,
    script: (...behaviours) => queue.push(...behaviours),
    scriptModel: (model, ...behaviours) => {
      const existing = modelQueues.get(model) ?? [];
      existing.push(...behaviours);
      modelQueues.set(model, existing);
    },
    setDefault: (behaviour) => (fallback = behaviour),
    reset: () => {
      requests.length = 0;
      queue.length = 0;
      modelQueues.clear();
      fallback = ECHO;
    },
    receivedText: () => requests.map((r) => r.rawBody).join('\n'),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function respond(
  req: IncomingMessage,
  res: ServerResponse,
  behaviour: StubBehaviour,
  body: ChatCompletionBody,
  sequence: number,
): void {
  switch (behaviour.type) {
    case 'reply': {
      if (body.stream === true) {
        later(req, behaviour.delayMs, () => streamReply(req, res, behaviour, body, sequence));
        return;
      }
      const send = () => {
        const text = typeof behaviour.text === 'function' ? behaviour.text(body) : (behaviour.text ?? echo(body));
        const usage = usageOf(behaviour, body, text);
        const n = typeof body.n === 'number' && body.n > 1 ? body.n : 1;
        sendJson(res, 200, {
          id: `chatcmpl-stub-${sequence}`,
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model: behaviour.model ?? body.model ?? 'stub-model',
          choices: Array.from({ length: n }, (_, index) => ({
            index,
            message: { role: 'assistant', content: index === 0 ? text : `${text} (${index})` },
            finish_reason: behaviour.finishReason ?? 'stop',
          })),
          ...(usage ? { usage } : {}),
        });
      };
      later(req, behaviour.delayMs, send);
      return;
    }
    case 'error': {
      const send = () => {
        const headers: Record<string, string> = {};
        if (behaviour.retryAfter !== undefined) headers['retry-after'] = behaviour.retryAfter;
        if (behaviour.retryAfterMs !== undefined) headers['retry-after-ms'] = String(behaviour.retryAfterMs);
        sendJson(
          res,
          behaviour.status,
          {
            error: {
              message: behaviour.message ?? `stub error ${behaviour.status}`,
              type: behaviour.status === 429 ? 'rate_limit_error' : 'server_error',
              code: null,
            },
          },
          headers,
        );
      };
      later(req, behaviour.delayMs, send);
      return;
    }
    case 'hang':
      return;
    case 'malformed': {
      const payload = behaviour.body ?? '{"id":"chatcmpl-broken","choices":[{"message":{"content":"cut off';
      res.writeHead(200, {
        'content-type': behaviour.contentType ?? 'application/json',
        'content-length': Buffer.byteLength(payload),
      });
      res.end(payload);
      return;
    }
    case 'disconnect':
      req.socket.destroy();
      return;
  }
}

function usageOf(
  behaviour: Extract<StubBehaviour, { type: 'reply' }>,
  body: ChatCompletionBody,
  text: string,
): { prompt_tokens: number; completion_tokens: number; total_tokens: number } | undefined {
  if (behaviour.usage === null) return undefined;
  const usage = behaviour.usage ?? {
    prompt_tokens: estimateTokens(JSON.stringify(body.messages ?? [])),
    completion_tokens: estimateTokens(text),
  };
  return { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens };
}

/** The reply as OpenAI streams it: a role chunk, content chunks, a finish chunk, usage if asked, [DONE]. */
function streamReply(
  req: IncomingMessage,
  res: ServerResponse,
  behaviour: Extract<StubBehaviour, { type: 'reply' }>,
  body: ChatCompletionBody,
  sequence: number,
): void {
  const text = typeof behaviour.text === 'function' ? behaviour.text(body) : (behaviour.text ?? echo(body));
  const pieces = behaviour.chunks ?? text.match(/[\s\S]{1,4}/g) ?? [];
  const base = {
    id: `chatcmpl-stub-${sequence}`,
    object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000),
    model: behaviour.model ?? body.model ?? 'stub-model',
  };
  const events: unknown[] = [{ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' } }] }];
  for (const piece of pieces) events.push({ ...base, choices: [{ index: 0, delta: { content: piece } }] });
  events.push({ ...base, choices: [{ index: 0, delta: {}, finish_reason: behaviour.finishReason ?? 'stop' }] });
  const usage = usageOf(behaviour, body, pieces.join(''));
  const options = body.stream_options as { include_usage?: boolean } | undefined;
  if (usage && options?.include_usage) events.push({ ...base, choices: [], usage });
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  let sent = 0;
  let contentSent = 0;
  const next = () => {
    if (res.destroyed) return;
    if (sent >= events.length) {
      res.end('data: [DONE]\n\n');
      return;
    }
    const event = events[sent++] as { choices: Array<{ delta?: { content?: string } }> };
    if (event.choices[0]?.delta?.content) contentSent++;
    if (behaviour.breakAfterChunks !== undefined && contentSent >= behaviour.breakAfterChunks) {
      // Once the chunk is on the wire, drop the connection without finishing the stream.
      res.write(`data: ${JSON.stringify(event)}\n\n`, () => setTimeout(() => req.socket.destroy(), 20));
      return;
    }
    res.write(`data: ${JSON.stringify(event)}\n\n`);
    if (behaviour.chunkDelayMs) setTimeout(next, behaviour.chunkDelayMs);
    else setImmediate(next);
  };
  next();
}

function later(req: IncomingMessage, delay: number | (() => number) | undefined, send: () => void): void {
  const delayMs = typeof delay === 'function' ? delay() : delay;
  if (!delayMs) {
    send();
    return;
  }
  // A client that gives up (timeout, abort) must not leave a timer writing to a dead socket.
  const cancel = () => clearTimeout(timer);
  const timer = setTimeout(() => {
    // Keep-alive sockets carry many requests: the listener goes when its request is answered.
    req.socket.off('close', cancel);
    send();
  }, delayMs);
  req.socket.once('close', cancel);
}

function echo(body: ChatCompletionBody): string {
  const lastUser = [...(body.messages ?? [])].reverse().find((m) => m.role === 'user');
  const content = lastUser?.content;
  const text =
    typeof content === 'string'
      ? content
      : Array.isArray(content)
        ? content.map((part) => (part as { text?: string }).text ?? '').join('')
        : '';
  return `Echo: ${text}`;
}

/** About four characters a token, as a rough stand-in for a tokenizer. */
function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

function sendJson(res: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void {
  const json = JSON.stringify(payload);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(json),
    ...headers,
  });
  res.end(json);
}
