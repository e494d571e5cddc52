import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareVersions, pickDefaultVersion } from '../src/model-versions.ts';

describe('model versions', () => {
  it('orders semver versions as semver does', () => {
    assert.deepEqual(
      ['1.10.0', '2.0.0', '1.2.0', '2.0.0-rc.1', '1.9.1', '2.0.0-alpha', '2.0.0-rc.10', '2.0.0-rc.2'].sort(
        compareVersions,
      ),
      ['1.2.0', '1.9.1', '1.10.0', '2.0.0-alpha', '2.0.0-rc.1', '2.0.0-rc.2', '2.0.0-rc.10', '2.0.0'],
    );
    assert.ok(compareVersions('2.0.0-rc1', '2.0.0') < 0, 'a pre-release comes before its release');
    assert.ok(compareVersions('1.0.0+2', '1.0.0+10') < 0, 'build metadata last, numbers as numbers');
    assert.ok(compareVersions('1.0.0', '1.0.0+1') < 0, 'a build after the bare version');
    assert.equal(compareVersions('1.0.0', '1.0.0'), 0);
  });

  it('orders versions that are not semver segment by segment', () => {
    assert.deepEqual(['1.10', '1.2', '0.9', '1.9.1'].sort(compareVersions), ['0.9', '1.2', '1.9.1', '1.10']);
    assert.deepEqual(['2024-10-01', '2024-06-15', '2023-12-31'].sort(compareVersions), [
      '2023-12-31',
      '2024-06-15',
      '2024-10-01',
    ]);
    assert.ok(compareVersions('v2-beta', 'v2-alpha') > 0, 'text segments in text order');
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
    assert.deepEqual(pickDefaultVersion([{ version: '2.0.0-rc.1' }, { version: '2.0.0' }, { version: '1.5.0' }]), {
      version: '2.0.0',
      marked: [],
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
