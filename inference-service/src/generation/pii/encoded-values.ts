/**
 * Base64 inside a prompt (`amFuZUBhY21lLmNvbQ==` is jane@acme.com): a model decodes it
 * without being asked, so a segment that decodes to readable text is scanned as text of its
 * own, and masked whole when that text holds personal data.
 *
 * A segment is a run of the base64 alphabet (standard or URL-safe, padding allowed) of at
 * least 12 characters (9 bytes encoded: any phone, card, IBAN or SSN, and every email but the
 * very shortest), not inside a longer run; most words are shorter, and are never decoded. It
 * counts as readable when it decodes to valid UTF-8 without control characters other than tab
 * and line breaks: random words, hashes, record ids and binary data do not, and are left alone.
 *
 * Cost: finding segments is one linear scan; decoding is linear in the segment, and what a
 * segment decodes to is three quarters of its length, so scanning decoded text (and text
 * decoded from that) adds at most a constant factor.
 */

import { isUtf8 } from 'node:buffer';

const SEGMENT = /(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{12,}={0,2}(?![A-Za-z0-9+/_=-])/g;
const UNREADABLE = /[\p{Cc}\p{Co}\p{Cn}]/u;
const CONTROL_ALLOWED = /[\t\n\r]/g;

export interface EncodedSegment {
  /** Offsets into the scanned text, end exclusive. */
  start: number;
  end: number;
  decoded: string;
}

/** The base64 segments of `text` that decode to readable text. */
export function readableBase64Segments(text: string): EncodedSegment[] {
  const segments: EncodedSegment[] = [];
  for (const match of text.matchAll(SEGMENT)) {
    const unpadded = match[0].replace(/=+$/, '');
    // A length of 1 modulo 4 is no base64 at all.
    if (unpadded.length % 4 === 1) continue;
    const decoded = readableText(Buffer.from(unpadded, 'base64'));
    if (decoded !== undefined) segments.push({ start: match.index, end: match.index + match[0].length, decoded });
  }
  return segments;
}

/**
 * The bytes as text when they are readable: at least 4 bytes, no ASCII control characters but
 * tab and line breaks, valid UTF-8 and no other control, private-use or unassigned characters.
 * Most words and ids fail on the first control byte, so checking bytes first is cheap.
 */
function readableText(bytes: Buffer): string | undefined {
  if (bytes.length < 4) return undefined;
  let ascii = true;
  for (const byte of bytes) {
    if (byte >= 0x80) ascii = false;
    else if ((byte < 0x20 && byte !== 9 && byte !== 10 && byte !== 13) || byte === 0x7f) return undefined;
  }
  if (ascii) return bytes.toString('latin1');
  if (!isUtf8(bytes)) return undefined;
  const text = bytes.toString('utf8');
  return UNREADABLE.test(text.replace(CONTROL_ALLOWED, ' ')) ? undefined : text;
}
