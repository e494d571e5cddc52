import type { ProviderAdapter } from './provider-adapter.ts';
import { needKey } from './provider-adapter.ts';

/**
 * Any server that speaks OpenAI's Chat Completions at `baseUrl` (Ollama, vLLM, DeepSeek, a
 * hosted Llama). Local servers often need no key; when the route names a variable, it must be set.
 */
export const openaiCompatible: ProviderAdapter = {
  acceptsRawFields: true,
  credentialProblems: (target, env) => (target.apiKeyEnv ? needKey(target, env, target.apiKeyEnv) : []),
  async createModel(target, { apiKey, common }) {
    const { createOpenAICompatible } = await import('@ai-sdk/openai-compatible');
    return createOpenAICompatible({
      ...common,
      name: target.name ?? 'openai-compatible',
      baseURL: target.baseUrl!,
      ...(apiKey ? { apiKey } : {}),
      // Streams end with the usage chunk (stream_options.include_usage), as OpenAI's do.
      includeUsage: true,
    }).chatModel(target.model);
  },
};
