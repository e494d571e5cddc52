/**
 * Numbers that look like personal data but, by their shape or the word in front of them,
 * are not: the look-alikes business text is full of. Only the detectors with weak
 * validation consult these (phone numbers, which are just digits and separators, and IPv4,
 * which a four-part version number matches exactly); cards, IBANs and SSNs carry checksums or
 * reserved ranges and are masked whatever their context.
 *
 * Every check reads a bounded window of text around a finding, so they add O(1) per finding.
 */

/** Words that label a four-part number as a version: "version 10.4.2.1", "upgrade to 10.4.2.1". */
const VERSION_WORDS = [
  'version',
  'ver',
  'release',
  'build',
  'rev',
  'revision',
  'firmware',
  'patch',
  'sdk',
  'api',
  'upgrade to',
  'update to',
  'upgrade',
  'update',
];

/**
 * Words that label the number after them as a document or product number: "Order
 * #555-123-4567", "invoice no. 2024 118 4471", "SKU 4411-2290-118", "ticket: 5551234567 8".
 * Common words that could just as well precede a phone number ("case", "part", "item",
 * "call") are deliberately not here.
 */
const DOCUMENT_WORDS = [
  'order',
  'invoice',
  'inv',
  'po',
  'p.o.',
  'sku',
  'ref',
  'reference',
  'ticket',
  'tracking',
  'confirmation',
  'shipment',
  ...VERSION_WORDS,
];

/**
 * The label right before a number: one of the words, optionally "no.", "nr.", "number" or
 * "id", then up to three of `#`, `:`, `.`, `-` or spaces; or a v written right against the
 * number ("v10.4.2.1"; "v 555…" is no version).
 */
function labelPattern(words: string[]): RegExp {
  const alternatives = words.map((word) => word.replaceAll('.', '\\.').replaceAll(' ', '\\s')).join('|');
  return new RegExp(
    String.raw`(?:^|[^\p{L}])(?:(?:${alternatives})(?:\s{0,2}(?:no\.?|nr\.?|number|id))?[\s#:.-]{0,3}|v)$`,
    'iu',
  );
}

const DOCUMENT_LABEL = labelPattern(DOCUMENT_WORDS);
const VERSION_LABEL = labelPattern(VERSION_WORDS);

/** Whether the number at `start` is labelled as a document, product or version number. */
export function labelledNonPersonal(text: string, start: number): boolean {
  return DOCUMENT_LABEL.test(text.slice(Math.max(0, start - 40), start));
}

const CURRENCY_CODES = ['usd', 'eur', 'gbp', 'jpy', 'chf', 'cad', 'aud', 'inr', 'sek', 'nok', 'dkk'];
const CURRENCY_BEFORE = new RegExp(
  String.raw`(?:[$€£¥₹₩₽¢]|(?:^|[^\p{L}])(?:${CURRENCY_CODES.join('|')}))\s{0,2}$`,
  'iu',
);
const CURRENCY_AFTER = new RegExp(String.raw`^\s{0,2}(?:[$€£¥₹₩₽¢]|(?:${CURRENCY_CODES.join('|')})(?!\p{L}))`, 'iu');

/** Every word that can exempt a number from detection, for tests that need filler text free of them. */
export const EXEMPTING_WORDS: readonly string[] = [...DOCUMENT_WORDS, 'v', ...CURRENCY_CODES];

/** "€ 1.234.567.890", "1 234 567 890 EUR": a number with a currency beside it is an amount. */
export function looksLikeAmount(text: string, start: number, end: number): boolean {
  return (
    CURRENCY_BEFORE.test(text.slice(Math.max(0, start - 8), start)) || CURRENCY_AFTER.test(text.slice(end, end + 8))
  );
}

const PRE_RELEASE_SUFFIX = /^[-+](?:alpha|beta|rc|dev|snapshot|preview|pre|final|lts|build)/i;

/**
 * "version 10.4.2.1", "v10.4.2.1", "upgrade to 10.4.2.1", "10.4.2.1-beta": a four-part
 * version number, which is exactly the shape of an IPv4 address. A bare dotted quad stays an
 * address (detection errs on the side of masking).
 */
export function looksLikeVersion(text: string, start: number, end: number): boolean {
  return (
    VERSION_LABEL.test(text.slice(Math.max(0, start - 40), start)) || PRE_RELEASE_SUFFIX.test(text.slice(end, end + 10))
  );
}

const HEX_OR_DASH = /^[0-9A-Fa-f-]$/;
const UUID =
  /(?<![0-9A-Fa-f-])[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}(?![0-9A-Fa-f-])/g;

/**
 * Whether a finding lies inside a UUID (123e4567-e89b-12d3-a456-426614174000), whose
 * all-digit groups can otherwise add up to a Luhn-valid "card". Reads at most the 36
 * characters either side of the finding.
 */
export function insideBenignShape(text: string, finding: { start: number; end: number }): boolean {
  if (finding.end - finding.start > 36) return false;
  // A finding inside a UUID touches one of its dashes or hex letters.
  const before = text.charAt(finding.start - 1);
  const after = text.charAt(finding.end);
  if (!HEX_OR_DASH.test(before) && !HEX_OR_DASH.test(after) && !text.slice(finding.start, finding.end).includes('-')) {
    return false;
  }
  const from = Math.max(0, finding.start - 36);
  for (const match of text.slice(from, finding.end + 36).matchAll(UUID)) {
    const start = from + match.index;
    if (start <= finding.start && finding.end <= start + match[0].length) return true;
  }
  return false;
}
