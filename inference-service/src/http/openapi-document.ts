import type { OpenAPIHono } from '@hono/zod-openapi';
import type { OpenApiDocument } from './api-docs-page.ts';
import { addExamples } from './api-examples.ts';

/**
 * The OpenAPI document of an app, generated once from its routes' zod schemas on first
 * request, with an example per operation (api-examples.ts). OpenAPI 3.0.3: Salesforce
 * External Services imports OpenAPI 2.0 and a subset of 3.0, not 3.1
 * (test/http/openapi-external-services.test.ts checks the rest of what it accepts).
 */
export function openApiDocumentOf(app: OpenAPIHono, version: string): () => OpenApiDocument {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer' });
  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKeyHeader', {
    type: 'apiKey',
    in: 'header',
    name: 'X-API-Key',
  });
  let document: OpenApiDocument | undefined;
  return () =>
    (document ??= addExamples(
      app.getOpenAPIDocument({
        openapi: '3.0.3',
        info: {
          title: 'BYOM Bridge inference service',
          version,
          description:
            'ONNX scoring with per-feature explanations for Salesforce, the Open Inference Protocol v2, and an LLM ' +
            'gateway with PII masking (`/v1/generate`, and OpenAI-compatible `/v1/chat/completions`).',
        },
        security: [{ bearerAuth: [] }, { apiKeyHeader: [] }],
      }) as unknown as OpenApiDocument,
    ));
}
