import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Connection } from '@salesforce/core';
import { parseFeatureMapping } from '@byom/contracts/feature-mapping';
import type { FeatureMappingEntry } from '@byom/contracts/feature-mapping';
import { ENDPOINT_TYPE, recordsOfType, recordText } from '../project/project-metadata.ts';
import type { ProjectMetadata } from '../project/project-metadata.ts';
import { BOOLEAN_TYPES, NUMBER_TYPES, SchemaCatalog } from '../project/schema-catalog.ts';
import type { FieldType } from '../project/standard-schema.ts';
import { exportQueryToCsv } from '../salesforce/bulk-query.ts';
import type { BulkQueryProgress } from '../salesforce/bulk-query.ts';
import { API_NAME, FIELD_PATH } from '../salesforce/soql.ts';

/**
 * The labelled data `model train` and `model eval` hand to the trainer, from either source:
 *
 *   --data file.csv         a CSV as is; with an endpoint, its columns are record fields and
 *                           the endpoint's mapping turns them into features
 *   --target-org --object   the object's records exported with Bulk API 2.0: the fields the
 *                           endpoint's mapping reads, and the label
 *
 * With an endpoint the model gets exactly the features Apex sends at scoring time, and
 * each feature's type comes from its transform or its field's Salesforce type.
 */

export class TrainingDataError extends Error {
  override name = 'TrainingDataError';
}

export interface DataSourceOptions {
  label: string;
  data?: string;
  connection?: Connection;
  object?: string;
  where?: string;
  endpoint?: string;
}

export interface SelectedEndpoint {
  name: string;
  objectName: string;
  modelName?: string;
  modelVersion?: string;
  mapping: FeatureMappingEntry[];
}

export interface PreparedData {
  /** The CSV to train or evaluate on. */
  csvFile: string;
  /** With an endpoint: its feature mapping, and the feature types read from the schema, as JSON files for the trainer. */
  mappingFile?: string;
  featuresFile?: string;
  endpoint?: SelectedEndpoint;
  source:
    | { kind: 'csv'; file: string }
    | { kind: 'org'; object: string; where?: string; soql: string; records: number; jobId: string };
  /** In words, for the model card. */
  description: string;
  cleanup: () => Promise<void>;
}

/** The endpoint named by `name`, or the only one scoring `objectName`; undefined when neither applies. */
export function selectEndpoint(
  project: ProjectMetadata | undefined,
  name: string | undefined,
  objectName: string | undefined,
): SelectedEndpoint | undefined {
  const records = project ? recordsOfType(project, ENDPOINT_TYPE) : [];
  let record;
  if (name) {
    record = records.find((r) => r.developerName.toLowerCase() === name.toLowerCase());
    if (!record) {
      throw new TrainingDataError(
        `the project has no AI Model Endpoint named "${name}" (endpoints: ${records.map((r) => r.developerName).join(', ') || 'none'})`,
      );
    }
  } else if (objectName) {
    const matching = records.filter(
      (r) => recordText(r, 'Target_Object__c')?.toLowerCase() === objectName.toLowerCase(),
    );
    if (matching.length === 0) {
      throw new TrainingDataError(
        `no AI Model Endpoint in the project scores ${objectName}: pass --endpoint to choose the feature mapping`,
      );
    }
    if (matching.length > 1) {
      throw new TrainingDataError(
        `several endpoints score ${objectName} (${matching.map((r) => r.developerName).join(', ')}): pass --endpoint to choose one`,
      );
    }
    record = matching[0]!;
  } else {
    return undefined;
  }
  const parsed = parseFeatureMapping(record.values.get('Feature_Mapping__c')?.value ?? undefined);
  if (parsed.problems.length > 0) {
    throw new TrainingDataError(
      `the feature mapping of ${record.developerName} is invalid: ${parsed.problems.join('; ')} (run sf byom doctor)`,
    );
  }
  const selected: SelectedEndpoint = {
    name: record.developerName,
    objectName: recordText(record, 'Target_Object__c') ?? '',
    mapping: parsed.entries,
  };
  const modelName = recordText(record, 'Model_Name__c');
  const modelVersion = recordText(record, 'Model_Version__c');
  if (modelName) selected.modelName = modelName;
  if (modelVersion) selected.modelVersion = modelVersion;
  return selected;
}

export async function prepareData(
  project: ProjectMetadata | undefined,
  options: DataSourceOptions,
  onExportProgress: (progress: BulkQueryProgress) => void = () => undefined,
): Promise<PreparedData> {
  if (!FIELD_PATH.test(options.label))
    throw new TrainingDataError(`--label "${options.label}" is not a field name such as IsConverted`);
  const endpoint = selectEndpoint(project, options.endpoint, options.data ? undefined : options.object);
  if (endpoint && options.object && endpoint.objectName.toLowerCase() !== options.object.toLowerCase()) {
    throw new TrainingDataError(`endpoint ${endpoint.name} scores ${endpoint.objectName}, not ${options.object}`);
  }
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'byom-train-'));
  const cleanup = () => rm(workDir, { recursive: true, force: true });
  try {
    const describeTypes = new Map<string, { type: FieldType; label?: string }>();
    let csvFile: string;
    let source: PreparedData['source'];
    let description: string;

    if (options.data) {
      csvFile = path.resolve(options.data);
      source = { kind: 'csv', file: csvFile };
      description = path.basename(csvFile);
    } else {
      if (!options.connection || !options.object)
        throw new TrainingDataError('exporting records needs --target-org and --object');
      if (!API_NAME.test(options.object))
        throw new TrainingDataError(`--object "${options.object}" is not an object API name`);
      if (!endpoint)
        throw new TrainingDataError(
          `exporting ${options.object} needs an endpoint whose mapping names the fields: pass --endpoint`,
        );
      if (options.where?.includes(';')) throw new TrainingDataError('--where must be one SOQL condition without ";"');
      for (const [field, info] of await describeObject(options.connection, options.object))
        describeTypes.set(field, info);
      const fields = distinct([...endpoint.mapping.map((m) => m.field), options.label]);
      const soql = `SELECT ${fields.join(', ')} FROM ${options.object}${options.where ? ` WHERE ${options.where}` : ''}`;
      csvFile = path.join(workDir, `${options.object}.csv`);
      const exported = await exportQueryToCsv(options.connection, soql, csvFile, { onProgress: onExportProgress });
      const username = options.connection.getUsername() ?? 'the org';
      source = { kind: 'org', object: options.object, soql, records: exported.records, jobId: exported.jobId };
      if (options.where) source.where = options.where;
      description = `${options.object} records exported from ${username} on ${new Date().toISOString().slice(0, 10)}${
        options.where ? ` (WHERE ${options.where})` : ''
      }`;
    }

    const prepared: PreparedData = { csvFile, source, description, cleanup };
    if (endpoint) {
      prepared.endpoint = endpoint;
      prepared.mappingFile = path.join(workDir, 'mapping.json');
      await writeFile(prepared.mappingFile, JSON.stringify(endpoint.mapping));
      prepared.featuresFile = path.join(workDir, 'features.json');
      await writeFile(prepared.featuresFile, JSON.stringify(declaredFeatures(project, endpoint, describeTypes)));
    }
    return prepared;
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** Feature types for VALUE entries from the field's Salesforce type (the org's describe first, then the project). */
function declaredFeatures(
  project: ProjectMetadata | undefined,
  endpoint: SelectedEndpoint,
  describeTypes: ReadonlyMap<string, { type: FieldType; label?: string }>,
): Array<{ name: string; type?: string; label?: string }> {
  const catalog = new SchemaCatalog(project);
  return endpoint.mapping.flatMap((entry) => {
    if (entry.transform !== 'VALUE') return [];
    const described = describeTypes.get(entry.field.toLowerCase());
    const resolved = catalog.resolvePath(endpoint.objectName, entry.field);
    const fieldType = described?.type ?? (resolved.ok ? resolved.field.type : undefined);
    if (!fieldType) return [];
    return [
      { name: entry.feature, type: featureType(fieldType), ...(described?.label ? { label: described.label } : {}) },
    ];
  });
}

/** The model feature type a field's values are sent as (see doctor's mapping check). */
export function featureType(fieldType: FieldType): 'boolean' | 'integer' | 'number' | 'category' {
  if (BOOLEAN_TYPES.has(fieldType)) return 'boolean';
  if (fieldType === 'int') return 'integer';
  if (NUMBER_TYPES.has(fieldType)) return 'number';
  return 'category';
}

async function describeObject(
  conn: Connection,
  objectName: string,
): Promise<Map<string, { type: FieldType; label?: string }>> {
  const result = await conn.describe(objectName);
  return new Map(
    (result.fields as Array<{ name: string; type: string; label?: string }>).map((field) => [
      field.name.toLowerCase(),
      { type: field.type as FieldType, ...(field.label ? { label: field.label } : {}) },
    ]),
  );
}

function distinct(paths: string[]): string[] {
  const seen = new Map<string, string>();
  for (const p of paths) if (!seen.has(p.toLowerCase())) seen.set(p.toLowerCase(), p);
  return [...seen.values()];
}
