import type { FeatureSpec } from '@byom/contracts/model-card';
import type { ModelRegistry } from '../models/model-registry.ts';
import type { ScoringModel } from '../models/scoring-model.ts';
import { LEAD_EXAMPLE } from './lead-example.ts';
import { scoreRecords } from './score-records.ts';

/**
 * A /v1/score request that works for a loaded model, for the development banner: one record
 * built from the model's card (each feature at its baseline, else its default, else a value
 * its type and range accept), checked by scoring it before it is printed.
 */

export interface ExampleRequest {
  model: string;
  version?: string;
  explain?: boolean;
  improve?: boolean;
  topK?: number;
  records: Array<{ id: string; features: Record<string, number | string | boolean | null> }>;
}

/** One record for a model, from its card. */
function exampleRequest(model: ScoringModel): ExampleRequest {
  const features: ExampleRequest['records'][number]['features'] = {};
  model.card.features.forEach((spec, i) => {
    features[spec.name] = exampleValue(spec, model.categories[i]);
  });
  return { model: model.name, version: model.version, records: [{ id: 'example-1', features }] };
}

function exampleValue(spec: FeatureSpec, known: ReadonlySet<string> | undefined): number | string | boolean | null {
  const preset = spec.baseline ?? spec.default;
  if (preset !== undefined && fits(spec, preset)) return preset;
  if (spec.allowMissing) return null;
  switch (spec.type) {
    case 'boolean':
      return false;
    case 'category':
      return spec.categories?.[0] ?? (known ? [...known][0] : undefined) ?? '';
    case 'number':
    case 'integer': {
      const low = spec.min ?? Math.min(0, spec.max ?? 0);
      return spec.type === 'integer' ? Math.ceil(low) : low;
    }
  }
}

function fits(spec: FeatureSpec, value: number | string | boolean): boolean {
  if (spec.type === 'boolean') return typeof value === 'boolean';
  if (spec.type === 'category') return typeof value === 'string';
  if (typeof value !== 'number' || (spec.type === 'integer' && !Number.isInteger(value))) return false;
  return (spec.min === undefined || value >= spec.min) && (spec.max === undefined || value <= spec.max);
}

/**
 * The request to show: for the first model not bundled with the service (the one a developer
 * brought with MODEL_DIR), else the bundled lead-scoring example, else any model's. Each
 * candidate is scored first; the first that comes back with a score and no error is returned.
 */
export async function workingExample(
  registry: ModelRegistry,
  bundledDir: string,
): Promise<{ request: ExampleRequest; model: ScoringModel } | undefined> {
  const defaults = registry.list().map((m) => registry.get(m.name)!);
  const own = defaults.filter((m) => !m.directory.startsWith(bundledDir));
  const lead = defaults.find((m) => m.name === LEAD_EXAMPLE.model && m.directory.startsWith(bundledDir));
  const others = defaults.filter((m) => m !== lead && !own.includes(m));
  for (const model of [...own, ...(lead ? [lead] : []), ...others]) {
    const request: ExampleRequest = model === lead ? LEAD_EXAMPLE : exampleRequest(model);
    const answer = await scoreRecords(model, {
      records: request.records,
      explain: request.explain ?? false,
      improve: request.improve ?? false,
      topK: request.topK ?? 5,
    });
    if (answer.results.length === request.records.length && answer.errors.length === 0) return { request, model };
  }
  return undefined;
}
