import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SOURCE_CONDITION, SOURCE_CONDITION_FLAG } from '../src/source-condition.ts';

/**
 * The package as its users load it, through the workspace link in the repository root's
 * node_modules: the TypeScript sources under the source condition (tests, npm start, the
 * trainer), the compiled dist/ without it (the production service, the linked sf plugin).
 */

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = path.dirname(packageDir);
const manifest = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as {
  name: string;
  exports: Record<string, Record<string, string>>;
};
const subpaths = Object.keys(manifest.exports);

/** What `node` started in the repository root resolves and loads for each export. */
function loadAll(flags: string[]): Array<{ url: string; names: string[] }> {
  const specifiers = subpaths.map((subpath) => `${manifest.name}${subpath.slice(1)}`);
  const script = `
    const specifiers = ${JSON.stringify(specifiers)};
    const loaded = [];
    for (const specifier of specifiers) {
      const module = await import(specifier);
      loaded.push({ url: import.meta.resolve(specifier), names: Object.keys(module).sort() });
    }
    process.stdout.write(JSON.stringify(loaded));`;
  const stdout = execFileSync(process.execPath, [...flags, '--input-type=module', '-e', script], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  return JSON.parse(stdout) as Array<{ url: string; names: string[] }>;
}

describe('the @byom/contracts package', () => {
  before(() => {
    // What the service's and the plugin's builds do first (tsc -b follows their references here).
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    execFileSync(process.execPath, [tsc, '-b', 'tsconfig.build.json'], { cwd: packageDir, encoding: 'utf8' });
  });

  it('offers every export as sources, declarations and compiled JavaScript', () => {
    assert.ok(subpaths.length >= 3);
    for (const [subpath, targets] of Object.entries(manifest.exports)) {
      assert.deepEqual(
        Object.keys(targets),
        [SOURCE_CONDITION, 'types', 'default'],
        `${subpath}: sources win only when asked for`,
      );
      for (const target of Object.values(targets)) {
        assert.ok(existsSync(path.join(packageDir, target)), `${subpath}: ${target} exists`);
      }
    }
  });

  it('loads the TypeScript sources under the source condition, through the workspace link', () => {
    const loaded = loadAll([SOURCE_CONDITION_FLAG]);
    loaded.forEach(({ url }, i) => {
      const file = fileURLToPath(url);
      assert.equal(file, path.join(packageDir, manifest.exports[subpaths[i]!]![SOURCE_CONDITION]!));
      // Node strips types only outside node_modules: the link resolves to the real path.
      assert.ok(!file.includes(`${path.sep}node_modules${path.sep}`), `${file} is not under node_modules`);
    });
  });

  it('loads the compiled JavaScript without it, with the same exports', () => {
    const compiled = loadAll([]);
    const sources = loadAll([SOURCE_CONDITION_FLAG]);
    compiled.forEach(({ url, names }, i) => {
      assert.equal(fileURLToPath(url), path.join(packageDir, manifest.exports[subpaths[i]!]!.default!));
      assert.deepEqual(names, sources[i]!.names, `${subpaths[i]}: dist/ is built from the current sources`);
    });
  });
});
