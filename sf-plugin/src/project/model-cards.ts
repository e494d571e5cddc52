import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { ModelCard } from '@byom/contracts/model-card';
import { describeSchemaIssues } from '@byom/contracts/schema-issues';
import { compareVersions, pickDefaultVersion } from '@byom/contracts/model-versions';

/**
 * The model cards under a models directory, laid out as the inference service reads them
 * (`<name>/model.json` and `<name>/<version>/model.json`), checked with the service's own
 * schema (@byom/contracts/model-card) and its rule for the default version
 * (@byom/contracts/model-versions): a problem reported here stops the service at boot.
 */

/** A model card, with where it was read from. */
export type ModelCardFile = ModelCard & {
  directory: string;
  /** The card's file, or the URL it was served from. */
  file: string;
};

export interface ModelFamily {
  name: string;
  /** Oldest first. */
  versions: ModelCardFile[];
  defaultVersion: string;
}

export interface ModelDirectory {
  families: Map<string, ModelFamily>;
  problems: Array<{ file: string; message: string }>;
}

export async function readModelDirectory(root: string): Promise<ModelDirectory> {
  const result: ModelDirectory = { families: new Map(), problems: [] };
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch (error) {
    result.problems.push({ file: root, message: `cannot be read (${(error as NodeJS.ErrnoException).code})` });
    return result;
  }
  for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const nameDir = path.join(root, entry.name);
    const cards: ModelCardFile[] = [];
    const candidates = [nameDir];
    for (const child of (await readdir(nameDir, { withFileTypes: true })).filter((c) => c.isDirectory())) {
      candidates.push(path.join(nameDir, child.name));
    }
    for (const directory of candidates.sort()) {
      const file = path.join(directory, 'model.json');
      if (!existsSync(file)) continue;
      const card = await readCard(file, result.problems);
      if (!card) continue;
      if (card.name !== entry.name) {
        result.problems.push({ file, message: `name "${card.name}" must match its directory "${entry.name}"` });
        continue;
      }
      if (!existsSync(path.join(directory, 'model.onnx'))) {
        result.problems.push({ file, message: 'has no model.onnx next to it' });
        continue;
      }
      const clash = cards.find((c) => c.version === card.version);
      if (clash) {
        result.problems.push({ file, message: `${card.name} ${card.version} is also in ${clash.file}` });
        continue;
      }
      cards.push(card);
    }
    if (cards.length === 0) continue;
    cards.sort((a, b) => compareVersions(a.version, b.version));
    const { version: defaultVersion, marked } = pickDefaultVersion(cards);
    if (marked.length > 1) {
      result.problems.push({
        file: cards.find((c) => c.version === marked[1])!.file,
        message: `${entry.name} versions ${marked.join(' and ')} are all marked default; the service refuses to start`,
      });
    }
    result.families.set(entry.name, { name: entry.name, versions: cards, defaultVersion });
  }
  return result;
}

/** A version of a family: the named one, or the default. */
export function cardFor(family: ModelFamily, version?: string): ModelCardFile | undefined {
  return family.versions.find((card) => card.version === (version ?? family.defaultVersion));
}

/** The next minor version after the highest one: 1.0.0 → 1.1.0, 2.3.1 → 2.4.0; 1.0.0 when there is none. */
export function nextMinorVersion(family: ModelFamily | undefined): string {
  if (!family) return '1.0.0';
  const highest = family.versions[family.versions.length - 1]!.version;
  const match = /^(\d+)\.(\d+)/.exec(highest);
  return match ? `${match[1]}.${Number(match[2]) + 1}.0` : `${highest}.1`;
}

async function readCard(file: string, problems: ModelDirectory['problems']): Promise<ModelCardFile | undefined> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    problems.push({ file, message: `is not a model card: ${(error as Error).message}` });
    return undefined;
  }
  const result = parseModelCard(parsed, path.dirname(file), file);
  if (typeof result === 'string') {
    problems.push({ file, message: result });
    return undefined;
  }
  return result;
}

/** A card checked with the service's schema, or every problem with it (`field: why`). `file` names where it came from. */
export function parseModelCard(value: unknown, directory: string, file: string): ModelCardFile | string {
  const parsed = ModelCard.safeParse(value);
  if (parsed.success) return { ...parsed.data, directory, file };
  return describeSchemaIssues(parsed.error.issues, ModelCard);
}
