#!/usr/bin/env node
/**
 * Semantic check of the Apex in force-app with apex-ls (unknown types, fields, methods and
 * reserved names, against the project's own object metadata). The jars ship inside
 * @salesforce/code-analyzer-pmd-engine; only Java is needed. Any error or warning fails,
 * except the few listed in KNOWN_STUB_GAPS.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const projectRoot = path.resolve(here, '../..');

/**
 * Platform methods newer than apex-ls's bundled standard types (API 65.0), each allowed in one
 * file only and each documented in the Apex Reference for API 67.0. Anything else still fails.
 */
export const KNOWN_STUB_GAPS = [
  {
    // EventBus.publishWithAccessLevel(events, accessLevel): Apex Reference, "EventBus Class".
    file: path.join('force-app', 'main', 'default', 'classes', 'shared', 'AiPlatformEvents.cls'),
    message: "No matching method found for 'publishWithAccessLevel' on 'System.EventBus'",
  },
];

/**
 * Drops the known gaps from apex-ls output: a line naming a file starts that file's issues.
 * @param {string} output what apex-ls printed
 * @param {string} workspace the project apex-ls checked
 * @returns {string} the remaining issues, '' when none
 */
export function withoutKnownGaps(output, workspace = projectRoot) {
  const kept = [];
  let file;
  let fileIssues = [];
  const flush = () => {
    if (file !== undefined && fileIssues.length > 0) kept.push(file, ...fileIssues);
    fileIssues = [];
  };
  for (const line of output.split('\n')) {
    if (line.startsWith('/') || /^[A-Za-z]:[\\/]/.test(line)) {
      flush();
      file = line;
      continue;
    }
    const relative = file === undefined ? '' : path.relative(workspace, file);
    const known = KNOWN_STUB_GAPS.some((gap) => relative === gap.file && line.includes(gap.message));
    if (!known && line.trim() !== '') fileIssues.push(line);
  }
  flush();
  return kept.join('\n');
}

/**
 * Runs apex-ls over a Salesforce DX project.
 * @param {string} workspace the project folder (sfdx-project.json), the repository by default
 * @returns {{ok: boolean, output: string, status: number | null}} output without the known gaps
 */
export function runApexLs(workspace = projectRoot) {
  const require = createRequire(import.meta.url);
  const engineDir = path.dirname(require.resolve('@salesforce/code-analyzer-pmd-engine/package.json'));
  const classpath = path.join(engineDir, 'dist', 'java-lib', '*');
  const result = spawnSync(
    'java',
    ['-cp', classpath, 'io.github.apexdevtools.apexls.CheckForIssues', '-w', workspace, '-n', '-d', 'warnings'],
    { encoding: 'utf8' },
  );
  if (result.error) throw result.error;
  const raw = `${result.stdout}${result.stderr}`.trim();
  const output = withoutKnownGaps(raw, workspace);
  // apex-ls exits non-zero for any issue: a failure with nothing printed is a crash, not a pass.
  const ok = output === '' && (result.status === 0 || raw !== '');
  return { ok, output, status: result.status };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = Date.now();
  const { ok, output } = runApexLs();
  if (output) console.log(output);
  console.log(`apex-ls: ${ok ? 'no issues' : 'issues found'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  process.exit(ok ? 0 : 1);
}
