/**
 * The feature mapping of an AI Model Endpoint (AI_Model_Endpoint__mdt.Feature_Mapping__c):
 * a non-empty JSON list of entries, each naming a model `feature`, the record `field` it
 * reads (`Industry`, or a parent's field such as `Account.Industry`), an optional
 * `transform` and an optional scalar `default`, no feature twice. Apex reads it with
 * AiFeatureMapping.parseAll and resolve; `sf byom doctor`, `sf byom model train` and the
 * trainer read it here, with the same rules and the same words. docs/admin-guide.md
 * documents it for admins.
 */

/** How a field value becomes a feature value (AiFeatureMapping.FeatureTransform). */
export const FEATURE_TRANSFORMS = ['VALUE', 'IS_BLANK', 'NOT_BLANK', 'DAYS_SINCE'] as const;
export type FeatureTransform = (typeof FEATURE_TRANSFORMS)[number];

/** SOQL follows at most five child-to-parent relationships in one field path (AiFeatureMapping.resolve). */
export const MAX_RELATIONSHIP_DEPTH = 5;

/** One entry, checked: names trimmed, the transform in capitals, a null default left out. */
export interface FeatureMappingEntry {
  feature: string;
  field: string;
  transform: FeatureTransform;
  default?: string | number | boolean;
}

export interface ParsedFeatureMapping {
  /** The entries without a problem, in the order written. */
  entries: FeatureMappingEntry[];
  /** Every problem, so all of them can be fixed at once; empty when Apex would accept the mapping. */
  problems: string[];
  /** For JSON that does not parse: where, as a line and column of the JSON text (1-based). */
  syntaxError?: { line: number; column: number; problem: string };
}

/** Reads a Feature_Mapping__c value (the JSON text) as Apex does. */
export function parseFeatureMapping(json: string | null | undefined): ParsedFeatureMapping {
  const entries: FeatureMappingEntry[] = [];
  const problems: string[] = [];
  if (json === undefined || json === null || json.trim() === '')
    return { entries, problems: ['Feature_Mapping__c is empty: map at least one feature'] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    const syntaxError = locateSyntaxError(json, (error as Error).message);
    return { entries, problems: [`Feature_Mapping__c is not valid JSON: ${syntaxError.problem}`], syntaxError };
  }
  if (!Array.isArray(parsed)) {
    return {
      entries,
      problems: ['Feature_Mapping__c must be a JSON list such as [{"feature":"Industry","field":"Industry"}]'],
    };
  }
  if (parsed.length === 0)
    return { entries, problems: ['Feature_Mapping__c is an empty list: map at least one feature'] };
  const seen = new Set<string>();
  parsed.forEach((item: unknown, index) => {
    const entry = parseEntry(item, index, seen);
    if (typeof entry === 'string') problems.push(entry);
    else entries.push(entry);
  });
  return { entries, problems };
}

/** The feature type a transform always sends; undefined for VALUE, where the field's type decides. */
export function transformFeatureType(transform: FeatureTransform): 'boolean' | 'integer' | undefined {
  switch (transform) {
    case 'IS_BLANK':
    case 'NOT_BLANK':
      return 'boolean';
    case 'DAYS_SINCE':
      return 'integer';
    case 'VALUE':
      return undefined;
  }
}

/** One entry, or what is wrong with it. `seen` collects the feature names so far. */
function parseEntry(item: unknown, index: number, seen: Set<string>): FeatureMappingEntry | string {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    return `entry ${index + 1} must be an object with "feature" and "field"`;
  }
  const raw = item as Record<string, unknown>;
  const feature = text(raw.feature);
  const field = text(raw.field);
  if (!feature) return `entry ${index + 1} needs a "feature" name`;
  if (!field) return `feature "${feature}" needs a "field"`;
  if (seen.has(feature)) return `feature "${feature}" is mapped twice`;
  seen.add(feature);
  // `Account.Owner.Name` is two relationships and a field: every part but the last is one.
  if (field.split('.').length - 1 > MAX_RELATIONSHIP_DEPTH) {
    return `feature "${feature}": "${field}" goes more than ${MAX_RELATIONSHIP_DEPTH} relationships deep`;
  }
  const transform = (text(raw.transform) ?? 'VALUE').toUpperCase();
  if (!isTransform(transform)) {
    return `feature "${feature}": unknown transform "${String(raw.transform)}" (use ${FEATURE_TRANSFORMS.join(', ')})`;
  }
  const entry: FeatureMappingEntry = { feature, field, transform };
  if (raw.default !== undefined && raw.default !== null) {
    if (typeof raw.default === 'object') return `feature "${feature}": "default" must be a number, text or true/false`;
    entry.default = raw.default as string | number | boolean;
  }
  return entry;
}

function isTransform(name: string): name is FeatureTransform {
  return (FEATURE_TRANSFORMS as readonly string[]).includes(name);
}

/** Apex's String.valueOf, trimmed; undefined for null and blank text. */
function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const trimmed = String(value).trim();
  return trimmed === '' ? undefined : trimmed;
}

/**
 * V8 says `Unexpected token ',' … in JSON at position 31 (line 2 column 26)`: keep what is
 * wrong, and turn the position into a line and column of the JSON text, which a caller maps
 * onto the file it came from (sf byom doctor reports the line of the XML file).
 */
function locateSyntaxError(json: string, message: string): { line: number; column: number; problem: string } {
  const problem = message.replace(/\s*(in JSON )?at position \d+(\s*\(line \d+ column \d+\))?/, '').trim();
  const position = Number(/at position (\d+)/.exec(message)?.[1] ?? json.length);
  const before = json.slice(0, position).split('\n');
  return { line: before.length, column: before.at(-1)!.length + 1, problem };
}
