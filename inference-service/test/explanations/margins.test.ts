import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { ModelCard } from '@byom/contracts/model-card';
import { setUpExplanations } from '../../src/explanations/explanation-setup.ts';
import type { ExplanationGraph } from '../../src/explanations/explanation-graph.ts';
import type { ScoreDecoding } from '../../src/models/prediction-decoding.ts';
import { PROBABILITY_EPSILON } from '../../src/models/prediction-decoding.ts';
import { attr, buildModel, floatInitializer, mlNode, node, tensor } from '../../src/onnx/onnx-builder.ts';
import type { ScoreResponse } from '../../src/scoring/score-schemas.ts';
import { createTestApp } from '../support/test-app.ts';
import type { TestApp } from '../support/test-app.ts';
import type { CardInput, TestModel } from '../support/test-models.ts';
import { writeModelDir } from '../support/test-models.ts';

/**
 * Explanations near 0 and 1 (issue 15). A float32 probability within 6e-8 of 1 is stored as 1,
 * so log-odds taken back from it were clamped at ±16.12 (logit(1 − 1e-7)): a record 18.2
 * log-odds from its baseline got an impact of 16.12, 2.1 short. Margins now come from the
 * graph's logits where it has them, in float64; the clamp applies only to graphs that give
 * probabilities alone, and docs/explanations.md says so.
 */

/** A margin far in the tail: sigmoid(18.2) rounds to exactly 1 in float32 (and 1 − 1.2e-8 in float64). */
const FAR = 18.2;
const CLAMPED = Math.log((1 - PROBABILITY_EPSILON) / PROBABILITY_EPSILON);

const card = (name: string, output: CardInput['output'], explanations?: CardInput['explanations']): CardInput => ({
  name,
  version: '1.0.0',
  task: 'binary_classification',
  features: [
    { name: 'a', type: 'number', baseline: 0 },
    { name: 'b', type: 'number', baseline: 0 },
  ],
  inputs: { style: 'tensor', name: 'X' },
  output,
  ...(explanations ? { explanations } : {}),
});

/** skl2onnx's binary LogisticRegression: two rows of coefficients (−w, w) and LOGISTIC; margin = a + b. */
function sklearnLogistic(name: string, explanations?: CardInput['explanations']): TestModel {
  return {
    card: card(name, { name: 'probabilities', positiveClass: 1 }, explanations),
    onnx: buildModel({
      graphName: 'logistic',
      inputs: [tensor('X', 'float', ['N', 2])],
      outputs: [tensor('label', 'int64', ['N']), tensor('probabilities', 'float', ['N', 2])],
      nodes: [
        mlNode(
          'LinearClassifier',
          ['X'],
          ['label', 'probabilities'],
          [
            attr.floats('coefficients', [-1, -1, 1, 1]),
            attr.floats('intercepts', [0, 0]),
            attr.ints('classlabels_ints', [0, 1]),
            attr.string('post_transform', 'LOGISTIC'),
          ],
        ),
      ],
    }),
  };
}

/** torch.onnx.export of a logistic layer: a logit, with the sigmoid on the card or as a node. */
function torchLogistic(name: string, sigmoidNode: boolean): TestModel {
  return {
    card: card(name, sigmoidNode ? { name: 'probability' } : { name: 'logit', transform: 'sigmoid' }, {
      method: 'shapley',
      improve: 'raise',
    }),
    onnx: buildModel({
      graphName: 'torch_jit',
      inputs: [tensor('X', 'float', ['batch', 2])],
      outputs: [tensor(sigmoidNode ? 'probability' : 'logit', 'float', ['batch', 1])],
      initializers: [floatInitializer('weight', [1, 1], [2, 1])],
      nodes: [
        node('MatMul', ['X', 'weight'], ['logit']),
        ...(sigmoidNode ? [node('Sigmoid', ['logit'], ['probability'])] : []),
      ],
    }),
  };
}

/** One score for two classes: onnxruntime's raw layout for it varies, so margins come from the probability. */
function singleScoreLogistic(name: string): TestModel {
  return {
    card: card(name, { name: 'probabilities', positiveClass: 1 }, { method: 'shapley', improve: 'raise' }),
    onnx: buildModel({
      graphName: 'single_score',
      inputs: [tensor('X', 'float', ['N', 2])],
      outputs: [tensor('label', 'int64', ['N']), tensor('probabilities', 'float', ['N', 2])],
      nodes: [
        mlNode(
          'LinearClassifier',
          ['X'],
          ['label', 'probabilities'],
          [
            attr.floats('coefficients', [1, 1]),
            attr.floats('intercepts', [0]),
            attr.ints('classlabels_ints', [0, 1]),
            attr.string('post_transform', 'LOGISTIC'),
          ],
        ),
      ],
    }),
  };
}

describe('explanations near 0 and 1', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp([
      await writeModelDir([
        sklearnLogistic('logistic-occlusion'),
        sklearnLogistic('logistic-shapley', { method: 'shapley', improve: 'raise' }),
        torchLogistic('torch-logit', false),
        torchLogistic('torch-sigmoid-node', true),
        singleScoreLogistic('single-score'),
      ]),
    ]);
  });

  const explain = async (model: string, a: number, b = 0) => {
    const response = await t.call('POST', '/v1/score', {
      model,
      explain: true,
      records: [{ id: 'r', features: { a, b } }],
    });
    const json = (await response.json()) as ScoreResponse;
    assert.equal(response.status, 200, JSON.stringify(json));
    return json.results[0]!;
  };

  for (const model of ['logistic-occlusion', 'logistic-shapley', 'torch-logit', 'torch-sigmoid-node']) {
    it(`${model}: a record ${FAR} log-odds from its baseline gets an impact of ${FAR}, not the clamped 16.12`, async () => {
      for (const sign of [1, -1]) {
        const result = await explain(model, sign * FAR);
        const impact = result.factors!.find((f) => f.feature === 'a')!.impact;
        assert.ok(Math.abs(impact - sign * FAR) < 1e-5, `impact ${impact}, expected ${sign * FAR}`);
        assert.ok(Math.abs(result.explanation!.margin - sign * FAR) < 1e-5, `margin ${result.explanation!.margin}`);
      }
      assert.equal(t.registry.get(model)!.explanation.margins, 'logits');
    });
  }

  it('takes margins from the probability, clamped at ±16.12 as documented, when the graph gives no logits', async () => {
    assert.equal(t.registry.get('single-score')!.explanation.margins, 'probability');
    const result = await explain('single-score', FAR);
    assert.ok(Math.abs(result.explanation!.margin - CLAMPED) < 1e-6, `margin ${result.explanation!.margin}`);
    const inRange = await explain('single-score', 2.5, -1);
    assert.ok(Math.abs(inRange.explanation!.margin - 1.5) < 1e-5, 'away from 0 and 1 the probability gives the margin');
  });

  it("drops logits that do not give back the graph's probabilities, and says so", async () => {
    const parsed = ModelCard.parse(card('check', { name: 'probabilities' }, { method: 'shapley', improve: 'raise' }));
    const decoding: Extract<ScoreDecoding, { task: 'classification' }> = {
      tensor: 'probabilities',
      task: 'classification',
      transform: 'none',
      positiveColumn: 1,
      multiclass: false,
      classLabels: undefined,
      margin: { from: 'logits', tensor: 'byom_explain_logits', link: 'logistic' },
    };
    const graph: ExplanationGraph = {
      margin: decoding.margin,
      addedOutputs: [],
      groups: undefined,
      probabilityGroups: undefined,
      trees: undefined,
    };
    let runs = 0;
    // The "logits" say 0.4 where the probabilities say 0.5: a layout read wrongly.
    const setup = await setUpExplanations(parsed, decoding, graph, [0, 0], async (rows) => {
      runs++;
      const scores = new Float64Array(rows.length).fill(0.5);
      const margins = new Float64Array(rows.length).fill(decoding.margin.from === 'logits' ? 0.4 : 0);
      return { scores, margins };
    });
    assert.deepEqual(decoding.margin, { from: 'probability' });
    assert.equal(setup.summary.margins, 'probability');
    assert.match(setup.summary.notes![0]!, /logits do not give back its probabilities/);
    assert.equal(runs, 2, 'the probes are scored again with margins from the probability');
  });
});
