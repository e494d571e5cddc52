import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MAX_ENCODING_LEVELS, detectionViews } from '../../../src/generation/pii/detection-views.ts';
import { maskRequest } from '../../../src/generation/pii/masking.ts';
import { MaskingError } from '../../../src/generation/pii/masking-error.ts';
import { originalSpan } from '../../../src/generation/pii/text-view.ts';
import { maskMessages } from '../../support/masking.ts';

const user = (content: string) => ({ role: 'user' as const, content });

/** What the original text says under a view's span [from, to). */
function behind(text: string, viewText: string, needle: string): string {
  const view = detectionViews(text).find((v) => v.text.includes(needle))!;
  const at = view.text.indexOf(needle);
  const { start, end } = originalSpan(view, at, at + needle.length);
  return text.slice(start, end);
}

describe('detection views', () => {
  it('decode markup and fold characters, and map every match back to the original span', () => {
    const text = 'To: ja<b>ne</b>&#64;ac\u200bme&period;example, tel +44&nbsp;20\u2009７９４６ 0958.';
    const [main] = detectionViews(text);
    assert.equal(main!.text, 'To: jane@acme.example, tel +44 20 7946 0958.');
    assert.equal(behind(text, main!.text, 'jane@acme.example'), 'ja<b>ne</b>&#64;ac\u200bme&period;example');
    assert.equal(behind(text, main!.text, '+44 20 7946 0958'), '+44&nbsp;20\u2009７９４６ 0958');
  });

  it('keep what tags hold in their attributes and comments as texts of their own, and the text as written', () => {
    const text = '<a href="mailto:jane@acme.example">Mail</a><!-- call 020 7946 0958 -->';
    assert.deepEqual(
      detectionViews(text).map((v) => v.text),
      ['Mail', ' call 020 7946 0958 ', ' href="mailto:jane@acme.example"', text],
    );
    assert.equal(detectionViews('plain text').length, 1, 'text that needs no decoding is scanned once');
  });

  it('turn block tags into line breaks, so words in separate paragraphs stay separate', () => {
    assert.equal(detectionViews('<p>Jane</p><p>Doe</p><br>x')[0]!.text, '\nJane\n\nDoe\n\nx');
  });

  it('only treat real HTML tag names as markup', () => {
    assert.equal(detectionViews('jane<at>acme.example and <Jane Doe>')[0]!.text, 'jane@acme.example and <Jane Doe>');
  });

  it('read spelled-out and defanged symbols', () => {
    assert.equal(detectionViews('jane [at] acme [dot] example')[0]!.text, 'jane@acme.example');
    assert.equal(detectionViews('JANE(AT)ACME{DOT}EXAMPLE')[0]!.text, 'JANE@ACME.EXAMPLE');
    assert.equal(detectionViews('192[.]0[.]2[.]1 and jane @ acme.example')[0]!.text, '192.0.2.1 and jane@acme.example');
  });

  it('fold digits of every script and every kind of dash and space', () => {
    assert.equal(detectionViews('٤١١١ ४१११ 𝟒𝟏𝟏𝟏 ４１１１')[0]!.text, '4111 4111 4111 4111');
    assert.equal(detectionViews('1–2—3−4‑5\u00a06\u202f7\u30008')[0]!.text, '1-2-3-4-5 6 7 8');
  });

  it(`decode up to ${MAX_ENCODING_LEVELS} levels of nested encoding and refuse deeper ones (fail closed)`, () => {
    assert.equal(detectionViews('jane%252540acme.example')[0]!.text, 'jane@acme.example');
    assert.equal(detectionViews('jane&amp;amp;#64;acme.example')[0]!.text, 'jane@acme.example');
    assert.throws(() => detectionViews('jane%25252540acme.example'), MaskingError);
  });

  it('refuse text that is not well-formed Unicode (fail closed)', () => {
    assert.throws(() => detectionViews('jane\ud800@acme.example'), /lone surrogate/);
    assert.doesNotThrow(() => detectionViews('an emoji 😀 is a pair'));
  });
});

describe('masking on detection views', () => {
  it('masks the original bytes, so restoring gives back entities, tags and invisible characters exactly', () => {
    const text = 'Mail ja<b>ne</b>&#64;acme.example or call +44&nbsp;20&nbsp;7946&nbsp;0958\u200b today.';
    const { messages, vault } = maskMessages([user(text)], []);
    assert.equal(messages[0]!.content, 'Mail [EMAIL_1] or call [PHONE_1]\u200b today.');
    assert.equal(vault.restore(messages[0]!.content).text, text);
  });

  it('masks base64 that decodes to personal data as the kind of value it holds, and leaves other base64 alone', () => {
    const encoded = Buffer.from('jane.doe@acme.example').toString('base64');
    const harmless = Buffer.from('Hello, renewal deck attached').toString('base64');
    const { messages } = maskMessages([user(`token ${encoded} and ${harmless}`)], []);
    assert.equal(messages[0]!.content, `token [EMAIL_1] and ${harmless}`);
  });

  it('refuses base64 nested deeper than it decodes (fail closed)', () => {
    let text = 'Readable text, nested';
    for (let i = 0; i < 3; i++) text = Buffer.from(text).toString('base64');
    assert.throws(() => maskMessages([user(`blob ${text}`)], []), /base64 nested/);
  });

  it('masks every forwarded string, keys included, with the same placeholders as the messages', () => {
    const masked = maskRequest({
      messages: [user('Reply to jane.doe@acme.example')],
      pii: [{ field: 'Lead.Name', value: 'Jane Doe' }],
      forwarded: {
        stop: ['Regards, Jane Doe', 'jane.doe@acme.example'],
        schema: { 'jane.doe@acme.example': { enum: ['Jane Doe'] } },
      },
    });
    assert.equal(masked.messages[0]!.content, 'Reply to [EMAIL_1]');
    assert.deepEqual(masked.forwarded, {
      stop: ['Regards, [NAME_1]', '[EMAIL_1]'],
      schema: { '[EMAIL_1]': { enum: ['[NAME_1]'] } },
    });
  });

  it('is a pure function of plain data: its output survives structured cloning, as to and from a worker', () => {
    const input = { messages: [user('Call +44 20 7946 0958')], pii: [], forwarded: { stop: ['x'] } };
    const masked = maskRequest(structuredClone(input));
    assert.deepEqual(structuredClone(masked), masked);
    assert.deepEqual(maskRequest(structuredClone(input)), masked, 'the same input masks the same way');
  });

  it('property: masking hostile markup and Unicode either refuses or restores byte-exactly', () => {
    const fragment = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 12 }),
      fc.constantFrom(
        '&#64;',
        '&nbsp;',
        '&amp;',
        '&',
        '%40',
        '%2',
        '%E2%80%8B',
        '<b>',
        '</span>',
        '<a href="x">',
        '<!--',
        '-->',
        '\u200b',
        '\u00ad',
        '\u0301',
        '\u202e',
        '＠',
        '٤',
        '[at]',
        '(dot)',
        'jane@acme.example',
        '4111 1111 1111 1111',
        '+44 20 7946 0958',
        '123-45-6789',
        'amFuZUBhY21lLmNvbQ==',
      ),
    );
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 16 }), (parts) => {
        const text = parts.join('');
        let masked;
        try {
          masked = maskMessages([user(text)], [{ field: 'Lead.Name', value: "O'Brien" }]);
        } catch (error) {
          assert.ok(error instanceof MaskingError, String(error));
          return;
        }
        assert.equal(masked.vault.restore(masked.messages[0]!.content).text, text);
        for (const secret of ['jane@acme.example', '4111 1111 1111 1111', '7946 0958', '123-45-6789']) {
          assert.ok(!masked.messages[0]!.content.includes(secret), `${secret} survived in ${JSON.stringify(text)}`);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
