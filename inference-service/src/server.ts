import { pino } from 'pino';
import { createApp } from './app.ts';
import { BUNDLED_MODEL_DIR, ConfigError, loadConfig } from './config.ts';
import type { Config } from './config.ts';
import { HttpServer } from './http/node-server.ts';
import { ServiceState } from './http/service-state.ts';
import { GatewayState } from './generation/gateway/gateway-state.ts';
import { RoutesConfigError, loadRoutesFile } from './generation/gateway/routes-config.ts';
import type { RouteTable } from './generation/gateway/routes-config.ts';
import { ModelRegistry } from './models/model-registry.ts';
import { ModelLoadError } from './models/model-load-error.ts';
import { createLogger } from './observability/logger.ts';
import { ServiceMetrics } from './observability/metrics.ts';
import { workingExample } from './scoring/example-request.ts';
import { developmentBanner } from './startup/development-banner.ts';
import { listenErrorMessage } from './startup/listen-address.ts';
import { CpuPool } from './workers/cpu-pool.ts';

/**
 * Starts the service: validate configuration, listen at once (liveness), handle SIGTERM from
 * then on, load every model (readiness). Any configuration or model problem stops the process
 * with a message naming the variable or file.
 */

let config: Config;
let routes: RouteTable | undefined;
try {
  config = loadConfig();
  // A broken routes file stops the boot before listening, naming the file and the field.
  routes = config.routesFile === undefined ? undefined : loadRoutesFile(config.routesFile);
} catch (error) {
  if (error instanceof ConfigError || error instanceof RoutesConfigError) {
    process.stderr.write(`byom-inference: ${error.message}\n`);
    process.exit(1);
  }
  throw error;
}

// Asynchronous writes: a request never waits for stdout. Flushed before every exit below.
const logDestination = pino.destination({ dest: 1, sync: false });
const logger = createLogger(config.logLevel, logDestination);
const state = new ServiceState();
const metrics = new ServiceMetrics({ collectProcessMetrics: true });
const llm = new GatewayState(config.routesFile);
// The one worker pool: large inference batches and large prompts' masking run there (docs/operations.md).
const pool = config.workerThreads > 0 ? new CpuPool(config.workerThreads) : undefined;
const app = createApp({ config, state, logger, metrics, llm });
const bootStarted = performance.now();

const http = new HttpServer(app.fetch, {
  port: config.port,
  host: config.host,
  headersTimeoutMs: config.headersTimeoutMs,
  requestTimeoutMs: config.requestTimeoutMs,
  maxConnections: config.maxConnections,
});
http.server.once('listening', () => {
  const address = http.server.address();
  logger.info(
    {
      port: typeof address === 'object' && address ? address.port : config.port,
      host: config.host,
      env: config.env,
      requestSigning: config.signingSecrets.length > 0,
    },
    'listening',
  );
});
http.server.on('error', (error) => fatal(listenErrorMessage(error, config.host, config.port)));

// Before the models load: a dyno stopped while booting drains and exits 0 like any other.
let shuttingDown = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (shuttingDown) return;
    shuttingDown = true;
    void shutDown(signal);
  });
}

try {
  // The AI SDK loads only when LLM routes are configured, next to the models; readiness waits for both.
  const [registry] = await Promise.all([
    ModelRegistry.load(config.modelDirs, {
      intraOpNumThreads: config.ortIntraOpThreads,
      maxQueuedRows: config.maxQueuedRows,
      metrics,
      ...(pool ? { pool } : {}),
    }),
    routes === undefined ? undefined : loadGateway(routes),
  ]);
  if (shuttingDown) {
    await registry.close();
  } else {
    // Built before readiness, so the banner is out by the time /readyz answers 200.
    const banner = config.apiKeyGenerated ? await developmentHint(registry) : undefined;
    state.setRegistry(registry);
    metrics.modelsLoaded.set(registry.size);
    for (const warning of registry.warnings) logger.warn({ file: warning.file }, `model directory: ${warning.message}`);
    const models = registry.list().map((m) => `${m.name}@${m.defaultVersion}`);
    logger.info({ models, bootMs: Math.round(performance.now() - bootStarted) }, 'ready');
    if (banner) process.stderr.write(banner);
  }
} catch (error) {
  if (error instanceof ModelLoadError) fatal(`cannot load models: ${error.message}`);
  throw error;
}

/**
 * Readiness turns false, the listener closes and connections drain without a reset
 * (node-server.ts); then the models (once their runs finish, hung-up callers' included), then
 * the worker pool are released and the process exits 0. Past SHUTDOWN_TIMEOUT_MS it exits 1.
 */
async function shutDown(signal: NodeJS.Signals): Promise<void> {
  logger.info({ signal, connections: http.connectionCount }, 'draining in-flight requests');
  state.startDraining();
  const forceExit = setTimeout(() => {
    logger.warn(
      { timeoutMs: config.shutdownTimeoutMs, connections: http.connectionCount },
      'shutdown timed out; closing remaining connections',
    );
    http.closeAll();
    exit(1);
  }, config.shutdownTimeoutMs);
  forceExit.unref();
  await http.drain();
  logger.info('stopped');
  // Models first: closing one waits for its runs, some of which are on the pool's threads.
  await state.registry?.close();
  await pool?.close();
  exit(0);
}

async function loadGateway(table: RouteTable): Promise<void> {
  const [{ createLlmGateway }, { createProviderFactory }, budgets] = await Promise.all([
    import('./generation/gateway/llm-gateway.ts'),
    import('./generation/providers/provider-factory.ts'),
    table.hasLimits() ? loadBudgets(table) : undefined,
  ]);
  const providers = await createProviderFactory(table.targets());
  llm.setGateway(
    createLlmGateway({
      routes: table,
      providers,
      logger,
      metrics,
      ...(budgets ? { budgets } : {}),
      // Large prompts are masked on the worker pool, so the event loop keeps serving meanwhile.
      ...(pool ? { mask: (input, signal) => pool.mask(input, signal) } : {}),
    }),
  );
  logger.info({ routes: table.names(), budgetStore: budgets?.store.kind ?? 'none' }, 'llm routes loaded');
}

/** The budget ledger over Redis when REDIS_URL is set, else over this process's memory (one replica). */
async function loadBudgets(table: RouteTable) {
  const { BudgetLedger } = await import('./generation/gateway/budget-ledger.ts');
  if (config.redisUrl === undefined) {
    const { MemoryBudgetStore } = await import('./generation/gateway/budget-store.ts');
    if (config.env === 'production') {
      logger.warn(
        'budgets and rate limits are counted in memory: correct for one dyno only; set REDIS_URL to share them',
      );
    }
    return new BudgetLedger(new MemoryBudgetStore(), table.limits);
  }
  const { RedisBudgetStore } = await import('./generation/gateway/redis-budget-store.ts');
  const store = new RedisBudgetStore({ url: config.redisUrl, tlsRejectUnauthorized: config.redisTlsVerify });
  try {
    await store.connect();
  } catch (error) {
    // Requests with limits answer 503 LIMITS_UNAVAILABLE until Redis is reachable; scoring is unaffected.
    logger.error({ err: { name: (error as Error).name, message: (error as Error).message } }, 'cannot reach REDIS_URL');
  }
  return new BudgetLedger(store, table.limits);
}

function fatal(message: string): never {
  logger.fatal(message);
  process.stderr.write(`byom-inference: ${message}\n`);
  exit(1);
}

function exit(code: number): never {
  try {
    logDestination.flushSync();
  } catch {
    // A write still in flight cannot be flushed synchronously; exiting matters more than its last line.
  }
  process.exit(code);
}

async function developmentHint(registry: ModelRegistry): Promise<string> {
  const example = await workingExample(registry, BUNDLED_MODEL_DIR);
  const bundled = example !== undefined && example.model.directory.startsWith(BUNDLED_MODEL_DIR);
  return developmentBanner(config, example && { request: example.request, bundled });
}
