import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import ort from 'onnxruntime-node';
import { attr, buildModel, mlNode, tensor } from '../../src/onnx/onnx-builder.ts';
import { AttrType, ElemType, decodeModel } from '../../src/onnx/onnx-proto.ts';
import type { AttributeProto, NodeProto, ValueInfoProto } from '../../src/onnx/onnx-proto.ts';
import { UnsupportedGraphError } from '../../src/onnx/js-tensor.ts';
import type { JsTensor, KernelFactory } from '../../src/onnx/js-tensor.ts';
import { treeEnsembleClassifier, treeEnsembleRegressor } from '../../src/onnx/js-tree-ensemble.ts';
import { treeEnsemble } from '../support/test-models.ts';

/**
 * The JavaScript tree kernels against onnxruntime itself: random small forests (every node mode, missing-value
 * tracks, mixed and all-positive weights, base values present or not) scored on rows full of NaNs and values lying
 * exactly on thresholds, asserting the kernel's scores equal onnxruntime's.
 */

const MODES = ['BRANCH_LEQ', 'BRANCH_LT', 'BRANCH_GTE', 'BRANCH_GT', 'BRANCH_EQ', 'BRANCH_NEQ'] as const;
const TRANSFORMS = ['NONE', 'LOGISTIC', 'SOFTMAX', 'SOFTMAX_ZERO'] as const;
const AGGREGATES = ['SUM', 'AVERAGE', 'MIN', 'MAX'] as const;
/**
 * Thresholds that rows also take, so comparisons land exactly on them. 0.1 and 1/3 are not float32-exact (as float32
 * rows they equal their thresholds, as float64 rows they do not); 2^24 + 1 as an int64 row rounds onto 2^24.
 */
const THRESHOLDS = [-1, -0.5, 0, 0.1, 1 / 3, 0.5, 1, 2, 2 ** 24];
const TOLERANCE = 1e-6;

type Weight = [target: number, weight: number];
type Tree =
  { leaf: Weight[] } | { feature: number; threshold: number; mode: string; missingTrue: boolean; yes: Tree; no: Tree };

const leaf = (...weights: Weight[]): Tree => ({ leaf: weights });
const branch = (mode: string, threshold: number, yes: Tree, no: Tree, missingTrue = false): Tree => ({
  feature: 0,
  threshold,
  mode,
  missingTrue,
  yes,
  no,
});

/** ai.onnx.ml tree attributes for `trees`, nodes numbered and listed in pre-order (each tree's root first). */
function forestAttributes(trees: Tree[], prefix: 'class' | 'target'): AttributeProto[] {
  const n = { tree: [] as number[], id: [] as number[], feature: [] as number[], value: [] as number[] };
  const links = { mode: [] as string[], yes: [] as number[], no: [] as number[], missing: [] as number[] };
  const w = { tree: [] as number[], node: [] as number[], id: [] as number[], weight: [] as number[] };
  trees.forEach((root, t) => {
    let next = 0;
    const add = (node: Tree): number => {
      const id = next++;
      const at = n.tree.length;
      n.tree.push(t);
      n.id.push(id);
      const branch = 'leaf' in node ? undefined : node;
      n.feature.push(branch?.feature ?? 0);
      n.value.push(branch?.threshold ?? 0);
      links.mode.push(branch?.mode ?? 'LEAF');
      links.missing.push(branch?.missingTrue ? 1 : 0);
      links.yes.push(0);
      links.no.push(0);
      if (branch) {
        links.yes[at] = add(branch.yes);
        links.no[at] = add(branch.no);
      } else {
        for (const [target, weight] of (node as { leaf: Weight[] }).leaf) {
          w.tree.push(t);
          w.node.push(id);
          w.id.push(target);
          w.weight.push(weight);
        }
      }
      return id;
    };
    add(root);
  });
  return [
    attr.ints('nodes_treeids', n.tree),
    attr.ints('nodes_nodeids', n.id),
    attr.ints('nodes_featureids', n.feature),
    attr.floats('nodes_values', n.value),
    attr.strings('nodes_modes', links.mode),
    attr.ints('nodes_truenodeids', links.yes),
    attr.ints('nodes_falsenodeids', links.no),
    attr.ints('nodes_missing_value_tracks_true', links.missing),
    attr.floats(
      'nodes_hitrates',
      n.tree.map(() => 1),
    ),
    attr.ints(`${prefix}_treeids`, w.tree),
    attr.ints(`${prefix}_nodeids`, w.node),
    attr.ints(`${prefix}_ids`, w.id),
    attr.floats(`${prefix}_weights`, w.weight),
  ];
}

type InputType = 'float32' | 'float64' | 'int64';

function inputInfo(type: InputType, features: number): ValueInfoProto {
  const elemType = { float32: ElemType.FLOAT, float64: ElemType.DOUBLE, int64: ElemType.INT64 }[type];
  const dims = [{ dimParam: 'N' }, { dimValue: features }];
  return { name: 'X', type: { tensorType: { elemType, shape: { dim: dims } } } };
}

function classifierNode(trees: Tree[], classes: number, transform: string, base?: number[]): NodeProto {
  return mlNode(
    'TreeEnsembleClassifier',
    ['X'],
    ['label', 'scores'],
    [
      ...forestAttributes(trees, 'class'),
      attr.ints(
        'classlabels_int64s',
        Array.from({ length: classes }, (_, k) => k * 10),
      ),
      attr.string('post_transform', transform),
      ...(base ? [attr.floats('base_values', base)] : []),
    ],
  );
}

function regressorNode(trees: Tree[], targets: number, aggregate: string, base?: number[]): NodeProto {
  return mlNode(
    'TreeEnsembleRegressor',
    ['X'],
    ['scores'],
    [
      ...forestAttributes(trees, 'target'),
      attr.int('n_targets', targets),
      attr.string('aggregate_function', aggregate),
      ...(base ? [attr.floats('base_values', base)] : []),
    ],
  );
}

function modelOf(node: NodeProto, features: number, width: number, type: InputType): Uint8Array {
  const outputs = [tensor('scores', 'float', ['N', width])];
  if (node.opType === 'TreeEnsembleClassifier') outputs.unshift(tensor('label', 'int64', ['N']));
  return buildModel({ graphName: 'trees', inputs: [inputInfo(type, features)], outputs, nodes: [node] });
}

function ortInput(type: InputType, rows: number[][], features: number): ort.Tensor {
  const flat = rows.flat();
  const dims = [rows.length, features];
  if (type === 'float32') return new ort.Tensor('float32', Float32Array.from(flat), dims);
  if (type === 'float64') return new ort.Tensor('float64', Float64Array.from(flat), dims);
  return new ort.Tensor(
    'int64',
    BigInt64Array.from(flat, (v) => BigInt(v)),
    dims,
  );
}

function jsInput(type: InputType, rows: number[][], features: number): JsTensor {
  const dims = [rows.length, features];
  if (type === 'float32') return { type, data: Float32Array.from(rows.flat()), dims };
  return { type, data: Float64Array.from(rows.flat()), dims };
}

function kernelOf(factory: KernelFactory, node: NodeProto, outputsUsed = [false, true]) {
  return factory({ node, opset: 3, constant: () => undefined, outputsUsed });
}

/** Scores the rows with both onnxruntime and the kernel and asserts they agree, errors included. */
async function assertMatchesOnnxruntime(
  factory: KernelFactory,
  node: NodeProto,
  rows: number[][],
  features: number,
  width: number,
  type: InputType = 'float32',
): Promise<void> {
  const options = { intraOpNumThreads: 1, logSeverityLevel: 4 } as const; // it logs the rows it rejects
  const session = await ort.InferenceSession.create(modelOf(node, features, width, type), options);
  const scoreIndex = node.opType === 'TreeEnsembleClassifier' ? 1 : 0;
  const kernel = kernelOf(factory, node, scoreIndex === 1 ? [false, true] : [true]);
  const input = jsInput(type, rows, features);
  let expected: Float32Array;
  try {
    expected = (await session.run({ X: ortInput(type, rows, features) })).scores!.data as Float32Array;
  } catch {
    // onnxruntime fails a multiclass row that no leaf scored and no base value covers; so must the kernel.
    assert.throws(() => kernel([input], []), /no class has a score/);
    return;
  } finally {
    await session.release();
  }
  // The second run writes over the first run's output, as the graph runner allows, and must score the same.
  const first = kernel([input], []);
  const actual = kernel([input], first)[scoreIndex]!;
  assert.equal((actual.data as Float32Array).buffer, (first[scoreIndex]!.data as Float32Array).buffer);
  assert.equal(actual.type, 'float32');
  assert.deepEqual(actual.dims, [rows.length, width]);
  for (let i = 0; i < expected.length; i++) {
    const [a, e] = [actual.data[i] as number, expected[i]!];
    const where = `row ${Math.floor(i / width)} column ${i % width}: kernel ${a}, onnxruntime ${e}`;
    assert.ok(Object.is(a, e) || Math.abs(a - e) <= TOLERANCE, where);
  }
}

// ---- arbitraries ---------------------------------------------------------------------------

const weightArb = fc.oneof(fc.float({ min: -2, max: 2, noNaN: true }), fc.constantFrom(-1, -0.25, 0.25, 0.5, 1));

function treeArb(features: number, leafArb: fc.Arbitrary<Weight[]>): fc.Arbitrary<Tree> {
  return fc.letrec<{ tree: Tree }>((tie) => ({
    tree: fc.oneof(
      { maxDepth: 3, depthIdentifier: 'tree' },
      leafArb.map((leaf) => ({ leaf })),
      fc.record({
        feature: fc.integer({ min: 0, max: features - 1 }),
        threshold: fc.oneof(fc.constantFrom(...THRESHOLDS), fc.float({ min: -3, max: 3, noNaN: true })),
        mode: fc.constantFrom(...MODES),
        missingTrue: fc.boolean(),
        yes: tie('tree'),
        no: tie('tree'),
      }),
    ),
  })).tree;
}

function forestArb(features: number, leafArb: fc.Arbitrary<Weight[]>): fc.Arbitrary<Tree[]> {
  return fc.array(treeArb(features, leafArb), { minLength: 1, maxLength: 4 });
}

const valueArb = fc.oneof(
  fc.constantFrom(...THRESHOLDS),
  fc.constant(Number.NaN),
  fc.float({ min: -3, max: 3, noNaN: true }),
  fc.integer({ min: -3, max: 3 }),
);

function rowsArb(features: number, value = valueArb): fc.Arbitrary<number[][]> {
  return fc.array(fc.array(value, { minLength: features, maxLength: features }), { minLength: 1, maxLength: 24 });
}

const baseArb = (length: number) => fc.array(weightArb, { minLength: length, maxLength: length });

/**
 * A classifier: 2 or 3 classes; leaves weighted either all for one class id (onnxruntime's binary case, which only
 * exists for two classes) or for any classes (a leaf may carry none); weights mixed or all positive; base values
 * absent or one per class (or the single value the binary case allows).
 */
const classifierArb = (value = valueArb) =>
  fc
    .record({
      classes: fc.constantFrom(2, 3),
      oneClassId: fc.boolean(),
      classId: fc.constantFrom(0, 1),
      positive: fc.boolean(),
      features: fc.integer({ min: 1, max: 3 }),
    })
    .chain(({ classes, oneClassId, classId, positive, features }) => {
      const binary = classes === 2 && oneClassId;
      const weight = positive ? weightArb.map(Math.abs) : weightArb;
      const leaf = binary
        ? fc.array(weight, { minLength: 1, maxLength: 2 }).map((ws) => ws.map((v): Weight => [classId, v]))
        : fc.array(fc.tuple(fc.integer({ min: 0, max: classes - 1 }), weight), { maxLength: 3 });
      const baseLengths = binary ? [0, 1, 2] : [0, classes];
      return fc.record({
        classes: fc.constant(classes),
        features: fc.constant(features),
        trees: forestArb(features, leaf),
        base: fc.constantFrom(...baseLengths).chain((length) => (length ? baseArb(length) : fc.constant(undefined))),
        rows: rowsArb(features, value),
      });
    });

const regressorArb = fc.integer({ min: 1, max: 3 }).chain((features) =>
  fc.constantFrom(1, 2).chain((targets) => {
    // With one target onnxruntime wants exactly one weight per leaf; with more, a leaf may score any of them.
    const leaf =
      targets === 1
        ? weightArb.map((v): Weight[] => [[0, v]])
        : fc.array(fc.tuple(fc.integer({ min: 0, max: targets - 1 }), weightArb), { maxLength: 3 });
    return fc.record({
      targets: fc.constant(targets),
      features: fc.constant(features),
      trees: forestArb(features, leaf),
      base: fc.option(baseArb(targets), { nil: undefined }),
      rows: rowsArb(features),
    });
  }),
);

// ---- tests ---------------------------------------------------------------------------------

describe('TreeEnsembleClassifier in JavaScript', () => {
  for (const transform of TRANSFORMS) {
    it(`matches onnxruntime on random forests with post_transform ${transform}`, async () => {
      await fc.assert(
        fc.asyncProperty(classifierArb(), async ({ classes, features, trees, base, rows }) => {
          const node = classifierNode(trees, classes, transform, base);
          await assertMatchesOnnxruntime(treeEnsembleClassifier, node, rows, features, classes);
        }),
        { numRuns: 150 },
      );
    });
  }

  it('matches onnxruntime on float64 and int64 inputs (double thresholds; integers compared as float)', async () => {
    const int64Arb = fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom(2 ** 24, 2 ** 24 + 1, 2 ** 24 + 3));
    const float64Arb = fc.oneof(valueArb, fc.double({ min: -3, max: 3, noNaN: true }));
    const typedArb = fc.oneof(
      fc.record({ type: fc.constant<InputType>('int64'), model: classifierArb(int64Arb) }),
      fc.record({ type: fc.constant<InputType>('float64'), model: classifierArb(float64Arb) }),
    );
    await fc.assert(
      fc.asyncProperty(typedArb, fc.constantFrom(...TRANSFORMS), async ({ type, model }, transform) => {
        const node = classifierNode(model.trees, model.classes, transform, model.base);
        await assertMatchesOnnxruntime(treeEnsembleClassifier, node, model.rows, model.features, model.classes, type);
      }),
      { numRuns: 150 },
    );
  });

  it('compares and sums in float32 for float and int64 rows, in float64 for double rows, as onnxruntime does', async () => {
    // 2^24 + 1 rounds to 2^24 in float32, and 2^24 + 1 + 1 sums back to 2^24 there.
    const big = 2 ** 24;
    const trees = [branch('BRANCH_LEQ', big, leaf([0, big]), leaf([0, 0])), leaf([0, 1]), leaf([0, 1])];
    const rows = [[big], [big + 1], [big + 2]];
    const firstColumn = { float32: [big, big, 2], int64: [big, big, 2], float64: [big + 2, 2, 2] };
    for (const type of ['float32', 'int64', 'float64'] as const) {
      const node = classifierNode(trees, 3, 'NONE');
      await assertMatchesOnnxruntime(treeEnsembleClassifier, node, rows, 1, 3, type);
      const scores = kernelOf(treeEnsembleClassifier, node)([jsInput(type, rows, 1)], [])[1]!.data as Float32Array;
      assert.deepEqual([scores[0], scores[3], scores[6]], firstColumn[type], type);
      if (type !== 'int64') {
        await assertMatchesOnnxruntime(treeEnsembleRegressor, regressorNode(trees, 1, 'SUM'), rows, 1, 1, type);
      }
    }
  });

  it("scores the repo's decoded tree-ensemble model as onnxruntime does (binary case, one class id)", async () => {
    const node = { ...decodeModel(treeEnsemble().onnx).graph!.node![0]!, output: ['label', 'scores'] };
    const rows = [[0.5, 2], [0.5000001, 2.0000002], [Number.NaN, 1], [-3, 7], [1, Number.NaN]]; // prettier-ignore
    await assertMatchesOnnxruntime(treeEnsembleClassifier, node, rows, 2, 2);
  });

  it('sends NaN down the true branch only where nodes_missing_value_tracks_true is set', () => {
    const score = (missingTrue: boolean, x: number) => {
      const stump = branch('BRANCH_LEQ', 0.5, leaf([1, 2]), leaf([1, -2]), missingTrue);
      const kernel = kernelOf(treeEnsembleClassifier, classifierNode([stump], 2, 'NONE'));
      const [, scores] = kernel([{ type: 'float32', data: Float32Array.of(x), dims: [1, 1] }], []);
      return Array.from(scores!.data as Float32Array);
    };
    assert.deepEqual(score(true, Number.NaN), [0, 2]);
    assert.deepEqual(score(false, Number.NaN), [0, -2]);
    assert.deepEqual(score(false, 0.5), [0, 2], 'BRANCH_LEQ is true on the threshold');
  });

  it('refuses PROBIT, a read label output, and what it does not implement exactly', () => {
    const stump = [branch('BRANCH_LT', 0, leaf([0, 1]), leaf([1, 1]))];
    const refused = (node: NodeProto, outputsUsed?: boolean[]) =>
      assert.throws(() => kernelOf(treeEnsembleClassifier, node, outputsUsed), UnsupportedGraphError);
    refused(classifierNode(stump, 2, 'PROBIT'));
    refused(classifierNode(stump, 2, 'NONE'), [true, true]);
    refused(classifierNode(stump, 2, 'NONE', [0.5])); // one base value without the binary case
    refused(classifierNode(stump, 1, 'NONE'));
    const withTensor = classifierNode(stump, 2, 'NONE');
    withTensor.attribute!.push({ name: 'nodes_values_as_tensor', type: AttrType.TENSOR });
    refused(withTensor);
    const oddMode = classifierNode(stump, 2, 'NONE');
    oddMode.attribute!.find((a) => a.name === 'nodes_modes')!.strings![0] = Buffer.from('BRANCH_MEMBER');
    refused(oddMode);
    const cycle = classifierNode(stump, 2, 'NONE');
    cycle.attribute!.find((a) => a.name === 'nodes_truenodeids')!.ints = [0, 0, 0];
    refused(cycle);
    assert.doesNotThrow(() => kernelOf(treeEnsembleClassifier, classifierNode(stump, 2, 'SOFTMAX_ZERO')));
  });
});

describe('TreeEnsembleRegressor in JavaScript', () => {
  for (const aggregate of AGGREGATES) {
    it(`matches onnxruntime on random forests with aggregate_function ${aggregate}`, async () => {
      await fc.assert(
        fc.asyncProperty(regressorArb, async ({ targets, features, trees, base, rows }) => {
          const node = regressorNode(trees, targets, aggregate, base);
          await assertMatchesOnnxruntime(treeEnsembleRegressor, node, rows, features, targets);
        }),
        { numRuns: 100 },
      );
    });
  }

  it('refuses post-transforms and leaves whose single-target weight is ambiguous', () => {
    const stump = (...weights: Weight[]) => [branch('BRANCH_GTE', 0, leaf(...weights), leaf([0, 1]), true)];
    const refused = (node: NodeProto) =>
      assert.throws(() => kernelOf(treeEnsembleRegressor, node, [true]), UnsupportedGraphError);
    for (const transform of ['LOGISTIC', 'SOFTMAX', 'PROBIT']) {
      const node = regressorNode(stump([0, 1]), 1, 'SUM');
      node.attribute!.push(attr.string('post_transform', transform));
      refused(node);
    }
    refused(regressorNode(stump(), 1, 'SUM'));
    refused(regressorNode(stump([0, 1], [0, 2]), 1, 'SUM'));
    refused(regressorNode(stump([0, 1]), 1, 'MEDIAN'));
    refused(regressorNode(stump([0, 1]), 2, 'SUM', [1]));
    assert.doesNotThrow(() => kernelOf(treeEnsembleRegressor, regressorNode(stump([0, 1], [1, 2]), 2, 'MIN'), [true]));
  });
});
