import type { Connection } from '@salesforce/core';

/**
 * Small helpers for the SOQL and REST calls the commands make through the org connection.
 */

/** A SOQL string literal: backslashes and single quotes escaped, quotes added. */
export function soqlString(value: string): string {
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

/** `IN (...)` list of string literals. */
export function soqlList(values: readonly string[]): string {
  return `(${values.map(soqlString).join(', ')})`;
}

/** An API name (object, field, developer name): letters, digits and underscores, starting with a letter. */
export const API_NAME = /^[A-Za-z][A-Za-z0-9_]{0,79}$/;

/** A field path such as Industry or Account.Owner.Name. */
export const FIELD_PATH = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*){0,4}$/;

/** Every record of a query, following nextRecordsUrl. */
export async function queryAll<T>(conn: Connection, soql: string): Promise<T[]> {
  const result = await conn.query<T & Record<string, unknown>>(soql, { autoFetch: true, maxFetch: 50_000 });
  return result.records as T[];
}

/** `/services/data/vXX.X` for the connection's API version. */
export function dataPath(conn: Connection): string {
  return `/services/data/v${conn.getApiVersion()}`;
}

/** The Salesforce error code of a failed API call (INVALID_TYPE, NOT_FOUND…), when it has one. */
export function errorCodeOf(error: unknown): string | undefined {
  const candidate = error as { errorCode?: unknown; name?: unknown; data?: { errorCode?: unknown } };
  const code = candidate.errorCode ?? candidate.data?.errorCode ?? candidate.name;
  return typeof code === 'string' ? code : undefined;
}

/** Whether a failed call means "this object or resource does not exist in the org". */
export function isNotFound(error: unknown): boolean {
  const code = errorCodeOf(error);
  return (
    code === 'INVALID_TYPE' ||
    code === 'NOT_FOUND' ||
    code === 'ERROR_HTTP_404' ||
    /\b404\b/.test(String((error as Error).message))
  );
}
