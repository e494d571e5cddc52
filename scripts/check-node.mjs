#!/usr/bin/env node
/**
 * Says plainly when the Node.js running a BYOM Bridge command is too old, instead of the
 * crash that follows (`TypeError: Cannot read properties of undefined (reading 'bind')` from
 * the Salesforce CLI, `Unknown file extension ".ts"` from the service). npm scripts run it
 * first (pre-scripts in package.json), and so does sf-plugin/bin/run.js. Plain JavaScript
 * that any Node since 12 can parse, so it runs before anything that needs a newer one.
 */
import { fileURLToPath } from 'node:url';

/** The oldest Node the project's code runs on: TypeScript type stripping and the CLI's zlib calls. */
export const MINIMUM_NODE = [22, 19];

/** The message for a Node older than MINIMUM_NODE, or undefined when it is new enough. */
export function nodeTooOldMessage(version = process.versions.node, execPath = process.execPath) {
  const [major, minor] = version.split('.').map(Number);
  if (major > MINIMUM_NODE[0] || (major === MINIMUM_NODE[0] && minor >= MINIMUM_NODE[1])) return undefined;
  return [
    `BYOM Bridge needs Node.js ${MINIMUM_NODE.join('.')} or later (it is built and tested on Node 24);`,
    `this is Node ${version} (${execPath}).`,
    '`npm ci` installs Node 24 into node_modules/.bin, and npm scripts and npx use it: run the',
    'commands as the README writes them (`npm start`, `npm test`, `npx sf …`), not with `node` or',
    './node_modules/.bin/… directly. If it is missing, `npm ci` did not finish: run it again.',
  ].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const message = nodeTooOldMessage();
  if (message) {
    process.stderr.write(`${message}\n`);
    process.exit(1);
  }
}
