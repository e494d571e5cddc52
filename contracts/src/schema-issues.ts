import leven from 'leven';
import { z } from 'zod';

/**
 * What is wrong with a file checked by a schema (a model card, validate-models' rows file), as
 * its author can act on it: every problem zod found (not only the first), each at its field,
 * and an unknown field named with the fields allowed there (and the one probably meant:
 * `"feature"` → `"features"`), since zod's own words for it, "Unrecognized key", do not say
 * that the rest of the file was fine. The service's boot errors and `sf byom doctor` both
 * describe card problems with it.
 */

/** At most this many problems in one message: a card in the wrong format has one per field. */
const MAX_ISSUES = 20;

export function describeSchemaIssues(issues: readonly z.core.$ZodIssue[], schema: z.ZodType): string {
  const described = issues.slice(0, MAX_ISSUES).map((issue) => {
    const at = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      const allowed = keysAt(schema, issue.path);
      const problem = issue.keys.map((key) => unknownField(key, allowed)).join(', ');
      return `${at || 'top level'}: ${problem}`;
    }
    return at ? `${at}: ${issue.message}` : issue.message;
  });
  const more = issues.length > MAX_ISSUES ? `; and ${issues.length - MAX_ISSUES} more problems` : '';
  return described.join('; ') + more;
}

function unknownField(key: string, allowed: string[] | undefined): string {
  if (!allowed) return `unknown field "${key}"`;
  const meant = closest(key, allowed);
  return meant
    ? `unknown field "${key}" (did you mean "${meant}"?)`
    : `unknown field "${key}" (allowed: ${allowed.join(', ')})`;
}

/** The field names an object schema allows at a path of the value it checks (undefined when not an object). */
function keysAt(schema: z.ZodType, at: readonly PropertyKey[]): string[] | undefined {
  let current: z.ZodType | undefined = schema;
  for (const step of at) {
    current = childSchema(unwrap(current), step);
    if (!current) return undefined;
  }
  const target = unwrap(current);
  if (target instanceof z.ZodObject) return Object.keys(target.shape);
  if (target instanceof z.ZodDiscriminatedUnion) {
    const keys = new Set<string>();
    for (const option of target.options)
      if (option instanceof z.ZodObject) Object.keys(option.shape).forEach((k) => keys.add(k));
    return [...keys];
  }
  return undefined;
}

function childSchema(schema: z.ZodType, step: PropertyKey): z.ZodType | undefined {
  if (schema instanceof z.ZodObject && typeof step === 'string') return schema.shape[step] as z.ZodType | undefined;
  if (schema instanceof z.ZodArray && typeof step === 'number') return schema.element as z.ZodType;
  return undefined;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  while (current instanceof z.ZodOptional || current instanceof z.ZodDefault || current instanceof z.ZodNullable) {
    current = current.unwrap() as z.ZodType;
  }
  return current;
}

/** The allowed name a typo most likely meant: same letters ignoring case, or at most two edits away. */
function closest(key: string, allowed: string[]): string | undefined {
  const lower = key.toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const name of allowed) {
    const distance = name.toLowerCase() === lower ? 0 : leven(lower, name.toLowerCase());
    if (distance <= 2 && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}
