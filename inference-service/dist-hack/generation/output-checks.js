import { z } from 'zod';
import { ApiError } from "../http/api-error.js";
export class OutputRejectedError extends Error {
    name = 'OutputRejectedError';
    reason;
    /** Where the answer failed the schema: paths and messages, never values. */
    issues;
    constructor(reason, message, issues = []) {
        super(message);
        this.reason = reason;
        this.issues = issues;
    }
}
export function checkOutput(maskedAnswer, vault, expect) {
    if (expect.json === undefined) {
        const { text, invented } = vault.restore(maskedAnswer);
        rejectInvented(invented);
        if (text.trim().length === 0)
            throw new OutputRejectedError('empty', 'the model returned an empty answer');
        rejectTooLong(text, expect.maxChars);
        return { text };
    }
    // Restore inside the parsed structure, not in the raw text: a restored value with a quote
    // or a backslash in it must not break the JSON.
    let parsed;
    try {
        parsed = JSON.parse(stripCodeFence(maskedAnswer));
    }
    catch {
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
            throw new OutputRejectedError('schema_mismatch', `the answer does not match the requested JSON Schema: ${issues
                .slice(0, 3)
                .map((i) => `${i.path}: ${i.message}`)
                .join('; ')}`, issues);
        }
    }
    return { text, json: value };
}
function rejectInvented(invented) {
    if (invented.length > 0) {
        throw new OutputRejectedError('invented_placeholder', `the answer contains ${invented.length} placeholder(s) this request never issued, e.g. ${invented[0]}`);
    }
}
function rejectTooLong(text, maxChars) {
    if (text.length > maxChars) {
        throw new OutputRejectedError('too_long', `the answer has ${text.length} characters; the cap is ${maxChars}`);
    }
}
/** Models often wrap JSON in a Markdown fence even in JSON mode. */
function stripCodeFence(text) {
    const fenced = /^\s*```(?:json)?\s*\n([\s\S]*?)\n?```\s*$/i.exec(text);
    return fenced ? fenced[1] : text;
}
const compiled = new Map();
const MAX_CACHED_SCHEMAS = 200;
/**
 * Compiles a caller's JSON Schema once (templates send the same one again and again).
 * Keywords the validator does not support (if/then/else, unevaluated*) are the caller's
 * error, reported before any provider is called.
 */
export function compileJsonSchema(schema, where) {
    const key = JSON.stringify(schema);
    const cached = compiled.get(key);
    if (cached !== undefined)
        return cached;
    let validator;
    try {
        validator = z.fromJSONSchema(schema);
    }
    catch (error) {
        throw new ApiError(400, 'VALIDATION_ERROR', `${where}: unsupported JSON Schema: ${error.message}`);
    }
    if (compiled.size >= MAX_CACHED_SCHEMAS)
        compiled.delete(compiled.keys().next().value);
    compiled.set(key, validator);
    return validator;
}
