import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { MINIMUM_NODE, nodeTooOldMessage } from './check-node.mjs';

const script = fileURLToPath(new URL('./check-node.mjs', import.meta.url));

describe('the Node.js version check every entry point runs first', () => {
  it('names the Node that is too old, where it is, and what to run instead', () => {
    const message = nodeTooOldMessage('20.20.2', '/usr/bin/node');
    assert.match(message, /needs Node\.js 22\.19 or later/);
    assert.match(message, /this is Node 20\.20\.2 \(\/usr\/bin\/node\)/);
    assert.match(message, /npx sf/);
  });

  it('lets the versions the project runs on through', () => {
    for (const version of ['22.19.0', '22.22.2', '24.21.0', '26.0.0'])
      assert.equal(nodeTooOldMessage(version), undefined, version);
    assert.ok(nodeTooOldMessage('22.18.9'), `${MINIMUM_NODE.join('.')} is the floor`);
  });

  it('passes under the Node npm scripts use', () => {
    const run = spawnSync(process.execPath, [script], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stderr, '');
  });
});
