import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { SOURCE_CONDITION_FLAG } from '@byom/contracts/source-condition';
import type { ValidationReport } from '../../src/models/model-validation.ts';
import {
  REGRESSOR_INTERCEPT,
  REGRESSOR_WEIGHTS,
  linearRegressor,
  multiclassStringLabels,
  tensorClassifier,
  writeModelDir,
} from '../support/test-models.ts';

/** `npm run validate-models` is `node src/validate-models.ts`, run here as the real command. */
const COMMAND = new URL('../../src/validate-models.ts', import.meta.url).pathname;
const TORCH_ROOT = new URL('../fixtures/torch-external-data/', import.meta.url).pathname;

function validate(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [SOURCE_CONDITION_FLAG, COMMAND, ...args],
      { env: { PATH: process.env.PATH ?? '' } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function rowsFile(rows: unknown): Promise<string> {
  const file = path.join(await mkdtemp(path.join(tmpdir(), 'byom-rows-')), 'rows.json');
  await writeFile(file, JSON.stringify(rows));
  return file;
}

describe('npm run validate-models', () => {
  it("prints each model's inputs and outputs and the largest difference from torch's own answers", async () => {
    const { code, stdout } = await validate(TORCH_ROOT, '--expected', path.join(TORCH_ROOT, 'expected-rows.json'));
    assert.equal(code, 0, stdout);
    assert.match(stdout, /^ok {3}torch-mlp 1\.0\.0 {2}\(torch-mlp\)$/m);
    assert.match(stdout, /external data: model\.onnx\.data/);
    assert.match(stdout, /inputs:\n +input +float32 +\[batch, 8\] +<- features f0, f1, .*f7 \(card order\)/);
    assert.match(
      stdout,
      /outputs:\n +logit +float32 +\[batch, 1\] +<- score: probability of the positive class, after sigmoid/,
    );
    const difference = Number(
      /expected rows: 64, max difference (\S+) \(row-\d+ score\), tolerance 1e-6: ok/.exec(stdout)?.[1],
    );
    assert.ok(difference < 1e-6, stdout);
    assert.match(stdout, /1 model would load and agree with the expected rows\.$/m);
  });

  it('fails, naming the row, when the answers differ from the expected ones by more than the tolerance', async () => {
    const expected = JSON.parse(await readFile(path.join(TORCH_ROOT, 'expected-rows.json'), 'utf8')) as {
      rows: Array<{ score: number }>;
    };
    expected.rows[5]!.score += 0.01;
    const { code, stdout } = await validate(TORCH_ROOT, '--expected', await rowsFile(expected));
    assert.equal(code, 1, stdout);
    assert.match(stdout, /max difference 1\.00e-2 \(row-5 score\), tolerance 1e-6: FAIL/);
    const loose = await validate(TORCH_ROOT, '--expected', await rowsFile(expected), '--tolerance', '0.02');
    assert.equal(loose.code, 0, '--tolerance overrides the file');
  });

  it('checks every model, reports each problem and still describes the graph a broken card points at', async () => {
    const broken = tensorClassifier('2.0.0');
    const dir = await writeModelDir([
      tensorClassifier('1.0.0'),
      { card: { ...broken.card, inputs: { style: 'tensor', name: 'features' } }, onnx: broken.onnx },
    ]);
    await mkdir(path.join(dir, 'notes'));
    const { code, stdout } = await validate(dir);
    assert.equal(code, 1, stdout);
    assert.match(stdout, /^ok {3}tensor-classifier 1\.0\.0/m);
    assert.match(
      stdout,
      /^FAIL tensor-classifier 2\.0\.0 {2}\(tensor-classifier\/2\.0\.0\)\n +\S+model\.json: inputs\.name: model\.onnx has no input "features" \(inputs: "float_input"\)/m,
    );
    assert.match(
      stdout,
      /FAIL[^]*inputs:\n +float_input +float32 +\[N, 3\]\n/,
      'the real inputs, for the card to name',
    );
    assert.match(stdout, /warnings:\n +\S+notes: has no model\.json/);
    assert.match(stdout, /1 of 2 models would not load or disagree\./);
  });

  it('compares multiclass probabilities and regression values, and checks one model directory on its own', async () => {
    const dir = await writeModelDir([multiclassStringLabels(), linearRegressor()]);
    const logits = [2, -1, -1];
    const sum = logits.reduce((a, z) => a + Math.exp(z), 0);
    const [lost, open, won] = logits.map((z) => Math.exp(z) / sum);
    const value = REGRESSOR_WEIGHTS[0]! * 20 + REGRESSOR_WEIGHTS[1]! * 3 + REGRESSOR_INTERCEPT;
    const rows = await rowsFile({
      tolerance: 1e-6,
      rows: [
        {
          model: 'deal-stage',
          id: 'deal',
          features: { x1: 2, x2: -1 },
          score: won,
          probabilities: { lost, open, won },
        },
        { model: 'deal-size', id: 'size', features: { size: 20, age: 3 }, value, score: value / 100 },
      ],
    });
    const { code, stdout } = await validate(dir, '--expected', rows, '--json');
    const report = JSON.parse(stdout) as ValidationReport;
    assert.equal(code, 0, stdout);
    assert.deepEqual(
      report.models.map((m) => [m.name, m.expected?.rows, m.expected?.ok]),
      [
        ['deal-size', 1, true],
        ['deal-stage', 1, true],
      ],
    );

    const unnamed = await rowsFile({ rows: [{ features: { x1: 0, x2: 0 }, score: 1 / 3 }] });
    const ambiguous = await validate(dir, '--expected', unnamed);
    assert.equal(ambiguous.code, 1);
    assert.match(ambiguous.stdout, /problems:\n +row 1: name its model \("model"\): the directory holds 2 models/);
    const single = await validate(path.join(dir, 'deal-stage', '1.0.0'), '--expected', unnamed);
    assert.equal(single.code, 0, `one model's directory, its row needs no model name: ${single.stdout}`);
  });

  it('answers a usage error with exit code 2, and a directory it cannot read with 1, saying what to fix', async () => {
    const missing = await validate(path.join(tmpdir(), 'no-such-models-dir'));
    assert.equal(missing.code, 1);
    assert.match(missing.stdout, /problems:\n +\S+no-such-models-dir: model directory cannot be read \(ENOENT\)/);
    assert.equal(missing.stderr, '', 'no stack trace');
    const noDir = await validate();
    assert.equal(noDir.code, 2);
    assert.match(noDir.stderr, /name one directory\nusage: npm run validate-models -- <dir>/);
    const badRows = await validate(TORCH_ROOT, '--expected', await rowsFile({ rows: [{ feature: {} }] }));
    assert.equal(badRows.code, 2);
    assert.match(badRows.stderr, /rows\.0\.features: .*rows\.0: unknown field "feature" \(did you mean "features"\?\)/);
  });
});
