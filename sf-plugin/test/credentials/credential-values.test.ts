import { expect } from 'chai';
import { environmentVariableFor, valueProblem, valuesFromLines } from '../../src/credentials/credential-values.ts';

describe('credential values', () => {
  it('reads each parameter from its environment variable', () => {
    expect(environmentVariableFor('ServiceKey')).to.equal('BYOM_SERVICE_KEY');
    expect(environmentVariableFor('SigningSecret')).to.equal('BYOM_SIGNING_SECRET');
    expect(environmentVariableFor('TenantId')).to.equal('BYOM_TENANT_ID');
  });

  it("accepts only values the service can match, with the service's minimum lengths", () => {
    expect(valueProblem('ServiceKey', 'k'.repeat(16))).to.equal(undefined);
    expect(valueProblem('ServiceKey', 'k'.repeat(15))).to.equal(
      'is 15 characters long; the service accepts only 16 or more',
    );
    expect(valueProblem('SigningSecret', 's'.repeat(31))).to.equal(
      'is 31 characters long; the service accepts only 32 or more',
    );
    expect(valueProblem('ServiceKey', 'a-key with-space-0123')).to.equal('contains spaces or line breaks');
    expect(valueProblem('TenantId', 't')).to.equal(undefined);
  });

  it('takes one value per line from standard input, skipping blank lines', () => {
    expect(valuesFromLines('first\r\n\n second \n')).to.deep.equal(['first', 'second']);
  });
});
