import { DecodingMode, HtmlEntityDecoder } from 'entities/decode';
import { htmlTagNames } from 'html-tag-names';
import { ViewBuilder, sliceView } from './text-view.ts';
import type { TextView } from './text-view.ts';

/**
 * The markup a value can hide behind, taken off for detection: HTML tags and comments,
 * HTML character references (`&#64;`, `&commat;`, `&nbsp;`) and percent-encoding (`%40`).
 * Salesforce rich text fields are HTML, and an LLM reads `jane&#64;acme.com` or
 * `ja<b>ne</b>@acme.com` as the address it is, so detection must too.
 *
 * Each function is one left-to-right pass that returns its input unchanged (the same object)
 * when there was nothing to decode, so the caller can tell when decoding is complete.
 */

/**
 * Tags that do not break a word when rendered: removed without a trace, so
 * `ja<b>ne</b>@acme.com` is the address. Every other known tag (p, div, br, li, td…) ends a
 * line when rendered and becomes a line break, so `<p>Jane</p><p>Doe</p>` stays two words.
 */
const INLINE_TAGS = new Set([
  'a',
  'abbr',
  'acronym',
  'b',
  'bdi',
  'bdo',
  'big',
  'blink',
  'cite',
  'code',
  'data',
  'del',
  'dfn',
  'em',
  'font',
  'i',
  'ins',
  'kbd',
  'label',
  'mark',
  'nobr',
  'q',
  's',
  'samp',
  'small',
  'span',
  'strike',
  'strong',
  'sub',
  'sup',
  'time',
  'tt',
  'u',
  'var',
  'wbr',
]);

/** Only real HTML tag names are markup: `<at>` in `jane<at>acme.com` or a name in angle brackets is text. */
const KNOWN_TAGS = new Set(htmlTagNames);

/**
 * A tag at the current position: its name, then attributes up to the closing `>`. The
 * attribute part cannot run past the next `<`, so every attempt is bounded by the distance
 * to the next `<` and the whole scan stays linear.
 */
const TAG = /<\/?([A-Za-z][A-Za-z0-9]{0,15})((?:[\s/][^<>]*)?)>/y;

export interface StrippedMarkup {
  view: TextView;
  /**
   * Attribute text and comment bodies, which the stripped view no longer holds but a
   * provider would still receive (`<a href="mailto:jane@acme.com">`): each is detected on
   * as a text of its own.
   */
  hidden: TextView[];
}

/** Removes tags and comments from a view, keeping what they held as separate views. */
export function stripTags(view: TextView): StrippedMarkup {
  const { text } = view;
  let at = text.indexOf('<');
  let builder: ViewBuilder | undefined;
  const hidden: TextView[] = [];
  let last = 0;
  let commentsCanClose = true;
  while (at >= 0) {
    let next = at + 1;
    if (text.startsWith('<!--', at) && commentsCanClose) {
      const close = text.indexOf('-->', at + 4);
      if (close < 0) {
        // No comment after this one can be closed either: stop looking for them.
        commentsCanClose = false;
      } else {
        builder ??= new ViewBuilder(view);
        builder.keep(last, at);
        if (close > at + 4) hidden.push(sliceView(view, at + 4, close));
        last = next = close + 3;
      }
    } else {
      TAG.lastIndex = at;
      const match = TAG.exec(text);
      const name = match?.[1]!.toLowerCase();
      if (match && KNOWN_TAGS.has(name!)) {
        builder ??= new ViewBuilder(view);
        builder.keep(last, at);
        const end = at + match[0].length;
        builder.replace(at, end, INLINE_TAGS.has(name!) ? '' : '\n');
        const attributes = match[2]!;
        if (attributes.trim().length > 0) {
          const attributesStart = end - 1 - attributes.length;
          hidden.push(sliceView(view, attributesStart, end - 1));
        }
        last = next = end;
      }
    }
    at = text.indexOf('<', next);
  }
  if (builder === undefined) return { view, hidden };
  builder.keep(last, text.length);
  return { view: builder.build(), hidden };
}

/**
 * Decodes HTML character references the way a browser does in text (the `entities`
 * package's decoder, which reports how many characters each reference took).
 */
export function decodeEntities(view: TextView): TextView {
  const { text } = view;
  let at = text.indexOf('&');
  if (at < 0) return view;
  let builder: ViewBuilder | undefined;
  let last = 0;
  const codePoints: number[] = [];
  const decoder = new HtmlEntityDecoder((codePoint) => codePoints.push(codePoint));
  while (at >= 0) {
    codePoints.length = 0;
    decoder.startEntity(DecodingMode.Legacy);
    let consumed = decoder.write(text, at + 1);
    if (consumed < 0) consumed = decoder.end();
    if (consumed > 0 && codePoints.length > 0) {
      builder ??= new ViewBuilder(view);
      builder.keep(last, at);
      builder.replace(at, at + consumed, String.fromCodePoint(...codePoints));
      last = at + consumed;
      at = text.indexOf('&', last);
    } else {
      at = text.indexOf('&', at + 1);
    }
  }
  if (builder === undefined) return view;
  builder.keep(last, text.length);
  return builder.build();
}

const PERCENT_RUN = /(?:%[0-9A-Fa-f]{2})+/g;

/**
 * Decodes percent-encoded UTF-8 (`%40` → `@`, `%C3%A9` → `é`). A byte that does not start a
 * valid UTF-8 sequence stays as it is: `50%AB` is not an encoding of anything.
 */
export function decodePercent(view: TextView): TextView {
  const { text } = view;
  if (!text.includes('%')) return view;
  let builder: ViewBuilder | undefined;
  let last = 0;
  for (const match of text.matchAll(PERCENT_RUN)) {
    const run = match[0];
    let offset = 0;
    while (offset < run.length) {
      const size = utf8SequenceLength(Number.parseInt(run.slice(offset + 1, offset + 3), 16));
      const decoded =
        size > 0 && offset + size * 3 <= run.length ? decodeSequence(run.slice(offset, offset + size * 3)) : undefined;
      if (decoded === undefined) {
        offset += 3;
        continue;
      }
      const at = match.index + offset;
      builder ??= new ViewBuilder(view);
      builder.keep(last, at);
      builder.replace(at, at + size * 3, decoded);
      last = at + size * 3;
      offset += size * 3;
    }
  }
  if (builder === undefined) return view;
  builder.keep(last, text.length);
  return builder.build();
}

/** How many bytes a UTF-8 sequence starting with `byte` has; 0 when no sequence starts so. */
function utf8SequenceLength(byte: number): number {
  if (byte < 0x80) return 1;
  if (byte >= 0xc2 && byte <= 0xdf) return 2;
  if (byte >= 0xe0 && byte <= 0xef) return 3;
  if (byte >= 0xf0 && byte <= 0xf4) return 4;
  return 0;
}

function decodeSequence(escaped: string): string | undefined {
  try {
    return decodeURIComponent(escaped);
  } catch {
    // Continuation bytes that do not fit the lead byte: not an encoding.
    return undefined;
  }
}
