import type { ProviderFactory } from './fallback-runner.ts';
import type { ProviderLanguageModel } from './model-call.ts';
import { keyEnvOf } from './provider-credentials.ts';
import { createProviderFetch } from './provider-fetch.ts';
import type { RouteTable, RouteTarget } from './routes-config.ts';

/**
 * Builds an AI SDK language model for every target in the routes file. Provider packages
 * are imported only for the providers the routes use (some take hundreds of milliseconds
 * to load), and every model is built once at boot, so a request only looks one up.
 *
 * OpenAI and Azure OpenAI are called through the Chat Completions API: it keeps nothing on
 * the provider's side by default (the Responses API stores responses unless told not to),
 * and it is the API that OpenAI-compatible proxies in front of them also speak.
 */

type FetchFunction = typeof globalThis.fetch;

export interface ProviderFactoryOptions {
  env?: Record<string, string | undefined>;
  /** Replaces the gateway's pooled provider fetch (provider-fetch.ts) for every provider; tests use it. */
  fetch?: FetchFunction;
}

export async function createProviderFactory(
  routes: RouteTable,
  options: ProviderFactoryOptions = {},
): Promise<ProviderFactory> {
  const env = options.env ?? process.env;
  // One keep-alive pool for every provider, so connections are reused across requests.
  const fetch = options.fetch ?? createProviderFetch({ env });
  const models = new Map<RouteTarget, ProviderLanguageModel>();
  for (const route of routes.all()) {
    for (const target of route.targets) models.set(target, await buildModel(target, env, fetch));
  }
  return (target) => {
    const model = models.get(target);
    if (model === undefined) throw new Error(`no model was built for ${target.provider} ${target.model}`);
    return model;
  };
}

/** One target's model; exported for tests that point a single target at a local server. */
export async function buildModel(
  target: RouteTarget,
  env: Record<string, string | undefined>,
  fetch?: FetchFunction,
): Promise<ProviderLanguageModel> {
  const keyEnv = keyEnvOf(target);
  const apiKey = keyEnv !== undefined && env[keyEnv] ? env[keyEnv] : undefined;
  const common = { ...(target.baseUrl !== undefined ? { baseURL: target.baseUrl } : {}), ...(fetch ? { fetch } : {}) };
  switch (target.provider) {
    case 'openai': {
      const { createOpenAI } = await import('@ai-sdk/openai');
      return createOpenAI({
        ...common,
        apiKey,
        ...(env.OPENAI_ORGANIZATION ? { organization: env.OPENAI_ORGANIZATION } : {}),
        ...(env.OPENAI_PROJECT ? { project: env.OPENAI_PROJECT } : {}),
      }).chat(target.model);
    }
    case 'azure': {
      const { createAzure } = await import('@ai-sdk/azure');
      return createAzure({
        ...common,
        apiKey,
        ...(target.baseUrl === undefined && env.AZURE_RESOURCE_NAME ? { resourceName: env.AZURE_RESOURCE_NAME } : {}),
        ...(env.AZURE_API_VERSION ? { apiVersion: env.AZURE_API_VERSION } : {}),
      }).chat(target.model);
    }
    case 'anthropic': {
      const { createAnthropic } = await import('@ai-sdk/anthropic');
      return createAnthropic({ ...common, apiKey }).languageModel(target.model);
    }
    case 'mistral': {
      const { createMistral } = await import('@ai-sdk/mistral');
      return createMistral({ ...common, apiKey }).languageModel(target.model);
    }
    case 'vertex': {
      const { createGoogleVertex } = await import('@ai-sdk/google-vertex');
      const location = target.region ?? env.GOOGLE_VERTEX_LOCATION;
      // Heroku has no credentials file: a service account's email and key can come from config vars.
      const credentials =
        env.GOOGLE_CLIENT_EMAIL && env.GOOGLE_PRIVATE_KEY
          ? { client_email: env.GOOGLE_CLIENT_EMAIL, private_key: env.GOOGLE_PRIVATE_KEY.replace(/\\n/g, '\n') }
          : undefined;
      return createGoogleVertex({
        ...common,
        ...(apiKey ? { apiKey } : {}),
        ...(env.GOOGLE_VERTEX_PROJECT ? { project: env.GOOGLE_VERTEX_PROJECT } : {}),
        ...(location ? { location } : {}),
        ...(credentials ? { googleAuthOptions: { credentials } } : {}),
      }).languageModel(target.model);
    }
    case 'bedrock': {
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
    }
    case 'openai-compatible': {
      const { createOpenAICompatible } = await import('@ai-sdk/openai-compatible');
      return createOpenAICompatible({
        ...(fetch ? { fetch } : {}),
        name: target.name ?? 'openai-compatible',
        baseURL: target.baseUrl!,
        ...(apiKey ? { apiKey } : {}),
      }).chatModel(target.model);
    }
  }
}
