import { startStubLlmProvider } from '../test/support/stub-llm-provider.ts';

/**
 * The gateway benchmark's LLM provider: the tests' OpenAI-compatible stub, in its own
 * process, answering every chat completion at once with an echo of the last user message.
 * It is the baseline the gateway's overhead is measured against, so it records nothing and
 * does no work beyond parsing the request and writing the answer. PORT and HOST come from
 * the environment.
 */

await startStubLlmProvider({
  port: Number(process.env.PORT ?? 3200),
  host: process.env.HOST ?? '127.0.0.1',
  record: false,
});
