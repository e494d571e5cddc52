import { PII_TYPES } from '../domain.ts';
import type { PiiType, PiiValue } from '../domain.ts';
import { detectionViews } from './detection-views.ts';
import { detectPii } from './detectors.ts';
import type { PiiFinding } from './detectors.ts';
import { readableBase64Segments } from './encoded-values.ts';
import { fieldMatcher } from './field-values.ts';
import type { FieldMatcher } from './field-values.ts';
import { MaskingError } from './masking-error.ts';
import { PlaceholderVault } from './placeholder-vault.ts';
import type { VaultSnapshot } from './placeholder-vault.ts';
import { originalSpan } from './text-view.ts';

/**
 * Field-aware PII masking for one request: every string the gateway forwards to a provider
 * (message contents, stop sequences, the JSON Schema of a structured answer, anything else
 * it passes on) has the values Apex marks (by field) and what detection finds replaced by
 * placeholders such as `[EMAIL_1]` or `[FIRST_NAME_1]` before any provider sees it. The
 * placeholders in the answer are put back afterwards (placeholder-vault.ts).
 *
 * Detection runs on normalised views of the text (detection-views.ts) and each match is
 * mapped back to the span of the original it covers, so what is masked, and later restored,
 * is the original text byte for byte, entities, tags and zero-width characters included.
 *
 * `maskRequest` is a pure function of plain data (strings, arrays, plain objects in; the
 * same and a vault snapshot out), so it can run on a worker thread for large prompts.
 *
 * Cost, for n code units of text and k marked values: O(n) for the views and detectors,
 * O(n·k) for the marked values (field-values.ts), times at most three masking passes.
 */

// The entry point of this folder: what the gateway needs of it, from one module.
export { MaskingError } from './masking-error.ts';
export { PlaceholderVault } from './placeholder-vault.ts';
export type { VaultSnapshot } from './placeholder-vault.ts';

/** A JSON value: what the gateway forwards besides messages (stop sequences, a JSON Schema…). */
export type ForwardedValue = string | number | boolean | null | ForwardedValue[] | { [key: string]: ForwardedValue };

export interface MaskingInput<M extends { content: string }> {
  messages: M[];
  pii: PiiValue[];
  /** Every other string the gateway forwards; keys are masked too. */
  forwarded?: ForwardedValue;
}

export interface MaskingOutput<M extends { content: string }> {
  messages: M[];
  /** `forwarded`, masked, in the same shape. */
  forwarded?: ForwardedValue;
  vault: VaultSnapshot;
}

/** Masking passes before giving up: each pass can only shrink what is left to mask. */
const MAX_PASSES = 3;

/** How deep base64 inside base64 is decoded; readable text deeper than that is refused. */
const MAX_BASE64_DEPTH = 2;

/**
 * Masks a request. Masking a value can change what its neighbours look like (in
 * "x@acme.io123-45-6789", the email only ends where the masked SSN begins), so the masked
 * text is scanned again and masked again, up to three passes. Throws MaskingError when
 * something is still found after that, when a later find would cut into a placeholder, or
 * when the text cannot be read (see detection-views.ts): the caller must refuse the request
 * rather than send it on (fail closed).
 */
export function maskRequest<M extends { content: string }>(input: MaskingInput<M>): MaskingOutput<M> {
  const fields = fieldMatcher(input.pii);
  const forwardedStrings = input.forwarded === undefined ? [] : stringsOf(input.forwarded);
  const texts = [...input.messages.map((message) => message.content), ...forwardedStrings];
  const vault = vaultFor(texts, fields);
  const masked = maskTexts(texts, fields, vault);
  const messages = input.messages.map((message, i) => ({ ...message, content: masked[i]! }));
  let next = input.messages.length;
  return {
    messages,
    ...(input.forwarded !== undefined ? { forwarded: replaceStrings(input.forwarded, () => masked[next++]!) } : {}),
    vault: vault.snapshot(),
  };
}

/**
 * Caller-supplied strings on their way to the log (template name, record id, free text),
 * masked with a vault of their own that is thrown away: the log shows `[EMAIL_1]`, never the
 * value. A field that cannot be masked is left out (fail closed).
 */
export function maskForLog<T extends Record<string, unknown>>(fields: T, pii: PiiValue[]): Partial<T> {
  const out: Record<string, unknown> = {};
  let matcher: FieldMatcher;
  try {
    matcher = fieldMatcher(pii);
  } catch (error) {
    if (error instanceof MaskingError) return {};
    throw error;
  }
  for (const [key, value] of Object.entries(fields)) {
    if (typeof value !== 'string') {
      if (value !== undefined) out[key] = value;
      continue;
    }
    try {
      out[key] = maskTexts([value], matcher, vaultFor([value], matcher))[0];
    } catch (error) {
      if (!(error instanceof MaskingError)) throw error;
    }
  }
  return out as Partial<T>;
}

/** A vault for `texts`: detected kinds are labelled by their type, marked fields by their name. */
function vaultFor(texts: string[], fields: FieldMatcher): PlaceholderVault {
  const labels = [...PII_TYPES, ...fields.labels];
  return new PlaceholderVault(reservedTokens(texts, labels), labels);
}

function maskTexts(texts: string[], fields: FieldMatcher, vault: PlaceholderVault): string[] {
  let current = texts;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    let changed = false;
    current = current.map((text) => {
      const spans = findSpans(text, fields, 0);
      if (spans.length === 0) return text;
      // Never include the value: the error message may be logged.
      if (pass > 0 && overlapsAny(spans, vault.issuedSpans(text))) {
        throw new MaskingError('a value found after masking overlaps a placeholder');
      }
      changed = true;
      return replaceSpans(text, spans, vault);
    });
    if (!changed) return current;
  }
  const leftover = current.flatMap((text) => findSpans(text, fields, 0))[0];
  if (leftover !== undefined) throw new MaskingError(`a ${leftover.type} value survived masking`);
  return current;
}

interface Span extends PiiFinding {
  /** For FIELD spans: the placeholder label derived from the field name. */
  label?: string;
}

/**
 * Field matches and detector findings in every detection view of `text`, as spans of `text`
 * itself, overlaps merged so that every character any of them matched is masked; a merged
 * span takes the kind of its longest member.
 */
function findSpans(text: string, fields: FieldMatcher, depth: number): Span[] {
  const found: Span[] = [];
  for (const view of detectionViews(text)) {
    const inView: Span[] = [...fields.find(view.text), ...detectPii(view.text)];
    for (const segment of readableBase64Segments(view.text)) {
      if (depth === MAX_BASE64_DEPTH) {
        throw new MaskingError(`the text holds base64 nested more than ${MAX_BASE64_DEPTH} levels deep`);
      }
      const inside = findSpans(segment.decoded, fields, depth + 1);
      if (inside.length > 0) inView.push({ ...strongest(inside), start: segment.start, end: segment.end });
    }
    for (const span of inView) found.push({ ...span, ...originalSpan(view, span.start, span.end) });
  }
  return mergeSpans(found);
}

/** Which kind wins when spans of equal length overlap: the caller's own marking first. */
const PRIORITY: Record<PiiType, number> = { FIELD: 0, EMAIL: 1, IBAN: 2, CARD: 3, SSN: 4, IP: 5, PHONE: 6 };

function mergeSpans(found: Span[]): Span[] {
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

function strongest(spans: Span[]): Span {
  return spans.reduce((best, span) => (PRIORITY[span.type] < PRIORITY[best.type] ? span : best));
}

function outranks(a: Span, b: Span): boolean {
  const lengthA = a.end - a.start;
  const lengthB = b.end - b.start;
  return lengthA !== lengthB ? lengthA > lengthB : PRIORITY[a.type] < PRIORITY[b.type];
}

function withKind(span: Span, kind: Span): Span {
  return { start: span.start, end: span.end, type: kind.type, ...(kind.label ? { label: kind.label } : {}) };
}

/** Both lists sorted by start: whether any span of one overlaps any of the other. */
function overlapsAny(a: Array<{ start: number; end: number }>, b: Array<{ start: number; end: number }>): boolean {
  let j = 0;
  for (const span of a) {
    while (j < b.length && b[j]!.end <= span.start) j++;
    if (j < b.length && b[j]!.start < span.end) return true;
  }
  return false;
}

function replaceSpans(text: string, spans: Span[], vault: PlaceholderVault): string {
  let out = '';
  let last = 0;
  for (const span of spans) {
    out += text.slice(last, span.start);
    const value = text.slice(span.start, span.end);
    const label = span.type === 'FIELD' ? span.label! : span.type;
    out += vault.placeholderFor(value, span.type, label);
    last = span.end;
  }
  return out + text.slice(last);
}

/**
 * Every `LABEL_N` (in any of the forms `restore` accepts) that already appears in the
 * caller's text, for this request's labels. Word boundaries are ignored on purpose: masking
 * can turn "0001EMAIL_2" into "[SSN_1]EMAIL_2", where EMAIL_2 becomes a token of its own.
 */
function reservedTokens(texts: string[], labels: string[]): Set<string> {
  const reserved = new Set<string>();
  const pattern = reservedTokenPattern(labels);
  for (const text of texts) {
    if (!/\d/.test(text)) continue;
    for (const match of text.matchAll(pattern)) {
      // Masking digits after the label can shorten its number ("EMAIL_2001-01-0001" → "EMAIL_2[SSN_1]",
      // a bare token restore would read): every prefix of a LABEL_N number is the caller's.
      const label = match[1]!.toUpperCase();
      const digits = match[3]!;
      reserved.add(`${label}_${Number(digits)}`);
      if (match[2] === '_')
        for (let n = 1; n < digits.length; n++) reserved.add(`${label}_${Number(digits.slice(0, n))}`);
    }
  }
  return reserved;
}

/** Compiled patterns by label set: templates mark the same fields request after request. */
const reservedPatterns = new Map<string, RegExp>();

function reservedTokenPattern(labels: string[]): RegExp {
  const alternatives = [...new Set(labels)].sort((a, b) => b.length - a.length).join('|');
  let pattern = reservedPatterns.get(alternatives);
  if (pattern === undefined) {
    // A lookahead, so overlapping occurrences (FIRST_NAME_1 and NAME_1) are all found.
    pattern = new RegExp(`(?=(${alternatives})([\\s_-]?)(\\d{1,9}))`, 'gi');
    if (reservedPatterns.size >= 256) reservedPatterns.clear();
    reservedPatterns.set(alternatives, pattern);
  }
  return pattern;
}

/** Every string in a JSON value, keys included, in a fixed order (the one `replaceStrings` uses). */
function stringsOf(value: ForwardedValue): string[] {
  const out: string[] = [];
  replaceStrings(value, (s) => {
    out.push(s);
    return s;
  });
  return out;
}

function replaceStrings(value: ForwardedValue, replace: (s: string) => string): ForwardedValue {
  if (typeof value === 'string') return replace(value);
  if (Array.isArray(value)) return value.map((item) => replaceStrings(item, replace));
  if (value !== null && typeof value === 'object') {
    const out: { [key: string]: ForwardedValue } = {};
    for (const [key, item] of Object.entries(value)) {
      const maskedKey = replace(key);
      out[maskedKey] = replaceStrings(item, replace);
    }
    return out;
  }
  return value;
}
