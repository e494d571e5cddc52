import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The repository root, where Heroku runs the Procfile's commands. */
export const REPO_ROOT = path.resolve(new URL('../..', import.meta.url).pathname);

/**
 * The Procfile's `web:` command line, as Heroku runs it (from REPO_ROOT, through a shell).
 * The benchmark and the production-command test run this line itself, so what they measure
 * and check is what a dyno runs.
 */
export function procfileWebCommand(): string {
  const file = path.join(REPO_ROOT, 'Procfile');
  const line = readFileSync(file, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('web:'));
  if (!line) throw new Error(`${file} has no web: process`);
  return line.slice('web:'.length).trim();
}
