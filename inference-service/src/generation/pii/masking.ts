import type { PiiType, PiiValue } from '../domain.ts';
import { detectPii } from './detectors.ts';
import type { PiiFinding } from './detectors.ts';

/**
 * Field-aware PII masking for one request. The values Apex marks (by field) and what the
 * detectors find in free text are replaced by placeholders such as `[EMAIL_1]` or
 * `[FIRST_NAME_1]` before any provider sees the text; the placeholders in the answer are
 * put back afterwards. The vault lives and dies with the request, so a placeholder can only
 * ever be restored to a value the same caller sent.
 *
 * Placeholders are `[LABEL_N]`: LABEL is the kind of value (EMAIL, PHONE, CARD, IBAN, SSN,
 * IP) or, for a field Apex marks, the field's name (`Lead.FirstName` → FIRST_NAME), which
 * tells the model what the value was without telling it the value. Each distinct value
 * (exactly as written) gets one placeholder, used everywhere it appears in the request.
 */

export const DETECTED_LABELS: Record<Exclude<PiiType, 'FIELD'>, string> = {
  EMAIL: 'EMAIL',
  PHONE: 'PHONE',
  CARD: 'CARD',
  IBAN: 'IBAN',
  SSN: 'SSN',
  IP: 'IP',
};

/** A field value shorter than this identifies no one, and masking every "A" would mangle the text. */
export const MIN_FIELD_VALUE_LENGTH = 2;

/** Which kind wins when spans of equal length overlap: the caller's own marking first. */
const PRIORITY: Record<PiiType, number> = { FIELD: 0, EMAIL: 1, IBAN: 2, CARD: 3, SSN: 4, IP: 5, PHONE: 6 };

/**
 * Placeholder-like tokens: `[LABEL_N]` with tolerance for what models do to them (spaces
 * inside the brackets, lower case, a space or hyphen for the underscore), or the bare
 * `LABEL_N` when a model drops the brackets.
 */
const PLACEHOLDER_TOKEN = /\[\s*([A-Za-z][A-Za-z0-9_]*?)[\s_-]?(\d+)\s*\]|\b([A-Za-z][A-Za-z0-9_]*?)_(\d+)\b/g;

/** Placeholders exactly as the vault writes them. */
const ISSUED_PLACEHOLDER = /\[([A-Z][A-Z0-9_]*_\d+)\]/g;

export class MaskingError extends Error {
  override name = 'MaskingError';
}

export interface MaskingReport {
  total: number;
  byType: Partial<Record<PiiType, number>>;
}

export interface RestoredText {
  text: string;
  /** Placeholder-like tokens with one of this request's labels that were never issued: the model made them up. */
  invented: string[];
}

/** The placeholders of one request and the values behind them. */
export class PlaceholderVault {
  private readonly byValue = new Map<string, string>();
  private readonly byToken = new Map<string, { value: string; type: PiiType }>();
  private readonly counters = new Map<string, number>();
  /** Tokens that already appear in the caller's text: never issued, never restored, never "invented". */
  private readonly reserved: Set<string>;
  /** Labels this request may use; a made-up token is only recognised with one of these. */
  private readonly labels: Set<string>;
  private readonly counts: Partial<Record<PiiType, number>> = {};

  constructor(reserved: Set<string>, labels: Iterable<string>) {
    this.reserved = reserved;
    this.labels = new Set(labels);
  }

  /** The placeholder for `value`, issuing the next free number for `label` the first time. */
  placeholderFor(value: string, type: PiiType, label: string): string {
    const key = `${label}\u0000${value}`;
    const known = this.byValue.get(key);
    if (known !== undefined) return known;
    let n = this.counters.get(label) ?? 0;
    let token: string;
    do {
      n++;
      token = `${label}_${n}`;
    } while (this.reserved.has(token) || this.byToken.has(token));
    this.counters.set(label, n);
    const placeholder = `[${token}]`;
    this.byValue.set(key, placeholder);
    this.byToken.set(token, { value, type });
    this.labels.add(label);
    this.counts[type] = (this.counts[type] ?? 0) + 1;
    return placeholder;
  }

  /** Whether `span` covers any character of a placeholder this vault issued. */
  overlapsPlaceholder(text: string, span: { start: number; end: number }): boolean {
    for (const match of text.matchAll(ISSUED_PLACEHOLDER)) {
      const end = match.index + match[0].length;
      if (match.index < span.end && span.start < end && this.byToken.has(match[1]!)) return true;
    }
    return false;
  }

  get size(): number {
    return this.byToken.size;
  }

  report(): MaskingReport {
    return { total: this.byToken.size, byType: { ...this.counts } };
  }

  /**
   * Puts the values back in a model's answer. Tokens this request never issued are left as
   * they are, so a value can only come back into the answer if this caller sent it.
   */
  restore(text: string): RestoredText {
    const invented: string[] = [];
    const restored = text.replace(
      PLACEHOLDER_TOKEN,
      (match, bracketLabel?: string, bracketN?: string, bareLabel?: string, bareN?: string) => {
        const label = (bracketLabel ?? bareLabel)!.toUpperCase();
        const token = `${label}_${Number(bracketN ?? bareN)}`;
        const entry = this.byToken.get(token);
        if (entry !== undefined) return entry.value;
        if (this.labels.has(label) && !this.reserved.has(token)) invented.push(match);
        return match;
      },
    );
    return { text: restored, invented };
  }

  /** Restores every string (keys included) in a parsed JSON answer. */
  restoreJson(value: unknown, invented: string[] = []): { value: unknown; invented: string[] } {
    const walk = (node: unknown): unknown => {
      if (typeof node === 'string') {
        const result = this.restore(node);
        invented.push(...result.invented);
        return result.text;
      }
      if (Array.isArray(node)) return node.map(walk);
      if (node !== null && typeof node === 'object') {
        return Object.fromEntries(Object.entries(node).map(([k, v]) => [walk(k) as string, walk(v)]));
      }
      return node;
    };
    return { value: walk(value), invented };
  }
}

export interface MaskedMessages<M extends { content: string }> {
  messages: M[];
  vault: PlaceholderVault;
}

/** Masking passes before giving up: each pass can only shrink what is left to mask. */
const MAX_PASSES = 3;

/**
 * Masks every message's content. Masking a value can change what its neighbours look like
 * (in "x@acme.io123-45-6789", the email only ends where the masked SSN begins), so the
 * masked text is scanned again and masked again, up to three passes. Throws MaskingError
 * when something is still found after that, or when a later find would cut into a
 * placeholder: the caller must refuse the request rather than send it on (fail closed).
 */
export function maskMessages<M extends { content: string }>(messages: M[], pii: PiiValue[]): MaskedMessages<M> {
  const fields = fieldMatcher(pii);
  const labels = [...Object.values(DETECTED_LABELS), 'FIELD', ...fields.labels];
  const vault = new PlaceholderVault(reservedTokens(messages, labels), labels);
  let contents = messages.map((message) => message.content);
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    let changed = false;
    contents = contents.map((text) => {
      const spans = findSpans(text, fields);
      if (spans.length === 0) return text;
      // Never include the value: the error message may be logged.
      if (pass > 0 && spans.some((span) => vault.overlapsPlaceholder(text, span))) {
        throw new MaskingError('a value found after masking overlaps a placeholder');
      }
      changed = true;
      return replaceSpans(text, spans, vault);
    });
    if (!changed) return { messages: messages.map((m, i) => ({ ...m, content: contents[i]! })), vault };
  }
  const leftover = contents.flatMap((text) => findSpans(text, fields))[0];
  if (leftover !== undefined) throw new MaskingError(`a ${leftover.type} value survived masking`);
  return { messages: messages.map((m, i) => ({ ...m, content: contents[i]! })), vault };
}

function replaceSpans(text: string, spans: Span[], vault: PlaceholderVault): string {
  let out = '';
  let last = 0;
  for (const span of spans) {
    out += text.slice(last, span.start);
    const value = text.slice(span.start, span.end);
    const label = span.type === 'FIELD' ? span.label! : DETECTED_LABELS[span.type];
    out += vault.placeholderFor(value, span.type, label);
    last = span.end;
  }
  return out + text.slice(last);
}

interface Span extends PiiFinding {
  /** For FIELD spans: the placeholder label derived from the field name. */
  label?: string;
}

/**
 * Field matches and detector findings, overlaps merged so that every character any of
 * them matched is masked; a merged span takes the kind of its longest member.
 */
function findSpans(text: string, fields: FieldMatcher): Span[] {
  const found: Span[] = fields.find(text);
  found.push(...detectPii(text));
  if (found.length <= 1) return found;
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: Span[] = [];
  let current: Span = { ...found[0]! };
  let best: Span = found[0]!;
  for (const span of found.slice(1)) {
    if (span.start < current.end) {
      current.end = Math.max(current.end, span.end);
      if (outranks(span, best)) best = span;
      continue;
    }
    merged.push(withKind(current, best));
    current = { ...span };
    best = span;
  }
  merged.push(withKind(current, best));
  return merged;
}

function outranks(a: Span, b: Span): boolean {
  const lengthA = a.end - a.start;
  const lengthB = b.end - b.start;
  return lengthA !== lengthB ? lengthA > lengthB : PRIORITY[a.type] < PRIORITY[b.type];
}

function withKind(span: Span, kind: Span): Span {
  return { start: span.start, end: span.end, type: kind.type, ...(kind.label ? { label: kind.label } : {}) };
}

export interface FieldMatcher {
  /** Every occurrence of every marked value, as whole words; overlapping ones included. */
  find(text: string): Span[];
  labels: string[];
}

interface FieldPattern {
  regex: RegExp;
  label: string;
  /** Whether the value starts / ends with a letter or digit, so a word boundary must be there. */
  wordStart: boolean;
  wordEnd: boolean;
}

const WORD_AT_END = /[\p{L}\p{N}_]$/u;
const WORD_AT_START = /^[\p{L}\p{N}_]/u;

/**
 * Matches the marked values wherever they appear as whole words, in any letter case and
 * with any run of whitespace where the value has one ("Jane  Doe" still matches "Jane Doe").
 *
 * One plain regex per value, with the word boundaries checked in code: values differ from
 * record to record, so these are compiled on every request, and a Unicode-aware boundary
 * inside the pattern costs about half a millisecond to compile, a plain literal 15 µs.
 * Searching each value on its own also finds values that overlap (two fields sharing words).
 */
export function fieldMatcher(pii: PiiValue[]): FieldMatcher {
  const byValue = new Map<string, string>();
  for (const { field, value } of pii) {
    const trimmed = value.trim();
    if (trimmed.length < MIN_FIELD_VALUE_LENGTH) continue;
    const key = normalizeValue(trimmed);
    if (!byValue.has(key)) byValue.set(key, fieldLabel(field));
  }
  const patterns: FieldPattern[] = [...byValue].map(([value, label]) => ({
    regex: new RegExp(
      value
        .split(' ')
        .map((part) => part.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))
        .join('\\s+'),
      'gi',
    ),
    label,
    wordStart: WORD_AT_START.test(value),
    wordEnd: WORD_AT_END.test(value),
  }));
  return {
    labels: [...new Set(byValue.values())],
    find(text) {
      const spans: Span[] = [];
      for (const pattern of patterns) {
        const { regex } = pattern;
        regex.lastIndex = 0;
        for (let match = regex.exec(text); match !== null; match = regex.exec(text)) {
          const start = match.index;
          const end = start + match[0].length;
          // Two code units either side cover a letter outside the Basic Multilingual Plane.
          const whole =
            (!pattern.wordStart || !WORD_AT_END.test(text.slice(Math.max(0, start - 2), start))) &&
            (!pattern.wordEnd || !WORD_AT_START.test(text.slice(end, end + 2)));
          if (whole) spans.push({ type: 'FIELD', start, end, label: pattern.label });
          // After a match inside a longer word, look again from the next character.
          regex.lastIndex = whole ? end : start + 1;
        }
      }
      return spans;
    },
  };
}

function normalizeValue(value: string): string {
  return value.replace(/\s+/g, ' ').toLowerCase();
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

/**
 * Every `LABEL_N` (in any of the forms `restore` accepts) that already appears in the
 * caller's text, for this request's labels. Word boundaries are ignored on purpose: masking
 * can turn "0001EMAIL_2" into "[SSN_1]EMAIL_2", where EMAIL_2 becomes a token of its own.
 */
function reservedTokens(messages: Array<{ content: string }>, labels: string[]): Set<string> {
  const reserved = new Set<string>();
  const alternatives = [...new Set(labels)].sort((a, b) => b.length - a.length).join('|');
  // A lookahead, so overlapping occurrences (FIRST_NAME_1 and NAME_1) are all found.
  const pattern = new RegExp(`(?=(${alternatives})[\\s_-]?(\\d+))`, 'gi');
  for (const message of messages) {
    for (const match of message.content.matchAll(pattern)) {
      reserved.add(`${match[1]!.toUpperCase()}_${Number(match[2])}`);
    }
  }
  return reserved;
}
