import type { ProviderKind, RouteTarget } from '../domain.ts';
import { anthropic } from './anthropic.ts';
import { azure } from './azure.ts';
import { bedrock } from './bedrock.ts';
import { mistral } from './mistral.ts';
import { openaiCompatible } from './openai-compatible.ts';
import { openai } from './openai.ts';
import type { Env, ProviderAdapter } from './provider-adapter.ts';
import { vertex } from './vertex.ts';

/** Every provider a routes file can name; adding one means a module beside this one and a line here. */
export const PROVIDER_ADAPTERS: Record<ProviderKind, ProviderAdapter> = {
  openai,
  anthropic,
  azure,
  vertex,
  bedrock,
  mistral,
  'openai-compatible': openaiCompatible,
};

/** The variable holding the target's API key: `apiKeyEnv` when the route names one, else the provider's default. */
export function keyEnvOf(target: RouteTarget): string | undefined {
  return target.apiKeyEnv ?? PROVIDER_ADAPTERS[target.provider].defaultKeyEnv;
}

/** Whether the target's provider takes raw request fields (`n`, the Open Connector's `parameters`). */
export function acceptsRawFields(target: RouteTarget): boolean {
  return PROVIDER_ADAPTERS[target.provider].acceptsRawFields === true;
}

/** What is missing for this target to be called, as readable sentences; empty when nothing is. */
export function credentialProblems(target: RouteTarget, env: Env): string[] {
  return PROVIDER_ADAPTERS[target.provider].credentialProblems(target, env);
}
