import { createApp } from '../../src/app.ts';
import { ServiceState } from '../../src/http/service-state.ts';
import { ModelRegistry } from '../../src/models/model-registry.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { ServiceMetrics } from '../../src/observability/metrics.ts';

export const TEST_KEY = 'test-key-0123456789abcdef';
export const ROTATED_KEY = 'rotated-key-0123456789abcdef';

export interface TestApp {
  app: ReturnType<typeof createApp>;
  registry: ModelRegistry;
  state: ServiceState;
  /** Calls the app in-process with the service key and a JSON body. */
  call: (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<Response>;
}

export async function createTestApp(
  modelDirs: string[],
  limits: {
    maxRecordsPerRequest?: number;
    maxBodyBytes?: number;
    signingSecrets?: string[];
    signatureToleranceSeconds?: number;
    now?: () => number;
    /** /docs and /openapi.json without the key, as in development (default: behind the key). */
    publicDocs?: boolean;
  } = {},
): Promise<TestApp> {
  const metrics = new ServiceMetrics({ collectProcessMetrics: false });
  const registry = await ModelRegistry.load(modelDirs, { intraOpNumThreads: 1, metrics });
  const state = new ServiceState();
  state.setRegistry(registry);
  const app = createApp({
    config: {
      apiKeys: [TEST_KEY, ROTATED_KEY],
      maxRecordsPerRequest: limits.maxRecordsPerRequest ?? 1000,
      maxBodyBytes: limits.maxBodyBytes ?? 10 * 1024 * 1024,
      signingSecrets: limits.signingSecrets ?? [],
      signatureToleranceSeconds: limits.signatureToleranceSeconds ?? 300,
      publicDocs: limits.publicDocs ?? false,
    },
    ...(limits.now ? { now: limits.now } : {}),
    state,
    logger: createLogger('silent'),
    metrics,
  });
  const call: TestApp['call'] = async (method, path, body, headers = {}) =>
    app.request(path, {
      method,
      headers: {
        authorization: `Bearer ${TEST_KEY}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
  return { app, registry, state, call };
}
