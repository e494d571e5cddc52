import type { RouteTarget } from '../domain.ts';
import type { ProviderLanguageModel } from './model-call.ts';

/**
 * What the gateway needs from each provider, one module per provider beside this one (as
 * Portkey's gateway keeps one folder per provider): which environment variables it reads,
 * checked at boot so a missing key stops the boot with its name instead of failing the first
 * request of the day, and how to build its AI SDK language model. The provider package is
 * imported only inside `createModel`, so checking credentials at boot never loads the AI SDK.
 * docs/llm-gateway.md lists the same variables for operators.
 */

export type Env = Record<string, string | undefined>;
type FetchFunction = typeof globalThis.fetch;

export interface ModelSettings {
  env: Env;
  /** From the target's key variable, when it is set. */
  apiKey: string | undefined;
  /** `baseURL` and `fetch` (the pooled provider fetch, or a test's) when given, for the create function. */
  common: { baseURL?: string; fetch?: FetchFunction };
}

export interface ProviderAdapter {
  /** The variable holding the API key unless the target names its own `apiKeyEnv`. */
  defaultKeyEnv?: string;
  /** What is missing for this target, as readable sentences; empty when it can be called. Values are never printed. */
  credentialProblems(target: RouteTarget, env: Env): string[];
  createModel(target: RouteTarget, settings: ModelSettings): Promise<ProviderLanguageModel>;
  /**
   * Whether the provider package sends unknown provider options as request body fields (so `n`
   * and the Open Connector's `parameters` reach the provider as they are).
   */
  acceptsRawFields?: boolean;
}

/** Whether a variable is set to something other than blanks. */
export function isSet(env: Env, name: string | undefined): boolean {
  return name !== undefined && (env[name] ?? '').trim().length > 0;
}

/** "set NAME" unless it is set; names `apiKeyEnv` as the alternative when the target uses the default. */
export function needKey(target: RouteTarget, env: Env, name: string): string[] {
  return isSet(env, name) ? [] : [`set ${name}${target.apiKeyEnv ? '' : ' (or name another variable in apiKeyEnv)'}`];
}
