import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isValidIBAN } from 'ibantools';
import { detectPii, isPhoneNumber, luhn } from '../../../src/generation/pii/detectors.ts';
import { maskMessages } from '../../support/masking.ts';

/** What masking leaves of a text, with detection only: the simplest view of what a provider would see. */
function masked(text: string): string {
  return maskMessages([{ role: 'user' as const, content: text }], []).messages[0]!.content;
}

function found(text: string): string[] {
  return detectPii(text).map((f) => `${f.type}:${text.slice(f.start, f.end)}`);
}

describe('PII detection in free text', () => {
  it('finds email addresses, including sub-domains, plus-addressing and non-Latin letters', () => {
    assert.equal(masked('Write to Jane.Doe+sales@mail.acme.co.uk.'), 'Write to [EMAIL_1].');
    assert.equal(masked('or ünïcödé@exämple.de'), 'or [EMAIL_1]');
    assert.equal(masked('not an address: user@localhost, @handle'), 'not an address: user@localhost, @handle');
  });

  it('finds phone numbers in international and national formats', () => {
    for (const phone of [
      '+44 20 7946 0958',
      '+1-202-555-0143',
      '+33 1 23 45 67 89',
      '+91 98765 43210',
      '+49 (30) 1234567',
      '0044 20 7946 0958',
      '(555) 123-4567',
      '555.987.6543',
      '020 7946 0958',
    ]) {
      assert.equal(masked(`call ${phone} today`), 'call [PHONE_1] today', `${phone} is a phone number`);
    }
    assert.equal(masked('(+44 20 7946 0958)'), '([PHONE_1])', 'surrounding parentheses are not part of the number');
    // Found by the hostile-markup property test: a doubled + hid the number when a letter followed it.
    assert.equal(
      masked('++44 20 7946 0958\u0F40'),
      '[PHONE_1]\u0F40',
      'a doubled + prefix is still an international number',
    );
    assert.equal(
      masked('++44 20 7946 0958'),
      '[PHONE_1]',
      'a doubled + prefix is masked with the number, never left over',
    );
    assert.doesNotMatch(
      masked('call 555-123-4567 555-987-6543'),
      /\d{2}/,
      'adjacent numbers are masked together, never half of one left over',
    );
  });

  it('leaves dates, times, amounts, versions and short numbers alone', () => {
    for (const text of [
      'on 2024-01-15 10:30',
      'dated 15.01.2024',
      'revenue 1 200 000 EUR',
      'price 1,234,567.89',
      'order 12345678',
      'version 1.2.3.4.5',
      'Meeting at 9:30, room 12, 3 attendees',
      'Q3 2024 results: 15% growth over 2023',
      'std::vector<int> at 10:30:45',
    ]) {
      assert.deepEqual(found(text), [], `"${text}" holds no PII`);
    }
  });

  it('finds payment card numbers only when the Luhn check passes, however they are grouped', () => {
    assert.equal(masked('card 4111-1111-1111-1111 ok'), 'card [CARD_1] ok');
    assert.equal(masked('amex 3782 822463 10005'), 'amex [CARD_1]');
    assert.equal(masked('visa 4111111111111111'), 'visa [CARD_1]');
    assert.equal(masked('card 4111 1111 1111 1111 exp 12/29'), 'card [CARD_1] exp 12/29');
    // Found by the hostile-markup property test: a digit glued to either end hid a grouped card.
    assert.equal(masked('x4111 1111 1111 11114y'), 'x[CARD_1]4y');
    assert.equal(masked('94111-1111-1111-1111'), '9[CARD_1]');
    assert.equal(masked('4111 1111 1111 11114111 1111 1111 1111'), '[CARD_1]', 'two cards run together: one span');
    assert.ok(!found('ref 4111 1111 1111 11125').some((f) => f.startsWith('CARD')), 'glued, but the Luhn check fails');
    assert.ok(!found('ref 4111111111111112').some((f) => f.startsWith('CARD')), 'a failed Luhn check is not a card');
    assert.equal(luhn('79927398713'), true);
    assert.equal(luhn('79927398710'), false);
  });

  it('finds IBANs with a valid mod-97 checksum and the length of their country', () => {
    assert.equal(masked('IBAN GB82 WEST 1234 5698 7654 32.'), 'IBAN [IBAN_1].');
    assert.equal(masked('pay to DE89370400440532013000 now'), 'pay to [IBAN_1] now');
    assert.equal(masked('nl91abna0417164300'), '[IBAN_1]', 'lower case is still an IBAN');
    assert.ok(!found('GB82 WEST 1234 5698 7654 33').some((f) => f.startsWith('IBAN')), 'a wrong check digit');
    assert.ok(!found('ZZ82WEST12345698765432').some((f) => f.startsWith('IBAN')), 'no such country');
    assert.equal(isValidIBAN('GB82WEST12345698765432'), true);
    assert.equal(isValidIBAN('GB83WEST12345698765432'), false);
  });

  it('finds dashed or spaced US SSNs outside the ranges the SSA never issues', () => {
    assert.equal(masked('SSN 123-45-6789.'), 'SSN [SSN_1].');
    assert.equal(masked('ssn 123 45 6789'), 'ssn [SSN_1]');
    // Found by the hostile-markup property test: digits glued after a dashed SSN hid it.
    assert.doesNotMatch(masked('123-45-6789123-45-6789'), /6789/, 'a dashed SSN with digits glued after it is masked');
    // And a dot in front hid one (".123-45-6789"); a dotted number running into it is no SSN.
    assert.equal(masked('call me.123-45-6789'), 'call me.[SSN_1]');
    assert.equal(masked('.123.45.6789'), '.[SSN_1]');
    assert.ok(!found('v1.123.45.6789').some((f) => f.startsWith('SSN')), 'a dotted version number is not an SSN');
    for (const invalid of ['000-45-6789', '123-00-6789', '123-45-0000', '900-12-3456']) {
      assert.ok(!found(invalid).some((f) => f.startsWith('SSN')), `${invalid} is not an SSN`);
    }
  });

  it('finds IPv4 and IPv6 addresses', () => {
    assert.equal(masked('from 192.168.0.1 and 10.0.0.254'), 'from [IP_1] and [IP_2]');
    assert.equal(masked('at 2001:db8::8a2e:370:7334: blocked'), 'at [IP_1]: blocked');
    assert.equal(masked('link-local fe80::1%eth0'), 'link-local [IP_1]%eth0');
    assert.equal(masked('mapped ::ffff:192.0.2.1'), 'mapped [IP_1]');
    assert.deepEqual(found('ip 256.1.1.1, time 10:30:45'), []);
  });

  it('tells phone numbers from other digit runs by their format', () => {
    assert.equal(isPhoneNumber('+44 20 7946 0958'), true);
    assert.equal(isPhoneNumber('+44 20'), false, 'too few digits');
    assert.equal(isPhoneNumber('5551234567'), false, 'a bare run of digits may be anything');
    assert.equal(isPhoneNumber('555--123-4567'), false, 'doubled separators');
    assert.equal(isPhoneNumber('2024-01-15 10'), false, 'a date and an hour');
    assert.equal(isPhoneNumber('000-000-0000'), true, 'no international number, so judged as a national one');
    assert.equal(isPhoneNumber('0044 20 7946 0958'), true);
  });
});
