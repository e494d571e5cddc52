import { OpenAPIHono } from '@hono/zod-openapi';
import type { z } from 'zod';
import { ApiError } from './api-error.ts';

/**
 * Every route group is built with this, so a request that fails its zod schema always
 * becomes the same 400 VALIDATION_ERROR with a readable list of what is wrong.
 */
export function createRouter(): OpenAPIHono {
  return new OpenAPIHono({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error.issues);
    },
  });
}

/** The 400 for a body that fails its schema (routes that validate by hand throw it too). */
export function validationError(issues: z.core.$ZodIssue[]): ApiError {
  return new ApiError(
    400,
    'VALIDATION_ERROR',
    describeIssues(issues),
    { issues: issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })) },
    issues[0] !== undefined && issues[0].path.length > 0 ? issues[0].path.join('.') : undefined,
  );
}

const MAX_LISTED_ISSUES = 5;

/** "records.0.id: Too small ...; model: Invalid input ..." with at most five issues listed. */
export function describeIssues(issues: z.core.$ZodIssue[]): string {
  const listed = issues.slice(0, MAX_LISTED_ISSUES).map((issue) => {
    const where = issue.path.length > 0 ? issue.path.join('.') : 'body';
    return `${where}: ${issue.message}`;
  });
  const more = issues.length > MAX_LISTED_ISSUES ? ` (and ${issues.length - MAX_LISTED_ISSUES} more)` : '';
  return `invalid request: ${listed.join('; ')}${more}`;
}
