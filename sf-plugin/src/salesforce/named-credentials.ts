import type { Connection } from '@salesforce/core';
import { dataPath, errorCodeOf, isNotFound } from './soql.ts';

/**
 * The Connect REST API for External Credential principals
 * (`/services/data/vXX.X/named-credentials/...`): read which authentication parameters a
 * named principal holds, and create (POST) or update (PATCH, API 59.0+, Custom protocol)
 * them. Values are sent encrypted and never read back: Salesforce does not return them.
 */

export interface PrincipalState {
  /** The External Credential exists in the org. */
  externalCredentialExists: boolean;
  /** The principal exists on it. */
  principalExists: boolean;
  /** Names of the authentication parameters the principal holds. */
  parameters: string[];
}

export type CredentialValues = Record<string, string>;

export async function readPrincipalState(
  conn: Connection,
  externalCredential: string,
  principal: string,
): Promise<PrincipalState> {
  const base = `${dataPath(conn)}/named-credentials`;
  let definition: { principals?: Array<{ principalName?: string; principalType?: string }> };
  try {
    definition = await conn.request(`${base}/external-credentials/${encodeURIComponent(externalCredential)}`);
  } catch (error) {
    if (isNotFound(error)) return { externalCredentialExists: false, principalExists: false, parameters: [] };
    throw error;
  }
  const principalExists = (definition.principals ?? []).some(
    (p) => p.principalName === principal && (p.principalType ?? 'NamedPrincipal') === 'NamedPrincipal',
  );
  if (!principalExists) return { externalCredentialExists: true, principalExists: false, parameters: [] };
  const query = new URLSearchParams({ externalCredential, principalName: principal, principalType: 'NamedPrincipal' });
  try {
    const credential = await conn.request<{ credentials?: Record<string, unknown> }>(`${base}/credential?${query}`);
    return {
      externalCredentialExists: true,
      principalExists: true,
      parameters: Object.keys(credential.credentials ?? {}).sort(),
    };
  } catch (error) {
    // A principal nobody has set a credential on yet has no credential resource.
    if (isNotFound(error)) return { externalCredentialExists: true, principalExists: true, parameters: [] };
    throw error;
  }
}

/**
 * Stores values on a named principal: POST when it holds nothing yet, PATCH (which keeps
 * parameters not named) when it does. Returns which it was.
 */
export async function storePrincipalCredential(
  conn: Connection,
  externalCredential: string,
  principal: string,
  values: CredentialValues,
  existing: PrincipalState,
): Promise<'created' | 'updated'> {
  const body = JSON.stringify({
    externalCredential,
    principalName: principal,
    principalType: 'NamedPrincipal',
    authenticationProtocol: 'Custom',
    credentials: Object.fromEntries(Object.entries(values).map(([name, value]) => [name, { value, encrypted: true }])),
  });
  const url = `${dataPath(conn)}/named-credentials/credential`;
  const headers = { 'content-type': 'application/json' };
  if (existing.parameters.length === 0) {
    try {
      await conn.request({ method: 'POST', url, body, headers });
      return 'created';
    } catch (error) {
      // Created meanwhile, or holding only parameters this org does not list: update instead.
      if (errorCodeOf(error) !== 'DUPLICATE_VALUE') throw error;
    }
  }
  await conn.request({ method: 'PATCH', url, body, headers });
  return 'updated';
}
