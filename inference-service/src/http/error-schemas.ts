import { z } from '@hono/zod-openapi';
import { ERROR_CODES } from './api-error.ts';

/** The error body every route answers with; codes are listed (and documented) in api-error.ts. */
export const ErrorCode = z.enum(ERROR_CODES);

export const ErrorBody = z
  .object({
    error: z.object({
      code: ErrorCode,
      message: z.string().openapi({ example: 'records: expected at least 1 record' }),
      type: z.string().openapi({
        description:
          "OpenAI's error type for the status (invalid_request_error, authentication_error, not_found_error, " +
          'rate_limit_error, server_error, …), read by OpenAI clients and the LLM Open Connector.',
        example: 'invalid_request_error',
      }),
      param: z.string().nullable().openapi({
        description: 'The request field at fault, when one is (OpenAI’s `param`); null otherwise.',
        example: 'records',
      }),
      details: z.unknown().optional().openapi({ description: 'Machine-readable context, e.g. the known models.' }),
      requestId: z.string().optional(),
    }),
  })
  .openapi('Error');
export type ErrorBody = z.infer<typeof ErrorBody>;

/** An error response of a route's OpenAPI definition. */
export const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: ErrorBody } },
});
