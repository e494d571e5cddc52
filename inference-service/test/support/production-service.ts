import { buildService } from '../../bench/production-command.ts';
import { stubTarget, writeRoutesFile } from './gateway-test-app.ts';
import { startProductionCommand, waitUntilReady } from './service-process.ts';
import type { ServiceProcess } from './service-process.ts';
import { startStubLlmProvider } from './stub-llm-provider.ts';
import type { StubLlmProvider } from './stub-llm-provider.ts';

export interface ProductionService {
  service: ServiceProcess;
  /** The OpenAI-compatible provider the service's one LLM route calls. */
  stub: StubLlmProvider;
  stop(): Promise<void>;
}

/**
 * The production command (built first, as Heroku builds it), in NODE_ENV=production with the
 * given environment and one LLM route, `route`, to a stub provider in this process; ready.
 */
export async function startProductionService(
  env: Record<string, string>,
  route = 'insights',
): Promise<ProductionService> {
  buildService();
  const stub = await startStubLlmProvider();
  const routesFile = await writeRoutesFile({
    routes: { [route]: { retries: 0, targets: [stubTarget(stub.baseUrl, 'm')] } },
  });
  const service = await startProductionCommand({
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    BYOM_ROUTES: routesFile,
    ...env,
  });
  await waitUntilReady(service);
  return {
    service,
    stub,
    stop: async () => {
      service.child.kill('SIGKILL');
      await stub.close();
    },
  };
}
