import { keyEnvOf } from "./provider-credentials.js";
import { createProviderFetch } from "./provider-fetch.js";
export async function createProviderFactory(routes, options = {}) {
    const env = options.env ?? process.env;
    // One keep-alive pool for every provider, so connections are reused across requests.
    const fetch = options.fetch ?? createProviderFetch({ env });
    const models = new Map();
    for (const route of routes.all()) {
        for (const target of route.targets)
            models.set(target, await buildModel(target, env, fetch));
    }
    return (target) => {
        const model = models.get(target);
        if (model === undefined)
            throw new Error(`no model was built for ${target.provider} ${target.model}`);
        return model;
    };
}
/** One target's model; exported for tests that point a single target at a local server. */
export async function buildModel(target, env, fetch) {
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
            const credentials = env.GOOGLE_CLIENT_EMAIL && env.GOOGLE_PRIVATE_KEY
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
                baseURL: target.baseUrl,
                ...(apiKey ? { apiKey } : {}),
            }).chatModel(target.model);
        }
    }
}
