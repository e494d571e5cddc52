import { createRandom } from '../training/random.ts';
import { startStubLlmProvider } from '../test/support/stub-llm-provider.ts';

/**
 * The gateway benchmark's LLM provider: the tests' OpenAI-compatible stub, in its own
 * process, answering every chat completion with an echo of the last user message. It is
 * the baseline the gateway's overhead is measured against, so it records nothing and does
 * no work beyond parsing the request and writing the answer. PORT and HOST come from the
 * environment.
 *
 * STUB_DELAY_MS (default 0: answer at once) makes it answer like a provider that takes that
 * long on average: each answer waits a delay drawn uniformly from half to one and a half
 * times it, from a fixed seed so every run draws the same delays.
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
if (delayMs > 0) {
  const random = createRandom(20261121);
  stub.setDefault({ type: 'reply', delayMs: () => Math.round(random.uniform(0.5, 1.5) * delayMs) });
}
