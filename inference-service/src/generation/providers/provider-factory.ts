import type { RouteTarget } from '../domain.ts';
import type { ProviderLanguageModel } from './model-call.ts';
import type { Env } from './provider-adapter.ts';
import { PROVIDER_ADAPTERS, keyEnvOf } from './provider-catalog.ts';
import { createProviderFetch } from './provider-fetch.ts';

/**
 * Builds an AI SDK language model for every target in the routes file. Provider packages
 * are imported only for the providers the routes use (some take hundreds of milliseconds
 * to load), and every model is built once at boot, so a request only looks one up.
 */

type FetchFunction = typeof globalThis.fetch;

/** The model for a target, built at boot. */
export type ProviderFactory = (target: RouteTarget) => ProviderLanguageModel;

export interface ProviderFactoryOptions {
  env?: Env;
  /** Replaces the gateway's pooled provider fetch (provider-fetch.ts) for every provider; tests use it. */
  fetch?: FetchFunction;
}

export async function createProviderFactory(
  targets: Iterable<RouteTarget>,
  options: ProviderFactoryOptions = {},
): Promise<ProviderFactory> {
  const env = options.env ?? process.env;
  // One keep-alive pool for every provider, so connections are reused across requests.
  const fetch = options.fetch ?? createProviderFetch({ env });
  const models = new Map<RouteTarget, ProviderLanguageModel>();
  for (const target of targets) models.set(target, await buildModel(target, env, fetch));
  return (target) => {
    const model = models.get(target);
    if (model === undefined) throw new Error(`no model was built for ${target.provider} ${target.model}`);
    return model;
  };
}

/** One target's model; exported for tests that point a single target at a local server. */
export async function buildModel(target: RouteTarget, env: Env, fetch?: FetchFunction): Promise<ProviderLanguageModel> {
  const keyEnv = keyEnvOf(target);
  const apiKey = keyEnv !== undefined && env[keyEnv] ? env[keyEnv] : undefined;
  const common = { ...(target.baseUrl !== undefined ? { baseURL: target.baseUrl } : {}), ...(fetch ? { fetch } : {}) };
  return PROVIDER_ADAPTERS[target.provider].createModel(target, { env, apiKey, common });
}
