import { Org } from '@salesforce/core';
import { expect } from 'chai';
import { stubSfCommandUx } from '@salesforce/sf-plugins-core';
import { MockTestOrgData, TestContext } from '@salesforce/core/testSetup';
import Doctor from '../../../src/commands/byom/doctor.ts';
import type { DoctorResult } from '../../../src/commands/byom/doctor.ts';
import { byomOrg, describeOf } from '../../support/byom-org.ts';
import { salesforceError } from '../../support/fake-org.ts';
import type { FakeOrg } from '../../support/fake-org.ts';
import { FixtureProject } from '../../support/fixture-project.ts';

const codes = (result: DoctorResult, status: string) =>
  result.findings.filter((f) => f.area === 'org' && f.status === status).map((f) => f.code);

describe('sf byom doctor --target-org', () => {
  const $$ = new TestContext();
  const testOrg = new MockTestOrgData();
  let project: FixtureProject;
  let org: FakeOrg;

  beforeEach(async () => {
    stubSfCommandUx($$.SANDBOX);
    await $$.stubAuths(testOrg);
    project = await FixtureProject.create();
    org = byomOrg().install($$);
  });

  afterEach(async () => {
    process.exitCode = undefined;
    await project.dispose();
  });

  const doctor = (...args: string[]) =>
    Doctor.run(['--project-dir', project.root, '--target-org', testOrg.username, ...args]);

  it('runs the project checks anyway when the org is not authorized, and says how to log in', async () => {
    // What Org.create does for an alias this machine has no login for (seen with the real CLI):
    $$.SANDBOX.stub(Org, 'create').rejects(
      Object.assign(new Error('No authorization information found for not-logged-in.'), {
        name: 'NamedOrgNotFoundError',
      }),
    );
    const result = await Doctor.run(['--project-dir', project.root, '--target-org', 'not-logged-in']);
    const [finding] = result.findings.filter((f) => f.code === 'ORG_NOT_AUTHORIZED');
    expect(finding?.status).to.equal('error');
    expect(finding?.message).to.equal(
      'No org "not-logged-in" is authorized on this machine, so the org was not checked (the project and service checks still ran).',
    );
    expect(finding?.fix).to.contain('sf org login web --alias not-logged-in');
    expect(result.findings.filter((f) => f.area === 'project' && f.status === 'pass')).to.not.have.length(0);
    expect(process.exitCode).to.equal(1);
  });

  it('passes an org where everything is deployed, set and assigned', async () => {
    const result = await doctor();
    expect(codes(result, 'error'), 'no org errors').to.deep.equal([]);
    expect(codes(result, 'warning'), 'no org warnings').to.deep.equal([]);
    expect(codes(result, 'pass')).to.include.members([
      'ORG_CONNECTED',
      'ORG_RECORDS_OK',
      'ORG_CLASSES_OK',
      'ORG_SCHEMA_OK',
      'ORG_NAMED_CREDENTIAL_OK',
      'ORG_PRINCIPAL_OK',
      'ORG_PERMSET_OK',
      'ORG_SCORING_ENABLED',
      'ORG_NIGHTLY_OK',
    ]);
    expect(result.ok).to.equal(true);
  });

  it('never touches an org that is not named, even with a default org configured', async () => {
    await $$.stubConfig({ 'target-org': testOrg.username });
    await Doctor.run(['--project-dir', project.root]);
    expect(org.requests, 'no request reached the org').to.deep.equal([]);
  });

  it('reports custom metadata that is not deployed, with the deploy command as the fix', async () => {
    org.query(
      /FROM AI_Model_Endpoint__mdt/,
      salesforceError('INVALID_TYPE', "sObject type 'AI_Model_Endpoint__mdt' is not supported."),
    );
    const result = await doctor();
    const finding = result.findings.find((f) => f.code === 'ORG_NOT_DEPLOYED');
    expect(finding?.message).to.equal('AI_Model_Endpoint__mdt is not in the org.');
    expect(finding?.fix).to.equal(
      `Deploy the project: sf project deploy start --source-dir force-app --target-org ${testOrg.username}`,
    );
    expect(process.exitCode).to.equal(1);
  });

  it('reports a project record missing from the org, and an org record missing from the project', async () => {
    org.query(/FROM AI_Model_Endpoint__mdt/, [{ DeveloperName: 'Opportunity_Scoring' }]);
    const result = await doctor();
    expect(result.findings.find((f) => f.code === 'ORG_RECORD_NOT_DEPLOYED')?.message).to.equal(
      'AI_Model_Endpoint__mdt record Lead_Scoring is in the project but not in the org.',
    );
    expect(result.findings.find((f) => f.code === 'ORG_RECORD_NOT_IN_PROJECT')?.fix).to.contain(
      'CustomMetadata:AI_Model_Endpoint.Opportunity_Scoring',
    );
  });

  it('reports Apex classes that are not deployed', async () => {
    org.query(/FROM ApexClass/, [{ Name: 'AiModelEndpoint' }]);
    const result = await doctor();
    expect(result.findings.find((f) => f.code === 'ORG_CLASSES_MISSING')?.message).to.equal(
      '1 Apex class(es) of the project are not in the org: AiNightlyRescoringBatch.',
    );
  });

  it("reports a mapped field the org's schema does not have", async () => {
    org.on('GET', /\/sobjects\/Lead\/describe$/, () =>
      describeOf('Lead', [{ name: 'AI_Email_Opens_30d__c', type: 'double' }]),
    );
    const result = await doctor();
    expect(result.findings.find((f) => f.code === 'ORG_FIELD_MISSING')?.message).to.equal(
      'Feature "TitleSeniority": field Lead.AI_Title_Seniority__c is not in the org.',
    );
  });

  it('reports a principal without the signing secret, pointing at sf byom credential set', async () => {
    org.on('GET', /\/named-credentials\/credential\?/, () => ({ credentials: { ServiceKey: { encrypted: true } } }));
    const finding = (await doctor()).findings.find((f) => f.code === 'ORG_PRINCIPAL_NOT_SET');
    expect(finding?.message).to.contain('principal ServicePrincipal, has no SigningSecret');
    expect(finding?.fix).to.equal(
      `Store the service's secrets: sf byom credential set --target-org ${testOrg.username}`,
    );
  });

  it('reports a principal that holds nothing yet', async () => {
    org.on('GET', /\/named-credentials\/credential\?/, () => {
      throw salesforceError('NOT_FOUND', 'The requested resource does not exist');
    });
    const finding = (await doctor()).findings.find((f) => f.code === 'ORG_PRINCIPAL_NOT_SET');
    expect(finding?.message).to.contain('has no ServiceKey, SigningSecret');
  });

  it('reports a permission set nobody has, and warns when the running user has none', async () => {
    org.query(/COUNT\(AssigneeId\)/, [
      { Name: 'AI_Scoring_Admin', assignees: 1 },
      { Name: 'AI_Scoring_Integration', assignees: 1 },
    ]);
    org.query(/FROM PermissionSetAssignment WHERE Assignee.Username/, []);
    const result = await doctor();
    const unassigned = result.findings.find((f) => f.code === 'ORG_PERMSET_UNASSIGNED');
    expect(unassigned?.message).to.equal(
      'Nobody has permission set AI_Scoring_Viewer, so nobody can call the service through the Named Credential.',
    );
    expect(unassigned?.fix).to.contain(
      `sf org assign permset --name AI_Scoring_Viewer --on-behalf-of <username> --target-org ${testOrg.username}`,
    );
    expect(codes(result, 'warning')).to.include('ORG_USER_LACKS_PRINCIPAL_ACCESS');
  });

  it('warns when scoring is switched off for the org, or nightly rescoring is not scheduled', async () => {
    org.query(/FROM AI_Scoring_Settings__c/, [{ Disable_Scoring__c: true, Disable_Triggers__c: false }]);
    org.query(/JobType = 'ScheduledApex'/, []);
    const result = await doctor();
    expect(result.findings.find((f) => f.code === 'ORG_SCORING_DISABLED')?.message).to.equal(
      'AI Scoring Settings turn scoring off for the whole org (Disable Scoring).',
    );
    expect(codes(result, 'warning')).to.include('ORG_NIGHTLY_NOT_SCHEDULED');
    expect(result.ok, 'warnings alone keep the exit code at 0').to.equal(true);
  });

  it('warns when the Named Credential points somewhere else than the service being checked', async () => {
    org.query(/FROM NamedCredential/, [
      { DeveloperName: 'BYOM_Inference', Endpoint: 'https://byom-bridge.herokuapp.com' },
    ]);
    // Nothing listens there: the service check fails fast, the org check is what this test is about.
    const result = await doctor('--service-url', 'http://127.0.0.1:9');
    expect(result.findings.find((f) => f.code === 'ORG_NAMED_CREDENTIAL_URL_DIFFERS')?.message).to.equal(
      'Named Credential BYOM_Inference points at https://byom-bridge.herokuapp.com, not at the service you checked (http://127.0.0.1:9/).',
    );
  });

  it('keeps checking when one query fails, and says which check failed', async () => {
    org.query(/FROM ApexClass/, salesforceError('REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.'));
    const result = await doctor();
    expect(result.findings.find((f) => f.code === 'ORG_QUERY_FAILED')?.message).to.equal(
      'reading Apex classes failed: TotalRequests Limit exceeded.',
    );
    expect(codes(result, 'pass')).to.include('ORG_PRINCIPAL_OK');
  });
});
