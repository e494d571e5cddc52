import type { Connection } from '@salesforce/core';
import { API_NAME, queryAll, soqlString } from './soql.ts';

/**
 * Starting and following the nightly rescoring batch (force-app's AiNightlyRescoringBatch)
 * for one endpoint. The batch is started with anonymous Apex through the Tooling API, the
 * same statements as scripts/apex/rescore-now.apex but for one endpoint; anonymous Apex
 * returns no value, so the job is found as the one batch of that class this user started
 * that was not there before. It is then followed through AsyncApexJob.
 */

export const RESCORING_BATCH_CLASS = 'AiNightlyRescoringBatch';

export interface EndpointInOrg {
  DeveloperName: string;
  Active__c: boolean;
  Target_Object__c: string;
}

export interface AsyncApexJob {
  Id: string;
  Status: 'Holding' | 'Queued' | 'Preparing' | 'Processing' | 'Completed' | 'Aborted' | 'Failed';
  JobItemsProcessed: number;
  TotalJobItems: number;
  NumberOfErrors: number;
  ExtendedStatus: string | null;
  CreatedDate: string;
  CompletedDate: string | null;
  ApexClass?: { Name: string } | null;
}

export type RunSummary = {
  runId: string;
  byStatus: Record<string, number>;
  errorCodes: Array<{ code: string; count: number }>;
};

export class RescoringError extends Error {
  override name = 'RescoringError';
  readonly reason: 'endpointMissing' | 'endpointInactive' | 'apexFailed' | 'jobNotFound' | 'badName';
  constructor(reason: RescoringError['reason'], message: string) {
    super(message);
    this.reason = reason;
  }
}

export const rescoringTimers = {
  sleep: (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms)),
};

const FINISHED = new Set(['Completed', 'Aborted', 'Failed']);
const JOB_FIELDS =
  'Id, Status, JobItemsProcessed, TotalJobItems, NumberOfErrors, ExtendedStatus, CreatedDate, CompletedDate, ApexClass.Name';

/** The anonymous Apex that starts one endpoint's rescoring batch, failing with the admin's message when it cannot. */
export function rescoringApex(endpoint: string): string {
  if (!API_NAME.test(endpoint)) throw new RescoringError('badName', `"${endpoint}" is not an endpoint developer name`);
  return [
    '// Started by sf byom rescore: one endpoint, as AiNightlyRescoringBatch.startAll() does for every nightly one.',
    `AiModelEndpoint endpoint = AiModelEndpointSelector.activeByName('${endpoint}');`,
    'endpoint.assertValid();',
    'if (AiScoringSettings.isScoringDisabled()) {',
    "  throw AiScoringException.configuration('Scoring is switched off (AI Scoring Settings > Disable Scoring); the batch would score nothing');",
    '}',
    `Database.executeBatch(new ${RESCORING_BATCH_CLASS}('${endpoint}'), endpoint.batchSize);`,
  ].join('\n');
}

export async function findEndpoint(conn: Connection, endpoint: string): Promise<EndpointInOrg> {
  if (!API_NAME.test(endpoint)) throw new RescoringError('badName', `"${endpoint}" is not an endpoint developer name`);
  const all = await queryAll<EndpointInOrg>(
    conn,
    'SELECT DeveloperName, Active__c, Target_Object__c FROM AI_Model_Endpoint__mdt ORDER BY DeveloperName',
  );
  const match = all.find((record) => record.DeveloperName.toLowerCase() === endpoint.toLowerCase());
  if (!match) {
    throw new RescoringError(
      'endpointMissing',
      `no AI Model Endpoint named "${endpoint}" in the org (endpoints: ${all.map((r) => r.DeveloperName).join(', ') || 'none'})`,
    );
  }
  if (!match.Active__c)
    throw new RescoringError('endpointInactive', `AI Model Endpoint "${match.DeveloperName}" is not active`);
  return match;
}

/** Starts the batch for an endpoint and returns its AsyncApexJob id. */
export async function startRescoring(conn: Connection, endpoint: string): Promise<string> {
  const username = conn.getUsername() ?? '';
  const recentJobs = `SELECT Id FROM AsyncApexJob WHERE JobType = 'BatchApex' AND ApexClass.Name = ${soqlString(RESCORING_BATCH_CLASS)} AND CreatedBy.Username = ${soqlString(username)} ORDER BY CreatedDate DESC LIMIT 50`;
  const before = new Set((await queryAll<{ Id: string }>(conn, recentJobs)).map((job) => job.Id));
  const result = await conn.tooling.executeAnonymous(rescoringApex(endpoint));
  if (!result.compiled) {
    throw new RescoringError(
      'apexFailed',
      `the rescoring Apex does not compile in this org (line ${result.line}): ${result.compileProblem}`,
    );
  }
  if (!result.success)
    throw new RescoringError('apexFailed', cleanApexMessage(result.exceptionMessage ?? 'unknown error'));
  const started = (await queryAll<{ Id: string }>(conn, recentJobs)).find((job) => !before.has(job.Id));
  if (!started)
    throw new RescoringError('jobNotFound', 'the batch was started but its job could not be found in AsyncApexJob');
  return started.Id;
}

export async function readJob(conn: Connection, jobId: string): Promise<AsyncApexJob> {
  const [job] = await queryAll<AsyncApexJob>(
    conn,
    `SELECT ${JOB_FIELDS} FROM AsyncApexJob WHERE Id = ${soqlString(jobId)}`,
  );
  if (!job) throw new RescoringError('jobNotFound', `no Apex job with id ${jobId} in the org`);
  return job;
}

/** Polls a job until it finishes or `timeoutMs` passes; reports every status read. */
export async function followJob(
  conn: Connection,
  jobId: string,
  options: { pollIntervalMs: number; timeoutMs: number; onStatus: (job: AsyncApexJob) => void },
): Promise<AsyncApexJob> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const job = await readJob(conn, jobId);
    options.onStatus(job);
    if (FINISHED.has(job.Status) || Date.now() >= deadline) return job;
    await rescoringTimers.sleep(options.pollIntervalMs);
  }
}

export function isFinished(job: AsyncApexJob): boolean {
  return FINISHED.has(job.Status);
}

/**
 * The AI Score rows of the night the job belongs to, by status and error code. The batch
 * names its run `nightly:<yyyy-MM-dd GMT>:<endpoint>` when it is created.
 */
export async function summarizeRun(conn: Connection, endpoint: string, job: AsyncApexJob): Promise<RunSummary> {
  const runId = `nightly:${job.CreatedDate.slice(0, 10)}:${endpoint}`;
  const groups = await queryAll<{ Status__c: string; Error_Code__c: string | null; total: number }>(
    conn,
    `SELECT Status__c, Error_Code__c, COUNT(Id) total FROM AI_Score__c WHERE Run_Id__c = ${soqlString(runId)} GROUP BY Status__c, Error_Code__c`,
  );
  const byStatus: Record<string, number> = {};
  const codes = new Map<string, number>();
  for (const group of groups) {
    byStatus[group.Status__c] = (byStatus[group.Status__c] ?? 0) + group.total;
    if (group.Status__c === 'Error')
      codes.set(group.Error_Code__c ?? 'ERROR', (codes.get(group.Error_Code__c ?? 'ERROR') ?? 0) + group.total);
  }
  return {
    runId,
    byStatus,
    errorCodes: [...codes].map(([code, count]) => ({ code, count })).sort((a, b) => b.count - a.count),
  };
}

/**
 * The endpoint a nightly job rescored, read from the run ids of the rows it wrote
 * (`nightly:<date>:<endpoint>`); undefined before it wrote any, or when several endpoints ran that night.
 */
export async function endpointOfJob(conn: Connection, job: AsyncApexJob): Promise<string | undefined> {
  const prefix = `nightly:${job.CreatedDate.slice(0, 10)}:`;
  const runs = await queryAll<{ Run_Id__c: string }>(
    conn,
    `SELECT Run_Id__c FROM AI_Score__c WHERE Run_Id__c LIKE ${soqlString(`${prefix}%`)} GROUP BY Run_Id__c`,
  );
  return runs.length === 1 ? runs[0]!.Run_Id__c.slice(prefix.length) : undefined;
}

/** "System.QueryException: …" and "AiScoringException: …" are Apex's wording; the admin needs the rest. */
function cleanApexMessage(message: string): string {
  return message.replace(/^(?:System\.)?\w+Exception:\s*/, '');
}
