import { isIPv6 } from 'node:net';
import type { PiiType } from '../domain.ts';

/**
 * Finds personal data in free text: emails, phone numbers, payment cards, IBANs, US social
 * security numbers and IP addresses. Every detector pairs a permissive pattern with a
 * validator (Luhn for cards, ISO 13616 mod-97 and the country's length for IBANs, the SSA's
 * reserved ranges for SSNs, `net.isIPv6` for IPv6), so a random number is not mistaken for
 * a card and a malformed card is not missed because of its spacing.
 *
 * Detection errs on the side of masking: a number that merely looks like a phone number is
 * masked, which costs the model a little context, whereas a missed one would reach a third party.
 */

export interface PiiFinding {
  type: PiiType;
  /** UTF-16 offsets into the scanned text, end exclusive. */
  start: number;
  end: number;
}

type DetectedType = Exclude<PiiType, 'FIELD'>;

// Letters and digits in any script: a match never starts or ends inside a word.
const WORD = String.raw`\p{L}\p{N}`;

const EMAIL = new RegExp(
  String.raw`(?<![${WORD}._%+\-])[${WORD}._%+\-]+@[${WORD}](?:[${WORD}\-]*[${WORD}])?(?:\.[${WORD}](?:[${WORD}\-]*[${WORD}])?)*\.\p{L}{2,}(?![${WORD}\-]|\.[${WORD}])`,
  'gu',
);

/** Dotted quads with each octet 0–255; not part of a longer dotted number such as a version string. */
const OCTET = String.raw`(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)`;
const IPV4 = new RegExp(String.raw`(?<![\p{N}.])(?:${OCTET}\.){3}${OCTET}(?![\p{N}]|\.\p{N})`, 'gu');

/** Candidates for IPv6: hex groups and colons (and an embedded IPv4 tail); `net.isIPv6` decides. */
const IPV6_CANDIDATE =
  /(?<![\p{L}\p{N}_:.])(?:[0-9A-Fa-f]{0,4}:){2,8}(?:(?:\d{1,3}\.){3}\d{1,3}|[0-9A-Fa-f]{1,4})?(?![\p{L}\p{N}_]|\.\p{N})/gu;

/** Dashed or spaced US SSNs; nine bare digits are too often something else to mask as an SSN. */
const SSN = /(?<![\p{N}-])(\d{3})([- ])(\d{2})\2(\d{4})(?![\p{N}]|-\p{N})/gu;

/** Runs of digits with single spaces or hyphens between them; cards are found in windows of the groups. */
const DIGIT_RUN = /(?<![\p{L}\p{N}_])\d+(?:[ -]\d+)*(?![\p{L}\p{N}_])/gu;

/** Two letters, two check digits, then letters and digits, optionally in groups of four. */
const IBAN_CANDIDATE = /(?<![\p{L}\p{N}])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){8,32}/gu;

/**
 * Phone candidates: an optional + or 00 prefix, then digits with spaces, dots, hyphens and
 * parentheses between them. Which of them are phone numbers is decided by `isPhoneNumber`.
 */
const PHONE_CANDIDATE = /(?<![\p{L}\p{N}_+.-])(?:\+|00)?\(?\d[\d \t().-]{5,30}\d\)?(?![\p{L}\p{N}_]|[.-]\d)/gu;

/** Lengths of IBANs by country (the SWIFT IBAN registry). */
const IBAN_LENGTHS: Record<string, number> = {
  AD: 24,
  AE: 23,
  AL: 28,
  AT: 20,
  AZ: 28,
  BA: 20,
  BE: 16,
  BG: 22,
  BH: 22,
  BI: 27,
  BR: 29,
  BY: 28,
  CH: 21,
  CR: 22,
  CY: 28,
  CZ: 24,
  DE: 22,
  DJ: 27,
  DK: 18,
  DO: 28,
  EE: 20,
  EG: 29,
  ES: 24,
  FI: 18,
  FK: 18,
  FO: 18,
  FR: 27,
  GB: 22,
  GE: 22,
  GI: 23,
  GL: 18,
  GR: 27,
  GT: 28,
  HR: 21,
  HU: 28,
  IE: 22,
  IL: 23,
  IQ: 23,
  IS: 26,
  IT: 27,
  JO: 30,
  KW: 30,
  KZ: 20,
  LB: 28,
  LC: 32,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  LY: 25,
  MC: 27,
  MD: 24,
  ME: 22,
  MK: 19,
  MN: 20,
  MR: 27,
  MT: 31,
  MU: 30,
  NI: 28,
  NL: 18,
  NO: 15,
  OM: 23,
  PK: 24,
  PL: 28,
  PS: 29,
  PT: 25,
  QA: 29,
  RO: 24,
  RS: 22,
  RU: 33,
  SA: 24,
  SC: 31,
  SD: 18,
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
  SO: 23,
  ST: 25,
  SV: 28,
  TL: 23,
  TN: 24,
  TR: 26,
  UA: 29,
  VA: 22,
  VG: 24,
  XK: 20,
  YE: 30,
};

/** Every detector's findings in `text`, possibly overlapping; the masker resolves overlaps. */
export function detectPii(text: string): PiiFinding[] {
  const findings: PiiFinding[] = [];
  // Cheap guards skip whole detectors on text that cannot contain their kind of value.
  const hasDigit = /\d/.test(text);
  if (text.includes('@')) collect(findings, 'EMAIL', EMAIL, text);
  if (text.includes(':')) detectIPv6(text, findings);
  if (!hasDigit) return findings;
  collect(findings, 'IP', IPV4, text);
  detectSsns(text, findings);
  detectCards(text, findings);
  detectIbans(text, findings);
  detectPhones(text, findings);
  return findings;
}

function collect(findings: PiiFinding[], type: DetectedType, pattern: RegExp, text: string): void {
  for (const match of text.matchAll(pattern)) {
    findings.push({ type, start: match.index, end: match.index + match[0].length });
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
  for (const match of text.matchAll(SSN)) {
    if (isValidSsn(match[1]!, match[3]!, match[4]!)) {
      findings.push({ type: 'SSN', start: match.index, end: match.index + match[0].length });
    }
  }
}

/** The SSA never issues area 000, 666 or 900–999, group 00 or serial 0000. */
export function isValidSsn(area: string, group: string, serial: string): boolean {
  return area !== '000' && area !== '666' && area[0] !== '9' && group !== '00' && serial !== '0000';
}

function detectCards(text: string, findings: PiiFinding[]): void {
  for (const match of text.matchAll(DIGIT_RUN)) {
    const groups = splitGroups(match[0], match.index, /[ -]/);
    for (const window of validWindows(
      groups,
      19,
      (digits) => digits.length >= 13 && digits.length <= 19 && luhn(digits),
    )) {
      findings.push({ type: 'CARD', ...window });
    }
  }
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
  const pattern = IBAN_CANDIDATE;
  pattern.lastIndex = 0;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    pattern.lastIndex = match.index + 1;
    const country = match[0].slice(0, 2).toUpperCase();
    const length = IBAN_LENGTHS[country];
    if (length === undefined) continue;
    // Take exactly the country's number of characters (spaces between groups do not count).
    let taken = 0;
    let end = 0;
    const candidate = match[0];
    while (end < candidate.length && taken < length) {
      if (candidate[end] !== ' ') taken++;
      end++;
    }
    if (taken < length) continue;
    const after = text.charAt(match.index + end);
    if (/[\p{L}\p{N}]/u.test(after)) continue;
    const iban = candidate.slice(0, end).replaceAll(' ', '').toUpperCase();
    if (ibanChecksumValid(iban)) {
      findings.push({ type: 'IBAN', start: match.index, end: match.index + end });
      pattern.lastIndex = match.index + end;
    }
  }
}

/** ISO 13616: move the first four characters to the end, letters to 10–35, and the number mod 97 is 1. */
export function ibanChecksumValid(iban: string): boolean {
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(iban)) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const code = ch.charCodeAt(0);
    const value = code >= 65 ? code - 55 : code - 48;
    remainder = value >= 10 ? (remainder * 100 + value) % 97 : (remainder * 10 + value) % 97;
  }
  return remainder === 1;
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
    const groups = splitGroups(candidate, offset, /[ \t]/);
    for (const window of validWindows(groups, 17, (_digits, raw) => isPhoneNumber(raw))) {
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
  if (/[ \t.-]{2,}|[()]{2}/.test(raw)) return false;
  const opens = raw.split('(').length - 1;
  const closes = raw.split(')').length - 1;
  if (opens !== closes || opens > 1) return false;
  if (opens === 1 && !/\(\d{1,5}\)/.test(raw)) return false;
  if (raw.startsWith('+')) return digits.length >= 8 && digits.length <= 15;
  // Not a valid international number is no proof of a safe one: "000-000-0000" still goes
  // through the national rule below (detection errs on the side of masking).
  if (raw.startsWith('00') && digits.length >= 10 && digits.length <= 17 && /^00[\s.\-(]?[1-9]/.test(raw)) return true;
  if (DATE_PREFIX.test(raw)) return false;
  const separated = /[ \t.\-()]/.test(raw);
  return separated && digits.length >= 9 && digits.length <= 12;
}

interface Group {
  text: string;
  start: number;
  end: number;
}

/** Splits a matched run into its groups, with offsets into the scanned text. */
function splitGroups(run: string, offset: number, separator: RegExp): Group[] {
  const groups: Group[] = [];
  let start = 0;
  for (let i = 0; i <= run.length; i++) {
    if (i === run.length || separator.test(run[i]!)) {
      if (i > start) groups.push({ text: run.slice(start, i), start: offset + start, end: offset + i });
      start = i + 1;
    }
  }
  return groups;
}

/**
 * Every run of consecutive groups (up to `maxDigits` digits) that passes `valid`. Finds
 * "4111 1111 1111 1111" inside "4111 1111 1111 1111 12" and both numbers in
 * "555-123-4567 555-987-6543", where the run as a whole is neither. Overlapping windows are
 * all returned: the masker merges them, so a number next to another one is masked whole
 * rather than split where the first valid window happens to end.
 */
function validWindows(
  groups: Group[],
  maxDigits: number,
  valid: (digits: string, raw: string) => boolean,
): Array<{ start: number; end: number }> {
  const windows: Array<{ start: number; end: number }> = [];
  for (let i = 0; i < groups.length; i++) {
    let raw = '';
    let digits = '';
    for (let j = i; j < groups.length; j++) {
      raw = j === i ? groups[j]!.text : `${raw} ${groups[j]!.text}`;
      digits += groups[j]!.text.replace(/\D/g, '');
      if (digits.length > maxDigits) break;
      if (valid(digits, raw)) windows.push({ start: groups[i]!.start, end: groups[j]!.end });
    }
  }
  return windows;
}

function count(text: string, ch: string): number {
  let n = 0;
  for (const c of text) if (c === ch) n++;
  return n;
}
