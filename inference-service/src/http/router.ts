import { OpenAPIHono } from '@hono/zod-openapi';
import type { z } from 'zod';
import { ApiError, MAX_ECHOED_CHARS } from './api-error.ts';

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

/** How many issues `details.issues` lists; `details.moreIssues` counts the rest, so a hostile body cannot make a huge answer. */
const MAX_DETAILED_ISSUES = 20;
/** How many issues the message names. */
const MAX_LISTED_ISSUES = 5;

/** The 400 for a body that fails its schema. */
function validationError(issues: z.core.$ZodIssue[]): ApiError {
  const details: { issues: Array<{ path: string; message: string }>; moreIssues?: number } = {
    issues: issues.slice(0, MAX_DETAILED_ISSUES).map((issue) => ({ path: pathOf(issue), message: issue.message })),
  };
  if (issues.length > MAX_DETAILED_ISSUES) details.moreIssues = issues.length - MAX_DETAILED_ISSUES;
  // "records.0.id: Too small ...; model: Invalid input ..."
  const listed = issues.slice(0, MAX_LISTED_ISSUES).map((issue) => `${pathOf(issue) || 'body'}: ${issue.message}`);
  const more = issues.length > MAX_LISTED_ISSUES ? ` (and ${issues.length - MAX_LISTED_ISSUES} more)` : '';
  const first = issues[0] !== undefined && issues[0].path.length > 0 ? pathOf(issues[0]) : undefined;
  return new ApiError(400, 'VALIDATION_ERROR', `invalid request: ${listed.join('; ')}${more}`, details, {
    param: first,
  });
}

/** The issue's path; keys come from the caller (a record of parameters), so the path is cut like any echoed input. */
function pathOf(issue: z.core.$ZodIssue): string {
  const path = issue.path.join('.');
  return path.length > MAX_ECHOED_CHARS ? `${path.slice(0, MAX_ECHOED_CHARS)}…` : path;
}
