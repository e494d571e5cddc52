/**
 * An AI_Model_Endpoint__mdt Feature_Mapping__c value, read with the rules Apex applies
 * (force-app's AiFeatureMapping.parseAll): a non-empty JSON list of entries, each with a
 * `feature` and a `field`, an optional `transform` and an optional scalar `default`, no
 * feature twice. Problems are returned, not thrown, so doctor can report all of them.
 */

export type FeatureTransform = 'VALUE' | 'IS_BLANK' | 'NOT_BLANK' | 'DAYS_SINCE';

export const FEATURE_TRANSFORMS: readonly FeatureTransform[] = ['VALUE', 'IS_BLANK', 'NOT_BLANK', 'DAYS_SINCE'];

export interface FeatureMappingEntry {
  feature: string;
  field: string;
  transform: FeatureTransform;
  default?: string | number | boolean;
}

export interface ParsedFeatureMapping {
  entries: FeatureMappingEntry[];
  problems: string[];
  /** For JSON that does not parse: where, as a line and column of the JSON text (1-based). */
  syntaxError?: { line: number; column: number; problem: string };
}

export function parseFeatureMapping(json: string | undefined): ParsedFeatureMapping {
  const entries: FeatureMappingEntry[] = [];
  const problems: string[] = [];
  if (json === undefined || json.trim() === '')
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
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      problems.push(`entry ${index + 1} must be an object with "feature" and "field"`);
      return;
    }
    const raw = item as Record<string, unknown>;
    const feature = text(raw.feature);
    const field = text(raw.field);
    if (!feature) {
      problems.push(`entry ${index + 1} needs a "feature" name`);
      return;
    }
    if (!field) {
      problems.push(`feature "${feature}" needs a "field"`);
      return;
    }
    if (seen.has(feature)) {
      problems.push(`feature "${feature}" is mapped twice`);
      return;
    }
    seen.add(feature);
    const transform = (text(raw.transform) ?? 'VALUE').toUpperCase();
    if (!FEATURE_TRANSFORMS.includes(transform as FeatureTransform)) {
      problems.push(
        `feature "${feature}": unknown transform "${String(raw.transform)}" (use ${FEATURE_TRANSFORMS.join(', ')})`,
      );
      return;
    }
    const entry: FeatureMappingEntry = { feature, field, transform: transform as FeatureTransform };
    if (raw.default !== undefined && raw.default !== null) {
      if (typeof raw.default === 'object') {
        problems.push(`feature "${feature}": "default" must be a number, text or true/false`);
        return;
      }
      entry.default = raw.default as string | number | boolean;
    }
    entries.push(entry);
  });
  return { entries, problems };
}

/**
 * V8 says `Unexpected token ',' … in JSON at position 31 (line 2 column 26)`: keep what is
 * wrong, and turn the position into a line and column of the JSON text, which the caller maps
 * onto the file it came from.
 */
function locateSyntaxError(json: string, message: string): { line: number; column: number; problem: string } {
  const problem = message.replace(/\s*(in JSON )?at position \d+(\s*\(line \d+ column \d+\))?/, '').trim();
  const position = Number(/at position (\d+)/.exec(message)?.[1] ?? json.length);
  const before = json.slice(0, position).split('\n');
  return { line: before.length, column: before.at(-1)!.length + 1, problem };
}

function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const trimmed = String(value).trim();
  return trimmed === '' ? undefined : trimmed;
}
