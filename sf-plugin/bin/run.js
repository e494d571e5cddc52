#!/usr/bin/env node
// Runs the plugin's commands without the Salesforce CLI (development and tests): node bin/run.js byom doctor
// The version check comes before oclif loads: on an older Node it would fail with an unrelated TypeError.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(
    `sf byom needs Node.js 22.18 or later; this is Node ${process.versions.node} (${process.execPath}).\n` +
      'Use the Node 24 that `npm ci` installs: npx node bin/run.js …, or npx sf byom … once the plugin is linked.\n',
  );
  process.exit(1);
}
const { execute } = await import('@oclif/core');
await execute({ dir: import.meta.url });
