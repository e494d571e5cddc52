import type { ProviderAdapter } from './provider-adapter.ts';
import { isSet, needKey } from './provider-adapter.ts';

/** Amazon Bedrock's Converse API, with IAM keys or a Bedrock API key (bearer token). */
export const bedrock: ProviderAdapter = {
  defaultKeyEnv: 'AWS_BEARER_TOKEN_BEDROCK',
  credentialProblems(target, env) {
    const problems: string[] = [];
    if (target.region === undefined && !isSet(env, 'AWS_REGION'))
      problems.push('set AWS_REGION or give the target a region');
    if (target.apiKeyEnv) return [...problems, ...needKey(target, env, target.apiKeyEnv)];
    if (
      !isSet(env, 'AWS_BEARER_TOKEN_BEDROCK') &&
      !(isSet(env, 'AWS_ACCESS_KEY_ID') && isSet(env, 'AWS_SECRET_ACCESS_KEY'))
    ) {
      problems.push('set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_BEARER_TOKEN_BEDROCK)');
    }
    return problems;
  },
  async createModel(target, { env, apiKey, common }) {
    const { createAmazonBedrock } = await import('@ai-sdk/amazon-bedrock');
    const region = target.region ?? env.AWS_REGION;
    return createAmazonBedrock({
      ...common,
      ...(region ? { region } : {}),
      ...(apiKey ? { apiKey } : {}),
      ...(env.AWS_ACCESS_KEY_ID ? { accessKeyId: env.AWS_ACCESS_KEY_ID } : {}),
      ...(env.AWS_SECRET_ACCESS_KEY ? { secretAccessKey: env.AWS_SECRET_ACCESS_KEY } : {}),
      ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
    }).languageModel(target.model);
  },
};
