import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * What a dyno runs: `npm run build` at deploy, then the Procfile's `web:` line from the
 * repository root through a shell. The benchmark and the production-process tests all go
 * through here, so what they measure and check is that command, not a copy of it.
 */

/** The repository root, where Heroku runs the Procfile's commands. */
export const REPO_ROOT = path.resolve(new URL('../..', import.meta.url).pathname);
const SERVICE_DIR = path.join(REPO_ROOT, 'inference-service');
/** Held while one process builds: test files run in parallel and each needs the build. */
const LOCK_DIR = path.join(SERVICE_DIR, 'dist.build-lock');
const STALE_LOCK_MS = 180_000;

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
 * contracts/dist, then the service into dist/); throws with tsc's output on failure. One
 * process builds at a time, so parallel test files never read a half-written dist/; the next
 * finds it up to date (`tsc -b` compares what it built before) and writes nothing.
 */
export function buildService(): void {
  acquireLock();
  try {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const result = spawnSync(process.execPath, [tsc, '-b', 'tsconfig.build.json'], {
      cwd: SERVICE_DIR,
      encoding: 'utf8',
    });
    if (result.status !== 0) throw new Error(`npm run build failed:\n${result.stdout}${result.stderr}`);
  } finally {
    rmSync(LOCK_DIR, { recursive: true, force: true });
  }
}

function acquireLock(): void {
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      mkdirSync(LOCK_DIR);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    // A lock left by a build that was killed is taken over.
    try {
      if (Date.now() - statSync(LOCK_DIR).mtimeMs > STALE_LOCK_MS) rmSync(LOCK_DIR, { recursive: true, force: true });
    } catch {
      // released meanwhile
    }
    Atomics.wait(sleeper, 0, 0, 100);
  }
}
