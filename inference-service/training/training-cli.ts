import { ModelLoadError } from '../src/models/model-load-error.ts';
import { CsvFormatError } from './csv-table.ts';
import { DatasetError } from './feature-spec.ts';

/**
 * The contract between the training entry points and their callers (`sf byom model train`
 * and `model eval` spawn them): with `--json`, stdout carries exactly one JSON document,
 * `{"ok": true, "result": …}` or `{"ok": false, "error": {"kind", "message"}}`, and
 * progress goes to stderr. Exit code 0 on success, 2 when the input is at fault (bad data,
 * bad options: the message says what to fix), 1 for anything else.
 */

export type ErrorKind = 'input' | 'internal';

export async function runTrainingCli<T>(
  json: boolean,
  main: () => Promise<T>,
  printHuman: (result: T) => void,
): Promise<void> {
  try {
    const result = await main();
    if (json) process.stdout.write(`${JSON.stringify({ ok: true, result })}\n`);
    else printHuman(result);
  } catch (error) {
    const kind: ErrorKind = isInputError(error) ? 'input' : 'internal';
    const message = error instanceof Error ? error.message : String(error);
    if (json) process.stdout.write(`${JSON.stringify({ ok: false, error: { kind, message } })}\n`);
    else
      process.stderr.write(`error: ${message}\n${kind === 'internal' && error instanceof Error ? error.stack : ''}\n`);
    process.exitCode = kind === 'input' ? 2 : 1;
  }
}

/** Errors whose message tells the user what to change in the data or the options. */
export function isInputError(error: unknown): boolean {
  return (
    error instanceof DatasetError ||
    error instanceof CsvFormatError ||
    // A model directory that does not load: the message names the file and the field.
    error instanceof ModelLoadError ||
    // node:util parseArgs: unknown or malformed options.
    (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))
  );
}

/** A number option, or a DatasetError naming it. */
export function numberOption(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed))
    throw new DatasetError(`${flag} must be a number, got "${value}"`);
  return parsed;
}

/** A required option's value, or a DatasetError naming it. */
export function requiredOption(flag: string, value: string | undefined): string {
  if (value === undefined || value.trim() === '') throw new DatasetError(`${flag} is required`);
  return value;
}

/** A YYYY-MM-DD option as midnight UTC, or a DatasetError naming it. */
export function dateOption(flag: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const date = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : undefined;
  if (!date || date.toISOString().slice(0, 10) !== value)
    throw new DatasetError(`${flag} must be a date like 2025-01-31, got "${value}"`);
  return date;
}
