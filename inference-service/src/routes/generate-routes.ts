import { createRoute } from '@hono/zod-openapi';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { ErrorBody, errorResponse } from '../http/error-schemas.ts';
import { createRouter } from '../http/router.ts';
import type { GatewayState } from '../generation/gateway/gateway-state.ts';
import { withTimingHeaders } from './gateway-http.ts';
import { GenerateRequest, GenerateResponse } from './generate-schemas.ts';

const timingHeaders = {
  'Server-Timing': {
    description: 'gateway;dur=<ms spent in the gateway>, provider;dur=<ms waiting on providers>',
    schema: { type: 'string' as const },
  },
  'X-BYOM-Gateway-Ms': {
    description: 'Milliseconds spent in the gateway itself (the same as gatewayMs).',
    schema: { type: 'string' as const },
  },
};

const generateRoute = createRoute({
  method: 'post',
  path: '/v1/generate',
  operationId: 'generateText',
  summary: 'Generate text with an LLM route, PII masked before any provider sees it',
  description:
    'Masks the values marked as PII and what detection finds in the messages (emails, phone numbers, payment ' +
    "cards, IBANs, US SSNs, IP addresses), calls the route's targets in order with retries and fallback inside " +
    'the deadline (never more than 25 s), restores the masked values in the answer and checks it (length, JSON ' +
    'Schema, no made-up placeholders). See docs/llm-gateway.md.',
  request: { body: { required: true, content: { 'application/json': { schema: GenerateRequest } } } },
  responses: {
    200: {
      description: 'The answer, the provider and model that produced it, attempts, usage, cost and timings',
      headers: timingHeaders,
      content: { 'application/json': { schema: GenerateResponse } },
    },
    400: errorResponse('The request body does not match the schema, or its JSON Schema is not supported'),
    401: errorResponse('Missing or invalid service key'),
    404: errorResponse('ROUTE_NOT_FOUND: no such route; details.knownRoutes lists the configured ones'),
    413: errorResponse('Body over the limit'),
    500: errorResponse('MASKING_FAILED: the request could not be masked, so nothing was sent to a provider'),
    429: {
      description:
        'BUDGET_EXCEEDED (a token or cost budget) or RATE_LIMITED (requests per minute): details.limit names it, ' +
        'details.resetsAt says when it resets; Retry-After in seconds',
      headers: {
        'Retry-After': { description: 'Seconds until the limit resets.', schema: { type: 'integer' as const } },
      },
      content: { 'application/json': { schema: ErrorBody } },
    },
    502: errorResponse('PROVIDERS_FAILED (details.attempts) or OUTPUT_REJECTED (details.reason)'),
    503: errorResponse(
      'NOT_READY: the gateway is still starting; LIMITS_UNAVAILABLE: the budget store cannot be reached',
    ),
    504: errorResponse('DEADLINE_EXCEEDED: no answer within the deadline; details.attempts'),
  },
});

export function generateRoutes(llm: GatewayState): OpenAPIHono {
  const app = createRouter();
  app.openapi(generateRoute, async (c) => {
    const request = c.req.valid('json');
    const gateway = llm.requireGateway();
    const format = request.options.responseFormat;
    const result = await withTimingHeaders(c, () =>
      gateway.generate({
        api: 'generate',
        route: request.route,
        messages: request.messages,
        pii: request.pii,
        options: {
          ...(request.options.temperature !== undefined ? { temperature: request.options.temperature } : {}),
          ...(request.options.maxTokens !== undefined ? { maxTokens: request.options.maxTokens } : {}),
          ...(request.options.maxChars !== undefined ? { maxChars: request.options.maxChars } : {}),
          ...(format?.type === 'json' ? { json: { schema: format.schema } } : {}),
        },
        ...(request.deadlineMs !== undefined ? { deadlineMs: request.deadlineMs } : {}),
        // Set by the app's first middleware, so gateway time includes parsing and checks.
        arrivedAt: c.get('arrivedAt'),
        signal: c.req.raw.signal,
        requestId: c.get('requestId'),
        caller: {
          keyId: c.get('keyId'),
          ...(request.metadata?.orgId !== undefined ? { orgId: request.metadata.orgId } : {}),
          ...(request.metadata?.userId !== undefined ? { userId: request.metadata.userId } : {}),
        },
        ...(request.metadata ? { metadata: request.metadata } : {}),
      }),
    );
    const response: GenerateResponse = {
      id: c.get('requestId'),
      route: result.route,
      provider: result.provider,
      model: result.model,
      region: result.region,
      text: result.text,
      json: result.json,
      finishReason: result.finishReason,
      attempts: result.attempts,
      usage: result.usage,
      cost: result.cost,
      latencyMs: result.latencyMs,
      gatewayMs: result.gatewayMs,
      providerMs: result.providerMs,
      masked: result.masked,
      warnings: result.warnings,
    };
    return c.json(response, 200);
  });
  return app;
}
