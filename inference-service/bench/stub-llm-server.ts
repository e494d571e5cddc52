import { startStubLlmProvider } from '../test/support/stub-llm-provider.ts';
import type { ChatCompletionBody } from '../test/support/stub-llm-provider.ts';

/**
 * The gateway benchmark's LLM provider: the tests' OpenAI-compatible stub, in its own
 * process, answering every chat completion with an echo of the last user message. It is
 * the baseline the gateway's overhead is measured against, so it records nothing and does
 * no work beyond parsing the request and writing the answer. PORT and HOST come from the
 * environment.
 *
 * STUB_DELAY_MS (default 0: answer at once) makes it answer like a provider that takes that
 * long on average, some answers quicker and some slower: the delays spread evenly from half
 * to one and a half times it. They follow a low-discrepancy sequence (golden-ratio steps)
 * rather than random draws, so any few hundred answers already have the same spread of
 * delays: two scenarios compared at p50 and p99 differ by what the server did, not by the
 * luck of the draw.
 */

const delayMs = Number(process.env.STUB_DELAY_MS ?? 0);
if (!Number.isInteger(delayMs) || delayMs < 0) {
  throw new Error(`STUB_DELAY_MS must be a whole number of milliseconds, got "${process.env.STUB_DELAY_MS}"`);
}

const stub = await startStubLlmProvider({
  port: Number(process.env.PORT ?? 3200),
  host: process.env.HOST ?? '127.0.0.1',
  record: false,
});
// An answer is an echo of the prompt's last user message, cut to a summary's length: a long
// prompt must not come back as a long answer (the route's length cap would reject it).
const ANSWER_CHARS = 1000;
const summary = (request: ChatCompletionBody): string => {
  const last = [...(request.messages ?? [])].reverse().find((m) => m.role === 'user')?.content;
  const text = typeof last === 'string' ? last : '';
  return `Echo: ${text.length <= ANSWER_CHARS ? text : text.slice(0, text.lastIndexOf(' ', ANSWER_CHARS))}`;
};
const GOLDEN = (Math.sqrt(5) - 1) / 2;
let position = 0;
stub.setDefault({
  type: 'reply',
  text: summary,
  ...(delayMs > 0
    ? {
        delayMs: () => {
          position = (position + GOLDEN) % 1;
          return Math.round((0.5 + position) * delayMs);
        },
      }
    : {}),
});
