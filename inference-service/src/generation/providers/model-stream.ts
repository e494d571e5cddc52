import type { ProviderLanguageModel, ModelCall } from './model-call.ts';
import { StreamPartError, callOptions, describeWarning } from './model-call.ts';

/**
 * One streamed call to one provider through the AI SDK's provider interface (`doStream`).
 * `startStream` resolves once the first token has arrived, so everything that can go wrong
 * before it (connection refused, 5xx, 429, a timeout, a stream that fails at once) fails the
 * attempt like a completion would, and the fallback runner can still try the next target. What
 * comes after the first token is read from `rest`; a failure there is the stream's own.
 */

export type StreamPiece =
  | { type: 'text'; text: string }
  | { type: 'finish'; finishReason: string; inputTokens: number | undefined; outputTokens: number | undefined };

export interface StartedStream {
  /** The first text, still masked ('' when the model finished without any). */
  first: string;
  /** Everything after the first text, ending with one `finish`; throws when the stream fails. */
  rest: AsyncGenerator<StreamPiece, void, undefined>;
  warnings: string[];
}

type Part =
  Awaited<ReturnType<ProviderLanguageModel['doStream']>>['stream'] extends ReadableStream<infer P> ? P : never;

export async function startStream(
  model: ProviderLanguageModel,
  call: ModelCall,
  signal: AbortSignal,
): Promise<StartedStream> {
  const { stream } = await model.doStream(callOptions(model, call, signal));
  const reader = stream.getReader();
  let warnings: string[] = [];
  const next = async (): Promise<Part | undefined> => {
    const { done, value } = await reader.read();
    return done ? undefined : value;
  };
  const release = () => {
    void reader.cancel().catch(() => {});
  };

  // Up to the first token: nothing has been sent to the caller yet.
  let pending: StreamPiece | undefined;
  let first = '';
  try {
    for (;;) {
      const part = await next();
      if (part === undefined) {
        pending = { type: 'finish', finishReason: 'other', inputTokens: undefined, outputTokens: undefined };
        break;
      }
      if (part.type === 'stream-start') warnings = part.warnings.map(describeWarning);
      else if (part.type === 'error') throw new StreamPartError(part.error);
      else if (part.type === 'text-delta' && part.delta.length > 0) {
        first = part.delta;
        break;
      } else if (part.type === 'finish') {
        pending = finishPiece(part);
        break;
      }
    }
  } catch (error) {
    release();
    throw error;
  }

  async function* rest(): AsyncGenerator<StreamPiece, void, undefined> {
    try {
      if (pending !== undefined) {
        yield pending;
        return;
      }
      for (;;) {
        const part = await next();
        if (part === undefined) {
          yield { type: 'finish', finishReason: 'other', inputTokens: undefined, outputTokens: undefined };
          return;
        }
        if (part.type === 'error') throw new StreamPartError(part.error);
        if (part.type === 'text-delta' && part.delta.length > 0) yield { type: 'text', text: part.delta };
        else if (part.type === 'finish') {
          yield finishPiece(part);
          return;
        }
      }
    } finally {
      release();
    }
  }

  return { first, rest: rest(), warnings };
}

function finishPiece(part: Extract<Part, { type: 'finish' }>): StreamPiece {
  return {
    type: 'finish',
    finishReason: part.finishReason.unified,
    inputTokens: part.usage.inputTokens.total,
    outputTokens: part.usage.outputTokens.total,
  };
}
