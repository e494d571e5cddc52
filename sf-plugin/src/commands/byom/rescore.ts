import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { connectOrg } from '../../salesforce/org-connection.ts';
import { Messages } from '@salesforce/core';
import {
  endpointOfJob,
  findEndpoint,
  followJob,
  isFinished,
  readJob,
  RescoringError,
  startRescoring,
  summarizeRun,
} from '../../salesforce/rescoring-job.ts';
import type { AsyncApexJob, RunSummary } from '../../salesforce/rescoring-job.ts';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('@byom/sf-plugin-byom', 'byom.rescore');

export type RescoreResult = {
  jobId: string;
  endpoint: string;
  status: AsyncApexJob['Status'];
  batchesProcessed: number;
  batchesTotal: number;
  batchesFailed: number;
  message?: string;
  /** The night's AI Score rows by status and error code, once the job has finished. */
  run?: RunSummary;
};

const POLL_INTERVAL_MS = 5000;

export default class Rescore extends SfCommand<RescoreResult> {
  public static override readonly summary = messages.getMessage('summary');
  public static override readonly description = messages.getMessage('description');
  public static override readonly examples = messages.getMessages('examples');

  public static override readonly flags = {
    'target-org': Flags.requiredOrg({
      summary: messages.getMessage('flags.target-org.summary'),
      // An unknown alias says how to log in, as doctor does (org-connection.ts).
      parse: (input: string) => connectOrg(input),
    }),
    'api-version': Flags.orgApiVersion({
      summary: messages.getMessage('flags.api-version.summary'),
      description: messages.getMessage('flags.api-version.description'),
    }),
    // Required to start a job; a job followed with --job-id names its endpoint in its rows.
    endpoint: Flags.string({ char: 'e', summary: messages.getMessage('flags.endpoint.summary') }),
    'job-id': Flags.salesforceId({
      char: 'i',
      summary: messages.getMessage('flags.job-id.summary'),
      startsWith: '707',
      length: 'both',
      exclusive: ['async'],
    }),
    async: Flags.boolean({ char: 'a', summary: messages.getMessage('flags.async.summary'), default: false }),
    wait: Flags.duration({
      char: 'w',
      unit: 'minutes',
      summary: messages.getMessage('flags.wait.summary'),
      defaultValue: 60,
      min: 1,
    }),
  };

  public async run(): Promise<RescoreResult> {
    const { flags } = await this.parse(Rescore);
    const org = flags['target-org'];
    const conn = org.getConnection(flags['api-version']);
    const username = org.getUsername() ?? '';
    let endpoint: string;
    let jobId: string;
    try {
      if (flags['job-id']) {
        jobId = flags['job-id'];
        endpoint = flags.endpoint
          ? (await findEndpoint(conn, flags.endpoint)).DeveloperName
          : ((await endpointOfJob(conn, await readJob(conn, jobId))) ?? '');
      } else {
        if (!flags.endpoint) throw messages.createError('error.NeedsEndpoint');
        endpoint = (await findEndpoint(conn, flags.endpoint)).DeveloperName;
        jobId = await startRescoring(conn, endpoint);
      }
    } catch (error) {
      if (error instanceof RescoringError) throw messages.createError('error.Rescoring', [error.message], [username]);
      throw error;
    }
    if (!flags['job-id']) this.log(messages.getMessage('info.started', [endpoint, jobId]));
    if (flags.async) {
      this.log(messages.getMessage('info.follow', [username, endpoint, jobId]));
      return toResult(endpoint, await readJob(conn, jobId));
    }

    this.progress.start(0, {}, { title: messages.getMessage('progress.title', [endpoint]) });
    const job = await followJob(conn, jobId, {
      pollIntervalMs: POLL_INTERVAL_MS,
      timeoutMs: flags.wait.milliseconds,
      onStatus: (current) => {
        // The batch learns how many scopes it has once its start() has run.
        if (current.TotalJobItems > 0) this.progress.setTotal(current.TotalJobItems);
        this.progress.update(current.JobItemsProcessed);
      },
    });
    if (isFinished(job)) this.progress.finish();
    else this.progress.stop();

    const result = toResult(endpoint, job);
    if (!isFinished(job)) {
      this.log(messages.getMessage('info.stillRunning', [job.Status]));
      this.log(messages.getMessage('info.follow', [username, endpoint, jobId]));
      return result;
    }
    this.log(
      messages.getMessage('info.finished', [
        jobId,
        job.Status.toLowerCase(),
        job.JobItemsProcessed,
        job.TotalJobItems,
        job.NumberOfErrors,
      ]),
    );
    result.run = await summarizeRun(conn, endpoint || ((await endpointOfJob(conn, job)) ?? ''), job);
    const counts = Object.entries(result.run.byStatus).map(([status, count]) => `${count} ${status}`);
    this.log(messages.getMessage('info.rows', [result.run.runId, counts.join(', ') || 'none']));
    if (result.run.errorCodes.length > 0) {
      this.log(
        messages.getMessage('info.errors', [result.run.errorCodes.map((e) => `${e.code} ${e.count}`).join(', ')]),
      );
    }
    if (job.Status !== 'Completed' || job.NumberOfErrors > 0) {
      const error = messages.createError('error.JobFailed', [
        jobId,
        job.Status === 'Completed' ? 'with failed batches' : job.Status.toLowerCase(),
        job.ExtendedStatus ?? 'no message',
      ]);
      error.setData(result);
      throw error;
    }
    return result;
  }
}

function toResult(endpoint: string, job: AsyncApexJob): RescoreResult {
  return {
    jobId: job.Id,
    endpoint,
    status: job.Status,
    batchesProcessed: job.JobItemsProcessed,
    batchesTotal: job.TotalJobItems,
    batchesFailed: job.NumberOfErrors,
    ...(job.ExtendedStatus ? { message: job.ExtendedStatus } : {}),
  };
}
