import { expect } from 'chai';
import { stubSfCommandUx } from '@salesforce/sf-plugins-core';
import { MockTestOrgData, TestContext } from '@salesforce/core/testSetup';
import Doctor from '../../src/commands/byom/doctor.ts';
import type { DoctorResult } from '../../src/commands/byom/doctor.ts';
import type { Finding } from '../../src/doctor/findings.ts';
import { byomOrg, INTEGRATION } from '../support/byom-org.ts';
import type { FakeOrg } from '../support/fake-org.ts';
import { FixtureProject, METADATA, REPO_ROOT } from '../support/fixture-project.ts';

const CONFIG =
  'integration-user/platformEventSubscriberConfigs/AiScoringRequestTriggerConfig.platformEventSubscriberConfig-meta.xml';
const TRIGGER = `${METADATA}/triggers/AiScoringRequestTrigger.trigger`;

function withCode(result: DoctorResult, code: string): Finding[] {
  return result.findings.filter((f) => f.code === code);
}

function problems(result: DoctorResult): string[] {
  return result.findings.filter((f) => f.status !== 'pass').map((f) => `${f.status} ${f.code}: ${f.message}`);
}

describe('sf byom doctor: the integration user', () => {
  const $$ = new TestContext();
  let project: FixtureProject;

  beforeEach(async () => {
    stubSfCommandUx($$.SANDBOX);
    project = await FixtureProject.create();
  });

  afterEach(async () => {
    process.exitCode = undefined;
    await project.dispose();
  });

  const doctor = (...args: string[]) => Doctor.run(['--project-dir', project.root, ...args]);

  describe('in the project, offline', () => {
    it('passes a config outside the package directories whose username the deploy fills in', async () => {
      const result = await doctor();
      expect(problems(result)).to.deep.equal([]);
      const [ok] = withCode(result, 'INTEGRATION_CONFIG_OK');
      expect(ok?.message).to.equal(
        `AiScoringRequestTrigger runs as the integration user named at deploy time by BYOM_INTEGRATION_USERNAME (${CONFIG}).`,
      );
    });

    it('passes the repository itself', async () => {
      const result = await Doctor.run(['--project-dir', REPO_ROOT]);
      expect(withCode(result, 'INTEGRATION_CONFIG_OK'), 'the shipped project is set up').to.have.length(1);
      expect(result.findings.filter((f) => f.code.startsWith('INTEGRATION_') && f.status !== 'pass')).to.deep.equal([]);
    });

    it('reports a trigger without a subscriber config: it would run as Automated Process', async () => {
      await project.remove('integration-user');
      const [finding] = withCode(await doctor(), 'INTEGRATION_CONFIG_MISSING');
      expect(finding?.status).to.equal('error');
      expect(finding?.message).to.contain('runs as Automated Process');
      expect(finding?.message).to.contain('NAMED_CREDENTIAL');
      expect(finding?.fix).to.contain('user BYOM_INTEGRATION_USERNAME');
    });

    it('reports a config inside a package directory, which breaks a plain deploy', async () => {
      const inside = `${METADATA}/platformEventSubscriberConfigs/AiScoringRequestTriggerConfig.platformEventSubscriberConfig-meta.xml`;
      await project.write(inside, await project.read(CONFIG));
      await project.remove('integration-user');
      const [finding] = withCode(await doctor(), 'INTEGRATION_CONFIG_IN_PACKAGE');
      expect(finding?.status).to.equal('error');
      expect(finding?.where).to.equal(inside);
      expect(finding?.fix).to.contain('Move it to integration-user');
    });

    it('warns about a username written in source, which fits one org only', async () => {
      await project.replace(CONFIG, '<user>BYOM_INTEGRATION_USERNAME</user>', '<user>ops@acme.example</user>');
      const [finding] = withCode(await doctor(), 'INTEGRATION_CONFIG_HARDCODED_USER');
      expect(finding?.status).to.equal('warning');
      expect(finding?.message).to.contain('ops@acme.example');
      expect(finding?.fix).to.contain('"replaceWithEnv": "BYOM_INTEGRATION_USERNAME"');
    });

    it('reports a placeholder that no replacement fills in', async () => {
      await project.replace('sfdx-project.json', /,\s*"replacements": \[[\s\S]*\]/, '');
      const [finding] = withCode(await doctor(), 'INTEGRATION_CONFIG_NO_REPLACEMENT');
      expect(finding?.status).to.equal('error');
      expect(finding?.message).to.contain('would send the placeholder as the username');
    });

    it('reports a config of another trigger, and a missing integration permission set', async () => {
      await project.replace(
        CONFIG,
        'AiScoringRequestTrigger</platformEventConsumer>',
        'OtherTrigger</platformEventConsumer>',
      );
      await project.remove(`${METADATA}/permissionsets/AI_Scoring_Integration.permissionset-meta.xml`);
      const result = await doctor();
      expect(withCode(result, 'INTEGRATION_CONFIG_WRONG_TRIGGER')[0]?.message).to.equal(
        'The PlatformEventSubscriberConfig configures OtherTrigger, not AiScoringRequestTrigger.',
      );
      expect(withCode(result, 'INTEGRATION_CONFIG_MISSING'), 'the trigger itself has none left').to.have.length(1);
      expect(withCode(result, 'INTEGRATION_PERMSET_MISSING')[0]?.message).to.contain(
        'AI_Scoring_Integration granting principal access to BYOM_Inference-ServicePrincipal',
      );
    });

    it('checks nothing in a project without the scoring request trigger', async () => {
      await project.remove(TRIGGER);
      await project.remove('integration-user');
      const result = await doctor();
      expect(result.findings.filter((f) => f.code.startsWith('INTEGRATION_'))).to.deep.equal([]);
    });
  });

  describe('in the org', () => {
    const testOrg = new MockTestOrgData();
    let org: FakeOrg;

    beforeEach(async () => {
      await $$.stubAuths(testOrg);
      org = byomOrg().install($$);
    });

    const doctorOrg = () => doctor('--target-org', testOrg.username);

    it('passes a trigger that runs as an active user holding AI_Scoring_Integration', async () => {
      const result = await doctorOrg();
      expect(problems(result)).to.deep.equal([]);
      expect(withCode(result, 'ORG_INTEGRATION_USER_OK')[0]?.message).to.equal(
        `AiScoringRequestTrigger runs as ${INTEGRATION.username} (Minimum Access - API Only Integrations), who has AI_Scoring_Integration.`,
      );
      expect(org.soql.some((q) => q.includes('FROM PlatformEventSubscriberConfig'))).to.equal(true);
    });

    it('reports a trigger that runs as Automated Process, with the deploy command as the fix', async () => {
      org.query(/FROM PlatformEventSubscriberConfig/, []);
      const [finding] = withCode(await doctorOrg(), 'ORG_INTEGRATION_USER_NOT_SET');
      expect(finding?.status).to.equal('error');
      expect(finding?.fix).to.equal(
        `Name the integration user: BYOM_INTEGRATION_USERNAME=<integration username> sf project deploy start --source-dir integration-user --target-org ${testOrg.username} (docs/admin-guide.md, section 2).`,
      );
    });

    it('reports an inactive integration user, and one without the permission set', async () => {
      org.query(/FROM User WHERE Id = /, [{ Username: INTEGRATION.username, IsActive: false, UserRoleId: null }]);
      expect(withCode(await doctorOrg(), 'ORG_INTEGRATION_USER_INACTIVE')[0]?.message).to.contain(
        `runs as ${INTEGRATION.username}, which is not an active user`,
      );

      org.query(/FROM User WHERE Id = /, [{ Username: INTEGRATION.username, IsActive: true, UserRoleId: null }]);
      org.query(/FROM PermissionSetAssignment WHERE AssigneeId = /, []);
      const [finding] = withCode(await doctorOrg(), 'ORG_INTEGRATION_USER_NO_PERMSET');
      expect(finding?.fix).to.equal(
        `sf org assign permset --name AI_Scoring_Integration --on-behalf-of ${INTEGRATION.username} --target-org ${testOrg.username}`,
      );
    });

    it('warns when the integration user has a role: its managers would read every score row', async () => {
      org.query(/FROM User WHERE Id = /, [
        { Username: INTEGRATION.username, IsActive: true, UserRoleId: '00E000000000001AAA', Profile: { Name: 'X' } },
      ]);
      const [finding] = withCode(await doctorOrg(), 'ORG_INTEGRATION_USER_HAS_ROLE');
      expect(finding?.status).to.equal('warning');
    });

    it('reports a suspended trigger and a trigger that is not deployed', async () => {
      org.query(/FROM EventBusSubscriber/, [
        { Status: 'Suspended', LastError: 'System.LimitException: Too many SOQL' },
      ]);
      const [stopped] = withCode(await doctorOrg(), 'ORG_INTEGRATION_TRIGGER_STOPPED');
      expect(stopped?.message).to.contain('is Suspended (System.LimitException: Too many SOQL)');

      org.query(/FROM ApexTrigger WHERE Name = 'AiScoringRequestTrigger'/, []);
      expect(withCode(await doctorOrg(), 'ORG_INTEGRATION_TRIGGER_MISSING')).to.have.length(1);
    });
  });
});
