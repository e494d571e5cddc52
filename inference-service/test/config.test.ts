import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BUNDLED_MODEL_DIR, ConfigError, loadConfig } from '../src/config.ts';

describe('configuration from the environment', () => {
  it('has sensible defaults for local development', () => {
    const config = loadConfig({});
    assert.equal(config.port, 3000);
    assert.equal(config.env, 'development');
    assert.equal(config.apiKeyGenerated, true, 'a key is generated when none is set outside production');
    assert.ok(config.apiKeys[0]!.length >= 32);
    assert.deepEqual(config.modelDirs, [BUNDLED_MODEL_DIR]);
  });

  it('splits BYOM_API_KEYS on commas and trims each key', () => {
    const config = loadConfig({
      BYOM_API_KEYS: ' first-key-0123456789 , second-key-0123456789 ,',
      NODE_ENV: 'production',
    });
    assert.deepEqual(config.apiKeys, ['first-key-0123456789', 'second-key-0123456789']);
    assert.equal(config.apiKeyGenerated, false);
  });

  it('adds MODEL_DIR after the bundled models', () => {
    assert.deepEqual(loadConfig({ MODEL_DIR: '/srv/models' }).modelDirs, [BUNDLED_MODEL_DIR, '/srv/models']);
  });

  it('names every invalid variable', () => {
    assert.throws(
      () => loadConfig({ PORT: '-1', LOG_LEVEL: 'loud', MAX_RECORDS_PER_REQUEST: '0' }),
      (error: Error) =>
        error instanceof ConfigError &&
        /PORT:/.test(error.message) &&
        /LOG_LEVEL:/.test(error.message) &&
        /MAX_RECORDS_PER_REQUEST:/.test(error.message),
    );
  });

  it('reads signing secrets and refuses ones too short to key an HMAC', () => {
    const secret = 's'.repeat(32);
    const config = loadConfig({
      BYOM_SIGNING_SECRET: `${secret}, ${secret}x`,
      BYOM_SIGNATURE_TOLERANCE_SECONDS: '120',
    });
    assert.deepEqual(config.signingSecrets, [secret, `${secret}x`]);
    assert.equal(config.signatureToleranceSeconds, 120);
    assert.deepEqual(loadConfig({}).signingSecrets, [], 'signing is off unless configured');
    assert.throws(
      () => loadConfig({ BYOM_SIGNING_SECRET: 'short' }),
      /BYOM_SIGNING_SECRET: every secret must be at least 32/,
    );
  });

  it('refuses production without keys, and keys too short to be secret', () => {
    assert.throws(() => loadConfig({ NODE_ENV: 'production' }), /BYOM_API_KEYS is required/);
    assert.throws(() => loadConfig({ BYOM_API_KEYS: 'abc' }), /at least 16 characters/);
  });
});
