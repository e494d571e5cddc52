import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareVersions, pickDefaultVersion } from '../src/model-versions.ts';

describe('model versions', () => {
  it('orders numeric segments as numbers and the rest as text', () => {
    assert.deepEqual(['1.10.0', '1.2.0', '1.9.1', '0.9'].sort(compareVersions), ['0.9', '1.2.0', '1.9.1', '1.10.0']);
    assert.ok(
      compareVersions('2.0.0', '2.0.0-rc1') < 0,
      'a suffix sorts after the bare version (this is not semver pre-release order)',
    );
    assert.ok(compareVersions('1.0.0-beta', '1.0.0-alpha') > 0, 'text segments in text order');
    assert.ok(compareVersions('1.0.0+2', '1.0.0+10') < 0, 'build numbers as numbers');
    assert.equal(compareVersions('3.1', '3.1'), 0);
    assert.ok(compareVersions('3.1', '3.1.0') < 0, 'a missing segment sorts first');
  });

  it('serves the version marked default, else the highest', () => {
    assert.deepEqual(pickDefaultVersion([{ version: '1.9.0' }, { version: '1.10.0' }, { version: '1.2.0' }]), {
      version: '1.10.0',
      marked: [],
    });
    assert.deepEqual(pickDefaultVersion([{ version: '2.0.0' }, { version: '1.0.0', default: true }]), {
      version: '1.0.0',
      marked: ['1.0.0'],
    });
    assert.deepEqual(pickDefaultVersion([{ version: '1.0.0', default: false }]), { version: '1.0.0', marked: [] });
  });

  it('lists every version marked default, lowest first, so callers can refuse the clash', () => {
    assert.deepEqual(
      pickDefaultVersion([
        { version: '3.0.0', default: true },
        { version: '2.0.0' },
        { version: '1.10.0', default: true },
      ]),
      { version: '1.10.0', marked: ['1.10.0', '3.0.0'] },
    );
  });

  it('refuses a model without versions', () => {
    assert.throws(() => pickDefaultVersion([]), RangeError);
  });
});
