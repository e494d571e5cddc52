import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ModelLoadError } from '../../src/models/model-load-error.ts';
import { ModelRegistry } from '../../src/models/model-registry.ts';
import { decodeModel, encodeModel } from '../../src/onnx/onnx-proto.ts';
import { buildModel, node, tensor } from '../../src/onnx/onnx-builder.ts';
import { scoreRecords } from '../../src/scoring/score-records.ts';
import { columnsZipMapClassifier, tensorClassifier, torchStyleLogit, writeModelDir } from '../support/test-models.ts';
import type { TestModel } from '../support/test-models.ts';

/**
 * Model files as data scientists' tools write them, and as they arrive broken: torch's
 * external data, a fixed batch axis, truncated copies, a transform the graph already applied.
 * The torch fixtures are real exports (test/fixtures/export-torch-models.py).
 */

const FIXTURES = new URL('../fixtures/', import.meta.url).pathname;
const EXTERNAL_DATA_ROOT = path.join(FIXTURES, 'torch-external-data');
const FIXED_BATCH_ROOT = path.join(FIXTURES, 'torch-fixed-batch');

const load = (dirs: string[]) => ModelRegistry.load(dirs, { intraOpNumThreads: 1 });

async function loadError(dirs: string[]): Promise<ModelLoadError> {
  try {
    const registry = await load(dirs);
    await registry.close();
  } catch (error) {
    assert.ok(error instanceof ModelLoadError, `expected a ModelLoadError, got ${String(error)}`);
    return error;
  }
  assert.fail('the model loaded');
}

/** A copy of the external-data fixture in a temp dir, to break. */
async function copyOfTorchMlp(): Promise<{ root: string; dir: string }> {
  const root = await mkdtemp(path.join(tmpdir(), 'byom-torch-'));
  await cp(path.join(EXTERNAL_DATA_ROOT, 'torch-mlp'), path.join(root, 'torch-mlp'), { recursive: true });
  return { root, dir: path.join(root, 'torch-mlp') };
}

interface ExpectedRows {
  rows: Array<{ id: string; features: Record<string, number>; score: number }>;
}

/** A ZipMap over scores no link function made, as a random forest's averaged leaf weights are. */
function zipMapOverRawWeights(): TestModel {
  const model = columnsZipMapClassifier();
  const proto = decodeModel(model.onnx);
  const classifier = proto.graph!.node!.find((n) => n.opType === 'LinearClassifier')!;
  classifier.attribute!.find((a) => a.name === 'post_transform')!.s = Buffer.from('NONE');
  return { card: model.card, onnx: encodeModel(proto) };
}

describe('model files as torch and skl2onnx write them', () => {
  it('loads a torch export whose weights are external data (model.onnx.data), whatever the working directory', async () => {
    assert.notEqual(process.cwd(), path.join(EXTERNAL_DATA_ROOT, 'torch-mlp'), 'onnxruntime alone would need this');
    const registry = await load([EXTERNAL_DATA_ROOT]);
    try {
      const model = registry.get('torch-mlp')!;
      const expected = JSON.parse(
        await readFile(path.join(EXTERNAL_DATA_ROOT, 'expected-rows.json'), 'utf8'),
      ) as ExpectedRows;
      const answer = await scoreRecords(model, { records: expected.rows, explain: false, topK: 5 });
      assert.deepEqual(answer.errors, []);
      const worst = Math.max(...answer.results.map((r, i) => Math.abs(r.score - expected.rows[i]!.score)));
      assert.ok(worst < 1e-6, `scores agree with torch's to ${worst}`);
    } finally {
      await registry.close();
    }
  });

  it('names the external data file when it is missing or truncated', async () => {
    const missing = await copyOfTorchMlp();
    await rm(path.join(missing.dir, 'model.onnx.data'));
    const gone = await loadError([missing.root]);
    assert.equal(gone.file, path.join(missing.dir, 'model.onnx.data'));
    assert.match(
      gone.message,
      /cannot be read \(ENOENT\), and model\.onnx keeps 4 of its tensors there .*copy it next to model\.onnx/,
    );

    const cut = await copyOfTorchMlp();
    await truncate(path.join(cut.dir, 'model.onnx.data'), 100);
    const truncated = await loadError([cut.root]);
    assert.equal(truncated.file, path.join(cut.dir, 'model.onnx.data'));
    assert.match(
      truncated.message,
      /is 100 bytes, but tensor "[^"]+" needs bytes \d+-\d+ of it: the file is truncated/,
    );
  });

  it('refuses external data outside the model directory', async () => {
    const { root, dir } = await copyOfTorchMlp();
    const onnxFile = path.join(dir, 'model.onnx');
    const model = decodeModel(await readFile(onnxFile));
    for (const initializer of model.graph!.initializer!) {
      for (const entry of initializer.externalData ?? [])
        if (entry.key === 'location') entry.value = '../../secrets.bin';
    }
    await writeFile(onnxFile, encodeModel(model));
    const error = await loadError([root]);
    assert.equal(error.file, onnxFile);
    assert.match(error.message, /points at external data outside the model's directory \("\.\.\/\.\.\/secrets\.bin"\)/);
  });

  it('reports an empty or truncated model.onnx as a problem with the file, not with a card field', async () => {
    const empty = await writeModelDir([{ ...tensorClassifier(), onnx: new Uint8Array(0) }]);
    const emptyError = await loadError([empty]);
    assert.match(emptyError.file, /tensor-classifier\/1\.0\.0\/model\.onnx$/);
    assert.equal(emptyError.field, undefined);
    assert.match(
      emptyError.message,
      /model\.onnx: is empty \(0 bytes\): export the model again or copy the whole file$/,
    );

    const whole = tensorClassifier();
    const cut = await writeModelDir([{ ...whole, onnx: whole.onnx.subarray(0, Math.floor(whole.onnx.length / 2)) }]);
    const cutError = await loadError([cut]);
    assert.match(cutError.file, /model\.onnx$/);
    assert.equal(cutError.field, undefined);
    assert.match(
      cutError.message,
      /model\.onnx: is truncated or not an ONNX model \(\d+ bytes; decoding stopped: .*\)/,
    );
    assert.doesNotMatch(cutError.message, /output\.name/);

    const text = await writeModelDir([{ ...whole, onnx: new TextEncoder().encode('not a model') }]);
    assert.match((await loadError([text])).message, /model\.onnx: is truncated or not an ONNX model/);
  });

  it('says to export with a dynamic batch axis when torch fixed the batch at 1', async () => {
    const error = await loadError([FIXED_BATCH_ROOT]);
    assert.match(error.file, /torch-fixed-batch\/model\.onnx$/);
    assert.match(
      error.message,
      /input "input" has a fixed batch of 1 \(shape \[1, 8\]\), but the service scores many rows per run: export it with a dynamic batch axis, e\.g\. torch\.onnx\.export\(\.\.\., dynamic_axes=\{"input": \{0: "batch"\}/,
    );
    assert.match(error.message, /skl2onnx an initial type of shape \[None, 8\]/);
  });

  it('refuses a sigmoid or softmax transform on an output the graph already made probabilities', async () => {
    const withTransform = (model: TestModel, transform: 'sigmoid' | 'softmax'): TestModel => ({
      ...model,
      card: { ...model.card, output: { ...model.card.output, transform } },
    });
    const torchSigmoid: TestModel = {
      card: { ...torchStyleLogit().card, output: { name: 'probability', transform: 'sigmoid' } },
      onnx: buildModel({
        graphName: 'torch_jit',
        inputs: [tensor('input', 'float', ['batch', 2])],
        outputs: [tensor('probability', 'float', ['batch'])],
        nodes: [
          node('ReduceSum', ['input'], ['summed'], []),
          node('Sigmoid', ['summed'], ['sigmoid_out']),
          node('Squeeze', ['sigmoid_out'], ['probability']),
        ],
      }),
    };
    const cases: Array<[TestModel, RegExp]> = [
      [
        torchSigmoid,
        /"sigmoid" is applied to output "probability", which Sigmoid in the graph already turns into probabilities: every score would be squashed into \[0\.5, 0\.73\]/,
      ],
      [
        withTransform(columnsZipMapClassifier(), 'sigmoid'),
        /which LinearClassifier \(post_transform SOFTMAX\) in the graph already/,
      ],
      [withTransform(tensorClassifier(), 'softmax'), /"softmax" is applied .* flattened towards 1 \/ classes/],
      [withTransform(zipMapOverRawWeights(), 'sigmoid'), /which ZipMap in the graph already turns into probabilities/],
    ];
    for (const [model, message] of cases) {
      const error = await loadError([await writeModelDir([model])]);
      assert.equal(error.field, 'output.transform');
      assert.match(error.message, message);
      assert.match(error.message, /Remove output\.transform \(or set it to "none"\)$/);
    }
  });

  it('refuses a classifier whose output is not a probability when the card applies no transform', async () => {
    const logit = torchStyleLogit();
    const card = {
      ...logit.card,
      features: [
        { name: 'u', type: 'number' as const, baseline: 2 },
        { name: 'v', type: 'number' as const, baseline: 0 },
      ],
      output: { name: 'logit' },
    };
    const error = await loadError([await writeModelDir([{ card, onnx: logit.onnx }])]);
    assert.equal(error.field, 'output.transform');
    assert.match(
      error.message,
      /output "logit" gave 3\.25 for the feature baselines, which is not a probability: .*"sigmoid"/,
    );
  });
});
