import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { resolveRecord } from '../../src/models/feature-encoder.ts';
import type { ModelValue } from '../../src/models/feature-encoder.ts';
import {
  attr,
  buildModel,
  floatInitializer,
  int64Initializer,
  mlNode,
  node,
  tensor,
} from '../../src/onnx/onnx-builder.ts';
import type { NodeProto } from '../../src/onnx/onnx-proto.ts';
import type { ScoreResponse } from '../../src/scoring/score-schemas.ts';
import { createRandom } from '../../training/random.ts';
import { bruteForceShapley } from '../support/brute-force-shapley.ts';
import { randomRecord } from '../support/random-models.ts';
import { createTestApp } from '../support/test-app.ts';
import type { TestApp } from '../support/test-app.ts';
import type { CardInput, TestModel } from '../support/test-models.ts';
import { writeModelDir } from '../support/test-models.ts';

/**
 * What the graph analysis finds (graph-dependencies.ts), as GET /v1/models/{name} reports it,
 * and that explanations computed group by group still agree with brute force. Each graph is
 * [N, 4] float → operators under test → a logit the card turns into a probability.
 */

const FEATURES = ['a', 'b', 'c', 'd'];

/** The part of GET /v1/models/{name} these tests read. */
interface ModelDetail {
  explanations: Array<{ algorithm?: string; groups?: string[][] }>;
}

function graphModel(
  name: string,
  nodes: NodeProto[],
  initializers: ReturnType<typeof floatInitializer>[] = [],
): TestModel {
  const card: CardInput = {
    name,
    version: '1.0.0',
    task: 'binary_classification',
    features: FEATURES.map((f, i) => ({ name: f, type: 'number', baseline: i / 4 })),
    inputs: { style: 'tensor', name: 'X' },
    output: { name: 'logit', transform: 'sigmoid' },
    explanations: { method: 'shapley', improve: 'raise' },
  };
  return {
    card,
    onnx: buildModel({
      graphName: name,
      inputs: [tensor('X', 'float', ['N', 4])],
      outputs: [tensor('logit', 'float', ['N', 1])],
      nodes,
      initializers,
    }),
  };
}

const column = (i: number, out: string) => node('Gather', ['X', `index_${i}`], [out], [attr.int('axis', 1)]);
const indexes = [0, 1, 2, 3].map((i) => int64Initializer(`index_${i}`, [i], [1]));
const weights = (name: string, values: number[], dims: number[]) => floatInitializer(name, values, dims);

const models: Array<{ model: TestModel; groups: string[][] | undefined }> = [
  {
    // a·b interact; c and d enter linearly, d through a Relu of its own.
    model: graphModel(
      'product-of-two',
      [
        column(0, 'a'),
        column(1, 'b'),
        column(2, 'c'),
        column(3, 'd'),
        node('Mul', ['a', 'b'], ['ab']),
        node('Relu', ['d'], ['d_relu']),
        node('Concat', ['ab', 'c', 'd_relu'], ['terms'], [attr.int('axis', 1)]),
        node('MatMul', ['terms', 'w'], ['sum']),
        node('Add', ['sum', 'bias'], ['logit']),
      ],
      [...indexes, weights('w', [1.5, -0.7, 0.9], [3, 1]), weights('bias', [0.1], [1])],
    ),
    groups: [['a', 'b'], ['c'], ['d']],
  },
  {
    // skl2onnx's ColumnTransformer on one tensor: ArrayFeatureExtractor and Slice pick columns, Scaler scales them.
    model: graphModel(
      'selected-columns',
      [
        mlNode('ArrayFeatureExtractor', ['X', 'first_two'], ['ab']),
        node('Slice', ['X', 'start', 'end', 'axis'], ['cd']),
        mlNode('Scaler', ['cd'], ['cd_scaled'], [attr.floats('offset', [1, 2]), attr.floats('scale', [0.5, 2])]),
        node('Tanh', ['ab'], ['ab_tanh']),
        node('Concat', ['ab_tanh', 'cd_scaled'], ['design'], [attr.int('axis', 1)]),
        node('Gemm', ['design', 'w', 'bias'], ['logit'], [attr.int('transB', 1)]),
      ],
      [
        int64Initializer('first_two', [0, 1], [2]),
        int64Initializer('start', [2], [1]),
        int64Initializer('end', [4], [1]),
        int64Initializer('axis', [1], [1]),
        weights('w', [0.8, -1.1, 0.4, 0.3], [1, 4]),
        weights('bias', [-0.2], [1]),
      ],
    ),
    groups: [['a'], ['b'], ['c'], ['d']],
  },
  {
    // A hidden layer mixes every feature: one group.
    model: graphModel(
      'hidden-layer',
      [node('MatMul', ['X', 'w1'], ['h']), node('Relu', ['h'], ['r']), node('MatMul', ['r', 'w2'], ['logit'])],
      [weights('w1', [1, -1, 0.5, 0.2, -0.3, 0.8, 1.2, -0.6], [4, 2]), weights('w2', [1.4, -0.9], [2, 1])],
    ),
    groups: [FEATURES],
  },
  {
    // A hidden unit that only sees a and b: c and d stay apart (zero weights are read).
    model: graphModel(
      'sparse-hidden-layer',
      [
        node('MatMul', ['X', 'w1'], ['h']),
        node('Relu', ['h'], ['r']),
        node('MatMul', ['r', 'w2'], ['hidden_out']),
        node('MatMul', ['X', 'w_linear'], ['linear_out']),
        node('Add', ['hidden_out', 'linear_out'], ['logit']),
      ],
      [
        weights('w1', [1, 0.5, -1, 0.7, 0, 0, 0, 0], [4, 2]),
        weights('w2', [1.1, -0.8], [2, 1]),
        weights('w_linear', [0, 0, 0.6, -0.4], [4, 1]),
      ],
    ),
    groups: [['a', 'b'], ['c'], ['d']],
  },
  {
    // Normalizer divides each feature by the row's norm: everything interacts.
    model: graphModel(
      'normalized',
      [mlNode('Normalizer', ['X'], ['n'], [attr.string('norm', 'L2')]), node('MatMul', ['n', 'w'], ['logit'])],
      [weights('w', [1, 2, -1, 0.5], [4, 1])],
    ),
    groups: [FEATURES],
  },
  {
    // An operator the analysis does not know: the whole model is one group, never a wrong split.
    model: graphModel(
      'unknown-operator',
      [node('CumSum', ['X', 'axis'], ['running']), node('MatMul', ['running', 'w'], ['logit'])],
      [int64Initializer('axis', [1], []), weights('w', [1, -2, 0.5, 1], [4, 1])],
    ),
    groups: [FEATURES],
  },
];

describe('interaction groups read from the graph', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp([await writeModelDir(models.map((m) => m.model))]);
  });

  for (const { model, groups } of models) {
    it(`${model.card.name}: ${groups!.map((g) => `{${g.join(', ')}}`).join(' ')}, and the same values as brute force`, async () => {
      const detail = (await (await t.call('GET', `/v1/models/${model.card.name}`)).json()) as ModelDetail;
      assert.deepEqual(detail.explanations[0]!.groups, groups);
      assert.equal(detail.explanations[0]!.algorithm, 'coalitions');
      const scoring = t.registry.get(model.card.name)!;
      const random = createRandom(11);
      const records = Array.from({ length: 20 }, () => randomRecord(random, model.card));
      const response = await t.call('POST', '/v1/score', {
        model: model.card.name,
        explain: true,
        topK: 4,
        records: records.map((features, i) => ({ id: `r${i}`, features })),
      });
      const json = (await response.json()) as ScoreResponse;
      assert.equal(response.status, 200, JSON.stringify(json));
      for (const [i, result] of json.results.entries()) {
        const resolved = resolveRecord(scoring.card.features, records[i]!);
        assert.ok(resolved.ok);
        const exact = await bruteForceShapley(
          resolved.values,
          scoring.baselines,
          async (rows: ModelValue[][]) =>
            (await scoring.predictAlone({ records: rows.map((values) => ({ values })) })).margins,
        );
        const impacts = new Map(result.factors!.map((f) => [f.feature, f.impact]));
        FEATURES.forEach((f, j) =>
          assert.ok(
            Math.abs(impacts.get(f)! - exact.impacts[j]!) <= 1e-6,
            `${f}: ${impacts.get(f)} vs ${exact.impacts[j]}`,
          ),
        );
      }
    });
  }
});
