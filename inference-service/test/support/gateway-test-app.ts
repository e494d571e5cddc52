import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createApp } from '../../src/app.ts';
import { GatewayState } from '../../src/generation/gateway/gateway-state.ts';
import { BudgetLedger } from '../../src/generation/gateway/budget-ledger.ts';
import { MemoryBudgetStore } from '../../src/generation/gateway/budget-store.ts';
import type { BudgetStore } from '../../src/generation/gateway/budget-store.ts';
import { createLlmGateway } from '../../src/generation/gateway/llm-gateway.ts';
import type { MaskFunction } from '../../src/generation/gateway/llm-gateway.ts';
import type { ProviderFactory } from '../../src/generation/providers/provider-factory.ts';
import { createProviderFactory } from '../../src/generation/providers/provider-factory.ts';
import { parseRoutes } from '../../src/generation/gateway/routes-config.ts';
import type { RouteTable } from '../../src/generation/gateway/routes-config.ts';
import { ServiceState } from '../../src/http/service-state.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { ServiceMetrics } from '../../src/observability/metrics.ts';
import { TEST_KEY } from './test-app.ts';

/**
 * The app with an LLM gateway whose routes (usually) point at the stub provider, built the
 * way server.ts builds it: the real routes validation and, unless a test hands in its own,
 * the real provider factory. Logs are collected so tests can prove what never reaches them.
 */

export interface GatewayTestApp {
  app: ReturnType<typeof createApp>;
  routes: RouteTable;
  metrics: ServiceMetrics;
  /** Everything logged so far, one JSON object per line. */
  logs: () => string;
  /** POSTs JSON with the service key. */
  post: (path: string, body: unknown, headers?: Record<string, string>) => Promise<Response>;
}

export interface GatewayTestOptions {
  env?: Record<string, string | undefined>;
  providers?: ProviderFactory;
  maxDeadlineMs?: number;
  mask?: MaskFunction;
  /** Where budgets are counted when the routes have limits; in memory unless given. */
  budgetStore?: BudgetStore;
}

export async function createGatewayTestApp(
  routesJson: unknown,
  options: GatewayTestOptions = {},
): Promise<GatewayTestApp> {
  const env = options.env ?? {};
  const routes = parseRoutes(routesJson, 'test routes', env);
  const providers = options.providers ?? (await createProviderFactory(routes.targets(), { env }));
  const lines: string[] = [];
  const logger = createLogger('debug', { write: (line: string) => void lines.push(line) });
  const metrics = new ServiceMetrics({ collectProcessMetrics: false });
  const gateway = createLlmGateway({
    routes,
    providers,
    logger,
    metrics,
    ...(options.maxDeadlineMs !== undefined ? { maxDeadlineMs: options.maxDeadlineMs } : {}),
    ...(options.mask ? { mask: options.mask } : {}),
    ...(routes.hasLimits()
      ? { budgets: new BudgetLedger(options.budgetStore ?? new MemoryBudgetStore(), routes.limits) }
      : {}),
  });
  const app = createApp({
    config: {
      apiKeys: [TEST_KEY],
      maxRecordsPerRequest: 1000,
      maxBodyBytes: 10 * 1024 * 1024,
      signingSecrets: [],
      signatureToleranceSeconds: 300,
    },
    state: new ServiceState(),
    logger,
    metrics,
    llm: new GatewayState(undefined, gateway),
  });
  const post: GatewayTestApp['post'] = async (path, body, headers = {}) =>
    app.request(path, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_KEY}`, 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  return { app, routes, metrics, logs: () => lines.join(''), post };
}

/** A target on the stub provider with round prices, so costs are easy to check. */
export function stubTarget(
  baseUrl: string,
  model: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    provider: 'openai-compatible',
    name: `stub-${model}`,
    model,
    baseUrl,
    pricePer1K: { input: 0.5, output: 1.5 },
    ...extra,
  };
}

/** Writes a routes file into a new temporary directory, for a service process's BYOM_ROUTES. */
export async function writeRoutesFile(routes: unknown): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'byom-gateway-'));
  const file = path.join(dir, 'routes.json');
  await writeFile(file, JSON.stringify(routes, null, 2));
  return file;
}
