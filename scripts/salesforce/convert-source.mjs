#!/usr/bin/env node
/**
 * Validates the metadata layout of force-app offline by converting it to Metadata API
 * format (`sf project convert source`) into a temporary folder, which is then removed.
 * Runs the Salesforce CLI from node_modules with the Node binary that runs this script.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const projectRoot = path.resolve(here, '../..');

/** The folder of the per-org PlatformEventSubscriberConfig, deployed with the username filled in. */
export const INTEGRATION_USER_DIR = 'integration-user';
const SAMPLE_USERNAME = 'byom.integration@example.com';

function convert(sourceFlag, sourceDir, outputDir, env = {}) {
  // The package's exports hide package.json, so find it the way npm installs it.
  const cli = path.join(projectRoot, 'node_modules', '@salesforce', 'cli', 'bin', 'run.js');
  return spawnSync(
    process.execPath,
    [cli, 'project', 'convert', 'source', sourceFlag, sourceDir, '--output-dir', path.join(outputDir, 'out'), '--json'],
    {
      cwd: projectRoot,
      encoding: 'utf8',
      env: {
        ...process.env,
        SF_DISABLE_TELEMETRY: 'true',
        SF_AUTOUPDATE_DISABLE: 'true',
        SF_SKIP_NEW_VERSION_CHECK: 'true',
        // The output is parsed as JSON: a CI that forces colour (FORCE_COLOR) must not colour it.
        FORCE_COLOR: '0',
        ...env,
      },
    },
  );
}

/**
 * The integration user's PlatformEventSubscriberConfig converts with the username taken from
 * BYOM_INTEGRATION_USERNAME (the sfdx-project.json replacement), as `sf project deploy start`
 * would send it. SF_APPLY_REPLACEMENTS_ON_CONVERT makes convert apply replacements like deploy.
 */
export function convertIntegrationUserConfig() {
  const outputDir = fs.mkdtempSync(path.join(os.tmpdir(), 'byom-mdapi-'));
  try {
    const env = { BYOM_INTEGRATION_USERNAME: SAMPLE_USERNAME, SF_APPLY_REPLACEMENTS_ON_CONVERT: 'true' };
    const result = convert('--source-dir', INTEGRATION_USER_DIR, outputDir, env);
    if (result.error) throw result.error;
    const folder = path.join(outputDir, 'out', 'PlatformEventSubscriberConfigs');
    const files = fs.existsSync(folder) ? fs.readdirSync(folder) : [];
    const body = files.map((file) => fs.readFileSync(path.join(folder, file), 'utf8')).join('\n');
    const ok = result.status === 0 && files.length === 1 && body.includes(`<user>${SAMPLE_USERNAME}</user>`);
    return {
      ok,
      output: ok
        ? ''
        : `expected one PlatformEventSubscriberConfig with <user>${SAMPLE_USERNAME}</user>:\n${body || result.stdout}`,
    };
  } finally {
    fs.rmSync(outputDir, { recursive: true, force: true });
  }
}

export function convertSource() {
  const outputDir = fs.mkdtempSync(path.join(os.tmpdir(), 'byom-mdapi-'));
  try {
    const result = convert('--root-dir', 'force-app', outputDir);
    if (result.error) throw result.error;
    let parsed;
    try {
      parsed = JSON.parse(result.stdout);
    } catch {
      return { ok: false, output: `${result.stdout}${result.stderr}`.trim() };
    }
    const components = fs.existsSync(path.join(outputDir, 'out', 'package.xml'))
      ? (fs.readFileSync(path.join(outputDir, 'out', 'package.xml'), 'utf8').match(/<members>/g) ?? []).length
      : 0;
    const ok = result.status === 0 && parsed.status === 0;
    return { ok, components, output: ok ? '' : JSON.stringify(parsed, null, 2) };
  } finally {
    fs.rmSync(outputDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = Date.now();
  const { ok, output, components } = convertSource();
  if (output) console.log(output);
  console.log(
    `sf project convert source: ${ok ? `${components} components` : 'failed'} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  process.exit(ok ? 0 : 1);
}
