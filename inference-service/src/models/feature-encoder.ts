import type { FeatureSpec } from '@byom/contracts/model-card';

/**
 * Turns request features into ONNX input tensors, as the model card describes.
 * Validation happens per record so one bad record becomes a per-record error and the
 * rest of the request is still scored.
 */

/** What the model sees for one feature: a number (booleans as 1/0, NaN for imputed-missing) or a string. */
export type ModelValue = number | string;
/** What a request may send for one feature. */
export type RequestValue = number | string | boolean | null;

export type ResolvedRecord = {
  ok: true;
  /** Model-space values in card feature order. */
  values: ModelValue[];
};
export type RejectedRecord = { ok: false; code: 'MISSING_FEATURE' | 'INVALID_FEATURE'; message: string };

export function resolveRecord(
  features: FeatureSpec[],
  raw: Readonly<Record<string, unknown>>,
): ResolvedRecord | RejectedRecord {
  const values: ModelValue[] = new Array<ModelValue>(features.length);
  for (let i = 0; i < features.length; i++) {
    const spec = features[i]!;
    let value = Object.hasOwn(raw, spec.name) ? raw[spec.name] : undefined;
    if (value === undefined || value === null) {
      if (spec.default !== undefined) {
        value = spec.default;
      } else if (spec.allowMissing) {
        values[i] = Number.NaN;
        continue;
      } else {
        return {
          ok: false,
          code: 'MISSING_FEATURE',
          message: `feature "${spec.name}" is missing and the model card gives it no default`,
        };
      }
    }
    const converted = toModelValue(spec, value);
    if (typeof converted === 'object') return converted;
    values[i] = converted;
  }
  return { ok: true, values };
}

/**
 * The value behind a feature as the caller would recognise it: booleans as true and false,
 * a missing value as null, a default as the default. Worked out from the model value (the
 * only conversions resolveRecord makes are booleans to 1/0 and missing to NaN), so a
 * resolved record need not carry a second copy of its values.
 */
export function requestValue(spec: FeatureSpec, value: ModelValue): RequestValue {
  if (typeof value === 'number' && Number.isNaN(value)) return null;
  if (spec.type === 'boolean') return value === 1;
  return value;
}

function toModelValue(spec: FeatureSpec, value: unknown): ModelValue | RejectedRecord {
  switch (spec.type) {
    case 'number':
    case 'integer': {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        return invalid(spec, `must be a ${spec.type}, got ${describe(value)}`);
      }
      if (spec.type === 'integer' && !Number.isInteger(value)) {
        return invalid(spec, `must be an integer, got ${value}`);
      }
      if (spec.min !== undefined && value < spec.min)
        return invalid(spec, `must be at least ${spec.min}, got ${value}`);
      if (spec.max !== undefined && value > spec.max) return invalid(spec, `must be at most ${spec.max}, got ${value}`);
      return value;
    }
    case 'boolean':
      if (typeof value !== 'boolean') return invalid(spec, `must be true or false, got ${describe(value)}`);
      return value ? 1 : 0;
    case 'category':
      if (typeof value !== 'string') return invalid(spec, `must be a string, got ${describe(value)}`);
      if (value.length > MAX_CATEGORY_LENGTH) return invalid(spec, `is longer than ${MAX_CATEGORY_LENGTH} characters`);
      return value;
  }
}

function invalid(spec: FeatureSpec, problem: string): RejectedRecord {
  return { ok: false, code: 'INVALID_FEATURE', message: `feature "${spec.name}" ${problem}` };
}

/** Salesforce text fields top out far below this; longer values are not categories. */
const MAX_CATEGORY_LENGTH = 10_000;

function describe(value: unknown): string {
  if (typeof value === 'string') return `string "${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  if (Array.isArray(value)) return 'an array';
  return value === null ? 'null' : typeof value;
}

/** The explanation reference of a feature, in model space (see docs/explanations.md). */
export function baselineValue(spec: FeatureSpec): ModelValue {
  const reference = spec.baseline ?? spec.default;
  if (reference !== undefined) {
    if (typeof reference === 'boolean') return reference ? 1 : 0;
    return reference;
  }
  if (spec.allowMissing) return Number.NaN;
  switch (spec.type) {
    case 'boolean':
    case 'number':
    case 'integer':
      return 0;
    case 'category':
      return spec.categories?.[0] ?? '';
  }
}

export type InputDataType = 'float32' | 'float64' | 'int64' | 'int32' | 'string';

/** How one ONNX input is filled: which features, in which order, with what element type and rank. */
export interface InputBinding {
  inputName: string;
  dataType: InputDataType;
  /** Feature indexes (card order) written into this input, one column each. */
  featureIndexes: number[];
  /** 1 for [N] inputs, 2 for [N, columns] inputs. */
  rank: 1 | 2;
}
