import { isIPv6 } from 'node:net';
import { getCountrySpecifications, isValidIBAN } from 'ibantools';
import type { PiiType } from '../domain.ts';
import { insideBenignShape, labelledNonPersonal, looksLikeAmount, looksLikeVersion } from './benign-context.ts';

/**
 * Finds personal data in free text: emails, phone numbers, payment cards, IBANs, US social
 * security numbers and IP addresses. Every detector pairs a permissive pattern with a
 * validator (Luhn for cards, ibantools' ISO 13616 check for IBANs, the SSA's reserved ranges
 * for SSNs, `net.isIPv6` for IPv6), so a random number is not mistaken for a card and a
 * malformed card is not missed because of its spacing.
 *
 * It runs on detection views (detection-views.ts): text whose markup is decoded and whose
 * look-alike characters are folded, so the patterns here only need to know ASCII digits,
 * `-` and space.
 *
 * Detection errs on the side of masking: a number that merely looks like a phone number is
 * masked, which costs the model a little context, whereas a missed one would reach a third
 * party. The exceptions are the numbers text is full of and that are not about a person:
 * versions, labelled order and ticket numbers, amounts, dates and UUIDs (benign-context.ts).
 *
 * Cost: every pattern is linear in the text. Each can only start where the value it looks
 * for can start (not inside a run of the same characters), and every repetition is either
 * bounded or unambiguous, so no input makes a pattern backtrack more than a constant number
 * of times per character.
 */

export interface PiiFinding {
  type: PiiType;
  /** UTF-16 offsets into the scanned text, end exclusive. */
  start: number;
  end: number;
}

// Letters and digits in any script: a match never starts or ends inside a word.
const WORD = String.raw`\p{L}\p{N}`;

/**
 * Email addresses: a dot-atom local part (an apostrophe inside it, as in o'brien@, is
 * allowed) or a quoted one ("jane doe"@), then a domain name or an IP literal
 * (jane@[192.0.2.1], jane@[IPv6:2001:db8::1]). The domain's last label must be a top-level
 * domain (letters, or an xn-- label); that is checked in code.
 */
const LOCAL_PART = String.raw`(?<![${WORD}._%+\-'])'*[${WORD}._%+\-]+(?:'+[${WORD}._%+\-]+)*`;
const QUOTED_LOCAL_PART = String.raw`(?<![${WORD}"])"(?:[^"\\\r\n]|\\.){1,64}"`;
const LABEL = String.raw`[${WORD}]+(?:-+[${WORD}]+)*`;
const DOMAIN = String.raw`(?<domain>${LABEL}(?:\.${LABEL})+)(?![${WORD}]|\.[${WORD}])`;
const IP_LITERAL = String.raw`\[(?:IPv6:[0-9A-Fa-f:.]{2,45}|(?:\d{1,3}\.){3}\d{1,3})\]`;
const EMAIL = new RegExp(String.raw`(?:${LOCAL_PART}|${QUOTED_LOCAL_PART})@(?:${DOMAIN}|${IP_LITERAL})`, 'gu');
const TOP_LEVEL_DOMAIN = /^(?:\p{L}{2,}|xn--[a-z0-9-]{1,59})$/iu;

/** Dotted quads with each octet 0–255; not part of a longer dotted number such as a version string. */
const OCTET = String.raw`(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)`;
const IPV4 = new RegExp(String.raw`(?<![\d.])(?:${OCTET}\.){3}${OCTET}(?!\d|\.\d)`, 'gu');

/** Candidates for IPv6: hex groups and colons (and an embedded IPv4 tail); `net.isIPv6` decides. */
const IPV6_CANDIDATE =
  /(?<![\p{L}\p{N}_:.])(?:[0-9A-Fa-f]{0,4}:){2,8}(?:(?:\d{1,3}\.){3}\d{1,3}|[0-9A-Fa-f]{1,4})?(?![\p{L}\p{N}_]|\.\p{N})/gu;

/**
 * US SSNs with dashes or dots (spaces around them allowed: "123 – 45 – 6789") or spaces, the
 * same separator twice; nine bare digits are too often something else to mask as an SSN. Digits
 * glued in front ("…0958123-45-6789") or a dot ending a sentence (".123-45-6789") do not hide
 * one; a dashed or dotted number that continues into it ("1-123-45-6789", "1.123.45.6789") is
 * something else.
 */
const SSN = /(?<!\d[.]|\d-)(\d{3})( ?[-.] ?| )(\d{2})\2(\d{4})(?!\d|[-.]\d)/gu;
/**
 * A dashed SSN with digits glued after it ("123-45-6789123…"): the dashed 3-2-4 shape is
 * specific enough that masking errs on the safe side (found by the hostile-markup property test).
 */
const SSN_GLUED_DIGITS = /(?<!\d[.]|\d-)(\d{3})( ?- ?)(\d{2})\2(\d{4})(?=\d)/gu;

/**
 * Runs of digit groups, for cards. Groups are separated by one or two spaces or tabs, one
 * hyphen or dot, or a line break with a little space around it (a number wrapped onto the
 * next line). Letters may touch a run ("card4111…1111x"): the Luhn check keeps identifiers
 * out. A run never starts right after a digit and a separator, so a run is scanned once, not
 * once per group; cards are then found in windows of its groups.
 */
const GROUP_SEPARATOR = String.raw`(?:[ \t]{1,2}|[.\-]|[ \t]{0,3}\r?\n[ \t]{0,3})`;
const DIGIT_RUN = new RegExp(String.raw`(?<![\d_]|\d[ \t.\-\n])\d+(?:${GROUP_SEPARATOR}\d+)*(?![\d_])`, 'gu');

/**
 * A card written as four groups of four (one space or hyphen between them) with a digit glued
 * to either end ("4111 1111 1111 11114", "94111-1111-1111-1111"): the runs above take the glued
 * group whole, so no window of them is the card. That shape with a valid Luhn digit is
 * specific enough that masking errs on the safe side (found by the hostile-markup property
 * test, seed 419421195).
 */
const CARD_GLUED_DIGITS = /(?<=\d)\d{4}([ -])\d{4}\1\d{4}\1\d{4}|\d{4}([ -])\d{4}\2\d{4}\2\d{4}(?=\d)/gu;

/**
 * Two letters, two check digits, then letters and digits, optionally grouped with spaces or
 * hyphens. Letters may come right before ("IBANGB82…"): the country code is then found where
 * the checksum holds.
 */
const IBAN_CANDIDATE = /(?<!\d)[A-Za-z]{2}\d{2}(?:[ -]?[A-Za-z0-9]){8,32}/gu;

/**
 * Phone candidates: an optional + or 00 prefix, then digits with spaces, dots, hyphens and
 * parentheses between them. Which of them are phone numbers is decided by `isPhoneNumber`.
 * A number written with + is one whatever stands around it ("x+44 20 7946 0958y"); one
 * without must not be glued to letters or digits, as identifiers are.
 */
const PHONE_CANDIDATE = /(?:(?<!\+)\++|(?<![\p{L}\d_+.-])(?:00)?)\(?\d[\d \t().-]{5,30}\d\)?(?![\d_]|[.-]\d)/gu;
const LETTER_FIRST = /^\p{L}/u;

/** How long an IBAN is in each country that has them (ibantools' copy of the SWIFT registry). */
const IBAN_LENGTHS = new Map(
  Object.entries(getCountrySpecifications()).flatMap(([country, spec]) =>
    spec.chars !== null ? [[country, spec.chars] as const] : [],
  ),
);

/** Every detector's findings in `text`, possibly overlapping; the masker resolves overlaps. */
export function detectPii(text: string): PiiFinding[] {
  const findings: PiiFinding[] = [];
  // Cheap guards skip whole detectors on text that cannot contain their kind of value.
  if (text.includes('@')) detectEmails(text, findings);
  if (text.includes(':')) detectIPv6(text, findings);
  if (!/\d/.test(text)) return findings;
  detectIPv4(text, findings);
  detectSsns(text, findings);
  detectCards(text, findings);
  detectIbans(text, findings);
  detectPhones(text, findings);
  return text.includes('-') ? findings.filter((finding) => !insideBenignShape(text, finding)) : findings;
}

function detectEmails(text: string, findings: PiiFinding[]): void {
  for (const match of text.matchAll(EMAIL)) {
    let end = match.index + match[0].length;
    const domain = match.groups?.domain;
    if (domain !== undefined) {
      // "jane@acme.com.1x": the address ends at the last label that is a top-level domain.
      const labels = domain.split('.');
      while (labels.length >= 2 && !TOP_LEVEL_DOMAIN.test(labels.at(-1)!)) {
        // "jane@acme.example0": the top-level domain is the letters the label starts with.
        const letters = /^\p{L}{2,}/u.exec(labels.at(-1)!)?.[0];
        if (letters !== undefined) {
          end -= labels.at(-1)!.length - letters.length;
          break;
        }
        end -= labels.pop()!.length + 1;
      }
      if (labels.length < 2) continue;
    }
    findings.push({ type: 'EMAIL', start: match.index, end });
  }
}

function detectIPv4(text: string, findings: PiiFinding[]): void {
  for (const match of text.matchAll(IPV4)) {
    const end = match.index + match[0].length;
    if (looksLikeVersion(text, match.index, end)) continue;
    findings.push({ type: 'IP', start: match.index, end });
  }
}

function detectIPv6(text: string, findings: PiiFinding[]): void {
  for (const match of text.matchAll(IPV6_CANDIDATE)) {
    let candidate = match[0];
    // "at 2001:db8::1: the gateway" ends the address with the sentence's colon.
    if (!isIPv6(candidate) && candidate.endsWith(':') && !candidate.endsWith('::')) candidate = candidate.slice(0, -1);
    if (/[0-9A-Fa-f]/.test(candidate) && isIPv6(candidate)) {
      findings.push({ type: 'IP', start: match.index, end: match.index + candidate.length });
    }
  }
}

function detectSsns(text: string, findings: PiiFinding[]): void {
  for (const pattern of [SSN, SSN_GLUED_DIGITS]) {
    for (const match of text.matchAll(pattern)) {
      if (isValidSsn(match[1]!, match[3]!, match[4]!))
        findings.push({ type: 'SSN', start: match.index, end: match.index + match[0].length });
    }
  }
}

/** The SSA never issues area 000, 666 or 900–999, group 00 or serial 0000. */
function isValidSsn(area: string, group: string, serial: string): boolean {
  return area !== '000' && area !== '666' && area[0] !== '9' && group !== '00' && serial !== '0000';
}

function detectCards(text: string, findings: PiiFinding[]): void {
  for (const match of text.matchAll(DIGIT_RUN)) {
    const groups = groupsOf(match[0], match.index, /\d+/g);
    for (const window of validWindows(groups, 13, 19, (digits, _raw, i, j) => isCardNumber(digits, groups, i, j))) {
      findings.push({ type: 'CARD', ...window });
    }
  }
  for (const match of text.matchAll(CARD_GLUED_DIGITS)) {
    if (luhn(match[0].replace(/\D/g, ''))) {
      findings.push({ type: 'CARD', start: match.index, end: match.index + match[0].length });
    }
  }
}

/**
 * 13 to 19 digits passing the Luhn check. Grouped with dots, tabs or double spaces, or wrapped
 * over a line, the groups must look like a card's (three digits or more, one line break at
 * most), not like a number with thousands separators (1.234.567.890.123) as dotted amounts are.
 */
function isCardNumber(digits: string, groups: Group[], first: number, last: number): boolean {
  if (digits.length < 13 || digits.length > 19 || !luhn(digits)) return false;
  const window = groups.slice(first, last + 1);
  const separators = window.slice(1).map((group) => group.separator);
  const loose = separators.some((separator) => separator !== ' ' && separator !== '-');
  if (!loose) return true;
  if (separators.filter((separator) => separator.includes('\n')).length > 1) return false;
  if (window.some((group) => group.text.length < 3)) return false;
  const thousands =
    window.length > 2 && window[0]!.text.length <= 3 && window.slice(1).every((g) => g.text.length === 3);
  return !thousands;
}

/** The Luhn checksum every payment card number satisfies. */
export function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function detectIbans(text: string, findings: PiiFinding[]): void {
  // The candidate pattern runs on greedily (into the next IBAN, say); each search resumes
  // right after what was actually taken.
  IBAN_CANDIDATE.lastIndex = 0;
  for (let match = IBAN_CANDIDATE.exec(text); match !== null; match = IBAN_CANDIDATE.exec(text)) {
    IBAN_CANDIDATE.lastIndex = match.index + 1;
    const length = IBAN_LENGTHS.get(match[0].slice(0, 2).toUpperCase());
    if (length === undefined) continue;
    // Take exactly the country's number of characters (separators between groups do not count).
    let taken = 0;
    let end = 0;
    const candidate = match[0];
    while (end < candidate.length && taken < length) {
      if (candidate[end] !== ' ' && candidate[end] !== '-') taken++;
      end++;
    }
    if (taken < length) continue;
    if (/\d/.test(text.charAt(match.index + end))) continue;
    if (isValidIBAN(candidate.slice(0, end).replace(/[ -]/g, '').toUpperCase())) {
      findings.push({ type: 'IBAN', start: match.index, end: match.index + end });
      IBAN_CANDIDATE.lastIndex = match.index + end;
    }
  }
}

function detectPhones(text: string, findings: PiiFinding[]): void {
  for (const match of text.matchAll(PHONE_CANDIDATE)) {
    // "(+44 20 7946 0958)": the sentence's parentheses are not part of the number.
    let candidate = match[0];
    let offset = match.index;
    if (candidate.endsWith(')') && count(candidate, '(') < count(candidate, ')')) candidate = candidate.slice(0, -1);
    if (candidate.startsWith('(') && count(candidate, '(') > count(candidate, ')')) {
      candidate = candidate.slice(1);
      offset++;
    }
    // A national-format number labelled as an order or ticket number (the label stands before
    // the whole run), or written as an amount, is one.
    const labelled = labelledNonPersonal(text, offset);
    // Split at spaces and tabs only: a phone number's other separators stay inside its groups.
    const groups = groupsOf(candidate, offset, /[^ \t]+/g);
    for (const window of validWindows(groups, 8, 17, (_digits, raw) => isPhoneNumber(raw))) {
      const international = /^(?:\+|00)/.test(text.slice(window.start, window.start + 2));
      if (!international && (labelled || looksLikeAmount(text, window.start, window.end))) continue;
      if (!international && LETTER_FIRST.test(text.slice(window.end, window.end + 2))) continue;
      findings.push({ type: 'PHONE', ...window });
    }
  }
}

const DATE_PREFIX = /^(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}|\d{1,2}[-./]\d{1,2}[-./]\d{2,4})(?![\d])/;

/**
 * International numbers (+ or 00 prefix) have 8 to 15 digits (E.164); national ones 9 to 12
 * digits with at least one separator or an area code in parentheses (a number starting 00 that
 * is no international number is judged as a national one). Bare digit runs, dates
 * and numbers with doubled separators are not phone numbers.
 */
export function isPhoneNumber(raw: string): boolean {
  const digits = raw.replace(/\D/g, '');
  // No rule below accepts fewer than 8 or more than 17 digits: most candidates end here.
  if (digits.length < 8 || digits.length > 17) return false;
  if (/[ \t.-]{2,}|[()]{2}/.test(raw)) return false;
  const opens = count(raw, '(');
  const closes = count(raw, ')');
  if (opens !== closes || opens > 1) return false;
  if (opens === 1 && !/\(\d{1,5}\)/.test(raw)) return false;
  if (raw.startsWith('+')) return digits.length <= 15;
  // Not a valid international number is no proof of a safe one: "000-000-0000" still goes
  // through the national rule below (detection errs on the side of masking).
  if (raw.startsWith('00') && digits.length >= 10 && /^00[\s.\-(]?[1-9]/.test(raw)) return true;
  if (DATE_PREFIX.test(raw)) return false;
  const separated = /[ \t.\-()]/.test(raw);
  return separated && digits.length >= 9 && digits.length <= 12;
}

interface Group {
  text: string;
  /** What stands between this group and the one before it ('' for the first). */
  separator: string;
  start: number;
  end: number;
}

/** The matches of `group` (a global pattern) in `run`, with offsets into the scanned text. */
function groupsOf(run: string, offset: number, group: RegExp): Group[] {
  const groups: Group[] = [];
  let previousEnd = 0;
  for (const match of run.matchAll(group)) {
    groups.push({
      text: match[0],
      separator: run.slice(previousEnd, match.index),
      start: offset + match.index,
      end: offset + match.index + match[0].length,
    });
    previousEnd = match.index + match[0].length;
  }
  return groups;
}

/**
 * Every run of consecutive groups (`minDigits` to `maxDigits` digits) that passes `valid`. Finds
 * "4111 1111 1111 1111" inside "4111 1111 1111 1111 12" and both numbers in
 * "555-123-4567 555-987-6543", where the run as a whole is neither. Overlapping windows are
 * all returned: the masker merges them, so a number next to another one is masked whole
 * rather than split where the first valid window happens to end. A window holds at most
 * `maxDigits` digits, so this is linear in the number of groups.
 */
function validWindows(
  groups: Group[],
  minDigits: number,
  maxDigits: number,
  /** `raw` is the window's groups joined by single spaces; `first` and `last` index its groups. */
  valid: (digits: string, raw: string, first: number, last: number) => boolean,
): Array<{ start: number; end: number }> {
  const windows: Array<{ start: number; end: number }> = [];
  for (let i = 0; i < groups.length; i++) {
    let digits = '';
    let raw = '';
    for (let j = i; j < groups.length; j++) {
      const text = groups[j]!.text;
      digits += text.replace(/\D/g, '');
      raw = j === i ? text : `${raw} ${text}`;
      if (digits.length > maxDigits) break;
      if (digits.length >= minDigits && valid(digits, raw, i, j))
        windows.push({ start: groups[i]!.start, end: groups[j]!.end });
    }
  }
  return windows;
}

function count(text: string, ch: string): number {
  let n = 0;
  for (let at = text.indexOf(ch); at >= 0; at = text.indexOf(ch, at + 1)) n++;
  return n;
}
