import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { ServiceState } from '../http/service-state.ts';

/** The only paths that need no service key (probes call them), and that are not request-logged. */
export const HEALTH_PATHS = {
  live: '/healthz',
  ready: '/readyz',
  oipLive: '/v2/health/live',
  oipReady: '/v2/health/ready',
} as const;

const Liveness = z.object({ status: z.literal('ok') }).openapi('Liveness');
const Readiness = z
  .object({
    status: z.enum(['ready', 'not_ready']),
    models: z.number().int().openapi({ description: 'How many model versions are loaded.' }),
  })
  .openapi('Readiness');
const OipLiveness = z.object({ live: z.boolean() }).openapi('OipLiveness');
const OipReadiness = z.object({ ready: z.boolean() }).openapi('OipReadiness');

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

/** Probes send no key: `security: []` says so in /openapi.json. */
const probe = { security: [] };

const liveRoute = createRoute({
  ...probe,
  method: 'get',
  path: HEALTH_PATHS.live,
  operationId: 'liveness',
  summary: 'Liveness: the process is up',
  description: 'Answers `200` as soon as the service listens, before models load. Needs no key.',
  responses: { 200: json(Liveness, 'The process is up') },
});

const readyRoute = createRoute({
  ...probe,
  method: 'get',
  path: HEALTH_PATHS.ready,
  operationId: 'readiness',
  summary: 'Readiness: every model is loaded',
  description:
    'Answers `200` once every model (and, with `BYOM_ROUTES`, the LLM gateway) is loaded, and `503` while ' +
    'loading or draining on shutdown. Needs no key.',
  responses: { 200: json(Readiness, 'Ready to score'), 503: json(Readiness, 'Loading, or draining on shutdown') },
});

const oipLiveRoute = createRoute({
  ...probe,
  method: 'get',
  path: HEALTH_PATHS.oipLive,
  operationId: 'oipServerLive',
  summary: 'Open Inference Protocol v2: server liveness',
  responses: { 200: json(OipLiveness, 'The process is up') },
});

const oipReadyRoute = createRoute({
  ...probe,
  method: 'get',
  path: HEALTH_PATHS.oipReady,
  operationId: 'oipServerReady',
  summary: 'Open Inference Protocol v2: server readiness',
  responses: { 200: json(OipReadiness, 'Ready'), 503: json(OipReadiness, 'Loading, or draining on shutdown') },
});

/** Liveness and readiness, for Heroku, Kubernetes probes and Open Inference Protocol clients. */
export function healthRoutes(state: ServiceState): OpenAPIHono {
  const app = new OpenAPIHono();
  const readiness = () => (state.ready ? 200 : 503);

  app.openapi(liveRoute, (c) => c.json({ status: 'ok' as const }, 200));
  app.openapi(readyRoute, (c) =>
    c.json(
      { status: state.ready ? ('ready' as const) : ('not_ready' as const), models: state.registry?.size ?? 0 },
      readiness(),
    ),
  );
  app.openapi(oipLiveRoute, (c) => c.json({ live: true }, 200));
  app.openapi(oipReadyRoute, (c) => c.json({ ready: state.ready }, readiness()));
  return app;
}
