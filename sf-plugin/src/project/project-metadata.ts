import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { childrenNamed, childText, parseXml } from './metadata-xml.ts';
import type { XmlElement } from './metadata-xml.ts';
import type { FieldType } from './standard-schema.ts';

/**
 * What `sf byom` needs to know about a Salesforce DX project, read from its source-format
 * metadata without an org: objects and fields, custom metadata records, Named and External
 * Credentials, permission sets and Apex class names. Files that cannot be read or parsed
 * are collected in `problems` (doctor reports them) instead of stopping the read.
 */

export interface ProjectField {
  name: string;
  type: FieldType;
  /** The metadata type as written (`Lookup`, `Number`, `Summary`…), for messages. */
  metadataType: string;
  referenceTo?: string[];
  relationshipName?: string;
  scale?: number;
  formula: boolean;
  /** Required fields have no field-level security: every user with object access reads them. */
  required: boolean;
  file: string;
}

export interface ProjectObject {
  name: string;
  /** The object definition file; undefined for a standard object the project only adds fields to. */
  file?: string;
  fields: Map<string, ProjectField>;
}

export interface MetadataValue {
  /** The text of the value; null for xsi:nil or an empty value. */
  value: string | null;
  /** xsi:type without the prefix: string, boolean, double, dateTime… */
  type?: string;
}

export interface CustomMetadataRecord {
  /** The type's API name, with `__mdt`. */
  type: string;
  developerName: string;
  label?: string;
  file: string;
  values: Map<string, MetadataValue>;
}

export interface NamedCredential {
  name: string;
  file: string;
  url?: string;
  externalCredential?: string;
}

export interface ExternalCredential {
  name: string;
  file: string;
  protocol?: string;
  principals: Array<{ name: string; type: string }>;
  /** Principal parameters the header formulas read (`$Credential.<EC>.<Param>`), in order of first use. */
  formulaParameters: string[];
}

export interface PermissionSet {
  name: string;
  label?: string;
  file: string;
  /** `<ExternalCredential>-<Principal>` of every enabled principal access. */
  principalAccesses: string[];
  classAccesses: string[];
  /** Objects (custom objects, platform events) the set can read. */
  readableObjects: string[];
  /** `Object.Field` of every readable field. */
  readableFields: string[];
  customPermissions: string[];
  /** Custom metadata types and custom settings the set grants access to. */
  metadataAccesses: string[];
}

export interface ProjectMetadata {
  root: string;
  packageDirectories: string[];
  objects: Map<string, ProjectObject>;
  records: CustomMetadataRecord[];
  namedCredentials: Map<string, NamedCredential>;
  externalCredentials: Map<string, ExternalCredential>;
  permissionSets: Map<string, PermissionSet>;
  apexClasses: string[];
  /** Developer names of the custom permissions (customPermissions/*.customPermission-meta.xml). */
  customPermissions: string[];
  problems: Array<{ file: string; message: string }>;
}

export class ProjectNotFoundError extends Error {
  override name = 'ProjectNotFoundError';
}

/** The custom metadata types BYOM Bridge configures itself with. */
export const ENDPOINT_TYPE = 'AI_Model_Endpoint__mdt';
export const TEMPLATE_TYPE = 'AI_Prompt_Template__mdt';

/** `$Credential.<EC>.Body` is the request body, not a principal parameter. */
const RESERVED_CREDENTIAL_MERGE_FIELDS = new Set(['body']);

/** The nearest directory at or above `start` holding sfdx-project.json. */
export function findProjectRoot(start: string): string {
  let current = path.resolve(start);
  for (;;) {
    if (existsSync(path.join(current, 'sfdx-project.json'))) return current;
    const parent = path.dirname(current);
    if (parent === current) {
      throw new ProjectNotFoundError(`no sfdx-project.json in ${path.resolve(start)} or any directory above it`);
    }
    current = parent;
  }
}

/** Reads every package directory of the project at `root`. */
export async function readProjectMetadata(root: string): Promise<ProjectMetadata> {
  const project: ProjectMetadata = {
    root,
    packageDirectories: [],
    objects: new Map(),
    records: [],
    namedCredentials: new Map(),
    externalCredentials: new Map(),
    permissionSets: new Map(),
    apexClasses: [],
    customPermissions: [],
    problems: [],
  };
  const projectFile = path.join(root, 'sfdx-project.json');
  let definition: { packageDirectories?: Array<{ path?: unknown }> };
  try {
    definition = JSON.parse(await readFile(projectFile, 'utf8')) as typeof definition;
  } catch (error) {
    throw new ProjectNotFoundError(`${projectFile} cannot be read: ${(error as Error).message}`);
  }
  project.packageDirectories = (definition.packageDirectories ?? [])
    .map((dir) => dir.path)
    .filter((dir): dir is string => typeof dir === 'string')
    .map((dir) => path.resolve(root, dir));

  for (const dir of project.packageDirectories) {
    for (const file of await walk(dir)) {
      try {
        await readMetadataFile(project, file);
      } catch (error) {
        project.problems.push({ file, message: (error as Error).message });
      }
    }
  }
  project.records.sort((a, b) => a.file.localeCompare(b.file));
  project.apexClasses.sort();
  return project;
}

/** Records of one custom metadata type (`AI_Model_Endpoint__mdt`). */
export function recordsOfType(project: ProjectMetadata, type: string): CustomMetadataRecord[] {
  return project.records.filter((record) => record.type.toLowerCase() === type.toLowerCase());
}

/** A record value as text, or undefined when blank. */
export function recordText(record: CustomMetadataRecord, field: string): string | undefined {
  const value = record.values.get(field)?.value?.trim();
  return value === undefined || value === null || value === '' ? undefined : value;
}

/** Every file under `dir` (sorted, without dot-files and node_modules); none when it does not exist. */
export async function walk(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await walk(full)));
    else files.push(full);
  }
  return files;
}

async function readMetadataFile(project: ProjectMetadata, file: string): Promise<void> {
  const base = path.basename(file);
  const parentDir = path.basename(path.dirname(file));
  if (base.endsWith('.cls') && !base.endsWith('-meta.xml')) {
    project.apexClasses.push(base.slice(0, -'.cls'.length));
    return;
  }
  if (base.endsWith('.field-meta.xml') && parentDir === 'fields') {
    const objectName = path.basename(path.dirname(path.dirname(file)));
    const field = readField(
      parseXml(await readFile(file, 'utf8'), file),
      base.slice(0, -'.field-meta.xml'.length),
      file,
    );
    objectFor(project, objectName).fields.set(field.name.toLowerCase(), field);
  } else if (base.endsWith('.object-meta.xml')) {
    objectFor(project, base.slice(0, -'.object-meta.xml'.length)).file = file;
  } else if (base.endsWith('.md-meta.xml') && parentDir === 'customMetadata') {
    project.records.push(
      readRecord(parseXml(await readFile(file, 'utf8'), file), base.slice(0, -'.md-meta.xml'.length), file),
    );
  } else if (base.endsWith('.namedCredential-meta.xml')) {
    const name = base.slice(0, -'.namedCredential-meta.xml'.length);
    project.namedCredentials.set(name, readNamedCredential(parseXml(await readFile(file, 'utf8'), file), name, file));
  } else if (base.endsWith('.externalCredential-meta.xml')) {
    const name = base.slice(0, -'.externalCredential-meta.xml'.length);
    project.externalCredentials.set(
      name,
      readExternalCredential(parseXml(await readFile(file, 'utf8'), file), name, file),
    );
  } else if (base.endsWith('.customPermission-meta.xml')) {
    project.customPermissions.push(base.slice(0, -'.customPermission-meta.xml'.length));
  } else if (base.endsWith('.permissionset-meta.xml')) {
    const name = base.slice(0, -'.permissionset-meta.xml'.length);
    project.permissionSets.set(name, readPermissionSet(parseXml(await readFile(file, 'utf8'), file), name, file));
  }
}

function objectFor(project: ProjectMetadata, name: string): ProjectObject {
  const key = name.toLowerCase();
  let object = project.objects.get(key);
  if (!object) {
    object = { name, fields: new Map() };
    project.objects.set(key, object);
  }
  return object;
}

/** Source-format field types as describe names them. */
const FIELD_TYPES: Record<string, FieldType> = {
  AutoNumber: 'string',
  Checkbox: 'boolean',
  Currency: 'currency',
  Date: 'date',
  DateTime: 'datetime',
  Email: 'email',
  EncryptedText: 'encryptedstring',
  ExternalLookup: 'reference',
  Hierarchy: 'reference',
  Html: 'textarea',
  IndirectLookup: 'reference',
  Location: 'location',
  Lookup: 'reference',
  LongTextArea: 'textarea',
  MasterDetail: 'reference',
  MetadataRelationship: 'string',
  MultiselectPicklist: 'multipicklist',
  Number: 'double',
  Percent: 'percent',
  Phone: 'phone',
  Picklist: 'picklist',
  Summary: 'double',
  Text: 'string',
  TextArea: 'textarea',
  Time: 'time',
  Url: 'url',
};

function readField(xml: XmlElement, name: string, file: string): ProjectField {
  const metadataType = childText(xml, 'type') ?? 'Text';
  const type = FIELD_TYPES[metadataType] ?? 'string';
  const field: ProjectField = {
    name,
    type,
    metadataType,
    formula: childText(xml, 'formula') !== undefined,
    required: childText(xml, 'required') === 'true',
    file,
  };
  const scale = childText(xml, 'scale');
  if (scale !== undefined) field.scale = Number(scale);
  if (type === 'reference') {
    const target = childText(xml, 'referenceTo') ?? (metadataType === 'Hierarchy' ? 'User' : undefined);
    if (target) field.referenceTo = [target];
    const relationship = childText(xml, 'relationshipName');
    if (relationship) field.relationshipName = name.endsWith('__c') ? `${relationship}__r` : relationship;
  }
  return field;
}

function readRecord(xml: XmlElement, fileName: string, file: string): CustomMetadataRecord {
  const dot = fileName.indexOf('.');
  if (dot < 1) throw new Error(`${file}: a custom metadata record file is named <Type>.<Record>.md-meta.xml`);
  const record: CustomMetadataRecord = {
    type: `${fileName.slice(0, dot)}__mdt`,
    developerName: fileName.slice(dot + 1),
    file,
    values: new Map(),
  };
  const label = childText(xml, 'label');
  if (label) record.label = label;
  for (const entry of childrenNamed(xml, 'values')) {
    const field = childText(entry, 'field');
    if (!field) continue;
    const valueElement = entry.children.find((c) => c.name === 'value');
    const nil = valueElement?.attributes['xsi:nil'] === 'true';
    const type = valueElement?.attributes['xsi:type']?.replace(/^\w+:/, '');
    const text = valueElement && !nil ? valueElement.text : null;
    record.values.set(field, { value: text === '' ? null : text, ...(type ? { type } : {}) });
  }
  return record;
}

function readNamedCredential(xml: XmlElement, name: string, file: string): NamedCredential {
  const credential: NamedCredential = { name, file };
  for (const parameter of childrenNamed(xml, 'namedCredentialParameters')) {
    const type = childText(parameter, 'parameterType');
    if (type === 'Url') {
      const url = childText(parameter, 'parameterValue');
      if (url) credential.url = url;
    }
    const external = childText(parameter, 'externalCredential');
    if (external) credential.externalCredential = external;
  }
  // Legacy Named Credentials keep the URL in <endpoint>.
  credential.url ??= childText(xml, 'endpoint');
  if (credential.url === undefined) delete credential.url;
  return credential;
}

function readExternalCredential(xml: XmlElement, name: string, file: string): ExternalCredential {
  const credential: ExternalCredential = { name, file, principals: [], formulaParameters: [] };
  const protocol = childText(xml, 'authenticationProtocol');
  if (protocol) credential.protocol = protocol;
  const mergeField = new RegExp(`\\$Credential\\.${name}\\.(\\w+)`, 'gi');
  for (const parameter of childrenNamed(xml, 'externalCredentialParameters')) {
    const type = childText(parameter, 'parameterType') ?? '';
    const parameterName = childText(parameter, 'parameterName') ?? '';
    if (/Principal$/.test(type)) credential.principals.push({ name: parameterName, type });
    const formula = childText(parameter, 'parameterValue') ?? '';
    for (const match of formula.matchAll(mergeField)) {
      const used = match[1]!;
      if (!RESERVED_CREDENTIAL_MERGE_FIELDS.has(used.toLowerCase()) && !credential.formulaParameters.includes(used)) {
        credential.formulaParameters.push(used);
      }
    }
  }
  return credential;
}

function readPermissionSet(xml: XmlElement, name: string, file: string): PermissionSet {
  const enabled = (element: XmlElement) => childText(element, 'enabled') === 'true';
  const permissionSet: PermissionSet = {
    name,
    file,
    principalAccesses: childrenNamed(xml, 'externalCredentialPrincipalAccesses')
      .filter(enabled)
      .map((access) => childText(access, 'externalCredentialPrincipal') ?? '')
      .filter(Boolean),
    classAccesses: childrenNamed(xml, 'classAccesses')
      .filter(enabled)
      .map((access) => childText(access, 'apexClass') ?? '')
      .filter(Boolean),
    readableObjects: childrenNamed(xml, 'objectPermissions')
      .filter((permission) => childText(permission, 'allowRead') === 'true')
      .map((permission) => childText(permission, 'object') ?? '')
      .filter(Boolean),
    readableFields: childrenNamed(xml, 'fieldPermissions')
      .filter((permission) => childText(permission, 'readable') === 'true')
      .map((permission) => childText(permission, 'field') ?? '')
      .filter(Boolean),
    customPermissions: childrenNamed(xml, 'customPermissions')
      .filter(enabled)
      .map((permission) => childText(permission, 'name') ?? '')
      .filter(Boolean),
    metadataAccesses: [
      ...childrenNamed(xml, 'customMetadataTypeAccesses'),
      ...childrenNamed(xml, 'customSettingAccesses'),
    ]
      .filter(enabled)
      .map((access) => childText(access, 'name') ?? '')
      .filter(Boolean),
  };
  const label = childText(xml, 'label');
  if (label) permissionSet.label = label;
  return permissionSet;
}
