import type { ProviderAdapter } from './provider-adapter.ts';
import { needKey } from './provider-adapter.ts';

/**
 * OpenAI through the Chat Completions API: it keeps nothing on OpenAI's side by default (the
 * Responses API stores responses unless told not to), and it is what OpenAI-compatible proxies
 * in front of it also speak.
 */
export const openai: ProviderAdapter = {
  defaultKeyEnv: 'OPENAI_API_KEY',
  credentialProblems: (target, env) => needKey(target, env, target.apiKeyEnv ?? 'OPENAI_API_KEY'),
  async createModel(target, { env, apiKey, common }) {
    const { createOpenAI } = await import('@ai-sdk/openai');
    return createOpenAI({
      ...common,
      apiKey,
      ...(env.OPENAI_ORGANIZATION ? { organization: env.OPENAI_ORGANIZATION } : {}),
      ...(env.OPENAI_PROJECT ? { project: env.OPENAI_PROJECT } : {}),
    }).chat(target.model);
  },
};
