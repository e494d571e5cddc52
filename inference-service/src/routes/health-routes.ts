import { Hono } from 'hono';
import type { ServiceState } from '../http/service-state.ts';

/**
 * Liveness and readiness, for Heroku, Kubernetes probes and Open Inference Protocol
 * clients. These are the only routes that need no service key.
 */
export function healthRoutes(state: ServiceState): Hono {
  const app = new Hono();
  const readiness = () => (state.ready ? 200 : 503);

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', (c) =>
    c.json({ status: state.ready ? 'ready' : 'not_ready', models: state.registry?.size ?? 0 }, readiness()),
  );
  app.get('/v2/health/live', (c) => c.json({ live: true }));
  app.get('/v2/health/ready', (c) => c.json({ ready: state.ready }, readiness()));
  return app;
}
