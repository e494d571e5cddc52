import type { PiiValue } from '../domain.ts';
import { detectionViews } from './detection-views.ts';
import type { PiiFinding } from './detectors.ts';

/**
 * Finds the values Apex marks as PII (by field) wherever they appear as whole words, however
 * they are joined or cased: `O'Brien` also matches `O’Brien`, `o'brien` and `OBrien`;
 * `Mary-Jane` matches `Mary Jane`, `mary_jane`, `Mary.Jane` and `MaryJane`; zero-width
 * characters, markup and look-alike characters are already gone from the detection views
 * this runs on.
 *
 * Both the value and the text are reduced to a skeleton: joining characters (whitespace,
 * hyphens, underscores, dots and apostrophes of every kind) dropped, letters lower-cased. A
 * value matches where its skeleton occurs in the text's skeleton starting and ending on word
 * boundaries of the text.
 *
 * Cost: building the text's skeleton is linear; each value is then found with
 * `String.prototype.indexOf`, so k values cost O(n·k) character comparisons on n characters
 * of text (the schema caps k at 1,000 and the body at 10 MB). Measured, indexOf is about 20
 * times cheaper than an Aho–Corasick automaton for the handful of values a template marks,
 * which is the common case.
 */

/** A field value shorter than this (in skeleton characters) identifies no one, and masking every "A" would mangle the text. */
const MIN_FIELD_VALUE_LENGTH = 2;

export interface FieldSpan extends PiiFinding {
  type: 'FIELD';
  /** The placeholder label derived from the field name. */
  label: string;
}

export interface FieldMatcher {
  /** Every occurrence of every marked value in a detection view's text, as whole words; overlapping ones included. */
  find(text: string): FieldSpan[];
  labels: string[];
}

interface FieldPattern {
  skeleton: string;
  label: string;
  /** Whether the value starts / ends with a letter or digit, so a word boundary must be there. */
  wordStart: boolean;
  wordEnd: boolean;
}

export function fieldMatcher(pii: PiiValue[]): FieldMatcher {
  const patterns = new Map<string, FieldPattern>();
  for (const { field, value } of pii) {
    // The value is read the way the text is: markup decoded, characters folded.
    const folded = detectionViews(value)[0]!.text;
    const skeleton = skeletonOf(folded).text;
    if (skeleton.length < MIN_FIELD_VALUE_LENGTH || patterns.has(skeleton)) continue;
    const trimmed = folded.replace(JOINS_AT_ENDS, '');
    patterns.set(skeleton, {
      skeleton,
      label: fieldLabel(field),
      wordStart: isWordCodePoint(trimmed.codePointAt(0) ?? 0),
      wordEnd: isWordCodePoint(codePointBefore(trimmed, trimmed.length)),
    });
  }
  const list = [...patterns.values()];
  return {
    labels: [...new Set(list.map((pattern) => pattern.label))],
    find(text) {
      if (list.length === 0) return [];
      const skeleton = skeletonOf(text);
      const spans: FieldSpan[] = [];
      for (const pattern of list) {
        for (
          let at = skeleton.text.indexOf(pattern.skeleton);
          at >= 0;
          at = skeleton.text.indexOf(pattern.skeleton, at + 1)
        ) {
          const start = skeleton.start[at]!;
          const end = characterEnd(text, skeleton.start[at + pattern.skeleton.length - 1]!);
          if (pattern.wordStart && isWordCodePoint(codePointBefore(text, start))) continue;
          if (pattern.wordEnd && isWordCodePoint(text.codePointAt(end) ?? 0)) continue;
          spans.push({ type: 'FIELD', start, end, label: pattern.label });
        }
      }
      return spans;
    },
  };
}

/** `Lead.FirstName` → FIRST_NAME, `Contact.Mobile_Phone__c` → MOBILE_PHONE; FIELD when nothing usable is left. */
export function fieldLabel(field: string): string {
  const last = field.split('.').at(-1) ?? '';
  const label = last
    .replace(/__[a-z]+$/i, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toUpperCase()
    .slice(0, 30)
    .replace(/_+$/, '');
  return /^[A-Z][A-Z0-9_]*$/.test(label) ? label : 'FIELD';
}

/** Whitespace, hyphens, underscores, dots and the apostrophes (straight, curly, modifier letter, grave, acute, prime). */
const JOIN_CHARS = String.raw`[\s\-_.'\u2018\u2019\u201b\u02bc\u02b9\u0060\u00b4\u2032]`;
const JOIN = new RegExp(`^${JOIN_CHARS}$`, 'u');
const JOINS_AT_ENDS = new RegExp(`^${JOIN_CHARS}+|${JOIN_CHARS}+$`, 'gu');
const WORD_CHAR = /^[\p{L}\p{N}]$/u;
const MARKS = /\p{M}/gu;

interface Skeleton {
  text: string;
  /** For each code unit of the skeleton: where its character starts in the text it was made from. */
  start: Int32Array;
}

/** ASCII code units a skeleton drops: whitespace, hyphen, underscore, dot, apostrophe, grave accent. */
const ASCII_JOINS = new Uint8Array(128);
for (const char of " \t\n\r\v\f-_.'`") ASCII_JOINS[char.charCodeAt(0)] = 1;

const lowered = new Map<number, string>();

/** Lower case, joins dropped; each skeleton code unit remembers where its character was. */
function skeletonOf(text: string): Skeleton {
  let out = '';
  let start = new Int32Array(text.length + 1);
  let length = 0;
  for (let i = 0; i < text.length;) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) {
      if (ASCII_JOINS[unit] === 0) {
        out += unit >= 65 && unit <= 90 ? String.fromCharCode(unit + 32) : text[i];
        start[length++] = i;
      }
      i++;
      continue;
    }
    const codePoint = text.codePointAt(i)!;
    const lower = lowerForSkeleton(codePoint);
    if (length + lower.length > start.length) {
      // Lower-casing can lengthen a character (İ → i̇, before its mark is dropped).
      const grown = new Int32Array(start.length * 2 + lower.length);
      grown.set(start);
      start = grown;
    }
    for (let u = 0; u < lower.length; u++) start[length++] = i;
    out += lower;
    i += codePoint > 0xffff ? 2 : 1;
  }
  return { text: out, start: start.subarray(0, length) };
}

function lowerForSkeleton(codePoint: number): string {
  let lower = lowered.get(codePoint);
  if (lower === undefined) {
    const char = String.fromCodePoint(codePoint);
    // Decomposed first, so an accented letter reads as its base letter (José matches JOSE).
    lower = JOIN.test(char) ? '' : char.normalize('NFD').toLowerCase().replace(MARKS, '');
    lowered.set(codePoint, lower);
  }
  return lower;
}

/** Where the character starting at `index` ends. */
function characterEnd(text: string, index: number): number {
  const unit = text.charCodeAt(index);
  return unit >= 0xd800 && unit <= 0xdbff ? index + 2 : index + 1;
}

const wordChars = new Map<number, boolean>();

function isWordCodePoint(codePoint: number): boolean {
  if (codePoint < 0x80) {
    return (
      (codePoint >= 48 && codePoint <= 57) ||
      (codePoint >= 65 && codePoint <= 90) ||
      (codePoint >= 97 && codePoint <= 122)
    );
  }
  let word = wordChars.get(codePoint);
  if (word === undefined) {
    word = WORD_CHAR.test(String.fromCodePoint(codePoint));
    wordChars.set(codePoint, word);
  }
  return word;
}

function codePointBefore(text: string, index: number): number {
  if (index === 0) return 0;
  const low = text.charCodeAt(index - 1);
  if (low >= 0xdc00 && low <= 0xdfff && index >= 2) return text.codePointAt(index - 2)!;
  return low;
}
