import { randomUUID } from 'node:crypto';
import { createRoute } from '@hono/zod-openapi';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import type { GenerationResult } from '../generation/domain.ts';
import type { GatewayState } from '../generation/gateway/gateway-state.ts';
import { openAiErrorType } from '../http/api-error.ts';
import { errorResponse } from '../http/error-schemas.ts';
import { createRouter } from '../http/router.ts';
import { generationInputOf } from './chat-completions-request.ts';
import { ChatCompletionChunk, ChatCompletionRequest, ChatCompletionResponse } from './chat-completions-schemas.ts';
import { withTimingHeaders } from './gateway-http.ts';

const chatCompletionsRoute = createRoute({
  method: 'post',
  path: '/v1/chat/completions',
  operationId: 'createChatCompletion',
  summary: 'OpenAI-compatible chat completion through an LLM route, with the same PII masking',
  description:
    'For OpenAI SDKs and the Salesforce LLM Open Connector: `model` names a route. Messages are masked as in ' +
    '/v1/generate (detection, plus the optional `pii` extension), and the answer is restored and checked. ' +
    "`stream: true` answers Server-Sent Events in OpenAI's chunk format. No tools, images or log probabilities. " +
    'The `byom` object reports provider, attempts, usage, cost, timings and what was not forwarded (warnings).',
  request: { body: { required: true, content: { 'application/json': { schema: ChatCompletionRequest } } } },
  responses: {
    200: {
      description: 'A chat.completion object, or with stream: true a text/event-stream of chat.completion.chunk events',
      content: {
        'application/json': { schema: ChatCompletionResponse },
        'text/event-stream': { schema: ChatCompletionChunk },
      },
    },
    400: errorResponse(
      'The body does not match the schema, or asks for something unsupported (tools, logprobs, n > 1)',
    ),
    401: errorResponse('Missing or invalid service key'),
    404: errorResponse('ROUTE_NOT_FOUND: `model` is not a route; details.knownRoutes lists them'),
    429: errorResponse('BUDGET_EXCEEDED or RATE_LIMITED: details.limit and details.resetsAt; Retry-After in seconds'),
    500: errorResponse('MASKING_FAILED'),
    502: errorResponse('PROVIDERS_FAILED or OUTPUT_REJECTED'),
    503: errorResponse('The gateway is still starting, or LIMITS_UNAVAILABLE'),
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
const finishReasonOf = (reason: string): FinishReason => FINISH_REASONS[reason] ?? 'stop';

export function chatCompletionsRoutes(llm: GatewayState): OpenAPIHono {
  const app = createRouter();
  app.openapi(chatCompletionsRoute, async (c) => {
    const request = c.req.valid('json');
    const gateway = llm.requireGateway();
    const input = {
      api: 'chat.completions' as const,
      ...generationInputOf(request),
      // Set by the app's first middleware, so gateway time includes parsing and checks.
      arrivedAt: c.get('arrivedAt'),
      signal: c.req.raw.signal,
      requestId: c.get('requestId'),
      caller: { keyId: c.get('keyId'), ...(request.user ? { userId: request.user } : {}) },
    };
    const id = `chatcmpl-${randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);
    if (request.stream === true) {
      // Failures before the first token (no route, a budget, every target down) answer as JSON errors.
      const stream = await gateway.stream(input);
      // zod-openapi types a handler's answer as the JSON responses it declares; a stream is a plain Response.
      return streamSSE(c, async (sse) => {
        const chunk = (fields: Partial<ChatCompletionChunk>): ChatCompletionChunk => ({
          id,
          object: 'chat.completion.chunk',
          created,
          model: stream.model,
          system_fingerprint: null,
          choices: [],
          ...fields,
        });
        const send = (data: unknown) => sse.writeSSE({ data: JSON.stringify(data) });
        await send(
          chunk({
            choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null, logprobs: null }],
          }),
        );
        for await (const event of stream.events) {
          if (sse.aborted) break;
          if (event.type === 'text') {
            await send(
              chunk({ choices: [{ index: 0, delta: { content: event.text }, finish_reason: null, logprobs: null }] }),
            );
          } else if (event.type === 'failed') {
            // OpenAI's SDKs raise an error for an event whose data holds `error`.
            await send({
              error: { message: event.message, type: openAiErrorType(event.status), param: null, code: event.code },
            });
          } else {
            const result = event.result;
            await send(
              chunk({
                choices: [{ index: 0, delta: {}, finish_reason: finishReasonOf(result.finishReason), logprobs: null }],
              }),
            );
            await send(chunk({ usage: openAiUsage(result) ?? null, byom: byomReport(result) }));
            await sse.writeSSE({ data: '[DONE]' });
          }
        }
      }) as unknown as ReturnType<typeof c.json<ChatCompletionResponse, 200>>;
    }
    const result = await withTimingHeaders(c, () => gateway.generate(input));
    const answers = [result, ...result.extraAnswers];
    const response: ChatCompletionResponse = {
      id,
      object: 'chat.completion',
      created,
      model: result.model,
      choices: answers.map((answer, index) => ({
        index,
        message: { role: 'assistant', content: answer.text, refusal: null },
        finish_reason: finishReasonOf(answer.finishReason),
        logprobs: null,
      })),
      usage: openAiUsage(result),
      system_fingerprint: null,
      byom: byomReport(result),
    };
    return c.json(response, 200);
  });
  return app;
}

/** OpenAI's usage object, only when the provider reported usage (the estimate stays in byom.usage). */
function openAiUsage(result: GenerationResult): ChatCompletionResponse['usage'] {
  if (result.usage.source !== 'provider') return undefined;
  return {
    prompt_tokens: result.usage.inputTokens,
    completion_tokens: result.usage.outputTokens,
    total_tokens: result.usage.totalTokens,
  };
}

function byomReport(result: GenerationResult): ChatCompletionResponse['byom'] {
  return {
    route: result.route,
    provider: result.provider,
    region: result.region,
    attempts: result.attempts,
    usage: result.usage,
    cost: result.cost,
    latencyMs: result.latencyMs,
    gatewayMs: result.gatewayMs,
    providerMs: result.providerMs,
    masked: result.masked,
    warnings: result.warnings,
  };
}
