import { Hono } from 'hono';
/** The only paths that need no service key (probes call them), and that are not request-logged. */
export const HEALTH_PATHS = {
    live: '/healthz',
    ready: '/readyz',
    oipLive: '/v2/health/live',
    oipReady: '/v2/health/ready',
};
/** Liveness and readiness, for Heroku, Kubernetes probes and Open Inference Protocol clients. */
export function healthRoutes(state) {
    const app = new Hono();
    const readiness = () => (state.ready ? 200 : 503);
    app.get(HEALTH_PATHS.live, (c) => c.json({ status: 'ok' }));
    app.get(HEALTH_PATHS.ready, (c) => c.json({ status: state.ready ? 'ready' : 'not_ready', models: state.registry?.size ?? 0 }, readiness()));
    app.get(HEALTH_PATHS.oipLive, (c) => c.json({ live: true }));
    app.get(HEALTH_PATHS.oipReady, (c) => c.json({ ready: state.ready }, readiness()));
    return app;
}
