/**
 * The few inference-service calls the plugin makes (health, readiness, model cards), over
 * fetch with a timeout. The service key, when given, is sent as `Authorization: Bearer`,
 * the header the External Credential builds, and is never logged or returned.
 */

export interface ServiceResponse {
  status: number;
  /** The parsed JSON body, or undefined when the body is not JSON. */
  body: unknown;
}

export class ServiceUnreachableError extends Error {
  override name = 'ServiceUnreachableError';
}

export const SERVICE_KEY_ENV = 'BYOM_SERVICE_KEY';
export const SIGNING_SECRET_ENV = 'BYOM_SIGNING_SECRET';

const TIMEOUT_MS = 10_000;

export class ServiceClient {
  readonly baseUrl: string;
  private readonly key: string | undefined;

  constructor(baseUrl: string, key?: string) {
    const url = new URL(baseUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`${baseUrl} is not an http(s) URL`);
    this.baseUrl = url.toString().replace(/\/+$/, '');
    this.key = key;
  }

  /** GET a path; the key is sent only when `authenticated`. Network failures and timeouts throw ServiceUnreachableError. */
  async get(path: string, authenticated = false): Promise<ServiceResponse> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (authenticated && this.key) headers.Authorization = `Bearer ${this.key}`;
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, { headers, signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const reason =
        (error as Error).name === 'TimeoutError'
          ? `no answer within ${TIMEOUT_MS / 1000} s`
          : (cause?.code ?? cause?.message ?? (error as Error).message);
      throw new ServiceUnreachableError(reason);
    }
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: response.status, body };
  }
}

/** The service's error message from `{"error": {"code", "message"}}`, or a fallback. */
export function serviceErrorMessage(response: ServiceResponse): string {
  const error = (response.body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  return typeof error?.message === 'string'
    ? `${String(error.code ?? '')} ${error.message}`.trim()
    : `HTTP ${response.status}`;
}
