import { expect } from 'chai';
import { stubSfCommandUx } from '@salesforce/sf-plugins-core';
import { TestContext } from '@salesforce/core/testSetup';
import Doctor from '../../../src/commands/byom/doctor.ts';
import type { DoctorResult } from '../../../src/commands/byom/doctor.ts';
import { ENDPOINT_FILE, FixtureProject } from '../../support/fixture-project.ts';
import { freePort, startService, waitUntilReady } from '../../../../inference-service/test/support/service-process.ts';
import type { ServiceProcess } from '../../../../inference-service/test/support/service-process.ts';

const KEY = 'doctor-test-key-0123456789';
const serviceFindings = (result: DoctorResult) =>
  result.findings.filter((f) => f.area === 'service').map((f) => `${f.status} ${f.code}`);

describe('sf byom doctor --service-url (against the real service)', () => {
  const $$ = new TestContext();
  let service: ServiceProcess;
  let project: FixtureProject;

  before(async () => {
    service = await startService({ BYOM_API_KEYS: KEY, LOG_LEVEL: 'silent' });
    await waitUntilReady(service);
  });

  after(async () => {
    service.child.kill('SIGTERM');
    await service.exited;
  });

  beforeEach(async () => {
    stubSfCommandUx($$.SANDBOX);
    project = await FixtureProject.create();
  });

  afterEach(async () => {
    delete process.env.BYOM_SERVICE_KEY;
    process.exitCode = undefined;
    await project.dispose();
  });

  const doctor = () => Doctor.run(['--project-dir', project.root, '--service-url', service.baseUrl]);

  it("checks liveness, readiness, the key and every endpoint's served model", async () => {
    process.env.BYOM_SERVICE_KEY = KEY;
    const result = await doctor();
    expect(serviceFindings(result)).to.deep.equal([
      'pass SERVICE_LIVE',
      'pass SERVICE_READY',
      'pass SERVICE_KEY_ACCEPTED',
      'pass SERVICE_MODEL_OK',
    ]);
    expect(result.findings.find((f) => f.code === 'SERVICE_MODEL_OK')?.where).to.equal(
      `${service.baseUrl}: Lead_Scoring`,
    );
  });

  it('says the URL should be the service root when it names a route, instead of reporting a 401', async () => {
    process.env.BYOM_SERVICE_KEY = KEY;
    const result = await Doctor.run(['--project-dir', project.root, '--service-url', `${service.baseUrl}/v1/score`]);
    expect(serviceFindings(result)).to.deep.equal(['error SERVICE_URL_NOT_ROOT']);
    const [finding] = result.findings.filter((f) => f.code === 'SERVICE_URL_NOT_ROOT');
    expect(finding?.message).to.contain('--service-url ends with /v1/score, a route of the service');
    expect(finding?.fix).to.equal(
      `Pass the service root: --service-url ${service.baseUrl}. The Named Credential's URL is the root too; each endpoint's Path__c adds the route.`,
    );
    expect(result.findings.some((f) => f.code === 'SERVICE_KEY_REJECTED')).to.equal(false);
  });

  it('reports a key the service rejects', async () => {
    process.env.BYOM_SERVICE_KEY = 'not-the-service-key-at-all';
    const result = await doctor();
    expect(serviceFindings(result)).to.include('error SERVICE_KEY_REJECTED');
    expect(process.exitCode).to.equal(1);
  });

  it('warns that the key and the models were not checked without BYOM_SERVICE_KEY', async () => {
    const result = await doctor();
    expect(serviceFindings(result)).to.deep.equal([
      'pass SERVICE_LIVE',
      'pass SERVICE_READY',
      'warning SERVICE_KEY_NOT_CHECKED',
    ]);
    expect(result.findings.find((f) => f.code === 'SERVICE_KEY_NOT_CHECKED')?.fix).to.contain(
      'export BYOM_SERVICE_KEY=',
    );
  });

  it('reports an endpoint model version the service does not serve', async () => {
    process.env.BYOM_SERVICE_KEY = KEY;
    await project.replace(ENDPOINT_FILE, '<value xsi:nil="true" />', '<value xsi:type="xsd:string">2.0.0</value>');
    const finding = (await doctor()).findings.find((f) => f.code === 'SERVICE_MODEL_MISSING');
    expect(finding?.message).to.equal(
      'The service does not serve model lead-scoring 2.0.0 (it serves: lead-scoring (1.0.0)).',
    );
  });

  it('reports a service that does not answer', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const result = await Doctor.run(['--project-dir', project.root, '--service-url', closed]);
    const finding = result.findings.find((f) => f.code === 'SERVICE_UNREACHABLE');
    expect(finding?.message).to.equal('The service did not answer: ECONNREFUSED.');
    expect(finding?.where).to.equal(closed);
    expect(serviceFindings(result), 'nothing else is checked on a service that does not answer').to.deep.equal([
      'error SERVICE_UNREACHABLE',
    ]);
  });
});
