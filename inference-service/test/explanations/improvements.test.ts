import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildScoreBody } from '../../bench/request-bodies.ts';
import { attr, buildModel, mlNode, node, tensor } from '../../src/onnx/onnx-builder.ts';
import type { ScoreResponse, ScoreResult } from '../../src/scoring/score-schemas.ts';
import { createTestApp } from '../support/test-app.ts';
import type { TestApp } from '../support/test-app.ts';
import type { CardInput, TestModel } from '../support/test-models.ts';
import { tensorClassifier, writeModelDir } from '../support/test-models.ts';

/**
 * "How to improve": the best single change and the best pair of changes to actionable
 * features, checked against every allowed change scored on its own.
 */

const SOURCES = ['Web', 'Partner', 'Event'];
const LEAD_DIR = fileURLToPath(new URL('../../models/lead-scoring/', import.meta.url));

/**
 * Columns: Source (one-hot, actionable: every category), HasPhone (actionable: true only),
 * Discount (actionable grid 0 … 0.3 by 0.1), Industry (one-hot, not actionable, the strongest).
 * A product term makes a discount pay more with a phone number, so the best pair is not the two
 * best singles.
 */
function improvableModel(name: string, improve: 'raise' | 'lower'): TestModel {
  const card: CardInput = {
    name,
    version: '1.0.0',
    task: 'binary_classification',
    features: [
      { name: 'Source', type: 'category', input: 'source', categories: SOURCES, baseline: 'Web', actionable: true },
      {
        name: 'HasPhone',
        type: 'boolean',
        input: 'phone',
        default: false,
        baseline: false,
        actionable: { values: [true] },
      },
      {
        name: 'Discount',
        type: 'number',
        input: 'discount',
        min: 0,
        max: 0.5,
        baseline: 0,
        actionable: { min: 0, max: 0.3, step: 0.1 },
      },
      { name: 'Industry', type: 'category', input: 'industry', categories: ['Retail', 'Tech'], baseline: 'Retail' },
    ],
    inputs: { style: 'columns' },
    output: { name: 'probabilities', positiveClass: 1 },
    explanations: { method: 'shapley', improve },
  };
  // Columns: Source=Web, Partner, Event | phone | discount | phone·discount | Industry=Retail, Tech.
  const w = [0, 0.9, 0.4, 0.5, 1.0, 6.0, 0, 3.0];
  return {
    card,
    onnx: buildModel({
      graphName: name,
      inputs: [
        tensor('source', 'string', ['N', 1]),
        tensor('phone', 'float', ['N', 1]),
        tensor('discount', 'float', ['N', 1]),
        tensor('industry', 'string', ['N', 1]),
      ],
      outputs: [tensor('label', 'int64', ['N']), tensor('probabilities', 'float', ['N', 2])],
      nodes: [
        mlNode(
          'OneHotEncoder',
          ['source'],
          ['source_3d'],
          [attr.strings('cats_strings', SOURCES), attr.int('zeros', 1)],
        ),
        node('Flatten', ['source_3d'], ['source_onehot'], [attr.int('axis', 1)]),
        mlNode(
          'OneHotEncoder',
          ['industry'],
          ['industry_3d'],
          [attr.strings('cats_strings', ['Retail', 'Tech']), attr.int('zeros', 1)],
        ),
        node('Flatten', ['industry_3d'], ['industry_onehot'], [attr.int('axis', 1)]),
        node('Mul', ['phone', 'discount'], ['phone_discount']),
        node(
          'Concat',
          ['source_onehot', 'phone', 'discount', 'phone_discount', 'industry_onehot'],
          ['design'],
          [attr.int('axis', 1)],
        ),
        mlNode(
          'LinearClassifier',
          ['design'],
          ['label', 'probabilities'],
          [
            attr.floats('coefficients', [...w.map((v) => -v), ...w]),
            attr.floats('intercepts', [1.5, -1.5]),
            attr.ints('classlabels_ints', [0, 1]),
            attr.string('post_transform', 'LOGISTIC'),
          ],
        ),
      ],
    }),
  };
}

type Features = Record<string, string | number | boolean>;

describe('how to improve', () => {
  let t: TestApp;
  before(async () => {
    const lead = {
      card: JSON.parse(await readFile(`${LEAD_DIR}model.json`, 'utf8')),
      onnx: await readFile(`${LEAD_DIR}model.onnx`),
    };
    t = await createTestApp([
      await writeModelDir([
        improvableModel('improvable', 'raise'),
        improvableModel('risk', 'lower'),
        tensorClassifier(),
        lead,
      ]),
    ]);
  });

  const score = async (model: string, records: Features[], improve = true): Promise<ScoreResult[]> => {
    const response = await t.call('POST', '/v1/score', {
      model,
      improve,
      records: records.map((features, i) => ({ id: `r${i}`, features })),
    });
    const json = (await response.json()) as ScoreResponse;
    assert.equal(response.status, 200, JSON.stringify(json));
    return json.results;
  };

  /** Every allowed change, alone and in pairs, scored as a record of its own. */
  const everyChange = async (model: string, record: Features) => {
    const allowed: Record<string, Array<string | number | boolean>> = {
      Source: SOURCES,
      HasPhone: [true],
      Discount: [0, 0.1, 0.2, 0.3],
    };
    const candidates: Array<{ changes: Array<[string, string | number | boolean]> }> = [];
    const names = Object.keys(allowed);
    names.forEach((a, i) => {
      for (const v of allowed[a]!.filter((v) => v !== record[a])) {
        candidates.push({ changes: [[a, v]] });
        for (const b of names.slice(i + 1)) {
          for (const w of allowed[b]!.filter((w) => w !== record[b]))
            candidates.push({
              changes: [
                [a, v],
                [b, w],
              ],
            });
        }
      }
    });
    const results = await score(
      model,
      candidates.map((c) => ({ ...record, ...Object.fromEntries(c.changes) })),
      false,
    );
    return candidates.map((c, i) => ({ ...c, score: results[i]!.score }));
  };

  const cases: Features[] = [
    { Source: 'Web', HasPhone: false, Discount: 0, Industry: 'Retail' },
    { Source: 'Event', HasPhone: false, Discount: 0.2, Industry: 'Tech' },
    { Source: 'Partner', HasPhone: true, Discount: 0.1, Industry: 'Retail' },
    { Source: 'Web', HasPhone: true, Discount: 0.3, Industry: 'Tech' },
  ];

  for (const [direction, model] of [
    ['raise', 'improvable'],
    ['lower', 'risk'],
  ] as const) {
    it(`proposes the best single change and, when it does better, the best pair (${direction} the score)`, async () => {
      const better = (a: number, b: number) => (direction === 'raise' ? a > b : a < b);
      const results = await score(model, cases);
      let pairs = 0;
      for (const [i, record] of cases.entries()) {
        const own = results[i]!.score;
        const all = await everyChange(model, record);
        const pick = (size: number) =>
          all
            .filter((c) => c.changes.length === size && better(c.score, own))
            .sort((x, y) => (better(x.score, y.score) ? -1 : 1))[0];
        const single = pick(1);
        const pair = pick(2);
        const expected = [
          ...(pair && (!single || better(pair.score, single.score)) ? [pair] : []),
          ...(single ? [single] : []),
        ];
        const got = results[i]!.improvements!;
        pairs += got.filter((g) => g.changes.length === 2).length;
        assert.equal(got.length, expected.length, `record ${i}: ${JSON.stringify(got)}`);
        got.forEach((improvement, k) => {
          assert.deepEqual(
            improvement.changes.map((c) => [c.feature, c.to]),
            expected[k]!.changes,
            `record ${i}, suggestion ${k}`,
          );
          for (const change of improvement.changes) assert.deepEqual(change.from, record[change.feature]);
          assert.ok(Math.abs(improvement.scoreAfter - expected[k]!.score) < 1e-9, 'the score the change would give');
        });
      }
      assert.ok(pairs > 0, 'some record is best served by a pair');
    });
  }

  it('never changes a feature that is not actionable, even when it would move the score most', async () => {
    const results = await score('improvable', cases);
    for (const result of results) {
      for (const improvement of result.improvements!) {
        for (const change of improvement.changes) assert.notEqual(change.feature, 'Industry');
      }
    }
  });

  it('answers an empty list when no allowed change improves the score', async () => {
    const [best] = await score('improvable', [
      { Source: 'Partner', HasPhone: true, Discount: 0.3, Industry: 'Retail' },
    ]);
    assert.deepEqual(best!.improvements, []);
  });

  it('adds nothing for a model without actionable features, or when not asked', async () => {
    const [plain] = await score('tensor-classifier', [{ a: 1, b: 2, flag: true }]);
    assert.equal('improvements' in plain!, false);
    const [notAsked] = await score('improvable', [cases[0]!], false);
    assert.equal('improvements' in notAsked!, false);
  });

  it('scores the bundled lead model and every candidate of 200 leads in one run', async () => {
    const metrics = async () => {
      const text = await (await t.call('GET', '/metrics')).text();
      const line = text.split('\n').find((l) => l.startsWith('byom_inference_runs_total{model="lead-scoring"'));
      return Number(line?.split(' ').at(-1) ?? 0);
    };
    const model = t.registry.get('lead-scoring')!;
    const body = { ...buildScoreBody('lead-scoring', '1.0.0', model.card.features, 200, true), improve: true };
    const before = await metrics();
    const response = await t.call('POST', '/v1/score', body);
    const json = (await response.json()) as ScoreResponse;
    assert.equal(await metrics(), before + 1, 'explanations and improvements in one batched run');
    const actionable = new Set(model.explanation.actionable);
    assert.deepEqual([...actionable], ['LeadSource', 'HasEmail', 'HasPhone', 'DaysSinceLastActivity']);
    assert.ok(json.results.some((r) => r.improvements!.length > 0));
    for (const result of json.results) {
      for (const improvement of result.improvements!) {
        assert.ok(improvement.scoreAfter > result.score, 'a suggestion raises the score');
        for (const change of improvement.changes) assert.ok(actionable.has(change.feature));
      }
    }
  });
});
