/**
 * The parts of Salesforce's LLM Open Connector API that the gateway's /v1/chat/completions must
 * honour, written out as JSON Schema for the conformance test. Source: the OpenAPI document
 * `api-specs/llm-open-connector/llm-open-connector.yml` in the salesforce/einstein-platform
 * repository (commit 053b9c63cabeb538b4b58d5b0ef309cdf5f25fb0), "Salesforce LLM Open Connector
 * API" v1, MIT licence (the licence its `info.license` names). Transcribed by hand, not fetched
 * at test time: OpenAPI 3.0's `nullable: true` becomes a `null` type, and the field descriptions
 * are left out. Update it (and the commit above) when the spec changes.
 *
 * The example requests are built from the spec's `example` values: model "gpt-4-turbo" (here a
 * route name, which is what `model` means to the gateway), n 1, temperature 1, and parameters
 * { "top_p": 0.5 }, with messages of every role the spec allows.
 */

const nullable = (type: string) => ({ type: [type, 'null'] });

export const ERROR_RESPONSE = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['type', 'message', 'param', 'code'],
      properties: {
        code: nullable('string'),
        message: { type: 'string' },
        param: nullable('string'),
        type: { type: 'string' },
      },
    },
  },
} as const;

const COMPLETION_USAGE = {
  type: 'object',
  required: ['prompt_tokens', 'completion_tokens', 'total_tokens'],
  properties: {
    completion_tokens: { type: 'integer' },
    prompt_tokens: { type: 'integer' },
    total_tokens: { type: 'integer' },
  },
} as const;

const REQUEST_MESSAGE = {
  type: 'object',
  required: ['content', 'role'],
  properties: {
    content: { type: 'string' },
    role: { type: 'string', enum: ['system', 'user', 'assistant'] },
    name: { type: 'string' },
  },
} as const;

export const CREATE_CHAT_COMPLETION_REQUEST = {
  type: 'object',
  required: ['model', 'messages'],
  properties: {
    messages: { type: 'array', minItems: 1, items: REQUEST_MESSAGE },
    model: { type: 'string' },
    max_tokens: nullable('integer'),
    n: { type: ['integer', 'null'], minimum: 1, maximum: 128 },
    temperature: { type: ['number', 'null'], minimum: 0, maximum: 2 },
    parameters: { type: 'object', additionalProperties: true },
  },
} as const;

export const CREATE_CHAT_COMPLETION_RESPONSE = {
  type: 'object',
  required: ['choices', 'created', 'id', 'model', 'object'],
  properties: {
    id: { type: 'string' },
    choices: {
      type: 'array',
      items: {
        type: 'object',
        required: ['finish_reason', 'index', 'message'],
        properties: {
          finish_reason: { type: 'string', enum: ['stop', 'length', 'tool_calls', 'content_filter', 'function_call'] },
          index: { type: 'integer' },
          message: {
            type: 'object',
            required: ['role', 'content'],
            properties: {
              content: nullable('string'),
              role: { type: 'string', enum: ['assistant'] },
            },
          },
        },
      },
    },
    created: { type: 'integer' },
    model: { type: 'string' },
    object: { type: 'string', enum: ['chat.completion'] },
    usage: COMPLETION_USAGE,
  },
} as const;

/** The spec's example values, as whole requests; `route` replaces the example model id. */
export function exampleRequests(route: string): Array<{ name: string; body: Record<string, unknown> }> {
  return [
    {
      name: 'the required fields only',
      body: { model: route, messages: [{ role: 'user', content: 'Say hello.' }] },
    },
    {
      name: 'every optional field at its example value',
      body: {
        model: route,
        messages: [{ role: 'user', content: 'Say hello.' }],
        max_tokens: 100,
        n: 1,
        temperature: 1,
        parameters: { top_p: 0.5 },
      },
    },
    {
      name: 'every role, with names',
      body: {
        model: route,
        messages: [
          { role: 'system', content: 'You are terse.', name: 'policy' },
          { role: 'user', content: 'Hello?', name: 'rep' },
          { role: 'assistant', content: 'Hello.' },
          { role: 'user', content: 'Again.' },
        ],
      },
    },
    {
      name: 'nullable fields sent as null',
      body: {
        model: route,
        messages: [{ role: 'user', content: 'Hi.' }],
        max_tokens: null,
        n: null,
        temperature: null,
      },
    },
  ];
}
