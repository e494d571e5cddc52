import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { ModelLoadError } from './model-load-error.ts';
import { loadScoringModel } from './model-loader.ts';
import type { LoadOptions } from './model-loader.ts';
import type { ScoringModel } from './scoring-model.ts';

/**
 * Every model version the service serves, loaded from model directories at boot.
 *
 * Layouts under a model directory (both may be used side by side):
 *   <name>/model.json + model.onnx               one version
 *   <name>/<version>/model.json + model.onnx     several versions of one model
 * The default version is the one whose card says `"default": true`, else the highest version.
 */

export interface ModelSummary {
  name: string;
  defaultVersion: string;
  versions: string[];
  task: string;
  description?: string;
}

interface ModelFamily {
  versions: Map<string, ScoringModel>;
  defaultVersion: string;
}

export class ModelRegistry {
  private readonly families: Map<string, ModelFamily>;

  private constructor(families: Map<string, ModelFamily>) {
    this.families = families;
  }

  /** Loads every model under the given directories; the first problem found is thrown as a ModelLoadError. */
  static async load(modelDirs: string[], options: LoadOptions): Promise<ModelRegistry> {
    const found: Array<{ nameDir: string; versionDir: string }> = [];
    for (const root of modelDirs) {
      found.push(...(await findModelDirectories(root)));
    }
    const models = await Promise.all(found.map(({ versionDir }) => loadScoringModel(versionDir, options)));
    // One at a time, once nothing else loads: each times its own runs.
    for (const model of models) await model.calibrate();

    const byName = new Map<string, ScoringModel[]>();
    models.forEach((model, i) => {
      const { nameDir } = found[i]!;
      const cardFile = path.join(model.directory, 'model.json');
      if (model.name !== path.basename(nameDir)) {
        throw new ModelLoadError(
          cardFile,
          'name',
          `"${model.name}" must match its directory "${path.basename(nameDir)}"`,
        );
      }
      const siblings = byName.get(model.name) ?? [];
      const clash = siblings.find((s) => s.version === model.version);
      if (clash) {
        throw new ModelLoadError(
          cardFile,
          'version',
          `${model.name} ${model.version} is also loaded from ${clash.directory}`,
        );
      }
      siblings.push(model);
      byName.set(model.name, siblings);
    });

    const families = new Map<string, ModelFamily>();
    for (const [name, versions] of [...byName].sort(([a], [b]) => a.localeCompare(b))) {
      versions.sort((a, b) => compareVersions(a.version, b.version));
      families.set(name, {
        versions: new Map(versions.map((m) => [m.version, m])),
        defaultVersion: pickDefault(versions),
      });
    }
    return new ModelRegistry(families);
  }

  /** The named version, or the default version when none is named; undefined when unknown. */
  get(name: string, version?: string): ScoringModel | undefined {
    const family = this.families.get(name);
    if (!family) return undefined;
    return family.versions.get(version ?? family.defaultVersion);
  }

  /** Every version of a model, oldest first; undefined for an unknown model. */
  versionsOf(name: string): { defaultVersion: string; models: ScoringModel[] } | undefined {
    const family = this.families.get(name);
    if (!family) return undefined;
    return { defaultVersion: family.defaultVersion, models: [...family.versions.values()] };
  }

  list(): ModelSummary[] {
    return [...this.families].map(([name, family]) => {
      const defaultModel = family.versions.get(family.defaultVersion)!;
      return {
        name,
        defaultVersion: family.defaultVersion,
        versions: [...family.versions.keys()],
        task: defaultModel.card.task,
        ...(defaultModel.card.description ? { description: defaultModel.card.description } : {}),
      };
    });
  }

  /** Every loaded model version, for metrics. */
  all(): ScoringModel[] {
    return [...this.families.values()].flatMap((f) => [...f.versions.values()]);
  }

  get size(): number {
    return [...this.families.values()].reduce((sum, f) => sum + f.versions.size, 0);
  }

  async close(): Promise<void> {
    const releases = [...this.families.values()].flatMap((f) =>
      [...f.versions.values()].map((m) => m.session.release()),
    );
    await Promise.all(releases);
  }
}

async function findModelDirectories(root: string): Promise<Array<{ nameDir: string; versionDir: string }>> {
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch (error) {
    throw new ModelLoadError(
      root,
      undefined,
      `model directory cannot be read (${(error as NodeJS.ErrnoException).code})`,
    );
  }
  const found: Array<{ nameDir: string; versionDir: string }> = [];
  for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const nameDir = path.join(root, entry.name);
    if (await isFile(path.join(nameDir, 'model.json'))) {
      found.push({ nameDir, versionDir: nameDir });
    }
    const children = await readdir(nameDir, { withFileTypes: true });
    for (const child of children.filter((c) => c.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
      const versionDir = path.join(nameDir, child.name);
      if (await isFile(path.join(versionDir, 'model.json'))) found.push({ nameDir, versionDir });
    }
  }
  return found;
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

function pickDefault(versions: ScoringModel[]): string {
  const marked = versions.filter((m) => m.card.default === true);
  if (marked.length > 1) {
    throw new ModelLoadError(
      path.join(marked[1]!.directory, 'model.json'),
      'default',
      `${marked[0]!.name} versions ${marked.map((m) => m.version).join(' and ')} are all marked default; mark one`,
    );
  }
  return (marked[0] ?? versions[versions.length - 1]!).version;
}

/** Orders "1.10.0" after "1.9.2": numeric segments compare as numbers, others as text. */
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
