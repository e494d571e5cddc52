import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { ServiceMetrics } from '../observability/metrics.ts';

const metricsRoute = createRoute({
  method: 'get',
  path: '/metrics',
  operationId: 'metrics',
  summary: 'Prometheus metrics',
  description:
    'Request counts and latency by route, records scored and record errors by model, inference batch sizes, ' +
    'LLM calls and costs, and process metrics, in the Prometheus text format. Needs the key. ' +
    'The metric names are listed in docs/operations.md.',
  responses: {
    200: {
      description: 'The Prometheus text exposition format',
      content: { 'text/plain': { schema: z.string() } },
    },
  },
});

/** GET /metrics, for a Prometheus scraper holding the service key. */
export function metricsRoutes(metrics: ServiceMetrics): OpenAPIHono {
  const app = new OpenAPIHono();
  app.openapi(metricsRoute, async (c) =>
    // Prometheus' content type, with the exposition format version, not plain text/plain.
    c.text(await metrics.registry.metrics(), 200, { 'Content-Type': metrics.registry.contentType }),
  );
  return app;
}
