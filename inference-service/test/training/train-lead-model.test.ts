import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ModelCard } from '@byom/contracts/model-card';
import { SOURCE_CONDITION_FLAG } from '@byom/contracts/source-condition';

const run = promisify(execFile);
const serviceDir = fileURLToPath(new URL('../../', import.meta.url));
const committedDir = join(serviceDir, 'models', 'lead-scoring');
const STALE = 'the committed lead-scoring model is stale: run `npm run train` and commit models/lead-scoring';

/** Runs `npm run train` the way a developer does, into `outDir`. */
async function train(outDir: string): Promise<{ onnx: Buffer; card: string; stdout: string }> {
  const { stdout } = await run(
    process.execPath,
    [SOURCE_CONDITION_FLAG, 'training/train-lead-model.ts', '--out', outDir],
    {
      cwd: serviceDir,
      timeout: 60_000,
    },
  );
  return {
    onnx: await readFile(join(outDir, 'model.onnx')),
    card: await readFile(join(outDir, 'model.json'), 'utf8'),
    stdout,
  };
}

type TrainingRun = Awaited<ReturnType<typeof train>>;

describe('npm run train', () => {
  const dirs: string[] = [];
  let runs: TrainingRun[] = [];
  before(async () => {
    for (let i = 0; i < 2; i++) dirs.push(await mkdtemp(join(tmpdir(), 'lead-scoring-')));
    // The two runs are separate processes, so nothing cached in one can make them agree.
    runs = await Promise.all(dirs.map(train));
  });
  after(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  });

  it('writes byte-identical model files when run twice', () => {
    const [first, second] = runs;
    assert.ok(first.onnx.equals(second.onnx), 'two training runs must write the same model.onnx bytes');
    assert.equal(first.card, second.card, 'two training runs must write the same model.json');
  });

  it('reproduces the committed model.onnx and model.json', async () => {
    const [first] = runs;
    const committedOnnx = await readFile(join(committedDir, 'model.onnx'));
    const committedCard = await readFile(join(committedDir, 'model.json'), 'utf8');
    assert.ok(first.onnx.equals(committedOnnx), STALE);
    assert.equal(first.card, committedCard, STALE);
  });

  it('writes a card that passes the model card schema and ends with a newline', () => {
    const [first] = runs;
    assert.ok(first.card.endsWith('}\n'), 'model.json is pretty JSON with a trailing newline');
    const card = ModelCard.parse(JSON.parse(first.card));
    assert.equal(card.name, 'lead-scoring', 'the bundled model is lead-scoring');
    assert.equal(card.default, true, 'lead-scoring is the default version');
  });

  it('prints the holdout metrics and the sha256 of model.onnx', () => {
    const [first] = runs;
    const sha256 = createHash('sha256').update(first.onnx).digest('hex');
    assert.match(first.stdout, /AUC 0\.\d{4}/, 'the holdout AUC is printed');
    assert.ok(first.stdout.includes(sha256), 'the printed sha256 is that of the written model.onnx');
  });
});
