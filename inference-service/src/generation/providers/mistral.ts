import type { ProviderAdapter } from './provider-adapter.ts';
import { needKey } from './provider-adapter.ts';

/** Mistral's Chat Completions API. */
export const mistral: ProviderAdapter = {
  defaultKeyEnv: 'MISTRAL_API_KEY',
  credentialProblems: (target, env) => needKey(target, env, target.apiKeyEnv ?? 'MISTRAL_API_KEY'),
  async createModel(target, { apiKey, common }) {
    const { createMistral } = await import('@ai-sdk/mistral');
    return createMistral({ ...common, apiKey }).languageModel(target.model);
  },
};
