import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DevKeyError } from '../src/startup/dev-key.ts';
import { BUNDLED_MODEL_DIR, ConfigError, loadConfig as loadConfigFrom } from '../src/config.ts';

/** The development key without touching inference-service/.dev-key (test/startup/dev-key.test.ts covers the file). */
const DEV_KEY = 'byom_dev_0123456789abcdefghijklmnopqrstuv';
const loadConfig = (env: Record<string, string | undefined>) =>
  loadConfigFrom(env, () => ({ key: DEV_KEY, file: '/tmp/byom-test.dev-key' }));

describe('configuration from the environment', () => {
  it('has sensible defaults for local development', () => {
    const config = loadConfig({});
    assert.equal(config.port, 3000);
    assert.equal(config.env, 'development');
    assert.equal(config.apiKeyGenerated, true, 'a key is generated when none is set outside production');
    assert.ok(config.apiKeys[0]!.length >= 32);
    assert.deepEqual(config.modelDirs, [BUNDLED_MODEL_DIR]);
    assert.equal(config.apiKeys[0], DEV_KEY, 'the development key comes from its file');
    assert.equal(config.devKeyFile, '/tmp/byom-test.dev-key');
  });

  it('listens on loopback in development and on every interface in production, unless HOST says otherwise', () => {
    assert.equal(loadConfig({}).host, '127.0.0.1', 'the development key is not reachable from the network');
    assert.equal(loadConfig({ NODE_ENV: 'test' }).host, '127.0.0.1');
    assert.equal(loadConfig({ NODE_ENV: 'production', BYOM_API_KEYS: 'k'.repeat(16) }).host, '0.0.0.0');
    assert.equal(loadConfig({ HOST: '0.0.0.0' }).host, '0.0.0.0');
    assert.equal(
      loadConfig({ NODE_ENV: 'production', BYOM_API_KEYS: 'k'.repeat(16), HOST: '10.0.0.5' }).host,
      '10.0.0.5',
    );
  });

  it('serves the API docs without the key in development only, unless BYOM_PUBLIC_DOCS says otherwise', () => {
    const production = { NODE_ENV: 'production', BYOM_API_KEYS: 'k'.repeat(16) };
    assert.equal(loadConfig({}).publicDocs, true);
    assert.equal(loadConfig(production).publicDocs, false);
    assert.equal(loadConfig({ ...production, BYOM_PUBLIC_DOCS: 'true' }).publicDocs, true);
    assert.equal(loadConfig({ BYOM_PUBLIC_DOCS: 'false' }).publicDocs, false);
    assert.throws(() => loadConfig({ BYOM_PUBLIC_DOCS: 'yes' }), /BYOM_PUBLIC_DOCS:/);
  });

  it('turns an unusable development key file into a configuration error naming the file', () => {
    assert.throws(
      () =>
        loadConfigFrom({}, () => {
          throw new DevKeyError('/tmp/k: does not hold a usable development key');
        }),
      (error: unknown) => error instanceof ConfigError && /\/tmp\/k: does not hold/.test(error.message),
    );
  });

  it('splits BYOM_API_KEYS on commas and trims each key', () => {
    const config = loadConfig({
      BYOM_API_KEYS: ' first-key-0123456789 , second-key-0123456789 ,',
      NODE_ENV: 'production',
    });
    assert.deepEqual(config.apiKeys, ['first-key-0123456789', 'second-key-0123456789']);
    assert.equal(config.apiKeyGenerated, false);
  });

  it('reads keys for clients that cannot sign, refusing short ones and ones shared with BYOM_API_KEYS', () => {
    const key = 'signed-key-0123456789';
    assert.deepEqual(loadConfig({ BYOM_API_KEYS: key, BYOM_UNSIGNED_KEYS: 'connector-key-0123456789' }).unsignedKeys, [
      'connector-key-0123456789',
    ]);
    assert.deepEqual(loadConfig({}).unsignedKeys, []);
    assert.throws(
      () => loadConfig({ BYOM_UNSIGNED_KEYS: 'short' }),
      /BYOM_UNSIGNED_KEYS: every key must be at least 16/,
    );
    assert.throws(
      () => loadConfig({ BYOM_API_KEYS: key, BYOM_UNSIGNED_KEYS: key }),
      /BYOM_UNSIGNED_KEYS: a key is also in BYOM_API_KEYS/,
    );
  });

  it('has limits for a 512 MB dyno by default, and refuses a header timeout longer than the request timeout', () => {
    const config = loadConfig({});
    assert.deepEqual(
      [
        config.maxBytesInFlight,
        config.maxQueuedRows,
        config.workerThreads,
        config.headersTimeoutMs,
        config.requestTimeoutMs,
      ],
      [8 * 1024 * 1024, 200_000, 1, 10_000, 30_000],
    );
    assert.equal(loadConfig({ WORKER_THREADS: '0' }).workerThreads, 0, 'no pool at all');
    assert.throws(
      () => loadConfig({ HEADERS_TIMEOUT_MS: '40000' }),
      /HEADERS_TIMEOUT_MS \(40000\) must not exceed REQUEST_TIMEOUT_MS \(30000\)/,
    );
  });

  it('adds MODEL_DIR after the bundled models', () => {
    assert.deepEqual(loadConfig({ MODEL_DIR: '/srv/models' }).modelDirs, [BUNDLED_MODEL_DIR, '/srv/models']);
  });

  it('reads a relative MODEL_DIR from where npm start was typed (INIT_CWD), not from inference-service/', () => {
    assert.deepEqual(loadConfig({ MODEL_DIR: 'my-models', INIT_CWD: '/home/dev/project' }).modelDirs, [
      BUNDLED_MODEL_DIR,
      '/home/dev/project/my-models',
    ]);
    assert.equal(loadConfig({ MODEL_DIR: 'my-models' }).modelDirs[1], path.resolve('my-models'));
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
