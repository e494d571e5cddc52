import { foldCharacters } from './character-folding.ts';
import { decodeEntities, decodePercent, stripTags } from './markup-decoding.ts';
import { MaskingError } from './masking-error.ts';
import { ViewBuilder, identityView } from './text-view.ts';
import type { TextView } from './text-view.ts';

/**
 * The texts detection runs on for one original text: its normalised view (markup decoded,
 * characters folded, spelled-out `[at]` and `[dot]` read as symbols), one such view for
 * each tag's attributes and each HTML comment, which the main view no longer holds but a
 * provider would still receive, and the text as written when normalising changed it. Every
 * view maps back to spans of the original.
 *
 * Markup is decoded until nothing changes, because encodings nest (`&amp;#64;` is `&#64;` is
 * `@`), at most {@link MAX_ENCODING_LEVELS} levels deep; text still encoded deeper than that is
 * refused (MaskingError) rather than sent on half-read. So is text that is not well-formed
 * UTF-16 (a lone surrogate), which no provider could read the same way twice.
 *
 * Cost: each level is a constant number of linear passes, so views cost O(n) time and memory
 * for n code units of text.
 */

export const MAX_ENCODING_LEVELS = 3;

/** In a `u` regex a surrogate pair is one code point, so this only matches a surrogate standing alone. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

export function detectionViews(text: string): TextView[] {
  if (LONE_SURROGATE.test(text))
    throw new MaskingError('the text is not well-formed Unicode (it holds a lone surrogate)');
  const views: TextView[] = [];
  const pending: TextView[] = [identityView(text)];
  while (pending.length > 0) {
    let view = pending.pop()!;
    for (let levels = 0; ;) {
      const stripped = stripTags(view);
      for (const hidden of stripped.hidden) pending.push(hidden);
      const decoded = decodePercent(decodeEntities(stripped.view));
      const folded = foldCharacters(decoded);
      if (folded === view) break;
      if (decoded !== view && ++levels > MAX_ENCODING_LEVELS) {
        throw new MaskingError(`the text is encoded more than ${MAX_ENCODING_LEVELS} levels deep`);
      }
      view = folded;
    }
    views.push(readSpelledOutSymbols(view));
  }
  // Decoding can read a text differently from how a model does ("%24111 1111 1111 1111" is
  // "$111…" decoded, but still shows a card): the text as written is scanned too.
  if (views[0]!.text !== text) views.push(identityView(text));
  return views;
}

/**
 * `jane [at] acme [dot] com`, `jane(at)acme(dot)com`, `jane [@] acme [.] com` and
 * `jane @ acme.com`: the ways people write an address so that crawlers miss it, which a model
 * reads as the address all the same. Spaces around them (three at most) go with them.
 */
const SPELLED_OUT = /[ \t]{0,3}(?:[[({<][ \t]{0,3}(at|@|dot|\.)[ \t]{0,3}[\])}>]|(@))[ \t]{0,3}/gi;

function readSpelledOutSymbols(view: TextView): TextView {
  const { text } = view;
  if (!text.includes('@') && !/[[({<][ \t]{0,3}(?:at|dot|\.)/i.test(text)) return view;
  let builder: ViewBuilder | undefined;
  let last = 0;
  for (const match of text.matchAll(SPELLED_OUT)) {
    const word = match[1]?.toLowerCase();
    // A bare @ only counts with spaces around it; without them it is already what detection reads.
    if (word === undefined && match[0] === '@') continue;
    const symbol = word === 'dot' || word === '.' ? '.' : '@';
    builder ??= new ViewBuilder(view);
    builder.keep(last, match.index);
    builder.replace(match.index, match.index + match[0].length, symbol);
    last = match.index + match[0].length;
  }
  if (builder === undefined) return view;
  builder.keep(last, text.length);
  return builder.build();
}
