import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import ort from 'onnxruntime-node';
import type { Feed, ModelValue } from '../../src/models/feature-encoder.ts';
import {
  compareEngines,
  javascriptEngine,
  onnxRuntimeEngine,
  probeRecords,
} from '../../src/models/inference-engine.ts';
import type { InferenceEngine, OutputTensor } from '../../src/models/inference-engine.ts';
import type { FeatureSpec } from '@byom/contracts/model-card';
import { ScoringModel } from '../../src/models/scoring-model.ts';
import { compileGraph } from '../../src/onnx/js-graph.ts';
import { UnsupportedGraphError } from '../../src/onnx/js-tensor.ts';
import type { JsTensor } from '../../src/onnx/js-tensor.ts';
import {
  attr,
  buildModel,
  floatInitializer,
  int64Initializer,
  mlNode,
  node,
  tensor,
} from '../../src/onnx/onnx-builder.ts';
import type { ModelSpec } from '../../src/onnx/onnx-builder.ts';
import {
  columnsZipMapClassifier,
  linearRegressor,
  multiclassStringLabels,
  tensorClassifier,
  torchStyleLogit,
  treeEnsemble,
  writeModelDir,
} from '../support/test-models.ts';
import type { TestModel } from '../support/test-models.ts';

/**
 * The JavaScript graph runner against onnxruntime itself: every kernel on random data, and
 * every test model (and the bundled one) scored both ways through ScoringModel.
 */

const BUNDLED = path.resolve(import.meta.dirname, '../../models/lead-scoring');

async function engines(bytes: Uint8Array, output: string): Promise<[InferenceEngine, InferenceEngine]> {
  const session = await ort.InferenceSession.create(bytes);
  return [onnxRuntimeEngine(session, output), javascriptEngine(compileGraph(bytes, output))];
}

function assertClose(actual: OutputTensor, expected: OutputTensor, tolerance = 1e-5): void {
  assert.deepEqual([...actual.dims], [...expected.dims]);
  const a = actual.data as ArrayLike<number>;
  const e = expected.data as ArrayLike<number>;
  for (let i = 0; i < e.length; i++) {
    if (Number.isNaN(e[i]!)) assert.ok(Number.isNaN(a[i]!), `value ${i}: ${a[i]} where onnxruntime gives NaN`);
    else
      assert.ok(Math.abs(a[i]! - e[i]!) <= tolerance * Math.max(1, Math.abs(e[i]!)), `value ${i}: ${a[i]} vs ${e[i]}`);
  }
}

const floats = (n: number, columns: number) =>
  fc.array(fc.float({ min: -50, max: 50, noNaN: true, noDefaultInfinity: true }), {
    minLength: n * columns,
    maxLength: n * columns,
  });

/** Random float rows for a single [N, columns] input, checked on both engines. */
async function agreeOnFloatRows(spec: ModelSpec, output: string, columns: number, input = 'X'): Promise<void> {
  const [reference, candidate] = await engines(buildModel(spec), output);
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 1, max: 6 }).chain((n) => floats(n, columns).map((values) => ({ n, values }))),
      async ({ n, values }) => {
        const feeds: Record<string, Feed> = {
          [input]: { dataType: 'float32', data: Float32Array.from(values), dims: [n, columns] },
        };
        assertClose(await candidate.run(feeds), await reference.run(feeds));
      },
    ),
    { numRuns: 60 },
  );
}

const X3 = tensor('X', 'float', ['N', 3]);

describe('JavaScript kernels agree with onnxruntime', () => {
  it('broadcasts Add, Sub, Mul and Div over rows, columns and scalars', async () => {
    await agreeOnFloatRows(
      {
        graphName: 'arithmetic',
        inputs: [X3],
        outputs: [tensor('Y', 'float', ['N', 3])],
        initializers: [
          floatInitializer('row', [1.5, -2, 0.25], [3]),
          floatInitializer('scalar', [3], []),
          floatInitializer('column', [2], [1, 1]),
        ],
        nodes: [
          node('Add', ['X', 'row'], ['a']),
          node('Mul', ['a', 'scalar'], ['b']),
          node('Sub', ['column', 'b'], ['c']),
          node('Div', ['c', 'row'], ['Y']),
        ],
      },
      'Y',
      3,
    );
  });

  it('computes the unary functions', async () => {
    await agreeOnFloatRows(
      {
        graphName: 'unary',
        inputs: [X3],
        outputs: [tensor('Y', 'float', ['N', 3])],
        initializers: [floatInitializer('one', [1], [])],
        nodes: [
          node('Abs', ['X'], ['abs']),
          node('Add', ['abs', 'one'], ['pos']),
          node('Log', ['pos'], ['log']),
          node('Sqrt', ['pos'], ['sqrt']),
          node('Neg', ['X'], ['neg']),
          node('Relu', ['neg'], ['relu']),
          node('Tanh', ['X'], ['tanh']),
          node('Sigmoid', ['relu'], ['sig']),
          node('Exp', ['tanh'], ['exp']),
          node('Add', ['log', 'sqrt'], ['s1']),
          node('Add', ['s1', 'sig'], ['s2']),
          node('Add', ['s2', 'exp'], ['Y']),
        ],
      },
      'Y',
      3,
    );
  });

  it('runs Gemm (transposed, scaled, with bias), MatMul with a vector, Softmax and Reshape', async () => {
    await agreeOnFloatRows(
      {
        graphName: 'linear_algebra',
        inputs: [X3],
        outputs: [tensor('Y', 'float', ['N', 3])],
        initializers: [
          floatInitializer('W', [0.5, -1, 2, 0.1, 0.2, -0.3], [2, 3]),
          floatInitializer('C', [1, -1], [2]),
          floatInitializer('v', [1, 2, 3], [3]),
          int64Initializer('shape', [0, 1], [2]),
        ],
        nodes: [
          node(
            'Gemm',
            ['X', 'W', 'C'],
            ['g'],
            [attr.int('transB', 1), attr.float('alpha', 0.5), attr.float('beta', 2)],
          ),
          node('MatMul', ['X', 'v'], ['mv']),
          node('Reshape', ['mv', 'shape'], ['mv2']),
          node('Concat', ['g', 'mv2'], ['cat'], [attr.int('axis', -1)]),
          node('Softmax', ['cat'], ['Y'], [attr.int('axis', -1)]),
        ],
      },
      'Y',
      3,
    );
  });

  it('casts to int64 by truncation and back to float', async () => {
    await agreeOnFloatRows(
      {
        graphName: 'casts',
        inputs: [X3],
        outputs: [tensor('Y', 'float', ['N', 3])],
        nodes: [node('Cast', ['X'], ['i'], [attr.int('to', 7)]), node('Cast', ['i'], ['Y'], [attr.int('to', 1)])],
      },
      'Y',
      3,
    );
  });

  it('runs Imputer and Scaler with per-column parameters, and Flatten', async () => {
    await agreeOnFloatRows(
      {
        graphName: 'preprocessing',
        inputs: [X3],
        outputs: [tensor('Y', 'float', ['N', 3])],
        nodes: [
          mlNode(
            'Imputer',
            ['X'],
            ['imp'],
            [attr.floats('imputed_value_floats', [7, 8, 9]), attr.float('replaced_value_float', 0)],
          ),
          mlNode('Scaler', ['imp'], ['sc'], [attr.floats('offset', [1, 2, 3]), attr.floats('scale', [0.5, 2, -1])]),
          node('Flatten', ['sc'], ['Y'], [attr.int('axis', 1)]),
        ],
      },
      'Y',
      3,
    );
  });

  for (const transform of ['NONE', 'LOGISTIC', 'SOFTMAX', 'SOFTMAX_ZERO']) {
    it(`runs a three-class LinearClassifier with post_transform ${transform}`, async () => {
      await agreeOnFloatRows(
        {
          graphName: 'linear_classifier',
          inputs: [X3],
          outputs: [tensor('label', 'int64', ['N']), tensor('scores', 'float', ['N', 3])],
          nodes: [
            mlNode(
              'LinearClassifier',
              ['X'],
              ['label', 'scores'],
              [
                attr.floats('coefficients', [0.1, -0.2, 0.3, 0, 0, 0, -0.5, 0.25, 0.05]),
                attr.floats('intercepts', [0.5, 0, -1]),
                attr.ints('classlabels_ints', [0, 1, 2]),
                attr.string('post_transform', transform),
              ],
            ),
          ],
        },
        'scores',
        3,
      );
    });
  }

  for (const transform of ['NONE', 'LOGISTIC', 'SOFTMAX']) {
    it(`runs a binary LinearClassifier with one row of coefficients and post_transform ${transform}`, async () => {
      await agreeOnFloatRows(
        {
          graphName: 'binary_one_row',
          inputs: [X3],
          outputs: [tensor('label', 'int64', ['N']), tensor('scores', 'float', ['N', 2])],
          nodes: [
            mlNode(
              'LinearClassifier',
              ['X'],
              ['label', 'scores'],
              [
                attr.floats('coefficients', [0.1, -0.2, 0.3]),
                attr.floats('intercepts', [0.5]),
                attr.ints('classlabels_ints', [0, 1]),
                attr.string('post_transform', transform),
              ],
            ),
          ],
        },
        'scores',
        3,
      );
    });
  }

  it('runs a LinearRegressor with two targets', async () => {
    await agreeOnFloatRows(
      {
        graphName: 'regressor',
        inputs: [X3],
        outputs: [tensor('Y', 'float', ['N', 2])],
        nodes: [
          mlNode(
            'LinearRegressor',
            ['X'],
            ['Y'],
            [
              attr.floats('coefficients', [1, 2, 3, -1, 0.5, 0]),
              attr.floats('intercepts', [0.5, -2]),
              attr.int('targets', 2),
            ],
          ),
        ],
      },
      'Y',
      3,
    );
  });

  it('one-hot encodes int64 categories, and fails like onnxruntime on an unknown one when zeros is 0', async () => {
    const spec = (zeros: number): ModelSpec => ({
      graphName: 'onehot_ints',
      inputs: [tensor('c', 'int64', ['N', 1])],
      outputs: [tensor('Y', 'float', ['N', 3])],
      nodes: [
        mlNode('OneHotEncoder', ['c'], ['oh'], [attr.ints('cats_int64s', [3, 5, 8]), attr.int('zeros', zeros)]),
        node('Flatten', ['oh'], ['Y'], [attr.int('axis', 1)]),
      ],
    });
    const feeds = (values: number[]): Record<string, Feed> => ({
      c: { dataType: 'int64', data: BigInt64Array.from(values.map(BigInt)), dims: [values.length, 1] },
    });
    const [reference, candidate] = await engines(buildModel(spec(1)), 'Y');
    assertClose(await candidate.run(feeds([3, 4, 8, 5])), await reference.run(feeds([3, 4, 8, 5])));
    const [strict, strictJs] = await engines(buildModel(spec(0)), 'Y');
    assertClose(await strictJs.run(feeds([3, 8])), await strict.run(feeds([3, 8])));
    await assert.rejects(strict.run(feeds([3, 4])));
    await assert.rejects(strictJs.run(feeds([3, 4])), /unknown category "4"/);
  });
});

describe('compiling a graph', () => {
  it('refuses an operator it has no kernel for, naming it', () => {
    const bytes = buildModel({
      graphName: 'normalizer',
      inputs: [X3],
      outputs: [tensor('Y', 'float', ['N', 3])],
      nodes: [mlNode('Normalizer', ['X'], ['Y'], [attr.string('norm', 'L2')])],
    });
    assert.throws(
      () => compileGraph(bytes, 'Y'),
      (e: unknown) => e instanceof UnsupportedGraphError && /Normalizer/.test(e.message),
    );
  });

  it('compiles only what the output needs, so an unsupported side branch does not matter', async () => {
    const spec: ModelSpec = {
      graphName: 'side_branch',
      inputs: [X3],
      outputs: [tensor('Y', 'float', ['N', 3]), tensor('Z', 'float', ['N', 3])],
      nodes: [mlNode('Normalizer', ['X'], ['Z'], [attr.string('norm', 'L2')]), node('Sigmoid', ['X'], ['Y'])],
    };
    await agreeOnFloatRows(spec, 'Y', 3);
    assert.throws(() => compileGraph(buildModel(spec), 'Z'), UnsupportedGraphError);
  });

  it('refuses a classifier whose label output is the one asked for', () => {
    const { onnx } = tensorClassifier();
    assert.throws(() => compileGraph(onnx, 'label'), UnsupportedGraphError);
  });
});

describe('running a compiled graph again', () => {
  it('scores every run as a fresh graph would, whatever size ran before, and leaves earlier outputs alone', async () => {
    // Kernels write over last run's tensors, whose shape changes with the batch size.
    const bytes = await readFile(path.join(BUNDLED, 'model.onnx'));
    const graph = compileGraph(bytes, 'probabilities');
    const categories = ['Web', 'Partner Referral', 'Technology', 'Canada', 'VP', 'unknown', ''];
    const numbers = [0, 1, 17, 3.5e6, Number.NaN, 250];
    const feedsFor = (rows: number, run: number): Record<string, JsTensor> => {
      const feeds: Record<string, JsTensor> = {};
      ['LeadSource', 'Industry', 'Country', 'TitleSeniority'].forEach((name, k) => {
        const data = Array.from({ length: rows }, (_, r) => categories[(r * 3 + run + k) % categories.length]!);
        feeds[name] = { type: 'string', data, dims: [rows, 1] };
      });
      ['AnnualRevenue', 'NumberOfEmployees', 'HasEmail', 'HasPhone', 'DaysSinceLastActivity', 'EmailOpens30d'].forEach(
        (name, k) => {
          const data = Float32Array.from({ length: rows }, (_, r) => numbers[(r * 5 + run + k) % numbers.length]!);
          feeds[name] = { type: 'float32', data, dims: [rows, 1] };
        },
      );
      return feeds;
    };
    const earlier: Array<{ output: JsTensor; copy: JsTensor }> = [];
    for (const [run, rows] of [3, 1, 20, 20, 5, 1, 8, 20].entries()) {
      const feeds = feedsFor(rows, run);
      const output = graph.run(feeds);
      assert.deepEqual(output, compileGraph(bytes, 'probabilities').run(feeds), `run ${run} (${rows} rows)`);
      earlier.push({ output, copy: { ...output, data: output.data.slice(), dims: [...output.dims] } as JsTensor });
    }
    for (const { output, copy } of earlier) assert.deepEqual(output, copy);
  });
});

describe('choosing the engine for a model', () => {
  const MODELS: Array<[string, () => TestModel]> = [
    ['a float tensor into LinearClassifier', () => tensorClassifier()],
    ['per-column inputs with OneHotEncoder and ZipMap', columnsZipMapClassifier],
    ['a multiclass classifier with string labels', multiclassStringLabels],
    ['a linear regressor', linearRegressor],
    ['a torch-style logit', torchStyleLogit],
    ['a tree ensemble', treeEnsemble],
  ];

  async function loadBoth(directory: string): Promise<[ScoringModel, ScoringModel]> {
    return Promise.all([
      ScoringModel.load(directory, { intraOpNumThreads: 1 }),
      ScoringModel.load(directory, { intraOpNumThreads: 1, engine: 'onnxruntime' }),
    ]);
  }

  /** Random model rows for a card: probe values and arbitrary numbers, as requests would send. */
  function rows(features: FeatureSpec[]) {
    const value = (spec: FeatureSpec): fc.Arbitrary<ModelValue> => {
      const probes = probeRecords([spec], [0]).flat();
      if (spec.type === 'number')
        return fc.oneof(fc.constantFrom(...probes), fc.double({ min: -1e6, max: 1e6, noNaN: true }));
      if (spec.type === 'integer') return fc.oneof(fc.constantFrom(...probes), fc.integer({ min: -1e6, max: 1e6 }));
      return fc.constantFrom(...probes);
    };
    return fc.array(fc.tuple(...features.map(value)), { minLength: 1, maxLength: 8 });
  }

  for (const [what, make] of [...MODELS, ['the bundled lead-scoring model', undefined] as const]) {
    it(`runs ${what} in JavaScript, scoring as onnxruntime does`, async () => {
      const directory = make
        ? await writeModelDir([make()], { flat: true }).then((root) => path.join(root, make().card.name))
        : BUNDLED;
      const [fast, reference] = await loadBoth(directory);
      assert.equal(fast.engineName, 'javascript', fast.engineReason);
      assert.equal(reference.engineName, 'onnxruntime');
      await fc.assert(
        fc.asyncProperty(rows(fast.card.features), async (records) => {
          const batch = { records: records as ModelValue[][], swaps: records.map((_, r) => (r % 2 ? [0] : [])) };
          const [a, b] = await Promise.all([fast.predictAlone(batch), reference.predictAlone(batch)]);
          for (let i = 0; i < b.scores.length; i++) {
            const same = Number.isNaN(b.scores[i]!)
              ? Number.isNaN(a.scores[i]!)
              : Math.abs(a.scores[i]! - b.scores[i]!) <= 1e-6;
            assert.ok(same, `row ${i}: ${a.scores[i]} vs ${b.scores[i]}`);
          }
        }),
        { numRuns: 40 },
      );
    });
  }

  it('keeps a model on onnxruntime when a node has no kernel, saying which', async () => {
    const model = tensorClassifier();
    model.onnx = buildModel({
      graphName: 'normalized',
      inputs: [tensor('float_input', 'float', ['N', 3])],
      outputs: [tensor('label', 'int64', ['N']), tensor('probabilities', 'float', ['N', 2])],
      nodes: [
        mlNode('Normalizer', ['float_input'], ['normalized'], [attr.string('norm', 'L1')]),
        mlNode(
          'LinearClassifier',
          ['normalized'],
          ['label', 'probabilities'],
          [
            attr.floats('coefficients', [0, 0, 0, 1, 1, 1]),
            attr.floats('intercepts', [0, 0]),
            attr.ints('classlabels_ints', [0, 1]),
            attr.string('post_transform', 'SOFTMAX'),
          ],
        ),
      ],
    });
    const root = await writeModelDir([model], { flat: true });
    const loaded = await ScoringModel.load(path.join(root, model.card.name), { intraOpNumThreads: 1 });
    assert.equal(loaded.engineName, 'onnxruntime');
    assert.match(loaded.engineReason ?? '', /no JavaScript kernel for operator ai\.onnx\.ml\.Normalizer/);
  });

  it('reports the first disagreement between two engines, in values or in failures', async () => {
    const classifier = (intercept: number) =>
      buildModel({
        graphName: 'classifier',
        inputs: [X3],
        outputs: [tensor('label', 'int64', ['N']), tensor('probabilities', 'float', ['N', 2])],
        nodes: [
          mlNode(
            'LinearClassifier',
            ['X'],
            ['label', 'probabilities'],
            [
              attr.floats('coefficients', [0, 0, 0, 0.8, -1.2, 0.5]),
              attr.floats('intercepts', [0, intercept]),
              attr.ints('classlabels_ints', [0, 1]),
              attr.string('post_transform', 'SOFTMAX'),
            ],
          ),
        ],
      });
    const floatRows = (records: ModelValue[][]): Record<string, Feed> => ({
      X: { dataType: 'float32', data: Float32Array.from(records.flat() as number[]), dims: [records.length, 3] },
    });
    const probes = [
      [1, 2, 3],
      [0, -1, 4],
    ];
    const [reference, same] = await engines(classifier(0.7), 'probabilities');
    const shifted = javascriptEngine(compileGraph(classifier(0), 'probabilities'));
    assert.equal(await compareEngines(reference, same, probes, floatRows), undefined);
    assert.match(
      (await compareEngines(reference, shifted, probes, floatRows)) ?? '',
      /output value \d+ is .*, expected/,
    );

    const encoder = (zeros: number) =>
      buildModel({
        graphName: 'encoder',
        inputs: [tensor('c', 'string', ['N', 1])],
        outputs: [tensor('Y', 'float', ['N', 2])],
        nodes: [
          mlNode('OneHotEncoder', ['c'], ['oh'], [attr.strings('cats_strings', ['a', 'b']), attr.int('zeros', zeros)]),
          node('Flatten', ['oh'], ['Y'], [attr.int('axis', 1)]),
        ],
      });
    const strings = (records: ModelValue[][]): Record<string, Feed> => ({
      c: { dataType: 'string', data: records.flat() as string[], dims: [records.length, 1] },
    });
    const [strict, strictJs] = await engines(encoder(0), 'Y');
    const [, lenientJs] = await engines(encoder(1), 'Y');
    const categories = [['a'], ['zzz'], ['b']];
    assert.equal(await compareEngines(strict, strictJs, categories, strings), undefined);
    assert.match(
      (await compareEngines(strict, lenientJs, categories, strings)) ?? '',
      /on row \["zzz"\] onnxruntime fails .* but the JavaScript runner scores/,
    );
  });

  it('honours INFERENCE_ENGINE=onnxruntime', async () => {
    const model = await ScoringModel.load(BUNDLED, { intraOpNumThreads: 1, engine: 'onnxruntime' });
    assert.equal(model.engineName, 'onnxruntime');
    assert.match(model.engineReason ?? '', /INFERENCE_ENGINE/);
  });
});
