import { randomUUID } from 'node:crypto';
import { createRoute } from '@hono/zod-openapi';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { ErrorBody } from '../http/error-schemas.ts';
import { createRouter } from '../http/router.ts';
import type { ChatMessage } from '../generation/domain.ts';
import type { GatewayState } from '../generation/gateway/gateway-state.ts';
import { ChatCompletionRequest, ChatCompletionResponse } from './chat-completions-schemas.ts';
import { arrivalOf, withTimingHeaders } from './gateway-http.ts';

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: ErrorBody } },
});

const chatCompletionsRoute = createRoute({
  method: 'post',
  path: '/v1/chat/completions',
  operationId: 'createChatCompletion',
  summary: 'OpenAI-compatible chat completion through an LLM route, with the same PII masking',
  description:
    'For OpenAI SDKs and the Salesforce LLM Open Connector: `model` names a route. Messages are masked as in ' +
    '/v1/generate (detection, plus the optional `pii` extension), and the answer is restored and checked. ' +
    'No streaming, tools or images; n must be 1. The `byom` object reports provider, attempts, cost and timings.',
  request: { body: { required: true, content: { 'application/json': { schema: ChatCompletionRequest } } } },
  responses: {
    200: {
      description: 'A chat.completion object',
      content: { 'application/json': { schema: ChatCompletionResponse } },
    },
    400: errorResponse('The body does not match the schema, or asks for something unsupported (stream, tools, n > 1)'),
    401: errorResponse('Missing or invalid service key'),
    404: errorResponse('ROUTE_NOT_FOUND: `model` is not a route; details.knownRoutes lists them'),
    500: errorResponse('MASKING_FAILED'),
    429: errorResponse('BUDGET_EXCEEDED or RATE_LIMITED: details.limit and details.resetsAt; Retry-After in seconds'),
    502: errorResponse('PROVIDERS_FAILED or OUTPUT_REJECTED'),
    503: errorResponse('The gateway is still starting'),
    504: errorResponse('DEADLINE_EXCEEDED'),
  },
});

type FinishReason = ChatCompletionResponse['choices'][number]['finish_reason'];
const FINISH_REASONS: Record<string, FinishReason> = {
  stop: 'stop',
  length: 'length',
  'content-filter': 'content_filter',
  'tool-calls': 'tool_calls',
};

export function chatCompletionsRoutes(llm: GatewayState): OpenAPIHono {
  const app = createRouter();
  app.openapi(chatCompletionsRoute, async (c) => {
    const request = c.req.valid('json');
    const gateway = llm.requireGateway();
    const maxTokens = request.max_completion_tokens ?? request.max_tokens;
    const format = request.response_format;
    const json =
      format?.type === 'json_object'
        ? {}
        : format?.type === 'json_schema'
          ? format.json_schema.schema !== undefined
            ? { schema: format.json_schema.schema }
            : {}
          : undefined;
    const stop = request.stop === undefined || request.stop === null ? undefined : [request.stop].flat();
    const result = await withTimingHeaders(c, () =>
      gateway.generate({
        api: 'chat.completions',
        route: request.model,
        messages: request.messages.map(toChatMessage),
        pii: request.pii ?? [],
        options: {
          ...(request.temperature != null ? { temperature: request.temperature } : {}),
          ...(request.top_p != null ? { topP: request.top_p } : {}),
          ...(maxTokens != null ? { maxTokens } : {}),
          ...(stop ? { stop } : {}),
          ...(json ? { json } : {}),
        },
        arrivedAt: arrivalOf(c),
        signal: c.req.raw.signal,
        requestId: c.get('requestId'),
        caller: { keyId: c.get('keyId'), ...(request.user ? { userId: request.user } : {}) },
      }),
    );
    const response: ChatCompletionResponse = {
      id: `chatcmpl-${randomUUID()}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: result.model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: result.text, refusal: null },
          finish_reason: FINISH_REASONS[result.finishReason] ?? 'stop',
          logprobs: null,
        },
      ],
      usage: {
        prompt_tokens: result.usage.inputTokens,
        completion_tokens: result.usage.outputTokens,
        total_tokens: result.usage.totalTokens,
      },
      system_fingerprint: null,
      byom: {
        route: result.route,
        provider: result.provider,
        ...(result.region !== undefined ? { region: result.region } : {}),
        attempts: result.attempts,
        cost: result.cost,
        latencyMs: result.latencyMs,
        gatewayMs: result.gatewayMs,
        providerMs: result.providerMs,
        masked: result.masked,
      },
    };
    return c.json(response, 200);
  });
  return app;
}

function toChatMessage(message: ChatCompletionRequest['messages'][number]): ChatMessage {
  const content = typeof message.content === 'string' ? message.content : message.content.map((p) => p.text).join('');
  return { role: message.role === 'developer' ? 'system' : message.role, content };
}
