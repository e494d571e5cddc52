import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { compareVersions, pickDefaultVersion } from '@byom/contracts/model-versions';
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

/** Something at boot that does not stop it but that whoever owns the models should know (logged as a warning). */
export interface ModelLoadWarning {
  /** The file or directory concerned. */
  file: string;
  message: string;
}

/** A model version directory found under a model directory: `<name>/` or `<name>/<version>/`. */
export interface FoundModel {
  nameDir: string;
  versionDir: string;
}

interface ModelFamily {
  versions: Map<string, ScoringModel>;
  defaultVersion: string;
}

export class ModelRegistry {
  /** What was skipped or looks wrong, in directory order; the server logs each. */
  readonly warnings: readonly ModelLoadWarning[];
  private readonly families: Map<string, ModelFamily>;

  private constructor(families: Map<string, ModelFamily>, warnings: ModelLoadWarning[]) {
    this.families = families;
    this.warnings = warnings;
  }

  /**
   * Loads every model under the given directories. The first problem, in directory order, is
   * thrown as a ModelLoadError (saying how many more there are); nothing is left loaded then.
   */
  static async load(modelDirs: string[], options: LoadOptions): Promise<ModelRegistry> {
    const { found, warnings } = await findModels(modelDirs);
    const outcomes = await loadFoundModels(found, options);
    const failures = outcomes.filter((o) => 'error' in o);
    const models = outcomes.flatMap((o) => ('model' in o ? [o.model] : []));
    try {
      if (failures.length > 0) {
        const first = failures[0]!.error;
        if (failures.length === 1 || !(first instanceof ModelLoadError)) throw first;
        throw new ModelLoadError(
          first.file,
          first.field,
          `${first.problem} (and ${failures.length - 1} more model problems: npm run validate-models -- <dir> lists them all)`,
        );
      }
      // One at a time, once nothing else loads: each times its own runs (scoring-model.ts).
      for (const model of models) await model.calibrate();
      return ModelRegistry.fromModels(models, warnings);
    } catch (error) {
      await Promise.all(models.map((m) => m.close()));
      throw error;
    }
  }
  /** A registry of loaded model versions; a version loaded twice or two defaults is a ModelLoadError. */
  static fromModels(models: ScoringModel[], warnings: ModelLoadWarning[]): ModelRegistry {
    return new ModelRegistry(familiesOf(models), warnings);
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

  get size(): number {
    return [...this.families.values()].reduce((sum, f) => sum + f.versions.size, 0);
  }

  /** Closes every model once its runs in flight have finished (ScoringModel.close). */
  async close(): Promise<void> {
    const models = [...this.families.values()].flatMap((f) => [...f.versions.values()]);
    await Promise.all(models.map((model) => model.close()));
  }
}

/**
 * Every model version directory under the roots, in order, and what looks like a model but is
 * not one. A directory with a model.onnx and no model.json next to it is an error (it would
 * silently not be served); one with neither is skipped with a warning. Hidden directories
 * (".git", ".ipynb_checkpoints") are skipped without one.
 */
export async function findModels(roots: string[]): Promise<{ found: FoundModel[]; warnings: ModelLoadWarning[] }> {
  const found: FoundModel[] = [];
  const warnings: ModelLoadWarning[] = [];
  for (const root of roots) {
    for (const nameDir of await subdirectories(root)) {
      const flat = await isFile(path.join(nameDir, 'model.json'));
      if (flat) found.push({ nameDir, versionDir: nameDir });
      else await requireNoStrayGraph(nameDir);
      let versions = 0;
      for (const versionDir of await subdirectories(nameDir)) {
        if (await isFile(path.join(versionDir, 'model.json'))) {
          found.push({ nameDir, versionDir });
          versions++;
        } else {
          await requireNoStrayGraph(versionDir);
          // Beside a flat model, other directories (notebooks, assets) are its own business.
          if (!flat) warnings.push({ file: versionDir, message: 'has no model.json, so it is not served; skipped' });
        }
      }
      if (!flat && versions === 0) {
        warnings.push({
          file: nameDir,
          message: 'has no model.json (nor <version>/model.json), so no model is served from it; skipped',
        });
      }
    }
  }
  return { found, warnings };
}

/** Every found model loaded on its own: its model, or the problem that stopped it. */
export async function loadFoundModels(
  found: FoundModel[],
  options: LoadOptions,
): Promise<Array<{ found: FoundModel; model: ScoringModel } | { found: FoundModel; error: unknown }>> {
  const settled = await Promise.allSettled(found.map(({ versionDir }) => loadScoringModel(versionDir, options)));
  return settled.map((outcome, i) => {
    const where = found[i]!;
    if (outcome.status === 'rejected') return { found: where, error: outcome.reason as unknown };
    const model = outcome.value;
    try {
      checkPlacement(model, where);
      return { found: where, model };
    } catch (error) {
      void model.close();
      return { found: where, error };
    }
  });
}

/** The card's name is its directory's name, and in `<name>/<version>/` its version is the version directory's. */
function checkPlacement(model: ScoringModel, { nameDir, versionDir }: FoundModel): void {
  const cardFile = path.join(versionDir, 'model.json');
  if (model.name !== path.basename(nameDir)) {
    throw new ModelLoadError(cardFile, 'name', `"${model.name}" must match its directory "${path.basename(nameDir)}"`);
  }
  if (versionDir !== nameDir && model.version !== path.basename(versionDir)) {
    throw new ModelLoadError(
      cardFile,
      'version',
      `"${model.version}" must match its directory "${path.basename(versionDir)}" ` +
        '(a copied card not bumped, or a misnamed directory: requests for either version would get the other)',
    );
  }
}

/** Groups loaded versions by name; a version loaded twice or two defaults is a ModelLoadError. */
function familiesOf(models: ScoringModel[]): Map<string, ModelFamily> {
  const byName = new Map<string, ScoringModel[]>();
  for (const model of models) {
    const siblings = byName.get(model.name) ?? [];
    const clash = siblings.find((s) => s.version === model.version);
    if (clash) {
      throw new ModelLoadError(
        path.join(model.directory, 'model.json'),
        'version',
        `${model.name} ${model.version} is also loaded from ${clash.directory}`,
      );
    }
    siblings.push(model);
    byName.set(model.name, siblings);
  }
  const families = new Map<string, ModelFamily>();
  for (const [name, versions] of [...byName].sort(([a], [b]) => a.localeCompare(b))) {
    versions.sort((a, b) => compareVersions(a.version, b.version));
    families.set(name, {
      versions: new Map(versions.map((m) => [m.version, m])),
      defaultVersion: pickDefault(versions),
    });
  }
  return families;
}

async function subdirectories(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    throw new ModelLoadError(
      dir,
      undefined,
      `model directory cannot be read (${(error as NodeJS.ErrnoException).code})`,
    );
  }
  return entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort((a, b) => a.localeCompare(b))
    .map((name) => path.join(dir, name));
}

async function requireNoStrayGraph(dir: string): Promise<void> {
  if (await isFile(path.join(dir, 'model.onnx'))) {
    throw new ModelLoadError(
      path.join(dir, 'model.onnx'),
      undefined,
      'has no model.json next to it, so it cannot be served: write its model card (docs/models.md)',
    );
  }
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

function pickDefault(versions: ScoringModel[]): string {
  const { version, marked } = pickDefaultVersion(versions.map((m) => m.card));
  if (marked.length > 1) {
    throw new ModelLoadError(
      path.join(versions.find((m) => m.version === marked[1])!.directory, 'model.json'),
      'default',
      `${versions[0]!.name} versions ${marked.join(' and ')} are all marked default; mark one`,
    );
  }
  return version;
}
