import { Org } from '@salesforce/core';
import type { SfError } from '@salesforce/core';
import { expect } from 'chai';
import { stubPrompter, stubSfCommandUx } from '@salesforce/sf-plugins-core';
import { MockTestOrgData, TestContext } from '@salesforce/core/testSetup';
import CredentialSet from '../../../../src/commands/byom/credential/set.ts';
import { standardInput } from '../../../../src/credentials/credential-values.ts';
import { byomOrg } from '../../../support/byom-org.ts';
import { salesforceError } from '../../../support/fake-org.ts';
import type { FakeOrg, FakeRequest } from '../../../support/fake-org.ts';
import { FixtureProject } from '../../../support/fixture-project.ts';
import { startService, waitUntilReady } from '../../../../../inference-service/test/support/service-process.ts';
import type { ServiceProcess } from '../../../../../inference-service/test/support/service-process.ts';

const SERVICE_KEY = 'svc-key-0123456789abcdef';
const SIGNING_SECRET = 'signing-secret-0123456789abcdef-0123456789';

describe('sf byom credential set', () => {
  const $$ = new TestContext();
  const testOrg = new MockTestOrgData();
  let project: FixtureProject;
  let org: FakeOrg;
  let ux: ReturnType<typeof stubSfCommandUx>;
  let stored: FakeRequest[];

  beforeEach(async () => {
    ux = stubSfCommandUx($$.SANDBOX);
    await $$.stubAuths(testOrg);
    project = await FixtureProject.create();
    stored = [];
    org = byomOrg()
      // A freshly deployed principal: no credential resource yet.
      .on('GET', /\/named-credentials\/credential\?/, () => {
        throw salesforceError('NOT_FOUND', 'The requested resource does not exist');
      })
      .on(
        'POST',
        /\/named-credentials\/credential$/,
        (request) => stored.push(request) && { authenticationStatus: 'Configured' },
      )
      .on(
        'PATCH',
        /\/named-credentials\/credential$/,
        (request) => stored.push(request) && { authenticationStatus: 'Configured' },
      )
      .install($$);
  });

  afterEach(async () => {
    delete process.env.BYOM_SERVICE_KEY;
    delete process.env.BYOM_SIGNING_SECRET;
    await project.dispose();
  });

  const run = (...args: string[]) =>
    CredentialSet.run(['--target-org', testOrg.username, '--project-dir', project.root, ...args]);

  /** Everything the command printed, to prove no secret is ever echoed. */
  const printed = () => JSON.stringify([ux.log.args, ux.logSuccess.args, ux.warn.args, ux.info.args]);

  it('says how to log in when the org is not authorized', async () => {
    // What Org.create does for an alias this machine has no login for (seen with the real CLI):
    $$.SANDBOX.stub(Org, 'create').rejects(
      Object.assign(new Error('No authorization information found for not-logged-in.'), {
        name: 'NamedOrgNotFoundError',
      }),
    );
    try {
      await CredentialSet.run(['--target-org', 'not-logged-in']);
      expect.fail('the command should fail');
    } catch (error) {
      expect((error as SfError).message).to.contain('No org "not-logged-in" is authorized on this machine');
      expect((error as SfError).actions?.join('\n')).to.contain('sf org login web --alias not-logged-in');
    }
  });

  it('prompts for the key and the signing secret, and creates the principal credential (POST), encrypted', async () => {
    $$.SANDBOX.stub(standardInput, 'isTerminal').returns(true);
    const prompts = stubPrompter($$.SANDBOX);
    prompts.secret.onFirstCall().resolves(SERVICE_KEY).onSecondCall().resolves(`${SIGNING_SECRET}\n`);

    const result = await run();

    expect(prompts.secret.firstCall.args[0].message).to.equal('ServiceKey for BYOM_Inference / ServicePrincipal');
    expect(result).to.deep.equal({
      externalCredential: 'BYOM_Inference',
      principal: 'ServicePrincipal',
      parameters: ['ServiceKey', 'SigningSecret'],
      action: 'created',
      verified: false,
    });
    expect(stored).to.have.length(1);
    expect(stored[0]!.method).to.equal('POST');
    expect(stored[0]!.url).to.match(/\/services\/data\/v\d+\.\d\/named-credentials\/credential$/);
    expect(JSON.parse(stored[0]!.body!)).to.deep.equal({
      externalCredential: 'BYOM_Inference',
      principalName: 'ServicePrincipal',
      principalType: 'NamedPrincipal',
      authenticationProtocol: 'Custom',
      credentials: {
        ServiceKey: { value: SERVICE_KEY, encrypted: true },
        SigningSecret: { value: SIGNING_SECRET, encrypted: true },
      },
    });
    expect(printed()).not.to.contain(SERVICE_KEY);
    expect(printed()).not.to.contain(SIGNING_SECRET);
    expect(ux.logSuccess.firstCall.args[0]).to.equal(
      `Stored ServiceKey and SigningSecret on BYOM_Inference / ServicePrincipal in ${testOrg.username}.`,
    );
  });

  it('updates (PATCH) a principal that already holds a credential, reading the environment', async () => {
    org.on('GET', /\/named-credentials\/credential\?/, () => ({ credentials: { ServiceKey: { encrypted: true } } }));
    process.env.BYOM_SERVICE_KEY = SERVICE_KEY;
    process.env.BYOM_SIGNING_SECRET = SIGNING_SECRET;
    const result = await run('--from-env', '--json');
    expect(result.action).to.equal('updated');
    expect(stored.map((r) => r.method)).to.deep.equal(['PATCH']);
    expect(JSON.stringify(result)).not.to.contain(SERVICE_KEY);
  });

  it('rotates only the key, read from standard input, leaving the signing secret alone', async () => {
    org.on('GET', /\/named-credentials\/credential\?/, () => ({ credentials: { ServiceKey: {}, SigningSecret: {} } }));
    $$.SANDBOX.stub(standardInput, 'read').resolves(`${SERVICE_KEY}\n`);
    const result = await run('--parameter', 'ServiceKey', '--from-stdin');
    expect(result.parameters).to.deep.equal(['ServiceKey']);
    expect(Object.keys(JSON.parse(stored[0]!.body!).credentials)).to.deep.equal(['ServiceKey']);
  });

  it('refuses a key shorter than the service accepts, before calling the org', async () => {
    process.env.BYOM_SERVICE_KEY = 'short';
    process.env.BYOM_SIGNING_SECRET = SIGNING_SECRET;
    await expectError(run('--from-env'), 'ServiceKey is 5 characters long; the service accepts only 16 or more.');
    expect(
      org.requests.filter((r) => r.url.includes('named-credentials')),
      'the credential was not touched',
    ).to.deep.equal([]);
  });

  it('refuses the whole comma-separated key list pasted as one key', async () => {
    process.env.BYOM_SERVICE_KEY = `${SERVICE_KEY},${SERVICE_KEY}-old`;
    process.env.BYOM_SIGNING_SECRET = SIGNING_SECRET;
    await expectError(
      run('--from-env'),
      'ServiceKey contains a comma: paste one key, not the whole comma-separated list.',
    );
  });

  it('names the environment variable that is missing', async () => {
    process.env.BYOM_SERVICE_KEY = SERVICE_KEY;
    await expectError(
      run('--from-env'),
      'Environment variable BYOM_SIGNING_SECRET is not set (it holds SigningSecret).',
    );
  });

  it('fails with the other ways to pass the values when there is no terminal to prompt on', async () => {
    $$.SANDBOX.stub(standardInput, 'isTerminal').returns(false);
    const error = await expectError(run(), 'There is no terminal to prompt for ServiceKey and SigningSecret.');
    expect((error as { actions?: string[] }).actions?.[0]).to.contain('BYOM_SERVICE_KEY and BYOM_SIGNING_SECRET');
  });

  it('fails when standard input holds fewer values than parameters', async () => {
    $$.SANDBOX.stub(standardInput, 'read').resolves(`${SERVICE_KEY}\n`);
    await expectError(
      run('--from-stdin'),
      'Standard input has 1 value(s), but 2 are needed (ServiceKey, SigningSecret), one per line.',
    );
  });

  it("refuses a parameter the External Credential's formulas do not read", async () => {
    await expectError(
      run('--parameter', 'ApiKey', '--from-env'),
      "ApiKey is not a parameter the External Credential's header formulas read (ServiceKey, SigningSecret).",
    );
  });

  it('says to deploy first when the External Credential is not in the org', async () => {
    org.on('GET', /\/named-credentials\/external-credentials\/BYOM_Inference$/, () => {
      throw salesforceError('NOT_FOUND', 'The requested resource does not exist');
    });
    process.env.BYOM_SERVICE_KEY = SERVICE_KEY;
    process.env.BYOM_SIGNING_SECRET = SIGNING_SECRET;
    const error = await expectError(run('--from-env'), 'External Credential BYOM_Inference is not in the org.');
    expect((error as { actions?: string[] }).actions?.[0]).to.contain('sf project deploy start');
    expect(stored).to.deep.equal([]);
  });

  describe('with --service-url (the real service)', () => {
    let service: ServiceProcess;

    before(async () => {
      service = await startService({ BYOM_API_KEYS: SERVICE_KEY, LOG_LEVEL: 'silent' });
      await waitUntilReady(service);
    });

    after(async () => {
      service.child.kill('SIGTERM');
      await service.exited;
    });

    it('stores a key the service accepts, and says it was verified', async () => {
      process.env.BYOM_SERVICE_KEY = SERVICE_KEY;
      process.env.BYOM_SIGNING_SECRET = SIGNING_SECRET;
      const result = await run('--from-env', '--service-url', service.baseUrl);
      expect(result.verified).to.equal(true);
      expect(stored).to.have.length(1);
    });

    it('stores nothing when the service rejects the key', async () => {
      process.env.BYOM_SERVICE_KEY = 'another-key-0123456789abcdef';
      process.env.BYOM_SIGNING_SECRET = SIGNING_SECRET;
      await expectError(
        run('--from-env', '--service-url', service.baseUrl),
        /rejected the key \(HTTP 401\); nothing was stored/,
      );
      expect(stored).to.deep.equal([]);
    });
  });
});

async function expectError(promise: Promise<unknown>, message: string | RegExp): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (typeof message === 'string') expect((error as Error).message).to.equal(message);
    else expect((error as Error).message).to.match(message);
    return error as Error;
  }
  throw new Error('expected the command to fail');
}
