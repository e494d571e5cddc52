import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * What a dyno runs: `npm run build` at deploy, then the Procfile's `web:` line from the
 * repository root through a shell. The benchmark and the production-command test both go
 * through here, so what they measure and check is that command, not a copy of it.
 */

/** The repository root, where Heroku runs the Procfile's commands. */
export const REPO_ROOT = path.resolve(new URL('../..', import.meta.url).pathname);
const SERVICE_DIR = path.join(REPO_ROOT, 'inference-service');

/** The Procfile's `web:` command line. */
export function procfileWebCommand(): string {
  const file = path.join(REPO_ROOT, 'Procfile');
  const line = readFileSync(file, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('web:'));
  if (!line) throw new Error(`${file} has no web: process`);
  return line.slice('web:'.length).trim();
}

/**
 * Runs the service's `npm run build` (`tsc -b tsconfig.build.json`: @byom/contracts into
 * contracts/dist, then the service into dist/); throws with tsc's output on failure.
 */
export function buildService(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-b', 'tsconfig.build.json'], {
    cwd: SERVICE_DIR,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`npm run build failed:\n${result.stdout}${result.stderr}`);
}
