import { ViewBuilder } from './text-view.ts';
import type { TextView } from './text-view.ts';

/**
 * Folds the characters a value can be disguised with into the ones detection looks for:
 *
 * - NFKC, so full-width `４１１１` and `＠`, circled and mathematical digits read as ASCII;
 * - decimal digits of every script (Arabic-Indic `٤١١١`, Devanagari…) become 0–9;
 * - invisible characters go: zero-width spaces and joiners, soft hyphens, bidi controls,
 *   other format and control characters, combining marks (so `é` and `e` + U+0301 both read
 *   `e`) and the rest of Unicode's default-ignorable code points;
 * - every space separator (no-break, narrow no-break, thin, figure, ideographic) is a space,
 *   line and paragraph separators are line breaks;
 * - every dash (en, em, figure, non-breaking hyphen, minus sign) is `-`;
 * - the ideographic and full-width full stops that domain names accept are `.`.
 *
 * Printable ASCII and tab, line feed and carriage return are copied as runs without looking
 * at each character; anything else is folded one code point at a time, with each code
 * point's folding computed once per process.
 */

const NOT_PLAIN_ASCII = /[^\t\n\r\x20-\x7e]/g;

export function foldCharacters(view: TextView): TextView {
  const { text } = view;
  let builder: ViewBuilder | undefined;
  let last = 0;
  NOT_PLAIN_ASCII.lastIndex = 0;
  for (let match = NOT_PLAIN_ASCII.exec(text); match !== null; match = NOT_PLAIN_ASCII.exec(text)) {
    const at = match.index;
    const codePoint = text.codePointAt(at)!;
    const width = codePoint > 0xffff ? 2 : 1;
    NOT_PLAIN_ASCII.lastIndex = at + width;
    const folded = foldCodePoint(codePoint);
    if (folded.length === width && folded === text.slice(at, at + width)) continue;
    builder ??= new ViewBuilder(view);
    builder.keep(last, at);
    builder.replace(at, at + width, folded);
    last = at + width;
  }
  if (builder === undefined) return view;
  builder.keep(last, text.length);
  return builder.build();
}

const folds = new Map<number, string>();

const INVISIBLE = /^[\p{Cc}\p{Cf}\p{M}\p{Default_Ignorable_Code_Point}]$/u;
const SPACE = /^\p{Zs}$/u;
const DASH = /^[\p{Pd}\u2212]$/u;
const DECIMAL_DIGIT = /^\p{Nd}$/u;
const LINE_BREAKS = new Set([0x85, 0x2028, 0x2029]);
const FULL_STOPS = new Set([0x3002, 0xff0e, 0xff61]);

/** What one code point reads as for detection: possibly several characters, possibly none. */
function foldCodePoint(codePoint: number): string {
  if (codePoint < 0x80)
    return codePoint < 0x20 && codePoint !== 9 && codePoint !== 10 && codePoint !== 13
      ? ''
      : String.fromCharCode(codePoint);
  const known = folds.get(codePoint);
  if (known !== undefined) return known;
  const folded = computeFold(codePoint);
  folds.set(codePoint, folded);
  return folded;
}

function computeFold(codePoint: number): string {
  const char = String.fromCodePoint(codePoint);
  if (LINE_BREAKS.has(codePoint)) return '\n';
  if (FULL_STOPS.has(codePoint)) return '.';
  if (INVISIBLE.test(char)) return '';
  if (SPACE.test(char)) return ' ';
  if (DASH.test(char)) return '-';
  if (DECIMAL_DIGIT.test(char)) return String(digitValue(codePoint));
  const compatible = char.normalize('NFKC');
  if (compatible === char) return char;
  // NFKC is idempotent, so folding what it produced terminates.
  let out = '';
  for (const part of compatible) out += foldCodePoint(part.codePointAt(0)!);
  return out;
}

/**
 * Unicode encodes every script's decimal digits as runs of ten consecutive code points,
 * zero first (some runs follow each other, as the mathematical digits do): a digit's value is
 * its distance from the start of its run, modulo ten.
 */
function digitValue(codePoint: number): number {
  let first = codePoint;
  while (first > 0 && DECIMAL_DIGIT.test(String.fromCodePoint(first - 1))) first--;
  return (codePoint - first) % 10;
}
