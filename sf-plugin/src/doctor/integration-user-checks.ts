import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Messages } from '@salesforce/core';
import type { Connection, Org } from '@salesforce/core';
import { childText, parseXml } from '../project/metadata-xml.ts';
import { walk } from '../project/project-metadata.ts';
import type { ProjectMetadata } from '../project/project-metadata.ts';
import { queryAll, soqlString } from '../salesforce/soql.ts';
import { FindingLog } from './findings.ts';
import type { Finding } from './findings.ts';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@byom/sf-plugin-byom', 'byom.doctor.integration-user');

/**
 * The integration user of `sf byom doctor`. Saves publish AI_Scoring_Request__e; its trigger
 * starts the scoring jobs as the user an org's PlatformEventSubscriberConfig names, and that
 * user's principal access makes every scoring callout. Offline, the project must ship that
 * config outside the package directories with the username left to BYOM_INTEGRATION_USERNAME
 * (the username differs per org); with `--target-org`, the org must have the trigger running
 * as an active user who holds AI_Scoring_Integration. Projects without the trigger are not
 * checked: they predate the scoring request.
 */

export const REQUEST_TRIGGER = 'AiScoringRequestTrigger';
export const REQUEST_EVENT = 'AI_Scoring_Request__e';
export const INTEGRATION_PERMISSION_SET = 'AI_Scoring_Integration';
/** Where the per-org PlatformEventSubscriberConfig lives: outside every package directory. */
export const INTEGRATION_USER_DIR = 'integration-user';
export const USERNAME_ENV = 'BYOM_INTEGRATION_USERNAME';
const CONFIG_SUFFIX = '.platformEventSubscriberConfig-meta.xml';

interface SubscriberConfigFile {
  file: string;
  consumer?: string;
  user?: string;
}

interface Replacement {
  filename?: string;
  glob?: string;
  stringToReplace?: string;
  replaceWithEnv?: string;
}

/**
 * Every integration-user check, offline and (when an org is named) in the org.
 * @returns project findings, then org findings
 */
export async function checkIntegrationUser(project: ProjectMetadata, org?: Org): Promise<Finding[]> {
  if (!(await definesRequestTrigger(project))) return [];
  const findings = (await checkProjectSide(project)).findings;
  if (org) findings.push(...(await checkOrgSide(org)).findings);
  return findings;
}

async function checkProjectSide(project: ProjectMetadata): Promise<FindingLog> {
  const log = new FindingLog('project', messages);
  const relative = (file: string) => path.relative(project.root, file) || '.';
  const expectedFile = path.join(
    INTEGRATION_USER_DIR,
    'platformEventSubscriberConfigs',
    `${REQUEST_TRIGGER}Config${CONFIG_SUFFIX}`,
  );

  const permissionSet = project.permissionSets.get(INTEGRATION_PERMISSION_SET);
  const principals = [...project.externalCredentials.values()].flatMap((ec) =>
    ec.principals.map((principal) => `${ec.name}-${principal.name}`),
  );
  const granted = principals.filter((access) => permissionSet?.principalAccesses.includes(access));
  if (principals.length > 0 && granted.length === 0) {
    log.error(
      'INTEGRATION_PERMSET_MISSING',
      relative(permissionSet?.file ?? project.root),
      [INTEGRATION_PERMISSION_SET, principals.join(', ')],
      [principals[0]],
    );
  }

  const configs = (await subscriberConfigs(project)).filter((config) => config.consumer !== undefined);
  const ours = configs.filter((config) => config.consumer === REQUEST_TRIGGER);
  for (const config of configs.filter((c) => c.consumer !== REQUEST_TRIGGER)) {
    log.error(
      'INTEGRATION_CONFIG_WRONG_TRIGGER',
      relative(config.file),
      [config.consumer, REQUEST_TRIGGER],
      [REQUEST_TRIGGER],
    );
  }
  if (ours.length === 0) {
    log.error(
      'INTEGRATION_CONFIG_MISSING',
      relative(project.root),
      [REQUEST_TRIGGER],
      [expectedFile, REQUEST_TRIGGER, USERNAME_ENV],
    );
    return log;
  }
  const replacements = await readReplacements(project.root);
  for (const config of ours) {
    const where = relative(config.file);
    const packageDir = project.packageDirectories.find((dir) => isInside(config.file, dir));
    if (packageDir) {
      log.error('INTEGRATION_CONFIG_IN_PACKAGE', where, [relative(packageDir)], [INTEGRATION_USER_DIR]);
      continue;
    }
    const user = config.user ?? '';
    const replacement = replacements.find((r) => r.filename !== undefined && samePath(project.root, r.filename, where));
    const replaced =
      replacement?.replaceWithEnv !== undefined &&
      replacement.stringToReplace !== undefined &&
      user.includes(replacement.stringToReplace);
    if (replaced) {
      log.pass('INTEGRATION_CONFIG_OK', where, [REQUEST_TRIGGER, replacement.replaceWithEnv, where]);
    } else if (user === USERNAME_ENV) {
      log.error('INTEGRATION_CONFIG_NO_REPLACEMENT', where, [user], [where, USERNAME_ENV, USERNAME_ENV]);
    } else {
      log.warning(
        'INTEGRATION_CONFIG_HARDCODED_USER',
        where,
        [user || '(none)'],
        [USERNAME_ENV, where, USERNAME_ENV, USERNAME_ENV],
      );
    }
  }
  return log;
}

async function checkOrgSide(org: Org): Promise<FindingLog> {
  const log = new FindingLog('org', messages);
  const conn = org.getConnection();
  const username = org.getUsername() ?? conn.getUsername() ?? 'the org';
  const where = `org ${username}`;
  try {
    const [trigger] = await queryAll<{ Id: string }>(
      conn,
      `SELECT Id FROM ApexTrigger WHERE Name = ${soqlString(REQUEST_TRIGGER)} AND NamespacePrefix = null`,
    );
    if (!trigger) {
      log.error('ORG_INTEGRATION_TRIGGER_MISSING', where, [REQUEST_TRIGGER], [username]);
      return log;
    }
    await checkRunningUser(log, conn, trigger.Id, where, username);
    await checkSubscriber(log, conn, where);
  } catch (error) {
    log.error('ORG_INTEGRATION_QUERY_FAILED', where, [(error as Error).message]);
  }
  return log;
}

async function checkRunningUser(
  log: FindingLog,
  conn: Connection,
  triggerId: string,
  where: string,
  username: string,
): Promise<void> {
  // PlatformEventSubscriberConfig is a Tooling API object.
  const configs = (
    await conn.tooling.query<{ UserId: string | null }>(
      `SELECT UserId FROM PlatformEventSubscriberConfig WHERE PlatformEventConsumerId = ${soqlString(triggerId)}`,
    )
  ).records;
  const userId = configs[0]?.UserId ?? undefined;
  if (!userId) {
    log.error('ORG_INTEGRATION_USER_NOT_SET', where, [REQUEST_TRIGGER], [USERNAME_ENV, INTEGRATION_USER_DIR, username]);
    return;
  }
  const [user] = await queryAll<{
    Username: string;
    IsActive: boolean;
    UserRoleId: string | null;
    Profile?: { Name?: string } | null;
  }>(conn, `SELECT Username, IsActive, UserRoleId, Profile.Name FROM User WHERE Id = ${soqlString(userId)}`);
  if (!user || !user.IsActive) {
    log.error(
      'ORG_INTEGRATION_USER_INACTIVE',
      where,
      [REQUEST_TRIGGER, user?.Username ?? userId],
      [USERNAME_ENV, INTEGRATION_USER_DIR, username],
    );
    return;
  }
  const assignments = await queryAll<{ Id: string }>(
    conn,
    `SELECT Id FROM PermissionSetAssignment WHERE AssigneeId = ${soqlString(userId)} AND PermissionSet.Name = ${soqlString(INTEGRATION_PERMISSION_SET)}`,
  );
  if (assignments.length === 0) {
    log.error(
      'ORG_INTEGRATION_USER_NO_PERMSET',
      where,
      [user.Username, INTEGRATION_PERMISSION_SET],
      [INTEGRATION_PERMISSION_SET, user.Username, username],
    );
    return;
  }
  if (user.UserRoleId) log.warning('ORG_INTEGRATION_USER_HAS_ROLE', where, [user.Username], [user.Username]);
  log.pass('ORG_INTEGRATION_USER_OK', where, [
    REQUEST_TRIGGER,
    user.Username,
    user.Profile?.Name ?? 'no profile',
    INTEGRATION_PERMISSION_SET,
  ]);
}

/** The trigger's subscription: a trigger that failed too often is suspended and scores nothing. */
async function checkSubscriber(log: FindingLog, conn: Connection, where: string): Promise<void> {
  const subscribers = await queryAll<{ Status: string; LastError: string | null }>(
    conn,
    `SELECT Status, LastError FROM EventBusSubscriber WHERE Topic = ${soqlString(REQUEST_EVENT)} AND Type = 'ApexTrigger'`,
  );
  for (const subscriber of subscribers.filter((s) => s.Status !== 'Running')) {
    log.error('ORG_INTEGRATION_TRIGGER_STOPPED', where, [
      REQUEST_TRIGGER,
      subscriber.Status,
      subscriber.LastError ?? 'no error recorded',
    ]);
  }
}

async function definesRequestTrigger(project: ProjectMetadata): Promise<boolean> {
  for (const dir of project.packageDirectories) {
    if ((await walk(dir)).some((file) => path.basename(file) === `${REQUEST_TRIGGER}.trigger`)) return true;
  }
  return false;
}

/** The project's PlatformEventSubscriberConfigs: in INTEGRATION_USER_DIR, or (wrongly) in a package directory. */
async function subscriberConfigs(project: ProjectMetadata): Promise<SubscriberConfigFile[]> {
  const dirs = [path.join(project.root, INTEGRATION_USER_DIR), ...project.packageDirectories];
  const files = new Set<string>();
  for (const dir of dirs) {
    for (const file of await walk(dir)) if (file.endsWith(CONFIG_SUFFIX)) files.add(file);
  }
  const configs: SubscriberConfigFile[] = [];
  for (const file of [...files].sort()) {
    const xml = parseXml(await readFile(file, 'utf8'), file);
    configs.push({ file, consumer: childText(xml, 'platformEventConsumer'), user: childText(xml, 'user') });
  }
  return configs;
}

async function readReplacements(root: string): Promise<Replacement[]> {
  const definition = JSON.parse(await readFile(path.join(root, 'sfdx-project.json'), 'utf8')) as {
    replacements?: unknown;
  };
  return Array.isArray(definition.replacements) ? (definition.replacements as Replacement[]) : [];
}

function isInside(file: string, dir: string): boolean {
  const relative = path.relative(dir, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

function samePath(root: string, a: string, b: string): boolean {
  return path.resolve(root, a) === path.resolve(root, b);
}
