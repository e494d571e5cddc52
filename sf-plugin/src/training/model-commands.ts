import path from 'node:path';
import { Flags } from '@salesforce/sf-plugins-core';
import type { Spinner } from '@salesforce/sf-plugins-core';
import { Messages, SfError } from '@salesforce/core';
import type { Org } from '@salesforce/core';
import { findProjectRoot, ProjectNotFoundError, readProjectMetadata } from '../project/project-metadata.ts';
import type { ProjectMetadata } from '../project/project-metadata.ts';
import { BulkQueryError } from '../salesforce/bulk-query.ts';
import { prepareData, TrainingDataError } from './training-data.ts';
import type { PreparedData } from './training-data.ts';
import { TrainingProcessError } from './training-process.ts';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@byom/sf-plugin-byom', 'byom.model.data');

/** What `model train` and `model eval` share: where the data comes from, where the project is, how errors read. */
export const dataSourceFlags = {
  data: Flags.file({
    char: 'f',
    summary: messages.getMessage('flags.data.summary'),
    description: messages.getMessage('flags.data.description'),
    exists: true,
    exactlyOne: ['data', 'object'],
  }),
  'target-org': Flags.optionalOrg({ summary: messages.getMessage('flags.target-org.summary') }),
  'api-version': Flags.orgApiVersion({
    summary: messages.getMessage('flags.api-version.summary'),
    description: messages.getMessage('flags.api-version.description'),
  }),
  object: Flags.string({
    char: 's',
    summary: messages.getMessage('flags.object.summary'),
    exactlyOne: ['data', 'object'],
  }),
  label: Flags.string({ char: 'l', summary: messages.getMessage('flags.label.summary'), required: true }),
  where: Flags.string({ char: 'w', summary: messages.getMessage('flags.where.summary'), dependsOn: ['object'] }),
  endpoint: Flags.string({ char: 'e', summary: messages.getMessage('flags.endpoint.summary') }),
  'as-of': Flags.string({
    summary: messages.getMessage('flags.as-of.summary'),
    parse: async (input: string) => {
      const date = new Date(`${input}T00:00:00Z`);
      if (!/^\d{4}-\d{2}-\d{2}$/.test(input) || date.toISOString().slice(0, 10) !== input) {
        throw new SfError(`--as-of must be a date like 2025-01-31, got "${input}"`);
      }
      return input;
    },
  }),
  'models-dir': Flags.directory({ summary: messages.getMessage('flags.models-dir.summary') }),
  'project-dir': Flags.directory({
    summary: messages.getMessage('flags.project-dir.summary'),
    default: '.',
    exists: true,
  }),
};

export interface LoadedProject {
  root: string;
  project: ProjectMetadata;
  modelsDir: string;
}

export async function loadProject(projectDir: string, modelsDir: string | undefined): Promise<LoadedProject> {
  let root: string;
  try {
    root = findProjectRoot(projectDir);
  } catch (error) {
    if (error instanceof ProjectNotFoundError) throw messages.createError('error.NoProject', [error.message]);
    throw error;
  }
  return {
    root,
    project: await readProjectMetadata(root),
    modelsDir: path.resolve(modelsDir ?? path.join(root, 'inference-service', 'models')),
  };
}

/** The parsed dataSourceFlags that choose and shape the data. */
export interface DataSourceFlagValues {
  label: string;
  data?: string;
  object?: string;
  where?: string;
  endpoint?: string;
  'target-org'?: Org;
  'api-version'?: string;
}

/**
 * Reads the CSV `--data` names, or exports the `--object` records from `--target-org` with
 * progress on the spinner. The caller owns the result: call its cleanup() when done.
 */
export async function prepareDataFromFlags(
  project: ProjectMetadata,
  flags: DataSourceFlagValues,
  spinner: Spinner,
): Promise<PreparedData> {
  const org = flags['target-org'];
  if (flags.object && !org) throw messages.createError('error.NeedsOrg');
  if (flags.object) spinner.start(exportMessages.progress());
  const prepared = await prepareData(
    project,
    {
      label: flags.label,
      ...(flags.data ? { data: flags.data } : {}),
      ...(flags.object ? { object: flags.object } : {}),
      ...(flags.where ? { where: flags.where } : {}),
      ...(flags.endpoint ? { endpoint: flags.endpoint } : {}),
      ...(org && flags.object ? { connection: org.getConnection(flags['api-version']) } : {}),
    },
    (progress) => (spinner.status = exportMessages.status(progress.state, progress.recordsProcessed)),
  );
  if (flags.object) spinner.stop();
  return prepared;
}

/**
 * The user-facing error for what went wrong while preparing data, training or evaluating,
 * named for the command (TrainingError, EvaluationError…), so scripts can tell them apart.
 */
export function trainingError(error: unknown, command: 'train' | 'eval'): Error {
  const kind = command === 'train' ? 'Training' : 'Evaluation';
  if (error instanceof TrainingDataError || error instanceof BulkQueryError) {
    return messages.createError(`error.${kind}Data`, [error.message]);
  }
  if (error instanceof TrainingProcessError) {
    if (error.kind === 'input') return messages.createError(`error.${kind}`, [error.message]);
    if (error.kind === 'setup') return messages.createError(`error.${kind}Setup`, [error.message]);
    return messages.createError(`error.${kind}Crashed`, [error.message]);
  }
  return error instanceof Error ? error : new Error(String(error));
}

export const exportMessages = {
  progress: () => messages.getMessage('export.progress'),
  status: (state: string, records: number) => messages.getMessage('export.status', [state, records]),
};
