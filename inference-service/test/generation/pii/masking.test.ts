import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isValidIBAN } from 'ibantools';
import type { PiiValue } from '../../../src/generation/domain.ts';
import { EXEMPTING_WORDS } from '../../../src/generation/pii/benign-context.ts';
import { luhn } from '../../../src/generation/pii/detectors.ts';
import { fieldLabel } from '../../../src/generation/pii/field-values.ts';
import { MaskingError, maskRequest } from '../../../src/generation/pii/masking.ts';
import { PlaceholderVault } from '../../../src/generation/pii/placeholder-vault.ts';
import { maskMessages } from '../../support/masking.ts';

type Message = { role: 'system' | 'user' | 'assistant'; content: string };
const user = (content: string): Message => ({ role: 'user', content });

function maskOne(text: string, pii: PiiValue[] = []) {
  const { messages, vault } = maskMessages([user(text)], pii);
  return { text: messages[0]!.content, vault };
}

// ---- generators of PII as it appears in real text ----

const digits = (n: number) =>
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((d) => d.join(''));

/** 16-digit cards with a correct Luhn digit, in the usual groupings. */
const card = fc.tuple(digits(15), fc.constantFrom(' ', '-', '')).map(([body, separator]) => {
  const check = [...'0123456789'].find((d) => luhn(`4${body.slice(1)}${d}`))!;
  const number = `4${body.slice(1)}${check}`;
  return number.match(/.{4}/g)!.join(separator);
});

/** German IBANs with correct check digits, grouped by four or not. */
const iban = fc.tuple(digits(18), fc.boolean()).map(([bban, grouped]) => {
  // ISO 13616 check digits run from 02 to 98.
  const check = [...Array(97).keys()]
    .map((n) => `DE${String(n + 2).padStart(2, '0')}${bban}`)
    .find((candidate) => isValidIBAN(candidate))!;
  return grouped ? check.match(/.{1,4}/g)!.join(' ') : check;
});

const ssn = fc
  .tuple(fc.integer({ min: 1, max: 899 }), fc.integer({ min: 1, max: 99 }), fc.integer({ min: 1, max: 9999 }))
  .filter(([area]) => area !== 666)
  .map(([a, g, s]) => `${String(a).padStart(3, '0')}-${String(g).padStart(2, '0')}-${String(s).padStart(4, '0')}`);

const phone = fc.oneof(
  fc
    .tuple(fc.integer({ min: 1, max: 99 }), digits(3), digits(3), digits(4))
    .map(([cc, a, b, c]) => `+${cc} ${a} ${b} ${c}`),
  fc.tuple(digits(3), digits(3), digits(4)).map(([a, b, c]) => `(${a}) ${b}-${c}`),
  fc.tuple(digits(3), digits(3), digits(4)).map(([a, b, c]) => `${a}-${b}-${c}`),
);

const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,8}[a-z0-9])?$/);
const email = fc
  .tuple(fc.stringMatching(/^[a-z0-9](?:[a-z0-9._+-]{0,10}[a-z0-9])?$/), label, fc.stringMatching(/^[a-z]{2,6}$/))
  .filter(([local]) => !local.includes('..'))
  .map(([local, domain, tld]) => `${local}@${domain}.${tld}`);

const ip = fc.oneof(
  fc.ipV4(),
  fc.ipV6().filter((address) => /[0-9a-f]/i.test(address)),
);

const piiValue = fc.oneof(card, iban, ssn, phone, email, ip);

/**
 * Words without digits or the characters PII is made of, so filler never extends a value;
 * nor the words that exempt a number as an order number, version or amount (benign-context.ts).
 */
const word = fc
  .stringMatching(/^[A-Za-z]{1,12}[,;!?]?$/)
  .filter((w) => !EXEMPTING_WORDS.includes(w.replace(/[,;!?]$/, '').toLowerCase()));
const filler = fc.array(word, { minLength: 1, maxLength: 4 }).map((words) => words.join(' '));

// ---- examples ----

describe('PII masking', () => {
  it('masks the values Apex marks, wherever and however they appear, with labels from the field names', () => {
    const { messages, vault } = maskMessages(
      [
        { role: 'system', content: 'You summarise leads for Acme Corp.' },
        user('Lead: Jane  Doe at Acme Corp, reachable at jane@acme.example. JANE DOE asked for a demo.'),
      ],
      [
        { field: 'Lead.Name', value: 'Jane Doe' },
        { field: 'Lead.Company', value: 'Acme Corp' },
        { field: 'Lead.Email', value: 'jane@acme.example' },
        { field: 'Lead.Title', value: 'A' },
      ],
    );
    assert.equal(messages[0]!.content, 'You summarise leads for [COMPANY_1].', 'system messages are masked too');
    assert.equal(
      messages[1]!.content,
      'Lead: [NAME_1] at [COMPANY_1], reachable at [EMAIL_1]. [NAME_2] asked for a demo.',
      'every spelling gets a placeholder, so each restores exactly as written',
    );
    assert.deepEqual(vault.report(), { total: 4, byType: { FIELD: 4 } }, 'the marked email counts as FIELD');
    assert.equal(
      vault.restore(messages[1]!.content).text,
      'Lead: Jane  Doe at Acme Corp, reachable at jane@acme.example. JANE DOE asked for a demo.',
    );
  });

  it('matches marked values as whole words only', () => {
    const { text } = maskOne('Ann filed the annual report with Annie.', [{ field: 'Contact.FirstName', value: 'Ann' }]);
    assert.equal(text, '[FIRST_NAME_1] filed the annual report with Annie.');
  });

  it('masks marked values that overlap each other, with no part of either left over', () => {
    const { text } = maskOne('Met Jane Doe Smith today', [
      { field: 'Lead.Name', value: 'Jane Doe' },
      { field: 'Contact.Name', value: 'Doe Smith' },
    ]);
    assert.equal(text, 'Met [NAME_1] today');
  });

  it('finds a marked value next to letters from outside the Basic Multilingual Plane only as a whole word', () => {
    assert.equal(maskOne('𝐀Ann and Ann', [{ field: 'Lead.FirstName', value: 'Ann' }]).text, '𝐀Ann and [FIRST_NAME_1]');
  });

  it('derives placeholder labels from field names', () => {
    assert.equal(fieldLabel('Lead.FirstName'), 'FIRST_NAME');
    assert.equal(fieldLabel('Opportunity.Account.Name'), 'NAME');
    assert.equal(fieldLabel('Contact.Mobile_Phone__c'), 'MOBILE_PHONE');
    assert.equal(fieldLabel('Lead.123'), 'FIELD');
    assert.equal(fieldLabel(''), 'FIELD');
  });

  it('skips placeholder numbers the caller already uses, and never restores or rejects those', () => {
    const { text, vault } = maskOne('Template literal [EMAIL_1] stays; mail bob@example.org');
    assert.equal(text, 'Template literal [EMAIL_1] stays; mail [EMAIL_2]');
    const restored = vault.restore('I kept [EMAIL_1] and wrote to [EMAIL_2].');
    assert.equal(restored.text, 'I kept [EMAIL_1] and wrote to bob@example.org.');
    assert.deepEqual(restored.invented, []);
  });

  it('restores placeholders a model has reformatted, and reports those it made up', () => {
    const { vault } = maskOne('Ping bob@example.org or +44 20 7946 0958', [{ field: 'Lead.Name', value: 'Bob Stone' }]);
    const restored = vault.restore('Mail [ email_1 ], call PHONE_1, see [EMAIL 1]; also [EMAIL_2] and [NAME_3].');
    assert.equal(
      restored.text,
      'Mail bob@example.org, call +44 20 7946 0958, see bob@example.org; also [EMAIL_2] and [NAME_3].',
    );
    assert.deepEqual(restored.invented, ['[EMAIL_2]', '[NAME_3]'], 'labels this request uses, numbers it never issued');
    assert.deepEqual(vault.restore('Step [STEP_1] and SKU_12').invented, [], 'other bracketed tokens are not ours');
  });

  it('restores and reports the same from a snapshot that crossed threads, and issues nothing from it', () => {
    const text = 'Mail bob@example.org, then ann@example.org, call +44 20 7946 0958; template [EMAIL_9]';
    const masked = maskRequest({ messages: [user(text)], pii: [{ field: 'Lead.Name', value: 'Bob Stone' }] });
    // What a pool thread's answer is on the main thread: a structured clone.
    const vault = PlaceholderVault.fromSnapshot(structuredClone(masked.vault));
    assert.deepEqual(vault.report(), { total: 3, byType: { EMAIL: 2, PHONE: 1 } });
    const answer = `${masked.messages[0]!.content} [EMAIL_3] [EMAIL 2]`;
    const restored = vault.restore(answer);
    assert.equal(restored.text, `${text} [EMAIL_3] ann@example.org`);
    assert.deepEqual(
      restored.invented,
      ['[EMAIL_3]'],
      "a label it issued, a number it did not; [EMAIL_9] is the caller's",
    );
    assert.throws(() => vault.placeholderFor('eve@example.org', 'EMAIL', 'EMAIL'), /issues none/);
  });

  it('restores inside JSON without breaking it when a value holds quotes or backslashes', () => {
    const { vault } = maskOne('Contact O"Brien \\ Co', [{ field: 'Account.Name', value: 'O"Brien \\ Co' }]);
    const restored = vault.restoreJson({ account: '[NAME_1]', notes: ['call [NAME_1]'] });
    assert.deepEqual(restored.value, { account: 'O"Brien \\ Co', notes: ['call O"Brien \\ Co'] });
  });

  it('masks again what masking a neighbour uncovered', () => {
    const { text, vault } = maskOne('see x@acme.io123-45-6789');
    assert.equal(text, 'see [EMAIL_1][SSN_1]', 'the email only ends where the masked SSN begins');
    assert.equal(vault.restore(text).text, 'see x@acme.io123-45-6789');
  });

  it('fails closed when a value survives masking', () => {
    // A marked value that only appears once another value is masked: "Jane at" → "[NAME_1] at".
    assert.throws(
      () =>
        maskMessages(
          [user('Contact Jane at x')],
          [
            { field: 'Lead.Name', value: 'Jane' },
            { field: 'Lead.Secret', value: '] at' },
          ],
        ),
      (error: Error) => error instanceof MaskingError && !error.message.includes('Jane'),
    );
  });

  // ---- properties ----

  it('property: detected values are each replaced by one placeholder, and nothing else changes', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(filler, piiValue), { minLength: 1, maxLength: 6 }), filler, (pieces, tail) => {
        const text = pieces.map(([words, value]) => `${words} ${value} `).join('') + tail;
        const { text: out, vault } = maskOne(text);
        const expected = pieces.map(([words]) => `${words} § `).join('') + tail;
        assert.equal(out.replace(/\[[A-Z]+_\d+\]/g, '§'), expected, `masked: ${out}`);
        for (const [, value] of pieces) assert.ok(!out.includes(value), `${value} reached the provider text`);
        assert.equal(vault.size, new Set(pieces.map(([, value]) => value)).size, 'one placeholder per distinct value');
      }),
      { numRuns: 300 },
    );
  });

  it('property: restoring a masked text gives back exactly the original, whatever it contains', () => {
    const fragment = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 20 }),
      piiValue,
      fc.constantFrom('[EMAIL_1]', 'EMAIL_2', '[ phone 1 ]', '[NAME_1]', '_1]', ' ', '\n', '.', ':'),
    );
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 3 }), (parts, picks) => {
        const text = parts.join('');
        // Mark some of the fragments as field values, as Apex would mark a field's value.
        const pii = picks
          .map((i) => parts[i % Math.max(parts.length, 1)] ?? '')
          .filter((value) => /^[A-Za-z0-9]/.test(value))
          .map((value, i) => ({ field: `Lead.Field${i}`, value }));
        let masked;
        try {
          masked = maskMessages([user(text)], pii);
        } catch (error) {
          // Refusing is always allowed; sending a leak never is.
          assert.ok(error instanceof MaskingError);
          return;
        }
        const restored = masked.vault.restore(masked.messages[0]!.content);
        assert.equal(restored.text, text);
        assert.deepEqual(restored.invented, []);
      }),
      { numRuns: 500 },
    );
  });

  it('property: a value gets the same placeholder in every message, and distinct values never share one', () => {
    fc.assert(
      fc.property(fc.uniqueArray(piiValue, { minLength: 2, maxLength: 5 }), filler, (values, words) => {
        const { messages } = maskMessages(
          [user(`${words} ${values.join(` ${words} `)}`), user(`${values.toReversed().join(` ${words} `)} ${words}`)],
          [],
        );
        const first = messages[0]!.content.match(/\[[A-Z]+_\d+\]/g)!;
        const second = messages[1]!.content.match(/\[[A-Z]+_\d+\]/g)!;
        assert.deepEqual(second, first.toReversed());
        assert.equal(new Set(first).size, values.length);
      }),
      { numRuns: 200 },
    );
  });

  it('property: a restored answer holds only values this request sent, and reports every token it never issued', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(piiValue, { minLength: 1, maxLength: 4 }),
        fc.array(fc.oneof(word, fc.nat({ max: 3 }), fc.integer({ min: 50, max: 99 })), { maxLength: 10 }),
        (values, answerParts) => {
          const { messages, vault } = maskMessages([user(values.join(' and '))], []);
          const issued = messages[0]!.content.match(/\[[A-Z]+_\d+\]/g)!;
          // The model's answer: words, placeholders it was given (small numbers) and ones it made up (50+).
          const answer = answerParts
            .map((part) =>
              typeof part === 'string' ? part : part < 50 ? issued[part % issued.length] : `[EMAIL_${part}]`,
            )
            .join(' ');
          const expected = answerParts
            .map((part) =>
              typeof part === 'string' ? part : part < 50 ? values[part % issued.length] : `[EMAIL_${part}]`,
            )
            .join(' ');
          const restored = vault.restore(answer);
          assert.equal(restored.text, expected);
          assert.deepEqual(
            restored.invented,
            answerParts.filter((p) => typeof p === 'number' && p >= 50).map((p) => `[EMAIL_${p}]`),
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
