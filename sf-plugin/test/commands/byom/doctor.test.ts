import { expect } from 'chai';
import { stubSfCommandUx } from '@salesforce/sf-plugins-core';
import { TestContext } from '@salesforce/core/testSetup';
import Doctor from '../../../src/commands/byom/doctor.ts';
import type { DoctorResult } from '../../../src/commands/byom/doctor.ts';
import type { Finding } from '../../../src/doctor/findings.ts';
import { ENDPOINT_FILE, FixtureProject, METADATA, REPO_ROOT, TEMPLATE_FILE } from '../../support/fixture-project.ts';

/** The findings with this code, so each test names exactly what it expects. */
function withCode(result: DoctorResult, code: string): Finding[] {
  return result.findings.filter((f) => f.code === code);
}

function problems(result: DoctorResult): string[] {
  return result.findings.filter((f) => f.status !== 'pass').map((f) => `${f.status} ${f.code}: ${f.message}`);
}

/** Replaces one feature mapping entry of the fixture's Lead_Scoring endpoint. */
async function editMapping(project: FixtureProject, from: string | RegExp, to: string): Promise<void> {
  await project.replace(ENDPOINT_FILE, from, to);
}

describe('sf byom doctor: the project, offline', () => {
  const $$ = new TestContext();
  let project: FixtureProject;
  let ux: ReturnType<typeof stubSfCommandUx>;

  beforeEach(async () => {
    ux = stubSfCommandUx($$.SANDBOX);
    project = await FixtureProject.create();
  });

  afterEach(async () => {
    process.exitCode = undefined;
    await project.dispose();
  });

  const doctor = (...args: string[]) => Doctor.run(['--project-dir', project.root, ...args]);

  it('passes a correct project: endpoint, prompt template and credential chain', async () => {
    const result = await doctor();
    expect(problems(result), 'a correct project has no problems').to.deep.equal([]);
    expect(result.ok).to.equal(true);
    expect(process.exitCode, 'exit code 0').to.equal(undefined);
    expect(withCode(result, 'ENDPOINT_OK')[0]?.message).to.contain(
      'Lead_Scoring (active): scores Lead with lead-scoring',
    );
    expect(withCode(result, 'TEMPLATE_OK')[0]?.message).to.contain(
      'Opportunity_Brief (active): prompts on Opportunity; 8 merge field(s) and 2 PII',
    );
    expect(withCode(result, 'CREDENTIAL_OK')[0]?.message).to.contain('parameters: ServiceKey, SigningSecret');
  });

  it("finds no errors in the repository's own project", async () => {
    const result = await Doctor.run(['--project-dir', REPO_ROOT]);
    expect(result.findings.filter((f) => f.status === 'error').map((f) => `${f.where}: ${f.message}`)).to.deep.equal(
      [],
    );
    expect(withCode(result, 'ENDPOINT_OK')).to.have.length.greaterThan(0);
  });

  it('reports a mapped field that does not exist, with the file, the field and the fix, and exits 1', async () => {
    await editMapping(project, '"field": "Industry"', '"field": "Industri"');
    const result = await doctor();
    const [finding] = withCode(result, 'ENDPOINT_FIELD_UNKNOWN');
    expect(finding?.message).to.equal('Feature "Industry": field "Industri" does not exist on Lead.');
    expect(finding?.where).to.equal(`${ENDPOINT_FILE}: Feature_Mapping__c`);
    expect(finding?.fix).to.contain('Map an existing field');
    expect(result.ok).to.equal(false);
    expect(process.exitCode).to.equal(1);
    expect(ux.log.args.flat().join('\n')).to.contain('1 error(s)');
  });

  it('follows relationship names and rejects a lookup field used as a relationship', async () => {
    await editMapping(project, '"field": "Industry"', '"field": "ConvertedAccount.Industry"');
    expect(problems(await doctor())).to.deep.equal([]);
    await editMapping(project, '"field": "ConvertedAccount.Industry"', '"field": "ConvertedAccountId.Industry"');
    const [finding] = withCode(await doctor(), 'ENDPOINT_FIELD_UNKNOWN');
    expect(finding?.message).to.contain(
      'Lead has no relationship named "ConvertedAccountId" (use the relationship name ConvertedAccount)',
    );
  });

  it('knows a Lead owner can be a user or a queue: no field only users have, no path past it', async () => {
    await editMapping(project, '"field": "Industry"', '"field": "Owner.Title"');
    expect(withCode(await doctor(), 'ENDPOINT_FIELD_UNKNOWN')[0]?.message).to.equal(
      'Feature "Industry": field "Title" does not exist on Group.',
    );
    await editMapping(project, '"field": "Owner.Title"', '"field": "Owner.Manager.Name"');
    expect(withCode(await doctor(), 'ENDPOINT_FIELD_UNKNOWN')[0]?.message).to.equal(
      'Feature "Industry": "Owner" is a lookup to several objects (Group, User); a path cannot go past it, only to one of its fields such as Name.',
    );
  });

  it('reports DAYS_SINCE on a field that is not a date', async () => {
    await editMapping(project, '"field": "LastActivityDate"', '"field": "Company"');
    const [finding] = withCode(await doctor(), 'ENDPOINT_DAYS_SINCE_NOT_DATE');
    expect(finding?.message).to.equal(
      'Feature "DaysSinceLastActivity": DAYS_SINCE needs a date or date/time field, and Company is string.',
    );
  });

  it('reports mapping JSON that does not parse once, at its line in the XML file, with no follow-on findings', async () => {
    const before = await project.read(ENDPOINT_FILE);
    await project.replace(ENDPOINT_FILE, '"field": "Industry"', '"field": "Industry",,');
    const lineInFile = (await project.read(ENDPOINT_FILE)).split('\n').findIndex((l) => l.includes('"Industry",,')) + 1;
    expect(lineInFile).to.be.greaterThan(10, 'the JSON sits well below the top of the file');
    const result = await doctor();
    const [finding] = withCode(result, 'ENDPOINT_MAPPING_NOT_JSON');
    expect(finding?.status).to.equal('error');
    expect(finding?.where).to.equal(`${ENDPOINT_FILE}:${lineInFile}: Feature_Mapping__c`);
    expect(finding?.message).to.match(
      new RegExp(`^Feature_Mapping__c is not valid JSON \\(line ${lineInFile}, column \\d+ of the file\\): `),
    );
    expect(problems(result), 'one problem, not one per feature').to.have.length(1);
    expect(before).to.not.equal(await project.read(ENDPOINT_FILE));
  });

  it('reports a mapping that parses but is not a list of entries', async () => {
    await editMapping(project, /\[\s*\{[\s\S]*\}\s*\]/, '{"feature": "LeadSource"}');
    const [finding] = withCode(await doctor(), 'ENDPOINT_MAPPING_INVALID');
    expect(finding?.message).to.match(/^Feature_Mapping__c: Feature_Mapping__c must be a JSON list/);
  });

  it('reports a batch size out of range as an error, and a timeout above the Heroku router as a warning', async () => {
    await project.replace(
      ENDPOINT_FILE,
      '<value xsi:type="xsd:double">100</value>',
      '<value xsi:type="xsd:double">600</value>',
    );
    await project.replace(
      ENDPOINT_FILE,
      '<value xsi:type="xsd:double">20</value>',
      '<value xsi:type="xsd:double">45</value>',
    );
    const result = await doctor();
    expect(withCode(result, 'ENDPOINT_SETTING_INVALID').map((f) => f.message)).to.deep.equal([
      'Batch_Size__c must be a whole number between 1 and 500 (found 600)',
    ]);
    expect(withCode(result, 'ENDPOINT_TIMEOUT_OVER_ROUTER')[0]?.status).to.equal('warning');
  });

  it('exits 0 when there are only warnings', async () => {
    await project.replace(
      ENDPOINT_FILE,
      '<value xsi:type="xsd:double">20</value>',
      '<value xsi:type="xsd:double">45</value>',
    );
    const result = await doctor();
    expect(result.warnings).to.equal(1);
    expect(result.ok).to.equal(true);
    expect(process.exitCode).to.equal(undefined);
  });

  it('reports a Named Credential that is not in the project', async () => {
    await project.replace(
      ENDPOINT_FILE,
      '<value xsi:type="xsd:string">BYOM_Inference</value>',
      '<value xsi:type="xsd:string">BYOM_Inferense</value>',
    );
    const [finding] = withCode(await doctor(), 'NAMED_CREDENTIAL_MISSING');
    expect(finding?.where).to.equal(`${ENDPOINT_FILE}: Named_Credential__c`);
    expect(finding?.message).to.contain('Named Credential BYOM_Inferense is not in the project');
  });

  it('reports a model or a version the models directory does not have', async () => {
    await project.replace(ENDPOINT_FILE, 'lead-scoring</value>', 'lead-scorer</value>');
    expect(withCode(await doctor(), 'ENDPOINT_MODEL_MISSING')[0]?.message).to.equal(
      'Model "lead-scorer" is not in the models directory (models there: lead-scoring).',
    );
    await project.replace(ENDPOINT_FILE, 'lead-scorer</value>', 'lead-scoring</value>');
    await project.replace(ENDPOINT_FILE, '<value xsi:nil="true" />', '<value xsi:type="xsd:string">9.9.9</value>');
    const [finding] = withCode(await doctor(), 'ENDPOINT_MODEL_VERSION_MISSING');
    expect(finding?.message).to.equal('Model lead-scoring has no version 9.9.9 (versions: 1.0.0).');
    expect(finding?.fix).to.contain('default version, 1.0.0');
  });

  it('reports a feature sent with a JSON type the model rejects', async () => {
    await editMapping(project, /"field": "Email",\s*"transform": "NOT_BLANK"/, '"field": "Email"');
    const [finding] = withCode(await doctor(), 'ENDPOINT_FEATURE_TYPE_MISMATCH');
    expect(finding?.message).to.equal(
      'Feature "HasEmail": Email is an email field, but model lead-scoring 1.0.0 expects true/false. Every record would fail with INVALID_FEATURE.',
    );
  });

  it('reports a required model feature the mapping does not send, and warns about one the model ignores', async () => {
    const card = 'inference-service/models/lead-scoring/model.json';
    await project.replace(card, /("name": "LeadSource",[\s\S]*?)"default": "",\s*/, '$1');
    await editMapping(
      project,
      /\{\s*"feature": "LeadSource",\s*"field": "LeadSource"\s*\},/,
      '{ "feature": "Rating", "field": "Rating" },',
    );
    const result = await doctor();
    expect(withCode(result, 'ENDPOINT_FEATURE_NOT_MAPPED')[0]?.message).to.equal(
      'Model lead-scoring 1.0.0 needs feature "LeadSource", which the mapping does not send: every record would fail with MISSING_FEATURE.',
    );
    expect(withCode(result, 'ENDPOINT_FEATURE_UNUSED')[0]?.status).to.equal('warning');
  });

  it("warns when the endpoint's score label is blank or says something else than the model card", async () => {
    expect(withCode(await doctor(), 'ENDPOINT_SCORE_LABEL_DIFFERS')).to.deep.equal([], 'the fixture agrees');
    await project.replace(ENDPOINT_FILE, 'Likelihood to convert</value>', 'Chance of winning</value>');
    const [differs] = withCode(await doctor(), 'ENDPOINT_SCORE_LABEL_DIFFERS');
    expect(differs?.status).to.equal('warning');
    expect(differs?.message).to.equal(
      'Score_Label__c is "Chance of winning", but model lead-scoring\'s card says its score predicts "Likelihood to convert": the AI Score card would tell reps something else.',
    );
    expect(differs?.where).to.match(/Lead_Scoring\.md-meta\.xml: Score_Label__c$/);
    await project.replace(ENDPOINT_FILE, /<values>\s*<field>Score_Label__c<\/field>[\s\S]*?<\/values>\s*/, '');
    const [missing] = withCode(await doctor(), 'ENDPOINT_SCORE_LABEL_MISSING');
    expect(missing?.fix).to.equal('Set Score_Label__c to "Likelihood to convert", the scoreLabel of the model card.');
  });

  it('reports a score field that is also a mapped feature', async () => {
    await project.replace(ENDPOINT_FILE, 'AI_Latest_Score__c</value>', 'AI_Email_Opens_30d__c</value>');
    const [finding] = withCode(await doctor(), 'ENDPOINT_SUMMARY_FIELD_INVALID');
    expect(finding?.message).to.equal(
      'Score_Field__c: AI_Email_Opens_30d__c is also mapped as a feature, so every score would start another round.',
    );
  });

  it('reports a record value for a field its custom metadata type does not define', async () => {
    await project.replace(ENDPOINT_FILE, '<field>Explain__c</field>', '<field>Explain_Why__c</field>');
    const [finding] = withCode(await doctor(), 'RECORD_UNKNOWN_FIELD');
    expect(finding?.where).to.equal(`${ENDPOINT_FILE}: Explain_Why__c`);
  });

  it('reports merge fields and PII paths of a prompt template that do not resolve', async () => {
    await project.replace(TEMPLATE_FILE, '{!Opportunity.Account.Industry}', '{!Opportunity.Acount.Industry}');
    await project.replace(TEMPLATE_FILE, '{!Opportunity.StageName}', '{!Lead.Status}');
    await project.replace(TEMPLATE_FILE, 'Opportunity.Account.Name\n', 'Opportunity.Account.Name\nAccount Name\n');
    await project.replace(TEMPLATE_FILE, '{!Opportunity.Amount}', '{!Opportunity.Amount');
    const result = await doctor();
    expect(withCode(result, 'TEMPLATE_PATH_UNKNOWN').map((f) => f.message)).to.deep.equal([
      '{!Opportunity.Acount.Industry}: Opportunity has no relationship named "Acount".',
    ]);
    expect(withCode(result, 'TEMPLATE_PATH_OTHER_OBJECT')[0]?.message).to.equal(
      "{!Lead.Status} does not start with the template's object, Opportunity.",
    );
    expect(withCode(result, 'TEMPLATE_PII_MALFORMED')[0]?.message).to.equal(
      'Line 2 ("Account Name") is not a merge path such as Lead.Email.',
    );
    expect(withCode(result, 'TEMPLATE_MERGE_FIELD_MALFORMED')[0]?.where).to.equal(`${TEMPLATE_FILE}: User_Prompt__c`);
  });

  it('checks template settings with the ranges Apex enforces, and only {!$Today} as a global merge field', async () => {
    await project.replace(
      TEMPLATE_FILE,
      '<field>Version__c</field>',
      '<field>Temperature__c</field>\n    <value xsi:type="xsd:double">2.5</value>\n  </values>\n  <values>\n    <field>Timeout_Seconds__c</field>\n    <value xsi:type="xsd:double">300</value>\n  </values>\n  <values>\n    <field>Version__c</field>',
    );
    await project.replace(TEMPLATE_FILE, '{!$Today}', '{!$User.FirstName}');
    await project.replace(
      TEMPLATE_FILE,
      '<value xsi:type="xsd:string">insights</value>',
      '<value xsi:type="xsd:string">gpt 4</value>',
    );
    const result = await doctor();
    expect(withCode(result, 'TEMPLATE_SETTING_INVALID').map((f) => f.message)).to.deep.equal([
      'Route__c must be a route name of the service\'s BYOM_ROUTES file, such as insights (found "gpt 4")',
      'Temperature__c must be between 0 and 2 (found 2.5)',
      'Timeout_Seconds__c must be a whole number between 5 and 120 (found 300)',
    ]);
    expect(withCode(result, 'TEMPLATE_MERGE_FIELD_MALFORMED').map((f) => f.message)).to.deep.equal([
      '"{!$User.FirstName}" is not a merge field such as {!Lead.Company}.',
    ]);
  });

  it('treats a project without prompt templates as fine', async () => {
    await project.remove(TEMPLATE_FILE);
    const result = await doctor();
    expect(problems(result)).to.deep.equal([]);
    expect(withCode(result, 'TEMPLATES_NONE')[0]?.status).to.equal('pass');
  });

  it('reports a principal no permission set grants', async () => {
    for (const set of ['AI_Scoring_Admin', 'AI_Scoring_Integration', 'AI_Scoring_Viewer']) {
      await project.replace(
        `${METADATA}/permissionsets/${set}.permissionset-meta.xml`,
        /<externalCredentialPrincipalAccesses>[\s\S]*?<\/externalCredentialPrincipalAccesses>/,
        '',
      );
    }
    const [finding] = withCode(await doctor(), 'PRINCIPAL_ACCESS_MISSING');
    expect(finding?.message).to.contain('principal BYOM_Inference-ServicePrincipal');
  });

  it('reports a metadata file that is not valid XML and keeps checking the rest', async () => {
    await project.replace(`${METADATA}/objects/Lead/fields/AI_Title_Seniority__c.field-meta.xml`, '</CustomField>', '');
    const result = await doctor();
    expect(withCode(result, 'PROJECT_FILE_UNREADABLE')[0]?.where).to.equal(
      `${METADATA}/objects/Lead/fields/AI_Title_Seniority__c.field-meta.xml`,
    );
    // Without the field's definition its use in the mapping is unknown too.
    expect(withCode(result, 'ENDPOINT_FIELD_UNKNOWN')[0]?.message).to.contain('AI_Title_Seniority__c');
  });

  it('warns, and skips the model checks, when there is no models directory', async () => {
    await project.remove('inference-service');
    const result = await doctor();
    expect(withCode(result, 'MODELS_DIR_MISSING')[0]?.status).to.equal('warning');
    expect(result.ok).to.equal(true);
  });

  it('fails with an action outside a Salesforce DX project', async () => {
    await project.remove('sfdx-project.json');
    try {
      await doctor();
      expect.fail('doctor must fail outside a project');
    } catch (error) {
      expect((error as Error).message).to.contain('no sfdx-project.json');
      expect((error as { actions?: string[] }).actions?.[0]).to.contain('--project-dir');
    }
  });

  it('returns every finding with area, status, code, where and message in --json', async () => {
    await editMapping(project, '"field": "Industry"', '"field": "Industri"');
    const result = await doctor('--json');
    expect(result.errors).to.equal(1);
    expect(result.projectDir).to.equal(project.root);
    const finding = withCode(result, 'ENDPOINT_FIELD_UNKNOWN')[0]!;
    expect(Object.keys(finding).sort()).to.deep.equal(['area', 'code', 'fix', 'message', 'status', 'where']);
    expect(finding.area).to.equal('project');
  });
});
