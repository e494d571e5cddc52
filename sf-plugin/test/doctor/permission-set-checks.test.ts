import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { FindingLog } from '../../src/doctor/findings.ts';
import {
  ADMIN_SET,
  CARD_OPTIONAL_FIELDS,
  CARD_REQUIRED_FIELDS,
  checkPermissionSets,
  VIEWER_SET,
} from '../../src/doctor/permission-set-checks.ts';
import { checkProject } from '../../src/doctor/project-checks.ts';
import type { ProjectCheckResult } from '../../src/doctor/project-checks.ts';
import { readProjectMetadata } from '../../src/project/project-metadata.ts';
import type { ProjectMetadata } from '../../src/project/project-metadata.ts';
import { REPO_ROOT } from '../support/fixture-project.ts';

/** The shipped project, and what doctor makes of it; each test takes a fresh copy to break. */
async function shipped(): Promise<{ project: ProjectMetadata; checked: ProjectCheckResult }> {
  const project = await readProjectMetadata(REPO_ROOT);
  return { project, checked: await checkProject(project, path.join(REPO_ROOT, 'inference-service', 'models')) };
}

function recheck(project: ProjectMetadata, checked: ProjectCheckResult) {
  const log = new FindingLog('project');
  checkPermissionSets(log, project, checked.credentials, checked.endpoints);
  return log.findings;
}

const lacking = (findings: ReturnType<typeof recheck>) =>
  findings.filter((f) => f.code === 'PERMSET_LACKS').map((f) => `${f.status}: ${f.message}`);

describe('doctor: the permission sets against the guides', () => {
  it('passes the shipped AI Scoring Viewer and AI Scoring Admin sets', async () => {
    const { project, checked } = await shipped();
    const findings = recheck(project, checked);
    expect(lacking(findings)).to.deep.equal([]);
    expect(findings.filter((f) => f.code === 'PERMSET_GRANTS_ALL').map((f) => f.message)).to.have.length(2);
  });

  it('reports a Viewer set without principal access, the card controller, or read on the score fields', async () => {
    const { project, checked } = await shipped();
    const viewer = project.permissionSets.get(VIEWER_SET)!;
    viewer.principalAccesses = [];
    viewer.classAccesses = viewer.classAccesses.filter((name) => name !== 'AiScoreCardController');
    viewer.readableFields = viewer.readableFields.filter(
      (field) => field !== 'AI_Score__c.Score__c' && field !== 'Lead.AI_Latest_Score__c',
    );
    expect(lacking(recheck(project, checked))).to.deep.equal([
      'error: AI_Scoring_Viewer does not grant access to the External Credential principal BYOM_Inference-ServicePrincipal: the Flow actions and the AI Insights panel, which call the service as the user, fail with NAMED_CREDENTIAL.',
      'error: AI_Scoring_Viewer does not grant access to the Apex class AiScoreCardController: the AI Score card says "You don\'t have access to AI scores".',
      'error: AI_Scoring_Viewer does not grant read access to the field AI_Score__c.Score__c: the AI Score card says "You don\'t have access to AI scores".',
      'error: AI_Scoring_Viewer does not grant read access to the field Lead.AI_Latest_Score__c: reps cannot see the latest score in Lead list views, reports and Flows.',
    ]);
  });

  it('warns, not fails, for a field the card only shows when readable', async () => {
    const { project, checked } = await shipped();
    const viewer = project.permissionSets.get(VIEWER_SET)!;
    viewer.readableFields = viewer.readableFields.filter((field) => field !== 'AI_Score__c.Top_Factors__c');
    const findings = recheck(project, checked).filter((f) => f.code === 'PERMSET_LACKS');
    expect(findings.map((f) => f.status)).to.deep.equal(['warning']);
    expect(findings[0]!.fix).to.equal(
      "Add fieldPermissions (readable) for AI_Score__c.Top_Factors__c to the permission set, as the admin guide's section 2 lists.",
    );
  });

  it('holds the Admin set to everything the Viewer needs, plus Rescore, nightly rescoring and the configuration', async () => {
    const { project, checked } = await shipped();
    const admin = project.permissionSets.get(ADMIN_SET)!;
    admin.customPermissions = [];
    admin.classAccesses = admin.classAccesses.filter((name) => name !== 'AiNightlyRescoringBatch');
    admin.principalAccesses = [];
    const messages = lacking(recheck(project, checked));
    expect(messages).to.have.length(3);
    expect(messages.join('\n')).to.contain('AI_Scoring_Admin does not grant the custom permission Rescore_AI_Scores');
    expect(messages.join('\n')).to.contain('AiNightlyRescoringBatch: admins cannot schedule the nightly rescoring');
    expect(messages.join('\n')).to.contain(
      'AI_Scoring_Admin does not grant access to the External Credential principal',
    );
  });

  it('reports a shipped permission set that is gone', async () => {
    const { project, checked } = await shipped();
    project.permissionSets.delete(VIEWER_SET);
    const [finding] = recheck(project, checked).filter((f) => f.code === 'PERMSET_MISSING');
    expect(finding?.message).to.equal(
      'The project has no permission set AI_Scoring_Viewer, which the guides give to reps.',
    );
  });

  it("lists the score fields the card reads exactly as AiScoreCardReader's REQUIRED_FIELDS and OPTIONAL_FIELDS", async () => {
    const source = await readFile(
      path.join(REPO_ROOT, 'force-app/main/default/classes/card/AiScoreCardReader.cls'),
      'utf8',
    );
    const listed = (name: string) =>
      [
        ...(
          new RegExp(`${name}\\s*=\\s*new List<Schema\\.SObjectField>\\{([^}]*)\\}`).exec(source)?.[1] ?? ''
        ).matchAll(/AI_Score__c\.(\w+)/g),
      ].map((match) => match[1]);
    expect(CARD_REQUIRED_FIELDS).to.deep.equal(listed('REQUIRED_FIELDS'));
    expect(CARD_OPTIONAL_FIELDS).to.deep.equal(listed('OPTIONAL_FIELDS'));
  });
});
