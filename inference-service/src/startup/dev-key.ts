import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The development service key: made once, saved in a git-ignored file, and read back on
 * every start, so a key a developer exported (`export BYOM_KEY=…`) keeps working across
 * restarts. Production never uses it: there BYOM_API_KEYS is required (config.ts).
 */

/** inference-service/.dev-key, next to src/ (git-ignored). BYOM_DEV_KEY_FILE moves it. */
export const DEFAULT_DEV_KEY_FILE = fileURLToPath(new URL('../../.dev-key', import.meta.url));

/** A prefix keeps the key from starting with "-" (base64url can), which `--key $KEY` arguments read as a flag. */
const KEY_PREFIX = 'byom_dev_';
/** What a saved key must look like: 16+ characters that need no quoting in a shell, never starting with "-". */
const USABLE_KEY = /^[A-Za-z0-9_][A-Za-z0-9_.~+/=-]{15,}$/;

export interface DevKey {
  key: string;
  /** The file the key lives in; undefined when it could not be saved (this run only). */
  file: string | undefined;
  /** Why the key could not be saved, for the start banner. */
  notSaved?: string;
}

export class DevKeyError extends Error {
  override name = 'DevKeyError';
}

export function newDevKey(): string {
  return KEY_PREFIX + randomBytes(24).toString('base64url');
}

/** Reads the saved key, or makes and saves one (readable by the owner only). */
export function loadDevKey(file: string = DEFAULT_DEV_KEY_FILE): DevKey {
  const saved = readSaved(file);
  if (saved !== undefined) return { key: saved, file };
  const key = newDevKey();
  try {
    // `wx`: if another process saved a key a moment ago, use that one instead of overwriting it.
    writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
    return { key, file };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      const raced = readSaved(file);
      if (raced !== undefined) return { key: raced, file };
    }
    return { key, file: undefined, notSaved: `${file} could not be written (${code ?? (error as Error).message})` };
  }
}

function readSaved(file: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new DevKeyError(`${file}: cannot read the development key (${(error as Error).message})`);
  }
  const key = text.trim();
  if (!USABLE_KEY.test(key)) {
    throw new DevKeyError(
      `${file} does not hold a usable development key (16+ characters of A-Z a-z 0-9 _ . ~ + / = -, not starting with "-"): ` +
        'delete the file and start again to make a new one',
    );
  }
  return key;
}
