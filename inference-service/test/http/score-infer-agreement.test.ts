import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { attr, buildModel, floatInitializer, mlNode, node, tensor } from '../../src/onnx/onnx-builder.ts';
import type { NodeProto, TensorProto } from '../../src/onnx/onnx-proto.ts';
import type { ScoreResponse } from '../../src/scoring/score-schemas.ts';
import { createTestApp } from '../support/test-app.ts';
import type { TestApp } from '../support/test-app.ts';
import type { CardInput, TestModel } from '../support/test-models.ts';
import { writeModelDir } from '../support/test-models.ts';

/**
 * One model, one answer: /v1/score and the Open Inference Protocol's /infer run the same
 * onnxruntime session, so they agree on every input, including the ones where a second,
 * JavaScript engine used to answer differently (Relu of NaN, a NaN cast to int64, a
 * OneHotEncoder fed 1.5, Sigmoid far below zero) and on NaN and Infinity.
 *
 * JSON carries no NaN or Infinity, so they arise inside the graph (Sqrt of −1, Exp of 100)
 * for both endpoints, and on /v1/score also from a missing value the card lets the graph impute.
 */

const CAST_TO_INT64 = 7;
const CAST_TO_FLOAT = 1;
const INT64_MIN = -(2 ** 63);

/** A one-feature model: x [N, 1] float → nodes → y [N, 1] float. */
function unaryModel(
  name: string,
  nodes: NodeProto[],
  card: Partial<CardInput> & Pick<CardInput, 'task' | 'output'>,
  initializers: TensorProto[] = [],
): TestModel {
  return {
    card: {
      name,
      version: '1.0.0',
      features: [{ name: 'x', type: 'number', allowMissing: true, baseline: 4 }],
      inputs: { style: 'tensor', name: 'x' },
      ...card,
    },
    onnx: buildModel({
      graphName: name,
      inputs: [tensor('x', 'float', ['N', 1])],
      outputs: [tensor('y', 'float', ['N', 1])],
      nodes,
      initializers,
    }),
  };
}

const regression: Pick<CardInput, 'task' | 'output'> = { task: 'regression', output: { name: 'y', range: [0, 10] } };

const MODELS: TestModel[] = [
  // Relu(NaN) is NaN in onnxruntime (the JavaScript runner said 0).
  unaryModel('relu-of-sqrt', [node('Sqrt', ['x'], ['root']), node('Relu', ['root'], ['y'])], regression),
  // A NaN cast to int64 is INT64_MIN in onnxruntime (the JavaScript runner kept NaN).
  unaryModel(
    'cast-of-sqrt',
    [
      node('Sqrt', ['x'], ['root']),
      node('Cast', ['root'], ['whole'], [attr.int('to', CAST_TO_INT64)]),
      node('Cast', ['whole'], ['y'], [attr.int('to', CAST_TO_FLOAT)]),
    ],
    regression,
  ),
  // OneHotEncoder truncates 1.5 to category 1 in onnxruntime (the JavaScript runner gave all zeros).
  unaryModel(
    'one-hot-of-float',
    [
      mlNode('OneHotEncoder', ['x'], ['hot'], [attr.ints('cats_int64s', [0, 1, 2]), attr.int('zeros', 1)]),
      node('Flatten', ['hot'], ['flat'], [attr.int('axis', 1)]),
      node('MatMul', ['flat', 'weights'], ['y']),
    ],
    { task: 'regression', output: { name: 'y', range: [0, 100] }, features: [{ name: 'x', type: 'number' }] },
    [floatInitializer('weights', [10, 20, 30], [3, 1])],
  ),
  // Sigmoid(−100) is 0 in onnxruntime (the JavaScript runner said 3.8e-44).
  unaryModel('sigmoid', [node('Sigmoid', ['x'], ['y'])], {
    task: 'binary_classification',
    output: { name: 'y' },
    features: [{ name: 'x', type: 'number', baseline: 0 }],
  }),
  // Exp(100) overflows float32 to Infinity.
  unaryModel('exp', [node('Exp', ['x'], ['y'])], { ...regression, features: [{ name: 'x', type: 'number' }] }),
];

/** What /v1/score answers for a record: its score (and raw value for regressors), or that it failed. */
type ScoreAnswer = { score: number; value?: number } | { failed: string };

describe('/v1/score and /v2/models/{name}/infer give one answer per model', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp([await writeModelDir(MODELS)]);
  });

  const scoreOne = async (model: string, x: number | null): Promise<ScoreAnswer> => {
    const response = await t.call('POST', '/v1/score', { model, records: [{ id: 'r', features: { x } }] });
    const text = await response.text();
    assert.equal(response.status, 200, text);
    const json = JSON.parse(text) as ScoreResponse;
    const [result] = json.results;
    if (result)
      return result.value === undefined ? { score: result.score } : { score: result.score, value: result.value };
    assert.equal(json.errors[0]?.code, 'INFERENCE_FAILED', text);
    return { failed: json.errors[0]!.message };
  };

  /** The raw output for one row through the Open Inference Protocol: a number, or null for NaN and ±Infinity. */
  const inferOne = async (model: string, x: number): Promise<number | null> => {
    const response = await t.call('POST', `/v2/models/${model}/infer`, {
      inputs: [{ name: 'x', shape: [1, 1], datatype: 'FP32', data: [x] }],
    });
    const text = await response.text();
    assert.equal(response.status, 200, text);
    const output = (JSON.parse(text) as { outputs: Array<{ name: string; data: Array<number | null> }> }).outputs;
    return output.find((o) => o.name === 'y')!.data[0]!;
  };

  /** /v1/score's answer as it follows from the raw output: no number is a failed record, else the card's mapping. */
  const expectedAnswer = (model: TestModel, raw: number | null): ScoreAnswer => {
    if (raw === null) return { failed: 'the model returned no number for this record' };
    const range = model.card.output.range;
    if (!range) return { score: Math.min(Math.max(raw, 0), 1) };
    const [low, high] = range;
    return { score: Math.min(Math.max((raw - low) / (high - low), 0), 1), value: raw };
  };

  const cases: Array<[model: string, x: number, raw: number | null]> = [
    ['relu-of-sqrt', 9, 3],
    ['relu-of-sqrt', -1, null],
    ['cast-of-sqrt', 9, 3],
    ['cast-of-sqrt', -1, INT64_MIN],
    ['one-hot-of-float', 1.5, 20],
    ['one-hot-of-float', 2, 30],
    ['one-hot-of-float', 7, 0],
    ['sigmoid', -100, 0],
    ['sigmoid', 100, 1],
    ['exp', 0, 1],
    ['exp', 100, null],
  ];
  for (const [name, x, raw] of cases) {
    it(`${name}(${x}): /infer returns ${raw}, and /v1/score answers what follows from it`, async () => {
      assert.equal(await inferOne(name, x), raw, 'onnxruntime computes the value the table says');
      const model = MODELS.find((m) => m.card.name === name)!;
      assert.deepEqual(await scoreOne(name, x), expectedAnswer(model, raw));
    });
  }

  it('fails a record whose missing value the graph turns into NaN, as /infer would return no number', async () => {
    assert.deepEqual(await scoreOne('relu-of-sqrt', null), expectedAnswer(MODELS[0]!, null));
    assert.deepEqual(await scoreOne('cast-of-sqrt', null), expectedAnswer(MODELS[1]!, INT64_MIN));
  });

  it('answers a regressor that overflows to Infinity with a per-record error, never a null value', async () => {
    const response = await t.call('POST', '/v1/score', {
      model: 'exp',
      records: [
        { id: 'overflows', features: { x: 100 } },
        { id: 'fine', features: { x: 1 } },
      ],
    });
    const json = (await response.json()) as ScoreResponse;
    assert.deepEqual(
      json.results.map((r) => r.id),
      ['fine'],
    );
    assert.deepEqual(
      json.errors.map((e) => [e.id, e.code]),
      [['overflows', 'INFERENCE_FAILED']],
    );
  });
});
