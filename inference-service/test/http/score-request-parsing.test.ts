import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseScoreRequest, ScoreRequest } from '../../src/scoring/score-schemas.ts';

/**
 * parseScoreRequest checks records by hand for speed; ScoreRequest is the contract. These
 * properties hold the two together: same verdict on every body, same issues when invalid,
 * the same request when valid.
 */
describe('parseScoreRequest', () => {
  const recordId = fc.oneof(
    { arbitrary: fc.string({ minLength: 1, maxLength: 20 }), weight: 4 },
    fc.constantFrom('', 'x'.repeat(255), 'x'.repeat(256), '\u{1F600}'.repeat(128)),
    fc.integer(),
    fc.constant(null),
  );
  const features = fc.oneof(
    {
      arbitrary: fc.dictionary(
        fc.string({ maxLength: 8 }),
        fc.oneof(fc.double(), fc.string(), fc.boolean(), fc.constant(null)),
      ),
      weight: 4,
    },
    fc.constantFrom(null, [], [1], 'features', 3, true),
  );
  const record = fc.oneof(
    { arbitrary: fc.record({ id: recordId, features }), weight: 6 },
    { arbitrary: fc.record({ id: recordId, features }, { requiredKeys: [] }), weight: 1 },
    { arbitrary: fc.record({ id: recordId, features, extra: fc.anything() }), weight: 1 },
    { arbitrary: fc.anything(), weight: 1 },
  );
  // Mostly valid envelopes, so that the records decide the verdict; sometimes anything at all.
  const often = <T>(usual: fc.Arbitrary<T>, other: fc.Arbitrary<unknown>) =>
    fc.oneof({ arbitrary: usual, weight: 4 }, { arbitrary: other, weight: 1 });
  const body = fc.oneof(
    {
      arbitrary: fc.record(
        {
          model: often(fc.constant('lead-scoring'), fc.oneof(fc.string(), fc.integer())),
          version: often(fc.constant('1.0.0'), fc.oneof(fc.constant(''), fc.integer())),
          records: often(fc.array(record, { maxLength: 6 }), fc.anything()),
          explain: often(fc.boolean(), fc.constant('yes')),
          topK: often(fc.integer({ min: 1, max: 100 }), fc.oneof(fc.integer({ min: -2, max: 120 }), fc.double())),
          requestId: often(
            fc.string({ minLength: 1, maxLength: 100 }),
            fc.oneof(fc.constantFrom('', 'x'.repeat(101)), fc.integer(), fc.constant(null)),
          ),
          sentAt: often(
            fc.constantFrom('2026-11-21T10:00:00Z', '2026-11-21T10:00:00.123+01:00'),
            fc.oneof(fc.constantFrom('2026-11-21', 'yesterday', ''), fc.integer()),
          ),
          extra: fc.anything(),
        },
        { requiredKeys: ['model', 'records'] },
      ),
      weight: 9,
    },
    { arbitrary: fc.anything(), weight: 1 },
  );

  it('accepts exactly the bodies ScoreRequest accepts, with the same issues when it does not', () => {
    fc.assert(
      fc.property(body, (input) => {
        const reference = ScoreRequest.safeParse(input);
        const parsed = parseScoreRequest(input);
        assert.equal(parsed.success, reference.success, `verdict for ${JSON.stringify(input)?.slice(0, 300)}`);
        if (!parsed.success && !reference.success) assert.deepEqual(parsed.error.issues, reference.error.issues);
      }),
      { numRuns: 3000 },
    );
  });

  it('returns the request ScoreRequest returns, except that records keep keys nothing reads', () => {
    fc.assert(
      fc.property(body, (input) => {
        const reference = ScoreRequest.safeParse(input);
        const parsed = parseScoreRequest(input);
        if (!reference.success || !parsed.success) return;
        const { records, ...rest } = parsed.data;
        const { records: referenceRecords, ...referenceRest } = reference.data;
        assert.deepEqual(rest, referenceRest);
        assert.deepEqual(
          records.map((r) => ({ id: r.id, features: r.features })),
          referenceRecords,
        );
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees with ScoreRequest at the edges of every envelope field', () => {
    const records = [{ id: 'r', features: {} }];
    const bodies: unknown[] = [
      { model: 'm', records, topK: 1 },
      { model: 'm', records, topK: 100 },
      { model: 'm', records, topK: 0 },
      { model: 'm', records, topK: 101 },
      { model: 'm', records, topK: 2.5 },
      { model: 'm', records, requestId: 'x'.repeat(100) },
      { model: 'm', records, requestId: 'x'.repeat(101) },
      { model: 'm', records, requestId: '' },
      { model: 'm', records, sentAt: '2026-11-21T10:00:00Z' },
      { model: 'm', records, sentAt: '2026-11-21' },
      { model: 'm', records, version: '' },
      { model: 'm', records, version: null },
      { model: 'm', records, explain: null },
      { model: '', records },
      { model: 'm', records: [] },
      { model: 'm', records, unknown: 1 },
      [{ model: 'm', records }],
    ];
    for (const body of bodies) {
      const reference = ScoreRequest.safeParse(body);
      const parsed = parseScoreRequest(body);
      assert.equal(parsed.success, reference.success, JSON.stringify(body).slice(0, 80));
      if (parsed.success && reference.success) assert.deepEqual(parsed.data, reference.data);
    }
  });

  it('checks valid records without copying them', () => {
    const sent = { id: '00Q1', features: { Industry: 'Energy' } };
    const parsed = parseScoreRequest({ model: 'lead-scoring', records: [sent] });
    assert.ok(parsed.success);
    assert.equal(parsed.data.records[0], sent);
    assert.equal(parsed.data.explain, false, 'defaults still apply');
    assert.equal(parsed.data.topK, 5);
  });

  it('reports a bad record at its index with the contract issue', () => {
    const parsed = parseScoreRequest({
      model: 'lead-scoring',
      records: [
        { id: 'ok', features: {} },
        { id: '', features: {} },
      ],
    });
    assert.ok(!parsed.success);
    assert.deepEqual(
      parsed.error.issues.map((i) => i.path),
      [['records', 1, 'id']],
    );
  });
});
