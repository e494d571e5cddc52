import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
const DIST_DIR = path.join(SERVICE_DIR, 'dist');
/** What the last build compiled (src/ and the tsconfigs, by path, size and mtime). */
const STAMP_FILE = path.join(DIST_DIR, '.source-stamp');
/** Held while one process builds; test files run in parallel and each needs the build. */
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
 * Runs the service's `npm run build` (tsc with tsconfig.build.json into dist/); throws with
 * tsc's output on failure. One process builds at a time, and a build of unchanged sources is
 * skipped, so parallel test files never read a half-written dist/ nor compile it twice.
 */
export function buildService(): void {
  acquireLock();
  try {
    const stamp = sourceStamp();
    if (readStamp() === stamp) return;
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
      cwd: SERVICE_DIR,
      encoding: 'utf8',
    });
    if (result.status !== 0) throw new Error(`npm run build failed:\n${result.stdout}${result.stderr}`);
    writeFileSync(STAMP_FILE, stamp);
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

function sourceStamp(): string {
  const hash = createHash('sha256');
  const files = ['tsconfig.json', 'tsconfig.build.json', ...listFiles('src')];
  for (const file of files) {
    const { size, mtimeMs } = statSync(path.join(SERVICE_DIR, file));
    hash.update(`${file}\0${size}\0${mtimeMs}\n`);
  }
  return hash.digest('hex');
}

function listFiles(dir: string): string[] {
  return readdirSync(path.join(SERVICE_DIR, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(SERVICE_DIR, path.join(entry.parentPath, entry.name)))
    .sort();
}

function readStamp(): string | undefined {
  try {
    return readFileSync(STAMP_FILE, 'utf8');
  } catch {
    return undefined;
  }
}
