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
  /** What the caller should know about the score (a category the model never saw); absent when nothing. */
  warnings?: RecordWarning[];
};
export type RejectedRecord = { ok: false; code: 'MISSING_FEATURE' | 'INVALID_FEATURE'; message: string };

/** A record scored, but with something its caller should know. */
export interface RecordWarning {
  code: 'UNSEEN_CATEGORY';
  feature: string;
  message: string;
}

/** Per feature, the categories the model was trained on (known-categories.ts); undefined: not checked. */
export type CategorySets = ReadonlyArray<ReadonlySet<string> | undefined>;

/**
 * A record's values in card order, or why it cannot be scored: every missing feature named
 * (so one round trip fixes the mapping), else the first invalid value. A category the caller
 * sent that the model never saw is a warning, not an error: the graph still scores it.
 */
export function resolveRecord(
  features: FeatureSpec[],
  raw: Readonly<Record<string, unknown>>,
  categories?: CategorySets,
): ResolvedRecord | RejectedRecord {
  const values: ModelValue[] = new Array<ModelValue>(features.length);
  let missing: string[] | undefined;
  let invalid: RejectedRecord | undefined;
  let warnings: RecordWarning[] | undefined;
  for (let i = 0; i < features.length; i++) {
    const spec = features[i]!;
    let value = Object.hasOwn(raw, spec.name) ? raw[spec.name] : undefined;
    const sent = value !== undefined && value !== null;
    if (!sent) {
      if (spec.default !== undefined) {
        value = spec.default;
      } else if (spec.allowMissing) {
        values[i] = Number.NaN;
        continue;
      } else {
        (missing ??= []).push(spec.name);
        continue;
      }
    }
    const converted = toModelValue(spec, value);
    if (typeof converted === 'object') {
      invalid ??= converted;
      continue;
    }
    values[i] = converted;
    // Only what the caller sent is checked: the card's own default is its author's choice.
    const known = sent ? categories?.[i] : undefined;
    if (known && !known.has(converted as string)) {
      (warnings ??= []).push(unseenCategory(spec, converted as string, known));
    }
  }
  if (missing) return { ok: false, code: 'MISSING_FEATURE', message: missingMessage(missing) };
  if (invalid) return invalid;
  return warnings ? { ok: true, values, warnings } : { ok: true, values };
}

/** At most this many names or categories in one message; a card may list hundreds. */
const MAX_LISTED = 20;
/** Echoed caller input is cut to this many characters. */
const MAX_ECHO = 100;

function missingMessage(names: string[]): string {
  const listed = names.slice(0, MAX_LISTED).map((n) => `"${n}"`);
  const more = names.length > MAX_LISTED ? ` and ${names.length - MAX_LISTED} more` : '';
  return names.length === 1
    ? `feature ${listed[0]} is missing and the model card gives it no default`
    : `features ${listed.join(', ')}${more} are missing and the model card gives them no default`;
}

function unseenCategory(spec: FeatureSpec, value: string, known: ReadonlySet<string>): RecordWarning {
  const shown = value.length > MAX_ECHO ? `${value.slice(0, MAX_ECHO)}…` : value;
  const listed = [...known]
    .slice(0, MAX_LISTED)
    .map((c) => `"${c}"`)
    .join(', ');
  const more = known.size > MAX_LISTED ? `, and ${known.size - MAX_LISTED} more` : '';
  return {
    code: 'UNSEEN_CATEGORY',
    feature: spec.name,
    message:
      `feature "${spec.name}": "${shown}" is not a category the model was trained on (${listed}${more}); ` +
      'it was scored the way the model treats unknown categories, usually as none of them',
  };
}

/**
 * The value behind a feature as the caller would recognise it (booleans as true and false, a
 * missing value as null), undoing resolveRecord's only conversions so a resolved record need
 * not carry a second copy of its values.
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
  // JSON numbers past ±1.8e308 parse as ±Infinity: say so, not just "number".
  if (typeof value === 'number') return `${value} (out of range)`;
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
