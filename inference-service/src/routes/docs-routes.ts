import { Hono } from 'hono';
import { renderApiDocsPage } from '../http/api-docs-page.ts';
import type { OpenApiDocument } from '../http/api-docs-page.ts';

/**
 * GET /openapi.json and GET /docs. In development they need no key (config.publicDocs), so
 * the reference opens from a browser; in production they sit behind the key like every route.
 */
export function docsRoutes(document: () => OpenApiDocument): Hono {
  const app = new Hono();
  app.get('/openapi.json', (c) => c.json(document()));
  app.get('/docs', (c) => c.html(renderApiDocsPage(document())));
  return app;
}
