import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ElemType } from '../onnx/onnx-proto.ts';
import type { ModelProto, TypeProto, ValueInfoProto } from '../onnx/onnx-proto.ts';
import { scoreRecords } from '../scoring/score-records.ts';
import type { ModelCard } from '@byom/contracts/model-card';
import { ModelLoadError } from './model-load-error.ts';
import { readModelFile } from './model-file.ts';
import { readCard } from './model-loader.ts';
import { ModelRegistry, findModels, loadFoundModels } from './model-registry.ts';
import type { FoundModel, ModelLoadWarning } from './model-registry.ts';
import type { ScoringModel } from './scoring-model.ts';

/**
 * What `npm run validate-models -- <dir> [--expected rows.json]` checks, without serving:
 * every model under the directory loaded exactly as the service boots it (card, graph,
 * external data, binding, test prediction, name and version directories), each model's
 * graph inputs and outputs as the card uses them, and, given expected rows (the answers of
 * the tool that trained the model), the largest difference from what /v1/score answers.
 * docs/models.md documents the rows file.
 */

/** The rows file: inputs and the answers the training tool gave for them. */
export const ExpectedRows = z
  .object({
    tolerance: z.number().positive().optional().describe('Largest difference accepted; --tolerance overrides it.'),
    rows: z
      .array(
        z
          .object({
            model: z.string().min(1).optional().describe('Required when the directory holds more than one model.'),
            version: z.string().min(1).optional().describe("Omit for the model's default version."),
            id: z.string().min(1).optional(),
            features: z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()])),
            score: z
              .number()
              .optional()
              .describe('The expected score: probability of the positive class, or the mapped value.'),
            value: z.number().optional().describe("Regressors: the expected raw value (the model's prediction)."),
            probabilities: z
              .record(z.string(), z.number())
              .optional()
              .describe('Multiclass: the expected probability of each class, by label.'),
          })
          .strict()
          .refine((row) => row.score !== undefined || row.value !== undefined || row.probabilities !== undefined, {
            message: 'give at least one of score, value or probabilities',
          }),
      )
      .min(1),
  })
  .strict();
export type ExpectedRows = z.infer<typeof ExpectedRows>;

export const DEFAULT_TOLERANCE = 1e-5;

export interface TensorDescription {
  name: string;
  /** "float32", "string", "seq(map(int64, float32))", ... */
  type: string;
  /** Fixed sizes as numbers, named (dynamic) axes as their names, unknown as "?". */
  shape: Array<number | string>;
  /** How the card uses it: which features feed an input, or that an output is the score. */
  use?: string;
}

export interface ExpectedComparison {
  rows: number;
  /** Largest |answer - expected| over score, value and class probabilities. */
  maxError: number;
  /** Where the largest difference is: "row-3 score". */
  worst?: string;
  /** Rows the service could not score, with why (at most 20). */
  failedRows: string[];
  tolerance: number;
  ok: boolean;
}

export interface ModelValidation {
  directory: string;
  name?: string;
  version?: string;
  ok: boolean;
  /** Why the service would not boot with this model. */
  problem?: string;
  /** The graph's external data files, relative to its directory. */
  externalData: string[];
  inputs: TensorDescription[];
  outputs: TensorDescription[];
  expected?: ExpectedComparison;
}

export interface ValidationReport {
  directory: string;
  models: ModelValidation[];
  warnings: ModelLoadWarning[];
  /** Problems that belong to no single model: versions that clash, rows for models not found. */
  problems: string[];
  ok: boolean;
}

export async function validateModels(
  directory: string,
  options: { expected?: ExpectedRows; tolerance?: number },
): Promise<ValidationReport> {
  let found: FoundModel[];
  let warnings: ModelLoadWarning[];
  try {
    ({ found, warnings } = await modelsIn(directory));
  } catch (error) {
    if (!(error instanceof ModelLoadError)) throw error;
    return { directory, models: [], warnings: [], problems: [error.message], ok: false };
  }
  const outcomes = await loadFoundModels(found, { intraOpNumThreads: 1 });
  const problems: string[] = [];
  if (found.length === 0) problems.push(`no model.json found under ${directory}`);
  const loaded = outcomes.flatMap((o) => ('model' in o ? [o.model] : []));
  let registry: ModelRegistry | undefined;
  try {
    registry = ModelRegistry.fromModels(loaded, warnings);
  } catch (error) {
    if (!(error instanceof ModelLoadError)) throw error;
    problems.push(error.message);
    await Promise.all(loaded.map((m) => m.close()));
  }

  try {
    const models = await Promise.all(
      outcomes.map(async (outcome) => {
        const model = 'model' in outcome ? outcome.model : undefined;
        const problem = 'error' in outcome ? describeError(outcome.error) : undefined;
        return describeModel(outcome.found, model, problem);
      }),
    );
    if (options.expected && registry) {
      const tolerance = options.tolerance ?? options.expected.tolerance ?? DEFAULT_TOLERANCE;
      problems.push(...(await compareExpected(registry, models, options.expected, tolerance)));
    }
    const ok = problems.length === 0 && models.every((m) => m.ok && (m.expected?.ok ?? true));
    return { directory, models, warnings, problems, ok };
  } finally {
    await registry?.close();
  }
}

/** A models directory (MODEL_DIR layout), or one model's own directory (the one holding model.json). */
async function modelsIn(directory: string): Promise<{ found: FoundModel[]; warnings: ModelLoadWarning[] }> {
  const card = await readFile(path.join(directory, 'model.json'), 'utf8').catch(() => undefined);
  if (card === undefined) return findModels([directory]);
  let name: unknown;
  try {
    name = (JSON.parse(card) as { name?: unknown }).name;
  } catch {
    // The load reports the broken card.
  }
  const parent = path.dirname(directory);
  // <name>/<version>/model.json when the parent directory is the model's name, else <name>/model.json.
  const nameDir = name === path.basename(parent) ? parent : directory;
  return { found: [{ nameDir, versionDir: directory }], warnings: [] };
}

function describeError(error: unknown): string {
  if (error instanceof ModelLoadError) return error.message;
  return `unexpected error: ${(error as Error).message}`;
}

async function describeModel(
  found: FoundModel,
  model: ScoringModel | undefined,
  problem: string | undefined,
): Promise<ModelValidation> {
  const validation: ModelValidation = {
    directory: found.versionDir,
    ok: model !== undefined,
    externalData: [],
    inputs: [],
    outputs: [],
  };
  // A model that failed to load is still named, and its inputs described, when its card parses.
  const card = model?.card ?? (await readCard(path.join(found.versionDir, 'model.json')).catch(() => undefined));
  if (card) {
    validation.name = card.name;
    validation.version = card.version;
  }
  if (problem) validation.problem = problem;
  // The graph as the file holds it (before the service replaces a ZipMap), described even when the
  // card does not fit it: the inputs and outputs are what the card has to name.
  try {
    const file = await readModelFile(path.join(found.versionDir, 'model.onnx'));
    validation.externalData = file.externalDataFiles;
    const described = describeGraph(file.model, card);
    validation.inputs = described.inputs;
    validation.outputs = described.outputs;
  } catch {
    // Already the model's problem: a file that cannot be read or decoded.
  }
  return validation;
}

function describeGraph(
  model: ModelProto,
  card: ModelCard | undefined,
): { inputs: TensorDescription[]; outputs: TensorDescription[] } {
  const graph = model.graph!;
  // Before IR 4, initializers were listed among the inputs too; they are weights, not inputs.
  const weights = new Set((graph.initializer ?? []).map((t) => t.name));
  const inputs = (graph.input ?? [])
    .filter((i) => !weights.has(i.name))
    .map((i) => describeValue(i, card && inputUse(card, i.name ?? '')));
  const outputs = (graph.output ?? []).map((o) => describeValue(o, card && outputUse(card, o.name ?? '')));
  return { inputs, outputs };
}

function describeValue(value: ValueInfoProto, use: string | undefined): TensorDescription {
  const description: TensorDescription = {
    name: value.name ?? '',
    type: typeName(value.type),
    shape: shapeOf(value.type),
  };
  if (use) description.use = use;
  return description;
}

function inputUse(card: ModelCard, input: string): string | undefined {
  if (card.inputs.style === 'tensor') {
    return card.inputs.name === input
      ? `features ${card.features.map((f) => f.name).join(', ')} (card order)`
      : undefined;
  }
  const feature = card.features.find((f) => (f.input ?? f.name) === input);
  return feature ? `feature ${feature.name} (${feature.type})` : undefined;
}

function outputUse(card: ModelCard, output: string): string | undefined {
  if (card.output.name !== output) return undefined;
  const transform = card.output.transform === 'none' ? '' : `, after ${card.output.transform}`;
  if (card.task === 'regression') return `score: value mapped from [${card.output.range!.join(', ')}] onto [0, 1]`;
  const positive =
    card.output.positiveClass === undefined ? 'the positive class' : `class ${String(card.output.positiveClass)}`;
  return `score: probability of ${positive}${transform}`;
}

function typeName(type: TypeProto | null | undefined): string {
  if (!type) return '?';
  if (type.tensorType) return elementName(type.tensorType.elemType);
  if (type.sequenceType) return `seq(${typeName(type.sequenceType.elemType)})`;
  if (type.mapType) return `map(${elementName(type.mapType.keyType)}, ${typeName(type.mapType.valueType)})`;
  return '?';
}

const ELEMENT_NAMES: Record<number, string> = {
  [ElemType.FLOAT]: 'float32',
  [ElemType.DOUBLE]: 'float64',
  [ElemType.INT64]: 'int64',
  [ElemType.INT32]: 'int32',
  [ElemType.STRING]: 'string',
  [ElemType.BOOL]: 'bool',
  [ElemType.FLOAT16]: 'float16',
  [ElemType.UINT8]: 'uint8',
  [ElemType.INT8]: 'int8',
};

function elementName(code: number | null | undefined): string {
  return ELEMENT_NAMES[code ?? 0] ?? `type ${code ?? '?'}`;
}

function shapeOf(type: TypeProto | null | undefined): Array<number | string> {
  const dims = type?.tensorType?.shape?.dim ?? [];
  return dims.map((d) => (d.dimValue !== undefined && d.dimValue !== null ? Number(d.dimValue) : d.dimParam || '?'));
}

/** Scores every expected row as /v1/score does and records the largest difference per model. */
async function compareExpected(
  registry: ModelRegistry,
  models: ModelValidation[],
  expected: ExpectedRows,
  tolerance: number,
): Promise<string[]> {
  const problems: string[] = [];
  const names = registry.list().map((m) => m.name);
  const groups = new Map<ScoringModel, Array<{ row: ExpectedRows['rows'][number]; id: string }>>();
  expected.rows.forEach((row, index) => {
    const name = row.model ?? (names.length === 1 ? names[0] : undefined);
    const id = row.id ?? `row ${index + 1}`;
    if (name === undefined) {
      problems.push(`${id}: name its model ("model"): the directory holds ${names.length} models`);
      return;
    }
    const model = registry.get(name, row.version);
    if (!model) {
      problems.push(`${id}: no loaded model ${name}${row.version ? ` ${row.version}` : ''}`);
      return;
    }
    const group = groups.get(model) ?? [];
    group.push({ row, id });
    groups.set(model, group);
  });

  for (const [model, rows] of groups) {
    const answer = await scoreRecords(model, {
      records: rows.map(({ row, id }) => ({ id, features: row.features })),
      explain: false,
      topK: 1,
    });
    const byId = new Map(answer.results.map((r) => [r.id, r]));
    const failedRows = answer.errors.slice(0, 20).map((e) => `${e.id}: ${e.code}: ${e.message}`);
    const comparison: ExpectedComparison = { rows: rows.length, maxError: 0, failedRows, tolerance, ok: false };
    const consider = (difference: number, where: string) => {
      if (!(difference <= comparison.maxError)) {
        comparison.maxError = Number.isNaN(difference) ? Infinity : difference;
        comparison.worst = where;
      }
    };
    for (const { row, id } of rows) {
      const result = byId.get(id);
      if (!result) continue;
      if (row.score !== undefined) consider(Math.abs(result.score - row.score), `${id} score`);
      if (row.value !== undefined) consider(Math.abs((result.value ?? Number.NaN) - row.value), `${id} value`);
      for (const [label, probability] of Object.entries(row.probabilities ?? {})) {
        const got = result.probabilities?.find((p) => p.label === label)?.probability ?? Number.NaN;
        consider(Math.abs(got - probability), `${id} probability of ${label}`);
      }
    }
    comparison.ok = answer.errors.length === 0 && comparison.maxError <= tolerance;
    const validation = models.find((m) => m.name === model.name && m.version === model.version);
    if (validation) validation.expected = comparison;
  }
  return problems;
}
