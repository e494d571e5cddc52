#!/usr/bin/env node
/**
 * Semantic check of the Apex in force-app with apex-ls (unknown types, fields, methods and
 * reserved names, against the project's own object metadata). The jars ship inside
 * @salesforce/code-analyzer-pmd-engine; only Java is needed. Any error or warning fails.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const projectRoot = path.resolve(here, '../..');

export function runApexLs() {
  const require = createRequire(import.meta.url);
  const engineDir = path.dirname(require.resolve('@salesforce/code-analyzer-pmd-engine/package.json'));
  const classpath = path.join(engineDir, 'dist', 'java-lib', '*');
  const result = spawnSync(
    'java',
    ['-cp', classpath, 'io.github.apexdevtools.apexls.CheckForIssues', '-w', projectRoot, '-n', '-d', 'warnings'],
    { encoding: 'utf8' },
  );
  if (result.error) throw result.error;
  const output = `${result.stdout}${result.stderr}`.trim();
  return { ok: result.status === 0 && output === '', output, status: result.status };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = Date.now();
  const { ok, output } = runApexLs();
  if (output) console.log(output);
  console.log(`apex-ls: ${ok ? 'no issues' : 'issues found'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  process.exit(ok ? 0 : 1);
}
