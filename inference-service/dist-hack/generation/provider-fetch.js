import { STATUS_CODES } from 'node:http';
import { Agent, EnvHttpProxyAgent, request } from 'undici';
export const DEFAULT_MAX_PROVIDER_RESPONSE_BYTES = 8 * 1024 * 1024;
// Statuses whose Response must not have a body (the constructor throws otherwise).
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);
export function createProviderFetch(options = {}) {
    const dispatcher = createDispatcher(options.maxResponseBytes ?? DEFAULT_MAX_PROVIDER_RESPONSE_BYTES, options.env ?? process.env);
    return async function providerFetch(input, init) {
        const body = init?.body;
        if (input instanceof Request ||
            !(body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array)) {
            return globalThis.fetch(input, init);
        }
        const url = typeof input === 'string' ? input : input.href;
        const signal = init?.signal ?? undefined;
        try {
            const answer = await request(url, {
                method: (init?.method ?? 'GET'),
                headers: headerRecord(init?.headers),
                ...(body !== undefined && body !== null ? { body } : {}),
                ...(signal ? { signal } : {}),
                dispatcher,
            });
            const bytes = await answer.body.bytes();
            return new Response(NULL_BODY_STATUSES.has(answer.statusCode) ? null : bytes, {
                status: answer.statusCode,
                statusText: STATUS_CODES[answer.statusCode] ?? '',
                headers: responseHeaders(answer.headers),
            });
        }
        catch (error) {
            throw asFetchError(error, signal);
        }
    };
}
/**
 * Fails the way fetch fails, which is what the AI SDK and the fallback runner understand:
 * the signal's reason when the caller aborted, otherwise a TypeError('fetch failed') whose
 * cause is undici's error (the SDK turns it into a retryable network APICallError).
 */
function asFetchError(error, signal) {
    if (signal?.aborted)
        return signal.reason;
    return new TypeError('fetch failed', { cause: error });
}
/** Whether an attempt failed because the provider's answer was larger than the fetch reads. */
export function isOversizedAnswer(error) {
    return error?.code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE';
}
/**
 * A keep-alive pool; behind an egress proxy when the environment names one (undici's
 * EnvHttpProxyAgent, which also honours NO_PROXY). Without one, the plain agent skips the
 * proxy agent's URL parse on every request.
 */
function createDispatcher(maxResponseBytes, env) {
    // Idle connections are kept 30 s unless the provider's Keep-Alive header says otherwise.
    const pool = { maxResponseSize: maxResponseBytes, keepAliveTimeout: 30_000 };
    const httpProxy = env.HTTP_PROXY || env.http_proxy;
    const httpsProxy = env.HTTPS_PROXY || env.https_proxy;
    if (!httpProxy && !httpsProxy)
        return new Agent(pool);
    return new EnvHttpProxyAgent({
        ...pool,
        ...(httpProxy ? { httpProxy } : {}),
        ...(httpsProxy ? { httpsProxy } : {}),
        noProxy: env.NO_PROXY ?? env.no_proxy ?? '',
    });
}
function headerRecord(headers) {
    if (headers === undefined)
        return {};
    if (headers instanceof Headers)
        return Object.fromEntries(headers);
    if (Array.isArray(headers))
        return Object.fromEntries(headers);
    // The AI SDK leaves optional headers (an organization, a project) undefined.
    const record = {};
    for (const [name, value] of Object.entries(headers)) {
        if (value !== undefined)
            record[name] = value;
    }
    return record;
}
function responseHeaders(raw) {
    const headers = new Headers();
    for (const name in raw) {
        const value = raw[name];
        if (value === undefined)
            continue;
        if (typeof value === 'string')
            headers.append(name, value);
        else
            for (const one of value)
                headers.append(name, one);
    }
    return headers;
}
