import type { ProviderAdapter } from './provider-adapter.ts';
import { isSet, needKey } from './provider-adapter.ts';

/**
 * Google Vertex AI (Gemini). An API key means Vertex express mode; otherwise project, location
 * and Google credentials: GOOGLE_CLIENT_EMAIL + GOOGLE_PRIVATE_KEY (Heroku has no credentials
 * file), GOOGLE_APPLICATION_CREDENTIALS, or the metadata server on Google Cloud, which cannot be
 * checked from here.
 */
export const vertex: ProviderAdapter = {
  defaultKeyEnv: 'GOOGLE_VERTEX_API_KEY',
  credentialProblems(target, env) {
    if (isSet(env, target.apiKeyEnv ?? 'GOOGLE_VERTEX_API_KEY')) return [];
    if (target.apiKeyEnv) return needKey(target, env, target.apiKeyEnv);
    const problems: string[] = [];
    if (!isSet(env, 'GOOGLE_VERTEX_PROJECT')) problems.push('set GOOGLE_VERTEX_PROJECT (or GOOGLE_VERTEX_API_KEY)');
    if (target.region === undefined && target.baseUrl === undefined && !isSet(env, 'GOOGLE_VERTEX_LOCATION')) {
      problems.push('set GOOGLE_VERTEX_LOCATION or give the target a region');
    }
    if (isSet(env, 'GOOGLE_CLIENT_EMAIL') !== isSet(env, 'GOOGLE_PRIVATE_KEY')) {
      problems.push('set both GOOGLE_CLIENT_EMAIL and GOOGLE_PRIVATE_KEY, or neither');
    }
    return problems;
  },
  async createModel(target, { env, apiKey, common }) {
    const { createGoogleVertex } = await import('@ai-sdk/google-vertex');
    const location = target.region ?? env.GOOGLE_VERTEX_LOCATION;
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
  },
};
