import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { ModelCard } from '../src/model-card.ts';
import { describeSchemaIssues } from '../src/schema-issues.ts';

const card = {
  name: 'churn',
  version: '1.0.0',
  task: 'binary_classification',
  features: [{ name: 'Seats', type: 'integer', default: 1 }],
  inputs: { style: 'columns' },
  output: { name: 'probabilities' },
};

function describe_(value: unknown, schema: z.ZodType = ModelCard): string {
  const parsed = schema.safeParse(value);
  assert.ok(!parsed.success, 'the value is invalid');
  return describeSchemaIssues(parsed.error.issues, schema);
}

describe('schema issues', () => {
  it('names an unknown field with the one probably meant, at any depth', () => {
    const { features, ...rest } = card;
    assert.equal(
      describe_({ ...rest, Features: features, output: { name: 'p', transfrom: 'sigmoid' } }),
      [
        'features: Invalid input: expected array, received undefined',
        'output: unknown field "transfrom" (did you mean "transform"?)',
        'top level: unknown field "Features" (did you mean "features"?)',
      ].join('; '),
    );
    assert.match(
      describe_({ ...card, features: [{ name: 'Seats', type: 'integer', dfault: 1 }] }),
      /^features\.0: unknown field "dfault" \(did you mean "default"\?\)$/,
    );
    assert.match(
      describe_({ ...card, inputs: { style: 'tensor', name: 'x', shape: [1] } }),
      /^inputs: unknown field "shape" \(allowed: style, name\)$/,
      'a discriminated union allows the fields of its options',
    );
  });

  it('lists the allowed fields when no name is close', () => {
    assert.match(
      describe_({ ...card, threshold: 0.5 }),
      /^top level: unknown field "threshold" \(allowed: name, version, default, description, scoreLabel, task, features, /,
    );
  });

  it('lists every problem, up to twenty, and counts the rest', () => {
    const Row = z.object({ a: z.number() }).strict();
    const many = z.array(Row).safeParse(Array.from({ length: 25 }, () => ({ a: 'x' })));
    assert.ok(!many.success);
    const text = describeSchemaIssues(many.error.issues, z.array(Row));
    assert.equal(text.split('; ').length, 21, text);
    assert.match(text, /^0\.a: Invalid input: expected number, received string; 1\.a: /);
    assert.match(text, /; and 5 more problems$/);
  });
});
