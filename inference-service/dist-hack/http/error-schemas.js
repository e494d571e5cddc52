import { z } from '@hono/zod-openapi';
/**
 * Stable error codes. Clients (Apex first of all) branch on `code`, never on `message`,
 * so a code is never renamed; new situations get new codes.
 */
export const ErrorCode = z.enum([
    'UNAUTHORIZED',
    'NOT_FOUND',
    'METHOD_NOT_ALLOWED',
    'MODEL_NOT_FOUND',
    'VALIDATION_ERROR',
    'INVALID_JSON',
    'UNSUPPORTED_MEDIA_TYPE',
    'PAYLOAD_TOO_LARGE',
    'TOO_MANY_RECORDS',
    'NOT_READY',
    'INFERENCE_FAILED',
    'ROUTE_NOT_FOUND',
    'MASKING_FAILED',
    'PROVIDERS_FAILED',
    'DEADLINE_EXCEEDED',
    'OUTPUT_REJECTED',
    'INTERNAL',
]);
export const ErrorBody = z
    .object({
    error: z.object({
        code: ErrorCode,
        message: z.string().openapi({ example: 'records: expected at least 1 record' }),
        details: z.unknown().optional().openapi({ description: 'Machine-readable context, e.g. the known models.' }),
        requestId: z.string().optional(),
    }),
})
    .openapi('Error');
