import { z } from 'zod';
import type { ZodType } from 'zod';
import { ApiError } from '../../http/api-error.ts';
import type { PlaceholderVault } from '../pii/masking.ts';

/**
 * What an answer must pass before it reaches the caller: every placeholder restored and
 * none made up, no longer than the length cap, and, when structured output was asked for,
 * JSON that satisfies the caller's JSON Schema. A failed check is OUTPUT_REJECTED (502): the
 * provider answered, but not with something the caller can use.
 */

export type OutputRejection = 'invented_placeholder' | 'too_long' | 'invalid_json' | 'schema_mismatch' | 'empty';

export interface CheckedOutput {
  text: string;
  /** The parsed, restored answer when JSON was asked for. */
  json?: unknown;
}

export interface OutputExpectations {
  maxChars: number;
  /** undefined for text; `{}` for any JSON; otherwise a JSON Schema the answer must satisfy. */
  json?: { schema?: CompiledJsonSchema };
}

export class OutputRejectedError extends Error {
  override name = 'OutputRejectedError';
  readonly reason: OutputRejection;
  /** Where the answer failed the schema: paths and messages, never values. */
  readonly issues: Array<{ path: string; message: string }>;

  constructor(reason: OutputRejection, message: string, issues: Array<{ path: string; message: string }> = []) {
    super(message);
    this.reason = reason;
    this.issues = issues;
  }
}

export function checkOutput(maskedAnswer: string, vault: PlaceholderVault, expect: OutputExpectations): CheckedOutput {
  if (expect.json === undefined) {
    const { text, invented } = vault.restore(maskedAnswer);
    rejectInvented(invented);
    if (text.trim().length === 0) throw new OutputRejectedError('empty', 'the model returned an empty answer');
    rejectTooLong(text, expect.maxChars);
    return { text };
  }

  // Restore inside the parsed structure, not in the raw text: a restored value with a quote
  // or a backslash in it must not break the JSON.
  let parsed: unknown;
  try {
    parsed = JSON.parse(stripCodeFence(maskedAnswer));
  } catch {
    throw new OutputRejectedError('invalid_json', 'JSON output was asked for, but the answer is not valid JSON');
  }
  const { value, invented } = vault.restoreJson(parsed);
  rejectInvented(invented);
  const text = JSON.stringify(value);
  rejectTooLong(text, expect.maxChars);
  const schema = expect.json.schema;
  if (schema !== undefined) {
    const result = schema.safeParse(value);
    if (!result.success) {
      const issues = result.error.issues.slice(0, 10).map((issue) => ({
        path: issue.path.length > 0 ? issue.path.join('.') : '(root)',
        message: issue.message,
      }));
      throw new OutputRejectedError(
        'schema_mismatch',
        `the answer does not match the requested JSON Schema: ${issues
          .slice(0, 3)
          .map((i) => `${i.path}: ${i.message}`)
          .join('; ')}`,
        issues,
      );
    }
  }
  return { text, json: value };
}

function rejectInvented(invented: string[]): void {
  if (invented.length > 0) {
    throw new OutputRejectedError(
      'invented_placeholder',
      `the answer contains ${invented.length} placeholder(s) this request never issued, e.g. ${invented[0]}`,
    );
  }
}

function rejectTooLong(text: string, maxChars: number): void {
  if (text.length > maxChars) {
    throw new OutputRejectedError('too_long', `the answer has ${text.length} characters; the cap is ${maxChars}`);
  }
}

/** Models often wrap JSON in a Markdown fence even in JSON mode. */
function stripCodeFence(text: string): string {
  const fenced = /^\s*```(?:json)?\s*\n([\s\S]*?)\n?```\s*$/i.exec(text);
  return fenced ? fenced[1]! : text;
}

export type CompiledJsonSchema = ZodType;

const compiled = new Map<string, CompiledJsonSchema>();
const MAX_CACHED_SCHEMAS = 200;

/**
 * Compiles a caller's JSON Schema once (templates send the same one again and again).
 * Keywords the validator does not support (if/then/else, unevaluated*) are the caller's
 * error, reported before any provider is called.
 */
export function compileJsonSchema(schema: Record<string, unknown>, where: string): CompiledJsonSchema {
  let key: string;
  let validator: CompiledJsonSchema;
  try {
    // Inside the try: a schema nested thousands deep overflows the stack here as in fromJSONSchema.
    key = JSON.stringify(schema);
    const cached = compiled.get(key);
    if (cached !== undefined) return cached;
    validator = z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]);
  } catch (error) {
    const reason = error instanceof RangeError ? 'it is nested too deeply' : (error as Error).message;
    throw new ApiError(400, 'VALIDATION_ERROR', `${where}: unsupported JSON Schema: ${reason.slice(0, 300)}`);
  }
  if (compiled.size >= MAX_CACHED_SCHEMAS) compiled.delete(compiled.keys().next().value!);
  compiled.set(key, validator);
  return validator;
}
