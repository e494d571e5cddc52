import { Org } from '@salesforce/core';
import type { SfError } from '@salesforce/core';
import { expect } from 'chai';
import type { SinonStub } from 'sinon';
import { Progress, stubSfCommandUx } from '@salesforce/sf-plugins-core';
import { MockTestOrgData, TestContext } from '@salesforce/core/testSetup';
import Rescore from '../../../src/commands/byom/rescore.ts';
import { rescoringTimers } from '../../../src/salesforce/rescoring-job.ts';
import type { AsyncApexJob } from '../../../src/salesforce/rescoring-job.ts';
import { FakeOrg } from '../../support/fake-org.ts';

const JOB_ID = '7075g00000ABCDEAAA';

function job(
  status: AsyncApexJob['Status'],
  processed: number,
  total: number,
  extra: Partial<AsyncApexJob> = {},
): AsyncApexJob {
  return {
    Id: JOB_ID,
    Status: status,
    JobItemsProcessed: processed,
    TotalJobItems: total,
    NumberOfErrors: 0,
    ExtendedStatus: null,
    CreatedDate: '2025-03-14T09:30:00.000+0000',
    CompletedDate: status === 'Completed' ? '2025-03-14T09:35:00.000+0000' : null,
    ApexClass: { Name: 'AiNightlyRescoringBatch' },
    ...extra,
  };
}

describe('sf byom rescore', () => {
  const $$ = new TestContext();
  const testOrg = new MockTestOrgData();
  let org: FakeOrg;
  let ux: ReturnType<typeof stubSfCommandUx>;
  let progress: { setTotal: SinonStub; update: SinonStub; finish: SinonStub };
  let anonymousApex: string[];
  /** AsyncApexJob states the job goes through, one per status read. */
  let states: AsyncApexJob[];

  beforeEach(async () => {
    ux = stubSfCommandUx($$.SANDBOX);
    $$.SANDBOX.stub(rescoringTimers, 'sleep').resolves();
    $$.SANDBOX.stub(Progress.prototype, 'start');
    progress = {
      setTotal: $$.SANDBOX.stub(Progress.prototype, 'setTotal'),
      update: $$.SANDBOX.stub(Progress.prototype, 'update'),
      finish: $$.SANDBOX.stub(Progress.prototype, 'finish'),
    };
    $$.SANDBOX.stub(Progress.prototype, 'stop');
    await $$.stubAuths(testOrg);
    anonymousApex = [];
    states = [job('Queued', 0, 0), job('Processing', 2, 5), job('Completed', 5, 5)];
    let started = false;
    org = new FakeOrg()
      .query(/FROM AI_Model_Endpoint__mdt/, [
        { DeveloperName: 'Lead_Scoring', Active__c: true, Target_Object__c: 'Lead' },
        { DeveloperName: 'Opportunity_Scoring', Active__c: false, Target_Object__c: 'Opportunity' },
      ])
      .query(/SELECT Id FROM AsyncApexJob WHERE JobType = 'BatchApex'/, () =>
        started ? [{ Id: JOB_ID }, { Id: '7075g00000OLDJOBAAA' }] : [{ Id: '7075g00000OLDJOBAAA' }],
      )
      .query(/FROM AsyncApexJob WHERE Id = /, () => [states.length > 1 ? states.shift()! : states[0]!])
      .query(/SELECT Run_Id__c FROM AI_Score__c WHERE Run_Id__c LIKE 'nightly:2025-03-14:%' GROUP BY Run_Id__c/, [
        { Run_Id__c: 'nightly:2025-03-14:Lead_Scoring' },
      ])
      .query(/FROM AI_Score__c WHERE Run_Id__c = 'nightly:2025-03-14:Lead_Scoring' GROUP BY/, [
        { Status__c: 'Scored', Error_Code__c: null, total: 1180 },
        { Status__c: 'Error', Error_Code__c: 'INVALID_FEATURE', total: 12 },
        { Status__c: 'Pending', Error_Code__c: null, total: 3 },
      ])
      .on('GET', /\/tooling\/executeAnonymous\/?\?anonymousBody=(.*)$/, (_request, match) => {
        anonymousApex.push(decodeURIComponent(match[1]!));
        started = true;
        return { compiled: true, success: true, compileProblem: null, exceptionMessage: null, line: -1, column: -1 };
      })
      .install($$);
  });

  afterEach(() => {
    process.exitCode = undefined;
  });

  const run = (...args: string[]) => Rescore.run(['--target-org', testOrg.username, ...args]);

  it('says how to log in when the org is not authorized', async () => {
    // What Org.create does for an alias this machine has no login for (seen with the real CLI):
    $$.SANDBOX.stub(Org, 'create').rejects(
      Object.assign(new Error('No authorization information found for not-logged-in.'), {
        name: 'NamedOrgNotFoundError',
      }),
    );
    try {
      await Rescore.run(['--target-org', 'not-logged-in', '--endpoint', 'Lead_Scoring']);
      expect.fail('the command should fail');
    } catch (error) {
      const sfError = error as SfError;
      expect(sfError.message).to.contain('No org "not-logged-in" is authorized on this machine');
      expect(sfError.actions?.join('\n')).to.contain('sf org login web --alias not-logged-in');
    }
  });

  it("starts the endpoint's batch, follows it with a progress bar, and summarises the run's rows", async () => {
    const result = await run('--endpoint', 'lead_scoring');

    expect(anonymousApex).to.have.length(1);
    expect(anonymousApex[0]).to.contain("AiModelEndpointSelector.activeByName('Lead_Scoring')");
    expect(anonymousApex[0]).to.contain(
      "Database.executeBatch(new AiNightlyRescoringBatch('Lead_Scoring'), endpoint.batchSize)",
    );
    expect(progress.setTotal.args.flat()).to.deep.equal([5, 5]);
    expect(progress.update.args.flat()).to.deep.equal([0, 2, 5]);
    expect(progress.finish.calledOnce).to.equal(true);
    expect(result).to.deep.equal({
      jobId: JOB_ID,
      endpoint: 'Lead_Scoring',
      status: 'Completed',
      batchesProcessed: 5,
      batchesTotal: 5,
      batchesFailed: 0,
      run: {
        runId: 'nightly:2025-03-14:Lead_Scoring',
        byStatus: { Scored: 1180, Error: 12, Pending: 3 },
        errorCodes: [{ code: 'INVALID_FEATURE', count: 12 }],
      },
    });
    const output = ux.log.args.flat().join('\n');
    expect(output).to.contain(`Started rescoring Lead_Scoring: Apex job ${JOB_ID}.`);
    expect(output).to.contain(
      'AI Score rows of run nightly:2025-03-14:Lead_Scoring: 1180 Scored, 12 Error, 3 Pending.',
    );
    expect(output).to.contain('Error codes: INVALID_FEATURE 12');
  });

  it('returns the job id at once with --async', async () => {
    const result = await run('--endpoint', 'Lead_Scoring', '--async');
    expect(result).to.deep.equal({
      jobId: JOB_ID,
      endpoint: 'Lead_Scoring',
      status: 'Queued',
      batchesProcessed: 0,
      batchesTotal: 0,
      batchesFailed: 0,
    });
    expect(progress.update.called).to.equal(false);
    expect(ux.log.args.flat().join('\n')).to.contain(`--job-id ${JOB_ID}`);
  });

  it('follows a job started earlier without starting another', async () => {
    const result = await run('--endpoint', 'Lead_Scoring', '--job-id', JOB_ID);
    expect(anonymousApex).to.deep.equal([]);
    expect(result.status).to.equal('Completed');
  });

  it('follows a job by its id alone, reading the endpoint from the rows it wrote', async () => {
    const result = await run('--job-id', JOB_ID);
    expect(anonymousApex).to.deep.equal([]);
    expect(result.endpoint).to.equal('Lead_Scoring');
    expect(result.run?.runId).to.equal('nightly:2025-03-14:Lead_Scoring');
  });

  it('asks for --endpoint when there is no job to follow', async () => {
    try {
      await run();
      expect.fail('the command should fail');
    } catch (error) {
      expect((error as Error).message).to.equal(
        'Name the AI Model Endpoint to rescore with --endpoint (or follow a running job with --job-id).',
      );
    }
  });

  it("fails with the batch's first error when the job fails, keeping the result in the error", async () => {
    states = [
      job('Processing', 0, 0),
      job('Failed', 0, 0, { ExtendedStatus: 'First error: Rescoring_Filter__c is not a valid SOQL condition' }),
    ];
    try {
      await run('--endpoint', 'Lead_Scoring');
      expect.fail('a failed job must fail the command');
    } catch (error) {
      expect((error as Error).message).to.equal(
        `Rescoring job ${JOB_ID} ended failed: First error: Rescoring_Filter__c is not a valid SOQL condition`,
      );
      expect((error as { data?: { status?: string } }).data?.status).to.equal('Failed');
    }
  });

  it('fails when some batches of a completed job failed', async () => {
    states = [job('Completed', 5, 5, { NumberOfErrors: 2, ExtendedStatus: 'First error: Read timed out' })];
    try {
      await run('--endpoint', 'Lead_Scoring');
      expect.fail('failed batches must fail the command');
    } catch (error) {
      expect((error as Error).message).to.contain('ended with failed batches: First error: Read timed out');
    }
  });

  it("reports the org's reason when the rescoring cannot start", async () => {
    org.on('GET', /\/tooling\/executeAnonymous/, () => ({
      compiled: true,
      success: false,
      exceptionMessage:
        'AiScoringException: AI Model Endpoint "Lead_Scoring": Batch_Size__c must be between 1 and 500 (found 900)',
      line: 3,
    }));
    try {
      await run('--endpoint', 'Lead_Scoring');
      expect.fail('expected an error');
    } catch (error) {
      expect((error as Error).message).to.equal(
        'AI Model Endpoint "Lead_Scoring": Batch_Size__c must be between 1 and 500 (found 900)',
      );
      expect((error as { actions?: string[] }).actions?.[0]).to.contain('sf byom doctor --target-org');
    }
  });

  it('lists the endpoints when the one named does not exist, and refuses an inactive one', async () => {
    await expectMessage(
      run('--endpoint', 'Case_Scoring'),
      'no AI Model Endpoint named "Case_Scoring" in the org (endpoints: Lead_Scoring, Opportunity_Scoring)',
    );
    await expectMessage(
      run('--endpoint', 'Opportunity_Scoring'),
      'AI Model Endpoint "Opportunity_Scoring" is not active',
    );
    expect(anonymousApex).to.deep.equal([]);
  });

  it('stops following when --wait runs out, and says how to follow the job later', async () => {
    const clock = $$.SANDBOX.useFakeTimers({ now: Date.parse('2025-03-14T09:30:00Z'), toFake: ['Date'] });
    (rescoringTimers.sleep as SinonStub).callsFake(async (ms: number) => {
      clock.tick(ms);
    });
    states = [job('Processing', 1, 500)];
    const result = await run('--endpoint', 'Lead_Scoring', '--wait', '1');
    expect(result.status).to.equal('Processing');
    expect(result.run).to.equal(undefined);
    const output = ux.log.args.flat().join('\n');
    expect(output).to.contain('The job is still Processing after the wait; it keeps running in the org.');
    expect(output).to.contain(`--job-id ${JOB_ID}`);
  });
});

async function expectMessage(promise: Promise<unknown>, message: string): Promise<void> {
  try {
    await promise;
  } catch (error) {
    expect((error as Error).message).to.equal(message);
    return;
  }
  throw new Error('expected the command to fail');
}
