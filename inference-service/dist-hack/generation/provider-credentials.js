/**
 * Which environment variables each provider reads, so a missing key stops the boot with
 * its name instead of failing the first request of the day. Values are never printed.
 * docs/llm-gateway.md lists the same variables for operators.
 */
/** The variable holding the target's API key: `apiKeyEnv` when the route names one, else the provider's default. */
export const DEFAULT_KEY_ENV = {
    openai: 'OPENAI_API_KEY',
    anthropic: 'ANTHROPIC_API_KEY',
    azure: 'AZURE_API_KEY',
    mistral: 'MISTRAL_API_KEY',
    vertex: 'GOOGLE_VERTEX_API_KEY',
    bedrock: 'AWS_BEARER_TOKEN_BEDROCK',
};
export function keyEnvOf(target) {
    return target.apiKeyEnv ?? DEFAULT_KEY_ENV[target.provider];
}
/** What is missing for this target, as readable sentences; empty when it can be called. */
export function credentialProblems(target, env) {
    const set = (name) => name !== undefined && (env[name] ?? '').trim().length > 0;
    const keyEnv = keyEnvOf(target);
    const needKey = (name) => set(name) ? [] : [`set ${name}${target.apiKeyEnv ? '' : ' (or name another variable in apiKeyEnv)'}`];
    switch (target.provider) {
        case 'openai':
        case 'anthropic':
        case 'mistral':
            return needKey(keyEnv);
        case 'azure': {
            const problems = needKey(keyEnv);
            if (target.baseUrl === undefined && !set('AZURE_RESOURCE_NAME')) {
                problems.push('set AZURE_RESOURCE_NAME or give the target a baseUrl');
            }
            return problems;
        }
        case 'vertex': {
            // An API key means Vertex express mode; otherwise project, location and Google credentials
            // (GOOGLE_CLIENT_EMAIL + GOOGLE_PRIVATE_KEY, GOOGLE_APPLICATION_CREDENTIALS, or the metadata
            // server on Google Cloud, which cannot be checked from here).
            if (set(keyEnv))
                return [];
            if (target.apiKeyEnv)
                return needKey(target.apiKeyEnv);
            const problems = [];
            if (!set('GOOGLE_VERTEX_PROJECT'))
                problems.push('set GOOGLE_VERTEX_PROJECT (or GOOGLE_VERTEX_API_KEY)');
            if (target.region === undefined && target.baseUrl === undefined && !set('GOOGLE_VERTEX_LOCATION')) {
                problems.push('set GOOGLE_VERTEX_LOCATION or give the target a region');
            }
            if (set('GOOGLE_CLIENT_EMAIL') !== set('GOOGLE_PRIVATE_KEY')) {
                problems.push('set both GOOGLE_CLIENT_EMAIL and GOOGLE_PRIVATE_KEY, or neither');
            }
            return problems;
        }
        case 'bedrock': {
            const problems = [];
            if (target.region === undefined && !set('AWS_REGION'))
                problems.push('set AWS_REGION or give the target a region');
            if (target.apiKeyEnv)
                return [...problems, ...needKey(target.apiKeyEnv)];
            if (!set(keyEnv) && !(set('AWS_ACCESS_KEY_ID') && set('AWS_SECRET_ACCESS_KEY'))) {
                problems.push('set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_BEARER_TOKEN_BEDROCK)');
            }
            return problems;
        }
        case 'openai-compatible':
            // Local servers (Ollama, vLLM) often need no key; when the route names a variable, it must be set.
            return target.apiKeyEnv ? needKey(target.apiKeyEnv) : [];
    }
}
