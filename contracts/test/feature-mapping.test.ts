import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_RELATIONSHIP_DEPTH, parseFeatureMapping, transformFeatureType } from '../src/feature-mapping.ts';

const problemsOf = (json: string | undefined) => parseFeatureMapping(json).problems;

describe('feature mapping (Feature_Mapping__c, read as AiFeatureMapping.parseAll reads it)', () => {
  it('reads entries in order: names trimmed, transforms in any case, VALUE by default, scalar defaults kept', () => {
    assert.deepEqual(
      parseFeatureMapping(
        JSON.stringify([
          { feature: ' HasEmail ', field: 'Email', transform: 'not_blank' },
          { feature: 'Opens', field: ' Opens__c ', default: 0 },
          { feature: 'Industry', field: 'Account.Industry', transform: ' ', default: null },
          { feature: 'Days', field: 'LastActivityDate', transform: 'Days_Since', default: -1 },
          { feature: 'Vip', field: 'Vip__c', default: false },
          { feature: 'Tier', field: 'Tier__c', default: 'none' },
        ]),
      ),
      {
        entries: [
          { feature: 'HasEmail', field: 'Email', transform: 'NOT_BLANK' },
          { feature: 'Opens', field: 'Opens__c', transform: 'VALUE', default: 0 },
          { feature: 'Industry', field: 'Account.Industry', transform: 'VALUE' },
          { feature: 'Days', field: 'LastActivityDate', transform: 'DAYS_SINCE', default: -1 },
          { feature: 'Vip', field: 'Vip__c', transform: 'VALUE', default: false },
          { feature: 'Tier', field: 'Tier__c', transform: 'VALUE', default: 'none' },
        ],
        problems: [],
      },
    );
  });

  it('says what is wrong with the value as a whole', () => {
    assert.deepEqual(problemsOf(undefined), ['Feature_Mapping__c is empty: map at least one feature']);
    assert.deepEqual(problemsOf('  '), ['Feature_Mapping__c is empty: map at least one feature']);
    assert.match(problemsOf('[{"feature": "A",, }]')[0]!, /^Feature_Mapping__c is not valid JSON: /);
    assert.deepEqual(problemsOf('{"feature":"A","field":"A"}'), [
      'Feature_Mapping__c must be a JSON list such as [{"feature":"Industry","field":"Industry"}]',
    ]);
    assert.deepEqual(problemsOf('[]'), ['Feature_Mapping__c is an empty list: map at least one feature']);
  });

  it('reports every bad entry and keeps the good ones', () => {
    const parsed = parseFeatureMapping(
      JSON.stringify([
        'Industry',
        { field: 'Email' },
        { feature: 'A' },
        { feature: 'B', field: 'X' },
        { feature: 'B', field: 'Y' },
        { feature: 'C', field: 'A.B.C.D.E.F.G' },
        { feature: 'D', field: 'X', transform: 'LOG' },
        { feature: 'E', field: 'X', default: [1] },
        { feature: 'F', field: 'X', default: { value: 1 } },
        { feature: 'G', field: 'A.B.C.D.E.F' },
      ]),
    );
    assert.deepEqual(parsed.problems, [
      'entry 1 must be an object with "feature" and "field"',
      'entry 2 needs a "feature" name',
      'feature "A" needs a "field"',
      'feature "B" is mapped twice',
      'feature "C": "A.B.C.D.E.F.G" goes more than 5 relationships deep',
      'feature "D": unknown transform "LOG" (use VALUE, IS_BLANK, NOT_BLANK, DAYS_SINCE)',
      'feature "E": "default" must be a number, text or true/false',
      'feature "F": "default" must be a number, text or true/false',
    ]);
    assert.deepEqual(
      parsed.entries.map((e) => e.feature),
      ['B', 'G'],
      'the first B, and a path of five relationships (the most SOQL follows) and a field',
    );
    assert.equal(MAX_RELATIONSHIP_DEPTH, 'A.B.C.D.E.F'.split('.').length - 1);
  });

  it('knows the feature type each transform sends', () => {
    assert.equal(transformFeatureType('IS_BLANK'), 'boolean');
    assert.equal(transformFeatureType('NOT_BLANK'), 'boolean');
    assert.equal(transformFeatureType('DAYS_SINCE'), 'integer');
    assert.equal(transformFeatureType('VALUE'), undefined, "the field's own type decides");
  });
});
