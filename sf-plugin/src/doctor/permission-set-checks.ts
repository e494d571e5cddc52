import path from 'node:path';
import type { PermissionSet, ProjectMetadata } from '../project/project-metadata.ts';
import type { FindingLog } from './findings.ts';
import type { CheckedCredential, CheckedEndpoint } from './project-checks.ts';

/**
 * The shipped permission sets against what the guides say each grants (admin guide, section 2;
 * docs/score-card.md, "What users need"; the insights admin guide). A set that misses one of
 * these fails its users quietly: insights and Flow actions end as NAMED_CREDENTIAL errors, the card says
 * "You don't have access to AI scores", a Flow action is refused. The integration user's set
 * is checked with the integration user (integration-user-checks.ts).
 */

export const VIEWER_SET = 'AI_Scoring_Viewer';
export const ADMIN_SET = 'AI_Scoring_Admin';

/**
 * AI_Score__c fields the score card cannot do without (AiScoreCardReader.REQUIRED_FIELDS; a
 * test keeps the two lists equal), and those it shows when readable (OPTIONAL_FIELDS).
 */
export const CARD_REQUIRED_FIELDS = ['Status__c', 'Score__c', 'Scored_At__c', 'Record_Id__c', 'Endpoint__c'];
export const CARD_OPTIONAL_FIELDS = [
  'Band__c',
  'Model_Name__c',
  'Model_Version__c',
  'Top_Factors__c',
  'Improvements__c',
  'Error_Code__c',
  'Error_Message__c',
  'Attempts__c',
];

type Grant = 'principal' | 'class' | 'object' | 'field' | 'customPermission' | 'metadata';

export interface Requirement {
  grant: Grant;
  /** The principal, class, object, Object.Field, custom permission or metadata type. */
  name: string;
  /** What fails without it, in the reader's words. */
  without: string;
  /** Errors break a user's work; warnings only hide something. */
  severity: 'error' | 'warning';
}

/** What the guides say AI_Scoring_Viewer must grant, for the project as it is (its classes, credentials, endpoints). */
export function viewerRequirements(
  project: ProjectMetadata,
  credentials: readonly CheckedCredential[],
  endpoints: readonly CheckedEndpoint[],
): Requirement[] {
  const requirements: Requirement[] = credentials.map((credential) => ({
    grant: 'principal',
    name: `${credential.externalCredential}-${credential.principal}`,
    without:
      'the Flow actions and the AI Insights panel, which call the service as the user, fail with NAMED_CREDENTIAL',
    severity: 'error',
  }));
  const apexClass = (name: string, without: string) => {
    if (project.apexClasses.includes(name)) requirements.push({ grant: 'class', name, without, severity: 'error' });
  };
  apexClass('AiScoreCardController', 'the AI Score card says "You don\'t have access to AI scores"');
  apexClass('AiInsightController', 'the AI Insights panel cannot load or generate');
  apexClass('AiScoreRecordsAction', 'the "Score records with AI" Flow action is refused');
  apexClass('AiInsightAction', 'the "Generate AI insight" Flow action is refused');
  if (project.objects.has('ai_score__c')) {
    requirements.push({
      grant: 'object',
      name: 'AI_Score__c',
      without: 'the AI Score card says "You don\'t have access to AI scores"',
      severity: 'error',
    });
    // A required field has no field-level security (a permission set cannot even name it).
    const hasFls = (field: string) => !project.objects.get('ai_score__c')?.fields.get(field.toLowerCase())?.required;
    for (const field of CARD_REQUIRED_FIELDS.filter(hasFls)) {
      requirements.push({
        grant: 'field',
        name: `AI_Score__c.${field}`,
        without: 'the AI Score card says "You don\'t have access to AI scores"',
        severity: 'error',
      });
    }
    for (const field of CARD_OPTIONAL_FIELDS.filter(hasFls)) {
      requirements.push({
        grant: 'field',
        name: `AI_Score__c.${field}`,
        without: 'the AI Score card leaves it out',
        severity: 'warning',
      });
    }
  }
  if (project.objects.has('ai_score_event__e')) {
    requirements.push({
      grant: 'object',
      name: 'AI_Score_Event__e',
      without: 'the AI Score card polls instead of refreshing itself when a score lands',
      severity: 'warning',
    });
  }
  for (const endpoint of endpoints) {
    for (const field of endpoint.summaryFields ?? []) {
      requirements.push({
        grant: 'field',
        name: `${endpoint.objectName}.${field}`,
        without: `reps cannot see the latest score in ${endpoint.objectName} list views, reports and Flows`,
        severity: 'error',
      });
    }
  }
  return requirements;
}

/** The viewer's requirements, plus what only admins get: nightly rescoring, Rescore, the configuration. */
export function adminRequirements(viewer: readonly Requirement[], project: ProjectMetadata): Requirement[] {
  const requirements = [...viewer];
  const batches: Array<[string, string]> = [
    ['AiNightlyRescoringBatch', 'admins cannot schedule the nightly rescoring'],
    ['AiScoreRetentionBatch', 'admins cannot schedule the retention of old AI Score rows'],
  ];
  for (const [name, without] of batches) {
    if (project.apexClasses.includes(name)) requirements.push({ grant: 'class', name, without, severity: 'error' });
  }
  if (project.customPermissions.includes('Rescore_AI_Scores')) {
    requirements.push({
      grant: 'customPermission',
      name: 'Rescore_AI_Scores',
      without: 'the AI Score card shows no Rescore button to admins',
      severity: 'error',
    });
  }
  for (const type of ['AI_Model_Endpoint__mdt', 'AI_Prompt_Template__mdt', 'AI_Scoring_Settings__c']) {
    if (project.objects.has(type.toLowerCase())) {
      requirements.push({
        grant: 'metadata',
        name: type,
        without: `admins cannot read ${type} records`,
        severity: 'error',
      });
    }
  }
  return requirements;
}

const GRANT_WORDS: Record<Grant, string> = {
  principal: 'access to the External Credential principal',
  class: 'access to the Apex class',
  object: 'read access to',
  field: 'read access to the field',
  customPermission: 'the custom permission',
  metadata: 'access to',
};

/** Which XML element grants it, for the fix. */
const GRANT_ELEMENTS: Record<Grant, string> = {
  principal: 'externalCredentialPrincipalAccesses',
  class: 'classAccesses',
  object: 'objectPermissions (allowRead)',
  field: 'fieldPermissions (readable)',
  customPermission: 'customPermissions',
  metadata: 'customMetadataTypeAccesses or customSettingAccesses',
};

function grants(set: PermissionSet, requirement: Requirement): boolean {
  const same = (a: string) => a.toLowerCase() === requirement.name.toLowerCase();
  switch (requirement.grant) {
    case 'principal':
      return set.principalAccesses.some(same);
    case 'class':
      return set.classAccesses.some(same);
    case 'object':
      return set.readableObjects.some(same);
    case 'field':
      return set.readableFields.some(same);
    case 'customPermission':
      return set.customPermissions.some(same);
    case 'metadata':
      return set.metadataAccesses.some(same);
  }
}

/** One finding per missing grant of each shipped set, and one pass per set that grants everything. */
export function checkPermissionSets(
  log: FindingLog,
  project: ProjectMetadata,
  credentials: readonly CheckedCredential[],
  endpoints: readonly CheckedEndpoint[],
): void {
  const viewer = viewerRequirements(project, credentials, endpoints);
  const sets: Array<[string, string, Requirement[]]> = [
    [VIEWER_SET, 'reps', viewer],
    [ADMIN_SET, 'admins', adminRequirements(viewer, project)],
  ];
  for (const [name, who, requirements] of sets) {
    const set = project.permissionSets.get(name);
    if (!set) {
      log.error(
        'PERMSET_MISSING',
        path.relative(project.root, project.packageDirectories[0] ?? project.root) || '.',
        [name, who],
        [name],
      );
      continue;
    }
    const where = path.relative(project.root, set.file);
    const missing = requirements.filter((requirement) => !grants(set, requirement));
    for (const requirement of missing) {
      const tokens = [name, GRANT_WORDS[requirement.grant], requirement.name, requirement.without];
      const fix = [GRANT_ELEMENTS[requirement.grant], requirement.name];
      if (requirement.severity === 'error') log.error('PERMSET_LACKS', where, tokens, fix);
      else log.warning('PERMSET_LACKS', where, tokens, fix);
    }
    if (missing.length === 0) log.pass('PERMSET_GRANTS_ALL', where, [name, requirements.length, who]);
  }
}
