import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ModelRegistry } from '../../src/models/model-registry.ts';
import { ModelLoadError } from '../../src/models/model-load-error.ts';
import {
  columnsZipMapClassifier,
  multiclassStringLabels,
  tensorClassifier,
  writeModelDir,
} from '../support/test-models.ts';
import type { TestModel } from '../support/test-models.ts';

const load = (dirs: string[]) => ModelRegistry.load(dirs, { intraOpNumThreads: 1 });

/** Loading must fail with a ModelLoadError whose message names the file and the field. */
async function expectLoadError(models: TestModel[], file: RegExp, message: RegExp): Promise<void> {
  const dir = await writeModelDir(models);
  await assert.rejects(load([dir]), (error: Error) => {
    assert.ok(error instanceof ModelLoadError, `expected a ModelLoadError, got ${error.name}: ${error.message}`);
    assert.match(error.message, file, 'the error names the file');
    assert.match(error.message, message);
    return true;
  });
}

function withCard(model: TestModel, change: (card: Record<string, unknown>) => void): TestModel {
  const card = structuredClone(model.card) as unknown as Record<string, unknown>;
  change(card);
  return { card: card as unknown as TestModel['card'], onnx: model.onnx };
}

describe('model registry', () => {
  it('serves several versions side by side and picks the highest as default', async () => {
    const registry = await load([
      await writeModelDir([tensorClassifier('1.2.0'), tensorClassifier('1.10.0'), tensorClassifier('1.9.0')]),
    ]);
    assert.equal(registry.get('tensor-classifier')?.version, '1.10.0', '1.10.0 sorts above 1.9.0');
    assert.equal(registry.get('tensor-classifier', '1.2.0')?.version, '1.2.0');
    assert.deepEqual(registry.list()[0]!.versions, ['1.2.0', '1.9.0', '1.10.0']);
    assert.equal(registry.size, 3);
  });

  it('uses the version whose card says default', async () => {
    const registry = await load([
      await writeModelDir([tensorClassifier('1.0.0', { default: true }), tensorClassifier('2.0.0')]),
    ]);
    assert.equal(registry.get('tensor-classifier')?.version, '1.0.0');
  });

  it('loads flat <name>/model.json layouts and a second directory (MODEL_DIR)', async () => {
    const registry = await load([
      await writeModelDir([tensorClassifier()], { flat: true }),
      await writeModelDir([columnsZipMapClassifier()]),
    ]);
    assert.deepEqual(
      registry.list().map((m) => m.name),
      ['columns-zipmap', 'tensor-classifier'],
    );
  });

  it('refuses two versions marked default', async () => {
    await expectLoadError(
      [tensorClassifier('1.0.0', { default: true }), tensorClassifier('2.0.0', { default: true })],
      /2\.0\.0\/model\.json: default:/,
      /all marked default/,
    );
  });

  it('refuses the same version loaded twice from two directories', async () => {
    const a = await writeModelDir([tensorClassifier()]);
    const b = await writeModelDir([tensorClassifier()]);
    await assert.rejects(load([a, b]), /version: tensor-classifier 1.0.0 is also loaded from/);
  });

  it('refuses a card whose name does not match its directory', async () => {
    const dir = await writeModelDir([tensorClassifier()]);
    await mkdir(path.join(dir, 'renamed'));
    const source = path.join(dir, 'tensor-classifier', '1.0.0');
    const { readFile } = await import('node:fs/promises');
    await writeFile(path.join(dir, 'renamed', 'model.json'), await readFile(path.join(source, 'model.json')));
    await writeFile(path.join(dir, 'renamed', 'model.onnx'), await readFile(path.join(source, 'model.onnx')));
    await assert.rejects(
      load([dir]),
      /renamed\/model\.json: name: "tensor-classifier" must match its directory "renamed"/,
    );
  });

  it('stops the boot on an invalid card, naming the file and field', async () => {
    await expectLoadError([withCard(tensorClassifier(), (c) => delete c.task)], /model\.json: task:/, /task/);
    await expectLoadError(
      [withCard(tensorClassifier(), (c) => ((c.features as Array<Record<string, unknown>>)[0]!.type = 'float'))],
      /model\.json: features\.0\.type:/,
      /number|integer|boolean|category/,
    );
    await expectLoadError(
      [withCard(tensorClassifier(), (c) => (c.bands = [{ label: 'x', min: 2 }]))],
      /bands\.0\.min/,
      /1/,
    );
  });

  it('stops the boot when the card and the ONNX graph disagree', async () => {
    await expectLoadError(
      [withCard(tensorClassifier(), (c) => (c.inputs = { style: 'tensor', name: 'features' }))],
      /model\.json: inputs\.name:/,
      /model\.onnx has no input "features" \(inputs: "float_input"\)/,
    );
    await expectLoadError(
      [withCard(tensorClassifier(), (c) => (c.features as unknown[]).pop())],
      /model\.json: features:/,
      /takes 3 columns but the card lists 2 features/,
    );
    await expectLoadError(
      [withCard(tensorClassifier(), (c) => (c.output = { name: 'scores' }))],
      /model\.json: output\.name: model\.onnx /,
      /no output "scores".*\(outputs: "label", "probabilities"\)/,
    );
    await expectLoadError(
      [
        withCard(
          columnsZipMapClassifier(),
          (c) => ((c.features as Array<Record<string, unknown>>)[2]!.type = 'number'),
        ),
      ],
      /model\.json: features\.2\.type:/,
      /"Region" is number but input "region" takes string values/,
    );
    await expectLoadError(
      [withCard(columnsZipMapClassifier(), (c) => (c.features as unknown[]).splice(1, 1))],
      /model\.json: features:/,
      /inputs "visits" have no feature in the card/,
    );
    await expectLoadError(
      [withCard(multiclassStringLabels(), (c) => ((c.output as Record<string, unknown>).positiveClass = 'closed'))],
      /output\.positiveClass/,
      /"closed" is not one of the model's classes \(lost, open, won\)/,
    );
    await expectLoadError(
      [withCard(multiclassStringLabels(), (c) => delete (c.output as Record<string, unknown>).positiveClass)],
      /output\.positiveClass/,
      /3 classes; name the one to score/,
    );
    await expectLoadError(
      [
        withCard(
          columnsZipMapClassifier(),
          (c) => ((c.features as Array<Record<string, unknown>>)[1]!.allowMissing = true),
        ),
      ],
      /features\.1\.allowMissing/,
      /int64 and cannot carry NaN/,
    );
    // Caught by the test prediction at load, with what the first request would have failed on.
    await expectLoadError(
      [
        withCard(tensorClassifier(), (c) => {
          c.task = 'regression';
          c.output = { name: 'probabilities', range: [0, 1] };
        }),
      ],
      /model\.json: output:/,
      /test prediction on the feature baselines failed: a regressor must output one value per row, got 2/,
    );
    await expectLoadError(
      [
        withCard(
          tensorClassifier(),
          (c) => (c.output = { name: 'probabilities', classes: [0, 1, 2], positiveClass: 2 }),
        ),
      ],
      /model\.json: output:/,
      /the positive class is column 2 but the output has 2 columns/,
    );
  });

  it('names every unknown card field, with the field probably meant', async () => {
    await expectLoadError(
      [
        withCard(tensorClassifier(), (c) => {
          c.feature = c.features;
          delete c.features;
          c.threshold = 0.5;
          (c.output as Record<string, unknown>).transfrom = 'sigmoid';
        }),
      ],
      /tensor-classifier\/1\.0\.0\/model\.json: /,
      new RegExp(
        [
          'features: Invalid input: expected array, received undefined',
          'output: unknown field "transfrom" \\(did you mean "transform"\\?\\)',
          'top level: unknown field "feature" \\(did you mean "features"\\?\\), unknown field "threshold" \\(allowed: name, version, default, ',
        ].join('.*'),
      ),
    );
  });

  it('refuses a card whose version differs from its version directory', async () => {
    const dir = await writeModelDir([tensorClassifier('1.0.0')]);
    const { rename } = await import('node:fs/promises');
    await rename(path.join(dir, 'tensor-classifier', '1.0.0'), path.join(dir, 'tensor-classifier', '2.0.0'));
    await assert.rejects(
      load([dir]),
      /2\.0\.0\/model\.json: version: "1\.0\.0" must match its directory "2\.0\.0" \(a copied card not bumped/,
    );
  });

  it('refuses a model.onnx without a model card, and warns about directories with no model at all', async () => {
    const dir = await writeModelDir([tensorClassifier('1.0.0')]);
    const { copyFile } = await import('node:fs/promises');
    await mkdir(path.join(dir, 'tensor-classifier', '1.1.0'));
    await copyFile(
      path.join(dir, 'tensor-classifier', '1.0.0', 'model.onnx'),
      path.join(dir, 'tensor-classifier', '1.1.0', 'model.onnx'),
    );
    await assert.rejects(
      load([dir]),
      /tensor-classifier\/1\.1\.0\/model\.onnx: has no model\.json next to it, so it cannot be served: write its model card/,
    );

    const quiet = await writeModelDir([tensorClassifier('1.0.0')]);
    await mkdir(path.join(quiet, 'tensor-classifier', 'notes'));
    await mkdir(path.join(quiet, 'churn', '2.0.0'), { recursive: true });
    await writeFile(path.join(quiet, 'churn', '2.0.0', 'card.json'), '{}');
    await mkdir(path.join(quiet, '.git'));
    const registry = await load([quiet]);
    assert.deepEqual(registry.warnings, [
      {
        file: path.join(quiet, 'churn', '2.0.0'),
        message: 'has no model.json, so it is not served; skipped',
      },
      {
        file: path.join(quiet, 'churn'),
        message: 'has no model.json (nor <version>/model.json), so no model is served from it; skipped',
      },
      {
        file: path.join(quiet, 'tensor-classifier', 'notes'),
        message: 'has no model.json, so it is not served; skipped',
      },
    ]);
    assert.equal(registry.size, 1, 'the real model is still served');
    await registry.close();
  });

  it('stops at the first problem in directory order and counts the others', async () => {
    const broken = (version: string) => withCard(tensorClassifier(version), (c) => delete c.task);
    await expectLoadError(
      [broken('1.0.0'), broken('2.0.0'), tensorClassifier('3.0.0')],
      /1\.0\.0\/model\.json: task:/,
      /\(and 1 more model problems: npm run validate-models -- <dir> lists them all\)$/,
    );
  });
});
