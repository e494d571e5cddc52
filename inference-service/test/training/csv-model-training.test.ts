import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ModelCard } from '@byom/contracts/model-card';
import { SOURCE_CONDITION_FLAG } from '@byom/contracts/source-condition';
import { ComparisonReport, TrainingReport } from '@byom/contracts/training-reports';
import { ModelRegistry } from '../../src/models/model-registry.ts';
import { scoreRecords } from '../../src/scoring/score-records.ts';
import { trainModelFromCsv } from '../../training/csv-model-training.ts';
import { formatCsv } from '../../training/csv-table.ts';
import { generateLeads, LEAD_FEATURES } from '../../training/lead-data.ts';
import { compareModelVersions } from '../../training/model-comparison.ts';

const run = promisify(execFile);
const serviceDir = fileURLToPath(new URL('../../', import.meta.url));

/** Synthetic leads as a CSV whose columns are the bundled model's features, plus IsConverted. */
function leadsCsv(rows: number, seed: number): string {
  const data = generateLeads({ rows, seed });
  const names = LEAD_FEATURES.map((f) => f.name);
  return formatCsv(
    [...names, 'IsConverted'],
    data.rows.map((row, i) => [
      ...names.map((n) => (row[n] === null || row[n] === undefined ? '' : String(row[n]))),
      String(data.labels[i] === 1),
    ]),
  );
}

describe('training a model from a CSV', () => {
  let work: string;
  let data: string;
  let holdout: string;

  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'csv-training-'));
    data = path.join(work, 'leads.csv');
    holdout = path.join(work, 'holdout.csv');
    await writeFile(data, leadsCsv(1500, 5));
    await writeFile(holdout, leadsCsv(800, 6));
  });

  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  const options = (modelsDir: string, version = '2.0.0') => ({
    dataFile: data,
    label: 'IsConverted',
    name: 'lead-scoring',
    version,
    modelsDir,
    minCategoryCount: 5,
  });

  it('writes the same bytes for the same data and options, a valid card, and a model the registry serves', async () => {
    const [first, second] = [path.join(work, 'a'), path.join(work, 'b')];
    const reports = [await trainModelFromCsv(options(first)), await trainModelFromCsv(options(second))];
    assert.equal(reports[0]!.sha256, reports[1]!.sha256, 'training is deterministic');
    const cardText = await readFile(path.join(first, 'lead-scoring', '2.0.0', 'model.json'), 'utf8');
    assert.equal(cardText, await readFile(path.join(second, 'lead-scoring', '2.0.0', 'model.json'), 'utf8'));
    const card = ModelCard.parse(JSON.parse(cardText));
    assert.equal(
      card.metrics?.auc,
      Math.round(reports[0]!.metrics.auc * 1e6) / 1e6,
      'the card records the holdout AUC',
    );
    assert.equal(card.default, undefined, 'a trained version is never marked default');

    const registry = await ModelRegistry.load([first], { intraOpNumThreads: 1 });
    try {
      const model = registry.get('lead-scoring', '2.0.0')!;
      const response = await scoreRecords(model, {
        records: [{ id: 'a', features: { LeadSource: 'Partner Referral', HasEmail: true, DaysSinceLastActivity: 2 } }],
        explain: true,
        topK: 3,
      });
      assert.equal(response.errors.length, 0);
      assert.ok(response.results[0]!.score > 0 && response.results[0]!.score < 1);
      assert.equal(response.results[0]!.factors?.length, 3);
    } finally {
      await registry.close();
    }
  });

  it('refuses a version another directory of the model already holds', async () => {
    const models = path.join(work, 'clash');
    await trainModelFromCsv(options(models, '3.0.0'));
    await assert.rejects(
      trainModelFromCsv({ ...options(models, '3.0.0') }),
      /already exists; choose another version or replace it with --force/,
    );
    // A copy of the bundled model in the flat layout, next to which 1.0.0 cannot be added.
    const flat = path.join(work, 'flat');
    await cp(path.join(serviceDir, 'models', 'lead-scoring'), path.join(flat, 'lead-scoring'), { recursive: true });
    await assert.rejects(
      trainModelFromCsv(options(flat, '1.0.0')),
      /lead-scoring 1\.0\.0 already exists in .*flat\/lead-scoring; choose another version/,
    );
  });

  it('needs both outcomes among the holdout rows', async () => {
    const tiny = path.join(work, 'tiny.csv');
    await writeFile(tiny, 'X,Y\n1,true\n2,true\n3,true\n4,true\n5,false\n');
    await assert.rejects(
      trainModelFromCsv({ ...options(path.join(work, 'tiny-models')), dataFile: tiny, label: 'Y' }),
      {
        message: /the holdout rows \(1\) hold only (positive|negative) labels/,
      },
    );
  });

  it('compares two versions on the same rows through the service scoring path', async () => {
    const models = path.join(work, 'compare');
    await trainModelFromCsv(options(models, '4.0.0'));
    const candidate = path.join(models, 'lead-scoring', '4.0.0');
    const same = await compareModelVersions({
      dataFile: holdout,
      label: 'IsConverted',
      modelDirs: [candidate, candidate],
    });
    assert.equal(same.bands.changed, 0, 'a version never disagrees with itself');
    assert.equal(same.scoreShift.largest, 0);

    const bundled = path.join(serviceDir, 'models', 'lead-scoring');
    const report = await compareModelVersions({
      dataFile: holdout,
      label: 'IsConverted',
      modelDirs: [bundled, candidate],
    });
    assert.deepEqual(ComparisonReport.parse(report), report, 'the report is what sf byom model eval reads back');
    assert.deepEqual(report.rows, { total: 800, labelled: 800, compared: 800, skipped: 0 });
    assert.equal(report.baseline.version, '1.0.0');
    assert.ok(report.baseline.auc > 0.65 && report.candidate.auc > 0.65, 'both versions learned the synthetic leads');
    const changed = report.bands.transitions.filter((t) => t.from !== t.to).reduce((sum, t) => sum + t.count, 0);
    assert.equal(report.bands.changed, changed);
  });

  it('runs from the command line with a JSON result for the plugin', async () => {
    const models = path.join(work, 'cli');
    const { stdout } = await run(
      process.execPath,
      [
        SOURCE_CONDITION_FLAG,
        'training/train-csv-model.ts',
        '--data',
        data,
        '--label',
        'IsConverted',
        '--name',
        'lead-scoring',
        '--version',
        '5.0.0',
        '--models-dir',
        models,
        '--min-category-count',
        '5',
        '--json',
      ],
      { cwd: serviceDir },
    );
    const reply = JSON.parse(stdout) as { ok: boolean; result: unknown };
    assert.equal(reply.ok, true);
    const result = TrainingReport.parse(reply.result);
    assert.equal(result.directory, path.join(models, 'lead-scoring', '5.0.0'));
    const failed = await run(
      process.execPath,
      [SOURCE_CONDITION_FLAG, 'training/train-csv-model.ts', '--data', data, '--json'],
      {
        cwd: serviceDir,
      },
    ).catch((error: { code: number; stdout: string }) => error);
    assert.equal((failed as { code: number }).code, 2, 'bad input exits 2');
    assert.deepEqual(JSON.parse((failed as { stdout: string }).stdout), {
      ok: false,
      error: { kind: 'input', message: '--label is required' },
    });
  });
});
