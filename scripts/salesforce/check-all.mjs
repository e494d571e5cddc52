#!/usr/bin/env node
/**
 * The offline Salesforce gates, in one command (CI runs it through `npm test`):
 *   1. apex-ls semantic check of the Apex
 *   2. PMD Security, BestPractices, Performance and ErrorProne rules (code-analyzer.yml)
 *   3. `sf project convert source` of force-app, and of integration-user/ with its username filled in
 *   4. Prettier check of force-app (Apex and XML plugins, the root .prettierrc)
 *   5. the Apex callout fixtures are up to date with the service's zod schemas
 * Every gate runs even when an earlier one fails; the exit code is 1 when any failed.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runApexLs } from './apex-ls-check.mjs';
import { convertIntegrationUserConfig, convertSource } from './convert-source.mjs';
import { runPmd } from './run-pmd.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const projectRoot = path.resolve(here, '../..');
const bin = (name) => path.join(projectRoot, 'node_modules', '.bin', name);

function run(command, args) {
  const result = spawnSync(command, args, { cwd: projectRoot, encoding: 'utf8' });
  if (result.error) throw result.error;
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}`.trim() };
}

const gates = [
  ['apex-ls semantic check', () => runApexLs()],
  [
    'PMD (code-analyzer)',
    async () => {
      const { violationCount, ruleCount } = await runPmd();
      return { ok: violationCount === 0, output: `${ruleCount} rules, ${violationCount} violation(s)` };
    },
  ],
  ['sf project convert source', () => convertSource()],
  ['integration user subscriber config (deploy-time username)', () => convertIntegrationUserConfig()],
  ['Prettier (force-app)', () => run(bin('prettier'), ['--check', 'force-app'])],
  [
    'Apex fixtures up to date',
    // The generator is TypeScript run from source: @byom/contracts resolves to its sources too (contracts/README.md).
    () =>
      run(process.execPath, [
        '--conditions=@byom/source',
        'inference-service/contract/generate-apex-fixtures.ts',
        '--check',
      ]),
  ],
];

const started = Date.now();
let failed = 0;
for (const [name, gate] of gates) {
  const gateStarted = Date.now();
  let result;
  try {
    result = await gate();
  } catch (error) {
    result = { ok: false, output: String(error?.stack ?? error) };
  }
  const seconds = ((Date.now() - gateStarted) / 1000).toFixed(1);
  console.log(`${result.ok ? 'ok  ' : 'FAIL'} ${name} (${seconds} s)`);
  if (!result.ok && result.output) console.log(result.output.replace(/^/gm, '     '));
  if (!result.ok) failed++;
}
const total = ((Date.now() - started) / 1000).toFixed(1);
console.log(`Salesforce gates took ${total} s`);
console.log(`salesforce: ${gates.length - failed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
