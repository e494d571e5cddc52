import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('the root npm scripts the docs show with arguments', () => {
  it('npm run bench -- <flags> reaches the benchmark, not npm', () => {
    // docs/benchmarks.md: `npm run bench -- --duration 3`. A root script that calls a workspace
    // script passes arguments on only after its own `--`; without it npm read --duration as its
    // own setting and the benchmark saw a stray "abc". The benchmark checks its flags before it
    // builds or starts anything, so a bad value answers at once.
    const run = spawnSync('npm', ['run', '-s', 'bench', '--', '--duration', 'abc'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, /--duration must be a positive number of seconds, got "abc"/);
  });
});
