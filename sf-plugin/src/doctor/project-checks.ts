import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseFeatureMapping } from '@byom/contracts/feature-mapping';
import type { FeatureMappingEntry } from '@byom/contracts/feature-mapping';
import { valueStartLine } from '../project/metadata-xml.ts';
import { cardFor, readModelDirectory } from '../project/model-cards.ts';
import type { ModelCardFile, ModelDirectory } from '../project/model-cards.ts';
import { ENDPOINT_TYPE, recordsOfType, recordText, TEMPLATE_TYPE } from '../project/project-metadata.ts';
import type { CustomMetadataRecord, ProjectMetadata } from '../project/project-metadata.ts';
import { DATE_TYPES, NUMBER_TYPES, SchemaCatalog } from '../project/schema-catalog.ts';
import type { FieldType } from '../project/standard-schema.ts';
import { FindingLog } from './findings.ts';
import { checkMappingAgainstCard } from './mapping-vs-card.ts';
import type { MappedFeature } from './mapping-vs-card.ts';
import { extractMergeFields, parsePiiFields } from './merge-fields.ts';
import { checkPermissionSets } from './permission-set-checks.ts';

/**
 * The offline half of `sf byom doctor`: everything that can be checked from the project's
 * files. The rules mirror what Apex enforces at run time (AiModelEndpoint, AiFeatureMapping),
 * so a problem shows up here instead of as Error rows in the org.
 */

export interface CheckedEndpoint {
  name: string;
  where: string;
  active: boolean;
  nightly: boolean;
  objectName?: string;
  modelName?: string;
  modelVersion?: string;
  namedCredential?: string;
  mapped: MappedFeature[];
  /** Score_Field__c, Band_Field__c and Scored_At_Field__c that name fields of the project: reps need read access. */
  summaryFields?: string[];
}

export interface CheckedCredential {
  namedCredential: string;
  externalCredential: string;
  principal: string;
  /** Principal parameters the External Credential's header formulas read. */
  parameters: string[];
  /** Permission sets granting access to the principal. */
  permissionSets: string[];
  url?: string;
}

export interface ProjectCheckResult {
  log: FindingLog;
  endpoints: CheckedEndpoint[];
  templates: string[];
  credentials: CheckedCredential[];
}

const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_]{0,79}$/;
const MODEL_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const PATH_PATTERN = /^\/[A-Za-z0-9/._~-]*$/;
const ROUTE_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,99}$/;
const DEFAULT_NAMED_CREDENTIAL = 'BYOM_Inference';
/** Field types a prompt cannot show (AiPromptTemplateMergeField): their parts can be merged instead. */
const UNMERGEABLE_TYPES: ReadonlySet<FieldType> = new Set(['address', 'location']);
const HEROKU_ROUTER_TIMEOUT_SECONDS = 30;

export async function checkProject(project: ProjectMetadata, modelsDir: string): Promise<ProjectCheckResult> {
  const log = new FindingLog('project');
  const relative = (file: string) => path.relative(project.root, file) || '.';
  const catalog = new SchemaCatalog(project);

  for (const problem of project.problems)
    log.error('PROJECT_FILE_UNREADABLE', relative(problem.file), [problem.message]);

  const models = existsSync(modelsDir) ? await readModelDirectory(modelsDir) : undefined;
  if (!models) log.warning('MODELS_DIR_MISSING', relative(modelsDir), [relative(modelsDir)]);
  for (const problem of models?.problems ?? [])
    log.error('MODEL_DIR_PROBLEM', relative(problem.file), [problem.message]);

  const endpoints = recordsOfType(project, ENDPOINT_TYPE).map((record) =>
    checkEndpoint(log, project, catalog, models, record, relative(record.file)),
  );
  if (endpoints.length === 0) log.warning('PROJECT_NO_ENDPOINTS', relative(project.root));

  const templateRecords = recordsOfType(project, TEMPLATE_TYPE);
  if (templateRecords.length === 0) log.pass('TEMPLATES_NONE', relative(project.root));
  const templates = templateRecords.map((record) =>
    checkTemplate(log, project, catalog, record, relative(record.file)),
  );

  const credentialNames = new Set<string>();
  for (const endpoint of endpoints) if (endpoint.namedCredential) credentialNames.add(endpoint.namedCredential);
  for (const record of templateRecords)
    credentialNames.add(recordText(record, 'Named_Credential__c') ?? DEFAULT_NAMED_CREDENTIAL);
  const credentials = [...credentialNames]
    .sort()
    .flatMap((name) => checkCredential(log, project, name, relative) ?? []);

  checkPermissionSets(log, project, credentials, endpoints);

  return { log, endpoints, templates, credentials };
}

function checkEndpoint(
  log: FindingLog,
  project: ProjectMetadata,
  catalog: SchemaCatalog,
  models: ModelDirectory | undefined,
  record: CustomMetadataRecord,
  file: string,
): CheckedEndpoint {
  const mark = log.findings.length;
  const at = (field: string) => `${file}: ${field}`;
  const endpoint: CheckedEndpoint = {
    name: record.developerName,
    where: file,
    active: recordText(record, 'Active__c') === 'true',
    nightly: recordText(record, 'Nightly_Rescoring__c') === 'true',
    mapped: [],
  };
  checkRecordFields(log, project, record, file);

  const objectName = recordText(record, 'Target_Object__c');
  const setting = (field: string, problem: string) =>
    log.error('ENDPOINT_SETTING_INVALID', at(field), [problem], [field]);
  if (!objectName || !NAME_PATTERN.test(objectName)) {
    setting(
      'Target_Object__c',
      `Target_Object__c must be an object API name such as Lead (found "${objectName ?? ''}")`,
    );
  } else {
    endpoint.objectName = objectName;
  }
  const modelName = recordText(record, 'Model_Name__c');
  if (!modelName || !MODEL_PATTERN.test(modelName)) {
    setting('Model_Name__c', `Model_Name__c must be a model name such as lead-scoring (found "${modelName ?? ''}")`);
  } else {
    endpoint.modelName = modelName;
  }
  const modelVersion = recordText(record, 'Model_Version__c');
  if (modelVersion !== undefined) {
    if (MODEL_PATTERN.test(modelVersion)) endpoint.modelVersion = modelVersion;
    else
      setting(
        'Model_Version__c',
        `Model_Version__c must be a version such as 1.0.0, or blank (found "${modelVersion}")`,
      );
  }
  const namedCredential = recordText(record, 'Named_Credential__c');
  if (!namedCredential || !NAME_PATTERN.test(namedCredential)) {
    setting(
      'Named_Credential__c',
      `Named_Credential__c must be the developer name of a Named Credential (found "${namedCredential ?? ''}")`,
    );
  } else {
    endpoint.namedCredential = namedCredential;
    if (!project.namedCredentials.has(namedCredential)) {
      log.error('NAMED_CREDENTIAL_MISSING', at('Named_Credential__c'), [namedCredential, namedCredential]);
    }
  }
  const routePath = recordText(record, 'Path__c') ?? '/v1/score';
  if (!PATH_PATTERN.test(routePath))
    setting('Path__c', `Path__c must be a path such as /v1/score (found "${routePath}")`);
  checkRange(setting, record, 'Batch_Size__c', 1, 500, 100);
  const timeout = checkRange(setting, record, 'Callout_Timeout_Seconds__c', 1, 120, 20);
  if (timeout !== undefined && timeout > HEROKU_ROUTER_TIMEOUT_SECONDS) {
    log.warning('ENDPOINT_TIMEOUT_OVER_ROUTER', at('Callout_Timeout_Seconds__c'), [timeout]);
  }
  checkRange(setting, record, 'Max_Retries__c', 0, 5, 3);
  if (recordText(record, 'Rescoring_Filter__c')?.includes(';')) {
    setting('Rescoring_Filter__c', 'Rescoring_Filter__c must be one SOQL condition without ";"');
  }

  const mapping = parseFeatureMapping(record.values.get('Feature_Mapping__c')?.value ?? undefined);
  if (mapping.syntaxError) {
    // One error, at its line in the XML file: nothing below can be checked against JSON that does not parse.
    const { line, column, problem } = mapping.syntaxError;
    const start = valueStartLine(readFileSync(record.file, 'utf8'), 'Feature_Mapping__c');
    const where = start === undefined ? at('Feature_Mapping__c') : `${file}:${start + line - 1}: Feature_Mapping__c`;
    log.error('ENDPOINT_MAPPING_NOT_JSON', where, [start === undefined ? line : start + line - 1, column, problem]);
  } else {
    for (const problem of mapping.problems) log.error('ENDPOINT_MAPPING_INVALID', at('Feature_Mapping__c'), [problem]);
  }

  const objectKnown = endpoint.objectName !== undefined && catalog.object(endpoint.objectName) !== undefined;
  if (endpoint.objectName !== undefined && !objectKnown) {
    if (SchemaCatalog.isUncheckable(endpoint.objectName)) {
      log.warning('OBJECT_UNCHECKED', at('Target_Object__c'), [endpoint.objectName]);
    } else {
      log.error('OBJECT_UNKNOWN', at('Target_Object__c'), [endpoint.objectName]);
    }
  }
  const mappedLocalFields = new Set<string>();
  for (const entry of mapping.entries) {
    endpoint.mapped.push(
      objectKnown
        ? resolveEntry(log, catalog, endpoint.objectName!, entry, at('Feature_Mapping__c'), mappedLocalFields)
        : { entry },
    );
  }
  if (objectKnown) {
    endpoint.summaryFields = ['Score_Field__c', 'Band_Field__c', 'Scored_At_Field__c']
      .map((setting) => recordText(record, setting))
      .filter((field): field is string => field !== undefined)
      .filter((field) => project.objects.get(endpoint.objectName!.toLowerCase())?.fields.has(field.toLowerCase()));
    checkSummaryField(
      log,
      catalog,
      record,
      endpoint.objectName!,
      'Score_Field__c',
      NUMBER_TYPES,
      'number',
      mappedLocalFields,
      at,
    );
    checkSummaryField(
      log,
      catalog,
      record,
      endpoint.objectName!,
      'Band_Field__c',
      new Set<FieldType>(['string', 'picklist', 'textarea']),
      'text or picklist',
      mappedLocalFields,
      at,
    );
    checkSummaryField(
      log,
      catalog,
      record,
      endpoint.objectName!,
      'Scored_At_Field__c',
      new Set<FieldType>(['datetime']),
      'date/time',
      mappedLocalFields,
      at,
    );
  }

  if (models && endpoint.modelName) {
    const family = models.families.get(endpoint.modelName);
    if (!family) {
      log.error('ENDPOINT_MODEL_MISSING', at('Model_Name__c'), [
        endpoint.modelName,
        [...models.families.keys()].join(', ') || 'none',
      ]);
    } else {
      const card = cardFor(family, endpoint.modelVersion);
      if (!card) {
        log.error(
          'ENDPOINT_MODEL_VERSION_MISSING',
          at('Model_Version__c'),
          [endpoint.modelName, endpoint.modelVersion, family.versions.map((v) => v.version).join(', ')],
          [family.defaultVersion],
        );
      } else {
        // A mapping with problems would only add "feature not mapped" findings that follow from them.
        if (mapping.entries.length > 0 && mapping.problems.length === 0)
          checkMappingAgainstCard(log, at('Feature_Mapping__c'), endpoint.mapped, card);
        checkScoreLabel(log, record, card, at('Score_Label__c'));
      }
    }
  }

  if (!log.hasErrorsSince(mark)) {
    log.pass('ENDPOINT_OK', file, [
      endpoint.name,
      endpoint.active ? 'active' : 'inactive',
      endpoint.objectName,
      `${endpoint.modelName}${endpoint.modelVersion ? ` ${endpoint.modelVersion}` : ''}`,
      mapping.entries.length,
    ]);
  }
  return endpoint;
}

/**
 * The card shows the endpoint's Score_Label__c ("Likelihood to convert · 0–100"); it should say
 * what the model card says the score predicts. A warning: the card still works, with a vaguer label.
 */
function checkScoreLabel(log: FindingLog, record: CustomMetadataRecord, card: ModelCardFile, where: string): void {
  const label = recordText(record, 'Score_Label__c');
  if (card.scoreLabel === undefined || label === card.scoreLabel) return;
  if (label === undefined)
    log.warning('ENDPOINT_SCORE_LABEL_MISSING', where, [card.name, card.scoreLabel], [card.scoreLabel]);
  else log.warning('ENDPOINT_SCORE_LABEL_DIFFERS', where, [label, card.name, card.scoreLabel], [card.scoreLabel]);
}

/** A mapping entry's field, resolved on the endpoint's object, with the same rules as Apex. */
function resolveEntry(
  log: FindingLog,
  catalog: SchemaCatalog,
  objectName: string,
  entry: FeatureMappingEntry,
  where: string,
  mappedLocalFields: Set<string>,
): MappedFeature {
  const resolved = catalog.resolvePath(objectName, entry.field);
  if (!resolved.ok) {
    if (resolved.checkable) log.error('ENDPOINT_FIELD_UNKNOWN', where, [entry.feature, resolved.problem]);
    else log.warning('ENDPOINT_FIELD_UNCHECKED', where, [entry.feature, resolved.problem]);
    return { entry };
  }
  mappedLocalFields.add(resolved.localField.name.toLowerCase());
  if (entry.transform === 'DAYS_SINCE' && !DATE_TYPES.has(resolved.field.type)) {
    log.error('ENDPOINT_DAYS_SINCE_NOT_DATE', where, [entry.feature, entry.field, resolved.field.type]);
  }
  return {
    entry,
    fieldType: resolved.field.type,
    ...(resolved.field.scale !== undefined ? { scale: resolved.field.scale } : {}),
  };
}

function checkSummaryField(
  log: FindingLog,
  catalog: SchemaCatalog,
  record: CustomMetadataRecord,
  objectName: string,
  setting: string,
  allowed: ReadonlySet<FieldType>,
  kind: string,
  mappedLocalFields: ReadonlySet<string>,
  at: (field: string) => string,
): void {
  const fieldName = recordText(record, setting);
  if (!fieldName) return;
  const field = catalog.object(objectName)?.fields.get(fieldName.toLowerCase());
  const problem = !field
    ? `field "${fieldName}" does not exist on ${objectName}`
    : !allowed.has(field.type) || field.formula
      ? `${fieldName} is a ${field.formula ? 'formula' : field.type} field; it must be an editable ${kind} field`
      : mappedLocalFields.has(fieldName.toLowerCase())
        ? `${fieldName} is also mapped as a feature, so every score would start another round`
        : undefined;
  if (problem)
    log.error('ENDPOINT_SUMMARY_FIELD_INVALID', `${at(setting)}`, [setting, problem], [setting, kind, objectName]);
}

function checkRange(
  setting: (field: string, problem: string) => void,
  record: CustomMetadataRecord,
  field: string,
  lowest: number,
  highest: number,
  /** The value Apex uses when the field is blank; undefined when blank means "no limit". */
  fallback: number | undefined,
): number | undefined {
  const text = recordText(record, field);
  if (text === undefined && fallback === undefined) return undefined;
  const value = text === undefined ? fallback! : Number(text);
  if (!Number.isFinite(value) || !Number.isInteger(value) || value < lowest || value > highest) {
    setting(field, `${field} must be a whole number between ${lowest} and ${highest} (found ${text})`);
    return undefined;
  }
  return value;
}

/** Every value of a record names a field its type defines (when the project defines the type). */
function checkRecordFields(
  log: FindingLog,
  project: ProjectMetadata,
  record: CustomMetadataRecord,
  file: string,
): void {
  const type = project.objects.get(record.type.toLowerCase());
  if (!type?.file) return;
  for (const field of record.values.keys()) {
    if (!type.fields.has(field.toLowerCase()))
      log.error('RECORD_UNKNOWN_FIELD', `${file}: ${field}`, [field, record.type], [record.type]);
  }
}

function checkTemplate(
  log: FindingLog,
  project: ProjectMetadata,
  catalog: SchemaCatalog,
  record: CustomMetadataRecord,
  file: string,
): string {
  const mark = log.findings.length;
  const at = (field: string) => `${file}: ${field}`;
  checkRecordFields(log, project, record, file);
  const objectName = recordText(record, 'Object_API_Name__c');
  let objectKnown = false;
  if (!objectName || !NAME_PATTERN.test(objectName)) {
    log.error(
      'TEMPLATE_SETTING_INVALID',
      at('Object_API_Name__c'),
      [`Object_API_Name__c must be an object API name such as Lead (found "${objectName ?? ''}")`],
      ['Object_API_Name__c'],
    );
  } else if (catalog.object(objectName)) {
    objectKnown = true;
  } else if (SchemaCatalog.isUncheckable(objectName)) {
    log.warning('OBJECT_UNCHECKED', at('Object_API_Name__c'), [objectName]);
  } else {
    log.error('OBJECT_UNKNOWN', at('Object_API_Name__c'), [objectName]);
  }
  if (!recordText(record, 'User_Prompt__c')) {
    log.error(
      'TEMPLATE_SETTING_INVALID',
      at('User_Prompt__c'),
      ['User_Prompt__c is empty: the template has nothing to ask'],
      ['User_Prompt__c'],
    );
  }
  const setting = (field: string, problem: string) =>
    log.error('TEMPLATE_SETTING_INVALID', at(field), [problem], [field]);
  const route = recordText(record, 'Route__c');
  if (!route || !ROUTE_PATTERN.test(route)) {
    setting(
      'Route__c',
      `Route__c must be a route name of the service's BYOM_ROUTES file, such as insights (found "${route ?? ''}")`,
    );
  }
  // As in Apex (AiPromptTemplate): a blank Named_Credential__c means BYOM_Inference.
  const namedCredential = recordText(record, 'Named_Credential__c') ?? DEFAULT_NAMED_CREDENTIAL;
  if (!project.namedCredentials.has(namedCredential)) {
    log.error('NAMED_CREDENTIAL_MISSING', at('Named_Credential__c'), [namedCredential, namedCredential]);
  }
  const temperature = recordText(record, 'Temperature__c');
  if (temperature !== undefined && !(Number(temperature) >= 0 && Number(temperature) <= 2)) {
    setting('Temperature__c', `Temperature__c must be between 0 and 2 (found ${temperature})`);
  }
  checkRange(setting, record, 'Max_Tokens__c', 1, 32000, undefined);
  checkRange(setting, record, 'Max_Characters__c', 1, 100000, undefined);
  checkRange(setting, record, 'Timeout_Seconds__c', 5, 120, 30);
  checkRange(setting, record, 'Version__c', 1, 999999, 1);

  let mergeFieldCount = 0;
  for (const field of ['System_Prompt__c', 'User_Prompt__c']) {
    const { paths, malformed } = extractMergeFields(recordText(record, field) ?? '');
    for (const text of malformed) log.error('TEMPLATE_MERGE_FIELD_MALFORMED', at(field), [text]);
    for (const mergePath of paths) {
      mergeFieldCount++;
      if (objectName && objectKnown)
        checkTemplatePath(log, catalog, objectName, mergePath, at(field), `{!${mergePath}}`);
    }
  }
  const pii = parsePiiFields(recordText(record, 'PII_Fields__c') ?? '');
  for (const { line, text } of pii.malformed) log.error('TEMPLATE_PII_MALFORMED', at('PII_Fields__c'), [line, text]);
  for (const { line, path: piiPath } of pii.paths) {
    if (objectName && objectKnown)
      checkTemplatePath(log, catalog, objectName, piiPath, at('PII_Fields__c'), `line ${line} (${piiPath})`);
  }
  if (!log.hasErrorsSince(mark)) {
    log.pass('TEMPLATE_OK', file, [
      record.developerName,
      recordText(record, 'Active__c') === 'true' ? 'active' : 'inactive',
      objectName,
      mergeFieldCount,
      pii.paths.length,
    ]);
  }
  return record.developerName;
}

/** A merge path `Lead.Account.Name` starts with the template's object, and the rest resolves on it. */
function checkTemplatePath(
  log: FindingLog,
  catalog: SchemaCatalog,
  objectName: string,
  mergePath: string,
  where: string,
  shown: string,
): void {
  const [root, ...rest] = mergePath.split('.');
  if (root!.toLowerCase() !== objectName.toLowerCase() || rest.length === 0) {
    log.error('TEMPLATE_PATH_OTHER_OBJECT', where, [shown, objectName], [objectName]);
    return;
  }
  const resolved = catalog.resolvePath(objectName, rest.join('.'));
  if (resolved.ok) {
    if (UNMERGEABLE_TYPES.has(resolved.field.type)) {
      const problem = `${resolved.field.name} is a compound ${resolved.field.type} field, which a prompt cannot show; merge its parts (e.g. City, Country)`;
      log.error('TEMPLATE_PATH_UNKNOWN', where, [shown, problem]);
    }
    return;
  }
  if (resolved.checkable) log.error('TEMPLATE_PATH_UNKNOWN', where, [shown, resolved.problem]);
  else log.warning('TEMPLATE_PATH_UNCHECKED', where, [shown, resolved.problem]);
}

/** Named Credential → External Credential → named principal → permission sets granting it. */
function checkCredential(
  log: FindingLog,
  project: ProjectMetadata,
  name: string,
  relative: (file: string) => string,
): CheckedCredential | undefined {
  const named = project.namedCredentials.get(name);
  if (!named) return undefined;
  const where = relative(named.file);
  if (!named.externalCredential) {
    log.error('NAMED_CREDENTIAL_NO_EXTERNAL', where, [name]);
    return undefined;
  }
  const external = project.externalCredentials.get(named.externalCredential);
  if (!external) {
    log.error('EXTERNAL_CREDENTIAL_MISSING', where, [name, named.externalCredential], [named.externalCredential]);
    return undefined;
  }
  const principal = external.principals.find((p) => p.type === 'NamedPrincipal');
  if (!principal) {
    log.error('EXTERNAL_CREDENTIAL_NO_PRINCIPAL', relative(external.file), [external.name]);
    return undefined;
  }
  if (external.formulaParameters.length === 0) {
    log.warning('EXTERNAL_CREDENTIAL_NO_PARAMETERS', relative(external.file), [external.name]);
  }
  const access = `${external.name}-${principal.name}`;
  const permissionSets = [...project.permissionSets.values()]
    .filter((set) => set.principalAccesses.some((granted) => granted.toLowerCase() === access.toLowerCase()))
    .map((set) => set.name)
    .sort();
  if (permissionSets.length === 0) {
    log.error('PRINCIPAL_ACCESS_MISSING', relative(external.file), [access], [access]);
  } else {
    log.pass('CREDENTIAL_OK', where, [
      name,
      external.name,
      principal.name,
      external.formulaParameters.join(', ') || 'none',
      permissionSets.join(', '),
    ]);
  }
  return {
    namedCredential: name,
    externalCredential: external.name,
    principal: principal.name,
    parameters: external.formulaParameters,
    permissionSets,
    ...(named.url ? { url: named.url } : {}),
  };
}
