import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import fc from 'fast-check';
import { createTestApp } from '../support/test-app.ts';
import type { TestApp } from '../support/test-app.ts';
import { columnsZipMapClassifier, tensorClassifier, writeModelDir } from '../support/test-models.ts';

/** Property: whatever a client sends, the service answers 2xx or 4xx with a JSON error — never a 5xx. */
describe('arbitrary and malformed bodies', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp([await writeModelDir([tensorClassifier(), columnsZipMapClassifier()])], {
      maxRecordsPerRequest: 20,
    });
  });

  const assertNo5xx = async (path: string, body: string) => {
    const response = await t.call('POST', path, body);
    const text = await response.text();
    assert.ok(
      response.status < 500,
      `${path} answered ${response.status} to ${body.slice(0, 200)}: ${text.slice(0, 200)}`,
    );
    if (response.status >= 400) assert.ok(JSON.parse(text).error.code, 'errors are JSON with a code');
  };

  const featureValue = fc.oneof(
    fc.double(),
    fc.integer(),
    fc.string(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.integer()),
    fc.object(),
  );
  const record = fc.record(
    {
      id: fc.oneof(fc.string(), fc.integer(), fc.constant('')),
      features: fc.oneof(
        fc.dictionary(
          fc.constantFrom('a', 'b', 'flag', 'Amount', 'Visits', 'Region', '__proto__', 'constructor'),
          featureValue,
        ),
        fc.anything(),
      ),
    },
    { requiredKeys: [] },
  );
  const scoreBody = fc.record(
    {
      model: fc.oneof(fc.constantFrom('tensor-classifier', 'columns-zipmap', ''), fc.string()),
      version: fc.oneof(fc.constantFrom('1.0.0', '2.0.0'), fc.string(), fc.integer()),
      records: fc.oneof(fc.array(record, { maxLength: 25 }), fc.anything()),
      explain: fc.oneof(fc.boolean(), fc.anything()),
      topK: fc.oneof(fc.integer({ min: -5, max: 200 }), fc.double(), fc.string()),
    },
    { requiredKeys: [] },
  );

  it('POST /v1/score never answers 5xx to structured but arbitrary bodies', async () => {
    await fc.assert(
      fc.asyncProperty(scoreBody, (body) => assertNo5xx('/v1/score', JSON.stringify(body))),
      { numRuns: 400 },
    );
  });

  it('POST /v1/score never answers 5xx to arbitrary JSON or arbitrary text', async () => {
    await fc.assert(
      fc.asyncProperty(fc.json(), (text) => assertNo5xx('/v1/score', text)),
      { numRuns: 200 },
    );
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary' }), (text) => assertNo5xx('/v1/score', text)),
      { numRuns: 200 },
    );
  });

  it('POST /v2/models/{name}/infer never answers 5xx to arbitrary tensors', async () => {
    const tensor = fc.record({
      name: fc.oneof(fc.constantFrom('float_input', 'amount', 'visits', 'region'), fc.string()),
      shape: fc.oneof(fc.array(fc.integer({ min: -1, max: 4 }), { maxLength: 3 }), fc.anything()),
      datatype: fc.oneof(fc.constantFrom('FP32', 'FP64', 'INT64', 'INT32', 'BYTES', 'BOOL'), fc.string()),
      data: fc.oneof(
        fc.array(fc.oneof(fc.double(), fc.integer(), fc.string(), fc.boolean()), { maxLength: 12 }),
        fc.anything(),
      ),
    });
    const body = fc.record({
      inputs: fc.array(tensor, { maxLength: 4 }),
      outputs: fc.option(fc.array(fc.record({ name: fc.string() }))),
    });
    await fc.assert(
      fc.asyncProperty(body, fc.constantFrom('tensor-classifier', 'columns-zipmap'), (b, model) =>
        assertNo5xx(`/v2/models/${model}/infer`, JSON.stringify(b)),
      ),
      { numRuns: 300 },
    );
  });
});
