import type { ProviderAdapter } from './provider-adapter.ts';
import { needKey } from './provider-adapter.ts';

/** Anthropic's Messages API. */
export const anthropic: ProviderAdapter = {
  defaultKeyEnv: 'ANTHROPIC_API_KEY',
  credentialProblems: (target, env) => needKey(target, env, target.apiKeyEnv ?? 'ANTHROPIC_API_KEY'),
  async createModel(target, { apiKey, common }) {
    const { createAnthropic } = await import('@ai-sdk/anthropic');
    return createAnthropic({ ...common, apiKey }).languageModel(target.model);
  },
};
