import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MaskingError } from '../../../src/generation/pii/masking.ts';
import { maskMessages } from '../../support/masking.ts';

/**
 * Inputs shaped to make a backtracking regex or a careless scan go quadratic: each shape is
 * what one of the patterns reads (tags, entities, percent-encoding, digit groups, email
 * labels, IPv6 groups, base64, placeholders, marked values), repeated to 64 KB, and all of them
 * together make one ~1 MB prompt. A quadratic step on any 64 KB shape would take billions of
 * steps; masking linear in its input finishes. The timeout only turns a hang into a failure
 * instead of a stuck run: the assertions are about what masking did.
 */

const SHAPE_BYTES = 64 * 1024;

function repeat(unit: string): string {
  return unit.repeat(Math.ceil(SHAPE_BYTES / unit.length)).slice(0, SHAPE_BYTES);
}

const SHAPES: Record<string, string> = {
  'unclosed tags': repeat('<a title="x '),
  'unclosed comments': repeat('<!--'),
  'tag names': `<${'a'.repeat(SHAPE_BYTES)}`,
  'ampersands and references': repeat('&#6&amp&#x;&'),
  'percent signs': repeat('%4%E2%80%'),
  'digit groups ending in a letter': `${repeat('1 ')}x`,
  'dotted digits': repeat('1.'),
  'one long number': repeat('7'),
  'email labels without a top-level domain': `a@${repeat('a-a.')}1`,
  'local parts without @': repeat('a.b+c_'),
  'apostrophes in local parts': repeat("a'"),
  quotes: repeat('"a'),
  'IPv6 groups': repeat('1:'),
  'phone punctuation': repeat('(1)-.'),
  'base64 alphabet': repeat('QUFB'),
  'base64 of readable text': Buffer.from(repeat('readable ')).toString('base64').slice(0, SHAPE_BYTES),
  'spelled-out symbols': repeat(' [at] (dot)'),
  'zero-width characters': repeat('a\u200b'),
  'combining marks': `a${'\u0301'.repeat(SHAPE_BYTES)}`,
  'placeholder-like tokens': repeat('[EMAIL_1'),
  'label runs': repeat('EMAIL_'),
  'marked value prefixes': repeat('ann '),
};

describe('masking hostile input', () => {
  it(
    'masks a ~1 MB prompt of every shape that could make it quadratic, and restores it exactly',
    { timeout: 300_000 },
    () => {
      const names = Object.keys(SHAPES);
      // A real value between shapes, so the test sees masking work, not just finish.
      const text = names.map((name) => `${SHAPES[name]} jane.doe@acme.example `).join('');
      assert.ok(text.length > 1_000_000, `the prompt is ${text.length} characters`);
      let masked;
      try {
        masked = maskMessages([{ role: 'user', content: text }], [{ field: 'Lead.FirstName', value: 'Ann Lee' }]);
      } catch (error) {
        assert.fail(`masking refused the prompt: ${(error as Error).message}`);
      }
      const out = masked.messages[0]!.content;
      assert.ok(!out.includes('jane.doe@acme.example'), 'the email between the shapes is masked everywhere');
      assert.equal(masked.vault.restore(out).text, text, 'restoring gives back the prompt byte for byte');
    },
  );

  it('finishes each shape on its own as well, masking or refusing it (never hanging)', { timeout: 300_000 }, () => {
    for (const [name, shape] of Object.entries(SHAPES)) {
      try {
        const masked = maskMessages([{ role: 'user', content: shape }], [{ field: 'Lead.FirstName', value: 'Ann' }]);
        assert.equal(masked.vault.restore(masked.messages[0]!.content).text, shape, name);
      } catch (error) {
        assert.ok(error instanceof MaskingError, `${name}: ${String(error)}`);
      }
    }
  });
});
