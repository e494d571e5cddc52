import { compareBuild, valid } from 'semver';

/**
 * How the versions of one model are ordered, and which one serves a request that names no
 * version. The service (ModelRegistry), the trainer (the default it reports after adding a
 * version) and `sf byom` (doctor, model train and eval) all follow these two rules.
 */

/**
 * Orders versions as semver does when both are semver ("2.0.0-rc.1" before "2.0.0", "1.10.0"
 * after "1.9.2", build metadata last, numeric identifiers as numbers). Versions that are not
 * semver ("3.1", "2024-06-01") compare segment by segment: numbers as numbers, the rest as text.
 */
export function compareVersions(a: string, b: string): number {
  if (valid(a) && valid(b)) return compareBuild(a, b);
  return compareSegments(a, b);
}

function compareSegments(a: string, b: string): number {
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

export interface DefaultVersion {
  /** The version served when a request names none: the one marked default, else the highest. */
  version: string;
  /** Every version whose card says `"default": true`, lowest first. More than one is a mistake the service refuses to start with. */
  marked: string[];
}

/** The default version of a model from its versions' cards (`version` and `default`), in any order. */
export function pickDefaultVersion(
  cards: ReadonlyArray<{ readonly version: string; readonly default?: boolean | undefined }>,
): DefaultVersion {
  if (cards.length === 0) throw new RangeError('a model has at least one version');
  const versions = cards.map((card) => card.version).sort(compareVersions);
  const marked = cards
    .filter((card) => card.default === true)
    .map((card) => card.version)
    .sort(compareVersions);
  return { version: marked[0] ?? versions[versions.length - 1]!, marked };
}
