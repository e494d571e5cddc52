import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * The model cards under a models directory, laid out as the inference service reads them
 * (`<name>/model.json` and `<name>/<version>/model.json`), with the service's rule for the
 * default version: the one whose card says `"default": true`, else the highest. Only what
 * the plugin needs is read; the service validates the full card at boot.
 */

export type CardFeatureType = 'number' | 'integer' | 'boolean' | 'category';

export interface CardFeature {
  name: string;
  type: CardFeatureType;
  default?: string | number | boolean;
  allowMissing?: boolean;
  min?: number;
  max?: number;
}

export interface ModelCardSummary {
  name: string;
  version: string;
  isDefault: boolean;
  task: string;
  /** What the score predicts, as the AI Score card shows it; undefined when the card has none. */
  scoreLabel?: string;
  features: CardFeature[];
  bands: Array<{ label: string; min: number }>;
  directory: string;
  file: string;
}

export interface ModelFamily {
  name: string;
  /** Oldest first. */
  versions: ModelCardSummary[];
  defaultVersion: string;
}

export interface ModelDirectory {
  families: Map<string, ModelFamily>;
  problems: Array<{ file: string; message: string }>;
}

const FEATURE_TYPES = new Set(['number', 'integer', 'boolean', 'category']);

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
    const cards: ModelCardSummary[] = [];
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
    const marked = cards.filter((c) => c.isDefault);
    if (marked.length > 1) {
      result.problems.push({
        file: marked[1]!.file,
        message: `${entry.name} versions ${marked.map((c) => c.version).join(' and ')} are all marked default; the service refuses to start`,
      });
    }
    result.families.set(entry.name, {
      name: entry.name,
      versions: cards,
      defaultVersion: (marked[0] ?? cards[cards.length - 1]!).version,
    });
  }
  return result;
}

/** A version of a family: the named one, or the default. */
export function cardFor(family: ModelFamily, version?: string): ModelCardSummary | undefined {
  return family.versions.find((card) => card.version === (version ?? family.defaultVersion));
}

/** The service's order: numeric segments compare as numbers ("1.10.0" after "1.9.2"), others as text. */
export function compareVersions(a: string, b: string): number {
  const left = a.split(/[.+_-]/);
  const right = b.split(/[.+_-]/);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const x = left[i] ?? '';
    const y = right[i] ?? '';
    const nx = Number(x);
    const ny = Number(y);
    const diff = x !== '' && y !== '' && Number.isInteger(nx) && Number.isInteger(ny) ? nx - ny : x.localeCompare(y);
    if (diff !== 0) return diff;
  }
  return 0;
}

/** The next minor version after the highest one: 1.0.0 → 1.1.0, 2.3.1 → 2.4.0; 1.0.0 when there is none. */
export function nextMinorVersion(family: ModelFamily | undefined): string {
  if (!family) return '1.0.0';
  const highest = family.versions[family.versions.length - 1]!.version;
  const match = /^(\d+)\.(\d+)/.exec(highest);
  return match ? `${match[1]}.${Number(match[2]) + 1}.0` : `${highest}.1`;
}

async function readCard(file: string, problems: ModelDirectory['problems']): Promise<ModelCardSummary | undefined> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    problems.push({ file, message: `is not a model card: ${(error as Error).message}` });
    return undefined;
  }
  const result = summarizeCard(parsed, path.dirname(file), file);
  if (typeof result === 'string') {
    problems.push({ file, message: result });
    return undefined;
  }
  return result;
}

/** The parts of a card the plugin uses, or what is wrong with it. `source` names where it came from. */
export function summarizeCard(parsed: unknown, directory: string, source: string): ModelCardSummary | string {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return 'is not a model card (not a JSON object)';
  const card = parsed as Record<string, unknown>;
  const { name, version, features, bands, task } = card;
  if (typeof name !== 'string' || typeof version !== 'string' || !Array.isArray(features)) {
    return 'needs "name", "version" and a "features" list';
  }
  const cardFeatures: CardFeature[] = [];
  for (const feature of features as unknown[]) {
    const f = (typeof feature === 'object' && feature !== null ? feature : {}) as Record<string, unknown>;
    if (typeof f.name !== 'string' || typeof f.type !== 'string' || !FEATURE_TYPES.has(f.type)) {
      return `feature ${JSON.stringify(f.name ?? feature)} needs a name and a type (number, integer, boolean, category)`;
    }
    const summary: CardFeature = { name: f.name, type: f.type as CardFeatureType };
    if (['string', 'number', 'boolean'].includes(typeof f.default))
      summary.default = f.default as string | number | boolean;
    if (f.allowMissing === true) summary.allowMissing = true;
    if (typeof f.min === 'number') summary.min = f.min;
    if (typeof f.max === 'number') summary.max = f.max;
    cardFeatures.push(summary);
  }
  const bandList = Array.isArray(bands)
    ? (bands as Array<Record<string, unknown>>).map((b) => ({ label: String(b?.label), min: Number(b?.min) }))
    : [];
  // The thresholds an admin reads on the score card: each in [0, 1], no two alike.
  if (bandList.some((b) => !(b.min >= 0 && b.min <= 1))) return 'bands: every "min" must be between 0 and 1';
  if (new Set(bandList.map((b) => b.min)).size !== bandList.length) return 'bands: two bands share the same "min"';
  return {
    name,
    version,
    isDefault: card.default === true,
    task: typeof task === 'string' ? task : 'unknown',
    ...(typeof card.scoreLabel === 'string' && card.scoreLabel.trim() ? { scoreLabel: card.scoreLabel.trim() } : {}),
    features: cardFeatures,
    bands: bandList,
    directory,
    file: source,
  };
}
