import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  buildFeatureMappingFixtures,
  FEATURE_MAPPING_CASES,
  FEATURE_MAPPING_OUTPUT_FILE,
} from '../../contract/feature-mapping-fixtures.ts';

describe('the feature mapping fixtures for AiFeatureMappingTest', () => {
  it('give each case the verdict and entries of the contract', () => {
    const [padded] = buildFeatureMappingFixtures([
      {
        description: 'padded',
        mapping: '[{"feature": " A ", "field": " Email ", "transform": "is_blank"}]',
        valid: true,
      },
    ]);
    assert.deepEqual(padded!.entries, [{ feature: 'A', field: 'Email', transform: 'IS_BLANK' }]);
    assert.equal(padded!.problems, null);
    const [broken] = buildFeatureMappingFixtures([{ description: 'empty', mapping: '[]', valid: false }]);
    assert.deepEqual(broken!.problems, ['Feature_Mapping__c is an empty list: map at least one feature']);
    assert.equal(broken!.entries, null);
  });

  it('refuse a case labelled with the wrong verdict', () => {
    assert.throws(
      () => buildFeatureMappingFixtures([{ description: 'looks fine', mapping: '[{"feature": "A"}]', valid: true }]),
      {
        message:
          'feature mapping case "looks fine" is labelled valid, but the contract says: feature "A" needs a "field"',
      },
    );
  });

  it('cover both verdicts, and the committed static resource holds every case', () => {
    const fixtures = buildFeatureMappingFixtures(FEATURE_MAPPING_CASES);
    assert.ok(fixtures.some((f) => f.valid) && fixtures.some((f) => !f.valid));
    const committed = JSON.parse(readFileSync(FEATURE_MAPPING_OUTPUT_FILE, 'utf8')) as { cases: unknown[] };
    assert.deepEqual(committed.cases, fixtures, 'stale: run npm run fixtures:apex');
  });
});
