import type { ProviderAdapter } from './provider-adapter.ts';
import { isSet, needKey } from './provider-adapter.ts';

/** Azure OpenAI, through Chat Completions for the same reason as OpenAI; the model is the deployment name. */
export const azure: ProviderAdapter = {
  defaultKeyEnv: 'AZURE_API_KEY',
  credentialProblems(target, env) {
    const problems = needKey(target, env, target.apiKeyEnv ?? 'AZURE_API_KEY');
    if (target.baseUrl === undefined && !isSet(env, 'AZURE_RESOURCE_NAME')) {
      problems.push('set AZURE_RESOURCE_NAME or give the target a baseUrl');
    }
    return problems;
  },
  async createModel(target, { env, apiKey, common }) {
    const { createAzure } = await import('@ai-sdk/azure');
    return createAzure({
      ...common,
      apiKey,
      ...(target.baseUrl === undefined && env.AZURE_RESOURCE_NAME ? { resourceName: env.AZURE_RESOURCE_NAME } : {}),
      ...(env.AZURE_API_VERSION ? { apiVersion: env.AZURE_API_VERSION } : {}),
    }).chat(target.model);
  },
};
