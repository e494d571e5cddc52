import type { Connection, Org } from '@salesforce/core';
import { ENDPOINT_TYPE, recordsOfType, TEMPLATE_TYPE } from '../project/project-metadata.ts';
import type { ProjectMetadata } from '../project/project-metadata.ts';
import { readPrincipalState } from '../salesforce/named-credentials.ts';
import { RESCORING_BATCH_CLASS } from '../salesforce/rescoring-job.ts';
import { isNotFound, queryAll, soqlList, soqlString } from '../salesforce/soql.ts';
import { FindingLog } from './findings.ts';
import type { ProjectCheckResult } from './project-checks.ts';

/**
 * The org half of `sf byom doctor`: is what the project defines deployed, is the
 * credential principal set, are the permission sets assigned, and do the mapped fields
 * exist in the org's real schema. Each check catches its own failure, so one missing
 * permission does not hide the rest.
 */

interface DescribeField {
  name: string;
  type: string;
  relationshipName?: string | null;
  referenceTo?: string[];
}

export async function checkOrg(
  org: Org,
  project: ProjectMetadata,
  checked: ProjectCheckResult,
  serviceUrl?: string,
): Promise<FindingLog> {
  const log = new FindingLog('org');
  const conn = org.getConnection();
  const username = org.getUsername() ?? conn.getUsername() ?? 'the org';
  const where = `org ${username}`;
  const guarded = async (what: string, check: () => Promise<void>) => {
    try {
      await check();
    } catch (error) {
      log.error('ORG_QUERY_FAILED', where, [what, (error as Error).message]);
    }
  };
  log.pass('ORG_CONNECTED', where, [conn.instanceUrl, conn.getApiVersion()]);

  await guarded('reading AI_Model_Endpoint__mdt', () =>
    compareRecords(log, conn, project, ENDPOINT_TYPE, where, username),
  );
  if (project.objects.has(TEMPLATE_TYPE.toLowerCase()) || recordsOfType(project, TEMPLATE_TYPE).length > 0) {
    await guarded('reading AI_Prompt_Template__mdt', () =>
      compareRecords(log, conn, project, TEMPLATE_TYPE, where, username),
    );
  }
  await guarded('reading Apex classes', () => checkClasses(log, conn, project, where, username));
  await guarded('describing the mapped objects', () => checkSchema(log, conn, checked, where, username));
  await guarded('reading Named Credentials', () =>
    checkNamedCredentials(log, conn, checked, where, username, serviceUrl),
  );
  await guarded('reading permission sets', () => checkPermissionSets(log, conn, checked, where, username));
  if (project.objects.has('ai_scoring_settings__c')) {
    await guarded('reading AI Scoring Settings', () => checkKillSwitch(log, conn, org.getOrgId(), where));
  }
  if (project.apexClasses.includes(RESCORING_BATCH_CLASS)) {
    await guarded('reading scheduled jobs', () => checkNightlySchedule(log, conn, checked, where, username));
  }
  return log;
}

async function compareRecords(
  log: FindingLog,
  conn: Connection,
  project: ProjectMetadata,
  type: string,
  where: string,
  username: string,
): Promise<void> {
  let inOrg: string[];
  try {
    inOrg = (await queryAll<{ DeveloperName: string }>(conn, `SELECT DeveloperName FROM ${type}`)).map(
      (r) => r.DeveloperName,
    );
  } catch (error) {
    if (!isNotFound(error)) throw error;
    log.error('ORG_NOT_DEPLOYED', where, [type], [username]);
    return;
  }
  const inProject = recordsOfType(project, type).map((r) => r.developerName);
  const missing = inProject.filter((name) => !inOrg.includes(name));
  for (const name of missing) log.error('ORG_RECORD_NOT_DEPLOYED', where, [type, name], [username]);
  for (const name of inOrg.filter((n) => !inProject.includes(n))) {
    log.warning('ORG_RECORD_NOT_IN_PROJECT', where, [type, name], [type.replace(/__mdt$/, ''), name, username]);
  }
  if (missing.length === 0) log.pass('ORG_RECORDS_OK', where, [type, inOrg.length]);
}

async function checkClasses(
  log: FindingLog,
  conn: Connection,
  project: ProjectMetadata,
  where: string,
  username: string,
): Promise<void> {
  if (project.apexClasses.length === 0) return;
  const found = new Set<string>();
  for (let i = 0; i < project.apexClasses.length; i += 200) {
    const chunk = project.apexClasses.slice(i, i + 200);
    const records = await queryAll<{ Name: string }>(
      conn,
      `SELECT Name FROM ApexClass WHERE NamespacePrefix = null AND Name IN ${soqlList(chunk)}`,
    );
    for (const record of records) found.add(record.Name.toLowerCase());
  }
  const missing = project.apexClasses.filter((name) => !found.has(name.toLowerCase()));
  if (missing.length > 0) log.error('ORG_CLASSES_MISSING', where, [missing.length, missing.join(', ')], [username]);
  else log.pass('ORG_CLASSES_OK', where, [project.apexClasses.length]);
}

/** Every mapped path of every endpoint, resolved against the org's describe. */
async function checkSchema(
  log: FindingLog,
  conn: Connection,
  checked: ProjectCheckResult,
  where: string,
  username: string,
): Promise<void> {
  const describes = new Map<string, Map<string, DescribeField> | null>();
  const describe = async (object: string) => {
    const key = object.toLowerCase();
    if (!describes.has(key)) {
      try {
        const result = await conn.describe(object);
        describes.set(key, new Map((result.fields as DescribeField[]).map((f) => [f.name.toLowerCase(), f])));
      } catch (error) {
        if (!isNotFound(error)) throw error;
        describes.set(key, null);
      }
    }
    return describes.get(key)!;
  };
  for (const endpoint of checked.endpoints) {
    if (!endpoint.objectName) continue;
    const root = await describe(endpoint.objectName);
    if (!root) {
      log.error('ORG_OBJECT_MISSING', `${where}: ${endpoint.name}`, [endpoint.objectName], [username]);
      continue;
    }
    let problems = 0;
    for (const { entry } of endpoint.mapped) {
      const problem = await resolveInOrg(describe, endpoint.objectName, entry.field);
      if (problem) {
        problems++;
        log.error('ORG_FIELD_MISSING', `${where}: ${endpoint.name}`, [entry.feature, problem], [username]);
      }
    }
    if (problems === 0)
      log.pass('ORG_SCHEMA_OK', `${where}: ${endpoint.name}`, [endpoint.mapped.length, endpoint.objectName]);
  }
}

async function resolveInOrg(
  describe: (object: string) => Promise<Map<string, DescribeField> | null>,
  objectName: string,
  fieldPath: string,
): Promise<string | undefined> {
  const parts = fieldPath.split('.');
  let object = objectName;
  for (let i = 0; i < parts.length - 1; i++) {
    const fields = await describe(object);
    if (!fields) return `object ${object} is not in the org`;
    const relationship = [...fields.values()].find(
      (f) => f.relationshipName?.toLowerCase() === parts[i]!.toLowerCase(),
    );
    if (!relationship?.referenceTo?.length) return `${object} has no relationship named "${parts[i]}" in the org`;
    object = relationship.referenceTo[0]!;
  }
  const fields = await describe(object);
  if (!fields) return `object ${object} is not in the org`;
  if (!fields.has(parts[parts.length - 1]!.toLowerCase()))
    return `field ${object}.${parts[parts.length - 1]} is not in the org`;
  return undefined;
}

async function checkNamedCredentials(
  log: FindingLog,
  conn: Connection,
  checked: ProjectCheckResult,
  where: string,
  username: string,
  serviceUrl: string | undefined,
): Promise<void> {
  if (checked.credentials.length === 0) return;
  const names = checked.credentials.map((c) => c.namedCredential);
  const records = await queryAll<{ DeveloperName: string; Endpoint: string | null }>(
    conn,
    `SELECT DeveloperName, Endpoint FROM NamedCredential WHERE DeveloperName IN ${soqlList(names)}`,
  );
  for (const credential of checked.credentials) {
    const record = records.find((r) => r.DeveloperName.toLowerCase() === credential.namedCredential.toLowerCase());
    if (!record) {
      log.error('ORG_NOT_DEPLOYED', where, [`Named Credential ${credential.namedCredential}`], [username]);
      continue;
    }
    const url = record.Endpoint ?? '';
    if (serviceUrl && normalizeUrl(url) !== normalizeUrl(serviceUrl)) {
      log.warning(
        'ORG_NAMED_CREDENTIAL_URL_DIFFERS',
        where,
        [credential.namedCredential, url, serviceUrl],
        [credential.namedCredential],
      );
    } else {
      log.pass('ORG_NAMED_CREDENTIAL_OK', where, [credential.namedCredential, url || '(no URL)']);
    }
    const state = await readPrincipalState(conn, credential.externalCredential, credential.principal);
    if (!state.externalCredentialExists) {
      log.error('ORG_NOT_DEPLOYED', where, [`External Credential ${credential.externalCredential}`], [username]);
      continue;
    }
    if (!state.principalExists) {
      log.error('ORG_PRINCIPAL_MISSING', where, [credential.principal, credential.externalCredential], [username]);
      continue;
    }
    const missing = credential.parameters.filter(
      (p) => !state.parameters.some((held) => held.toLowerCase() === p.toLowerCase()),
    );
    if (missing.length > 0) {
      log.error(
        'ORG_PRINCIPAL_NOT_SET',
        where,
        [credential.externalCredential, credential.principal, missing.join(', ')],
        [username],
      );
    } else {
      log.pass('ORG_PRINCIPAL_OK', where, [
        credential.externalCredential,
        credential.principal,
        state.parameters.join(', ') || 'nothing',
      ]);
    }
  }
}

async function checkPermissionSets(
  log: FindingLog,
  conn: Connection,
  checked: ProjectCheckResult,
  where: string,
  username: string,
): Promise<void> {
  const names = [...new Set(checked.credentials.flatMap((c) => c.permissionSets))].sort();
  if (names.length === 0) return;
  const deployed = new Set(
    (await queryAll<{ Name: string }>(conn, `SELECT Name FROM PermissionSet WHERE Name IN ${soqlList(names)}`)).map(
      (r) => r.Name,
    ),
  );
  const counts = await queryAll<{ Name: string; assignees: number }>(
    conn,
    `SELECT PermissionSet.Name, COUNT(AssigneeId) assignees FROM PermissionSetAssignment WHERE PermissionSet.Name IN ${soqlList(names)} GROUP BY PermissionSet.Name`,
  );
  const mine = new Set(
    (
      await queryAll<{ PermissionSet: { Name: string } }>(
        conn,
        `SELECT PermissionSet.Name FROM PermissionSetAssignment WHERE Assignee.Username = ${soqlString(username)} AND PermissionSet.Name IN ${soqlList(names)}`,
      )
    ).map((r) => r.PermissionSet.Name),
  );
  for (const name of names) {
    if (!deployed.has(name)) {
      log.error('ORG_NOT_DEPLOYED', where, [`Permission set ${name}`], [username]);
      continue;
    }
    const assignees = counts.find((c) => c.Name === name)?.assignees ?? 0;
    if (assignees === 0) log.error('ORG_PERMSET_UNASSIGNED', where, [name], [name, username]);
    else log.pass('ORG_PERMSET_OK', where, [name, assignees]);
  }
  if (mine.size === 0)
    log.warning('ORG_USER_LACKS_PRINCIPAL_ACCESS', where, [username, names.join(', ')], [names.at(-1), username]);
}

async function checkKillSwitch(log: FindingLog, conn: Connection, orgId: string, where: string): Promise<void> {
  const [settings] = await queryAll<{ Disable_Scoring__c: boolean; Disable_Triggers__c: boolean }>(
    conn,
    `SELECT Disable_Scoring__c, Disable_Triggers__c FROM AI_Scoring_Settings__c WHERE SetupOwnerId = ${soqlString(orgId)}`,
  );
  const off = [
    settings?.Disable_Scoring__c ? 'Disable Scoring' : '',
    settings?.Disable_Triggers__c ? 'Disable Triggers' : '',
  ].filter(Boolean);
  if (off.length > 0) log.warning('ORG_SCORING_DISABLED', where, [off.join(' and ')]);
  else log.pass('ORG_SCORING_ENABLED', where);
}

async function checkNightlySchedule(
  log: FindingLog,
  conn: Connection,
  checked: ProjectCheckResult,
  where: string,
  username: string,
): Promise<void> {
  const nightly = checked.endpoints.filter((e) => e.active && e.nightly).map((e) => e.name);
  if (nightly.length === 0) return;
  const scheduled = await queryAll<{ Id: string }>(
    conn,
    `SELECT Id FROM AsyncApexJob WHERE JobType = 'ScheduledApex' AND ApexClass.Name = ${soqlString(RESCORING_BATCH_CLASS)} AND Status IN ('Queued', 'Holding', 'Preparing', 'Processing')`,
  );
  if (scheduled.length === 0) log.warning('ORG_NIGHTLY_NOT_SCHEDULED', where, [nightly.join(', ')], [username]);
  else log.pass('ORG_NIGHTLY_OK', where, [nightly.join(', ')]);
}

function normalizeUrl(url: string): string {
  return url.trim().replace(/\/+$/, '').toLowerCase();
}
