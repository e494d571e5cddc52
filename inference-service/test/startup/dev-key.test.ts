import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DevKeyError, loadDevKey, newDevKey } from '../../src/startup/dev-key.ts';

const tempFile = () => path.join(mkdtempSync(path.join(tmpdir(), 'byom-dev-key-')), '.dev-key');

describe('the development key', () => {
  it('is made once, saved for the owner only, and read back unchanged on the next start', () => {
    const file = tempFile();
    const first = loadDevKey(file);
    assert.equal(first.file, file);
    assert.equal(readFileSync(file, 'utf8').trim(), first.key);
    assert.equal(statSync(file).mode & 0o777, 0o600, 'only the owner can read the key');
    assert.equal(loadDevKey(file).key, first.key, 'an exported key keeps working after a restart');
  });

  it('never starts with "-", so no command line reads it as a flag', () => {
    for (let i = 0; i < 2000; i++) {
      const key = newDevKey();
      assert.doesNotMatch(key, /^-/);
      assert.match(key, /^[A-Za-z0-9_-]{32,}$/, 'shell-safe characters only');
    }
  });

  it('refuses a file that does not hold a usable key, saying how to get a new one', () => {
    const file = tempFile();
    writeFileSync(file, '-starts-with-a-dash-0123456789\n');
    assert.throws(
      () => loadDevKey(file),
      (error: unknown) => error instanceof DevKeyError && /delete the file/.test(String(error)),
    );
    writeFileSync(file, 'short\n');
    assert.throws(() => loadDevKey(file), DevKeyError);
  });

  it('still starts, with a key for this run only, when the file cannot be written', () => {
    const key = loadDevKey(path.join(tmpdir(), 'no-such-folder-byom', 'sub', '.dev-key'));
    assert.equal(key.file, undefined);
    assert.match(key.notSaved ?? '', /ENOENT/);
  });
});
