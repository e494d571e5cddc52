import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ModelCard, scoreOfValue } from '@byom/contracts/model-card';
import { SOURCE_CONDITION_FLAG } from '@byom/contracts/source-condition';
import { ComparisonReport, TrainingReport } from '@byom/contracts/training-reports';
import { trainModelFromCsv } from '../../training/csv-model-training.ts';
import { compareModelVersions } from '../../training/model-comparison.ts';
import { startService, waitUntilReady } from '../support/service-process.ts';

/**
 * Multiclass and regression models trained from the samples of docs/training-models.md, the way
 * `sf byom model train` runs the trainer, then checked where users meet them: validate-models
 * with the trainer's own answers, and the real service over HTTP.
 */

const run = promisify(execFile);
const serviceDir = fileURLToPath(new URL('../../', import.meta.url));
const samples = fileURLToPath(new URL('../../../docs/samples/', import.meta.url));
const OUTCOME_CSV = path.join(samples, 'opportunity-outcome.csv');
const AMOUNT_CSV = path.join(samples, 'opportunity-amount.csv');
const KEY = 'task-training-key-0123456789';

interface ExpectedRow {
  model: string;
  version: string;
  id: string;
  features: Record<string, unknown>;
  score: number;
  value?: number;
  probabilities?: Record<string, number>;
}

/** Runs train-csv-model.ts with --json, as the plugin does; returns the parsed reply and exit code. */
async function trainCli(
  args: string[],
): Promise<{ code: number; reply: { ok: boolean; result?: unknown; error?: unknown } }> {
  const result = await run(
    process.execPath,
    [SOURCE_CONDITION_FLAG, 'training/train-csv-model.ts', ...args, '--json'],
    {
      cwd: serviceDir,
    },
  ).then(
    (done) => ({ code: 0, stdout: done.stdout }),
    (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
  );
  return { code: result.code, reply: JSON.parse(result.stdout) as { ok: boolean; result?: unknown; error?: unknown } };
}

async function validateModels(dir: string, expected: string): Promise<{ code: number; stdout: string }> {
  return run(process.execPath, [SOURCE_CONDITION_FLAG, 'src/validate-models.ts', dir, '--expected', expected], {
    cwd: serviceDir,
  }).then(
    (done) => ({ code: 0, stdout: done.stdout }),
    (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
  );
}

interface ServedResult {
  id: string;
  score: number;
  band: string | null;
  value?: number;
  probabilities?: Array<{ label: string; probability: number }>;
}

async function scoreOverHttp(baseUrl: string, model: string, rows: ExpectedRow[]): Promise<ServedResult[]> {
  const response = await fetch(`${baseUrl}/v1/score`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, records: rows.map((row) => ({ id: row.id, features: row.features })) }),
  });
  const body = (await response.json()) as { results: ServedResult[]; errors: unknown[] };
  assert.equal(response.status, 200);
  assert.deepEqual(body.errors, [], 'the service scores every holdout row');
  return body.results;
}

interface TrainedSample {
  report: TrainingReport;
  card: ModelCard;
  expected: { tolerance: number; rows: ExpectedRow[] };
}

/** Trains `name` 1.0.0 into `models` with the CLI, saving the expected rows to `expectedFile`. */
async function trainSample(models: string, name: string, expectedFile: string, args: string[]): Promise<TrainedSample> {
  const { code, reply } = await trainCli([
    ...args,
    '--name',
    name,
    '--version',
    '1.0.0',
    '--models-dir',
    models,
    '--min-category-count',
    '5',
    '--save-expected',
    expectedFile,
  ]);
  assert.equal(code, 0, JSON.stringify(reply));
  const report = TrainingReport.parse(reply.result);
  return {
    report,
    card: ModelCard.parse(JSON.parse(await readFile(path.join(report.directory, 'model.json'), 'utf8'))),
    expected: JSON.parse(await readFile(expectedFile, 'utf8')) as TrainedSample['expected'],
  };
}

describe('training multiclass and regression models from the sample CSVs', () => {
  let work: string;
  let models: string;

  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'task-training-'));
    models = path.join(work, 'models');
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  describe('a multiclass label (Outcome: Won, Lost, Stalled)', () => {
    let report: TrainingReport;
    let card: ModelCard;
    let expected: { tolerance: number; rows: ExpectedRow[] };

    before(async () => {
      ({ report, card, expected } = await trainSample(
        models,
        'deal-outcome',
        path.join(work, 'outcome-expected.json'),
        ['--data', OUTCOME_CSV, '--label', 'Outcome', '--positive-class', 'Won'],
      ));
    });

    it('chooses the task from the label and says so', () => {
      assert.equal(report.task, 'multiclass_classification');
      assert.ok(
        report.notes.includes(
          'task: multiclass classification (chosen from its values: "Outcome" has 3 classes); the score is the probability of "Won"',
        ),
        report.notes.join('\n'),
      );
    });

    it('reports accuracy, macro-F1, log loss and every class, and learns the outcomes', () => {
      if (report.task !== 'multiclass_classification') return assert.fail('multiclass report');
      assert.equal(report.positiveClass, 'Won');
      assert.deepEqual(
        report.classes.map((c) => c.label),
        ['Lost', 'Stalled', 'Won'],
      );
      // Three classes of about a third each: guessing gets 0.38 accuracy and log loss ln 3 = 1.10.
      assert.ok(report.metrics.accuracy > 0.48, `accuracy ${report.metrics.accuracy}`);
      assert.ok(report.metrics.logLoss < 1.03, `log loss ${report.metrics.logLoss}`);
      assert.ok(report.metrics.macroF1 > 0.45, `macro-F1 ${report.metrics.macroF1}`);
      const won = report.metrics.classes.find((c) => c.label === 'Won')!;
      assert.ok(won.auc! > 0.68, `the score ranks Won deals with AUC ${won.auc}`);
      assert.deepEqual(report.bands, [], 'a multiclass model gets bands only when asked');
      assert.ok(report.parity.worstGap < 1e-6);
    });

    it('writes a card whose score is the positive class and whose metrics are the holdout\u2019s', () => {
      assert.equal(card.task, 'multiclass_classification');
      assert.equal(card.output.name, 'probabilities');
      assert.equal(card.output.positiveClass, 'Won');
      assert.equal(card.bands, undefined);
      assert.equal(card.scoreLabel, 'Likelihood that Outcome is Won');
      assert.match(
        card.description!,
        /^Probability that Outcome is "Won", one of 3 classes \("Lost", "Stalled" and "Won"\)/,
      );
      assert.equal(
        card.metrics?.macroF1,
        Math.round(report.task === 'multiclass_classification' ? report.metrics.macroF1 * 1e6 : 0) / 1e6,
      );
      assert.equal(card.metrics?.classes?.length, 3);
      assert.ok(!card.features.some((f) => f.name === 'Id'), 'the record id is not a feature');
      // HasExecutiveSponsor is blank in some rows; the trainer imputed the mode, so the card defaults to it.
      const sponsor = card.features.find((f) => f.name === 'HasExecutiveSponsor')!;
      assert.equal(sponsor.default, sponsor.baseline);
    });

    it('writes the same bytes when trained again on the same data and seed', async () => {
      const again = path.join(work, 'again');
      const second = await trainModelFromCsv({
        dataFile: OUTCOME_CSV,
        label: 'Outcome',
        positiveClass: 'Won',
        name: 'deal-outcome',
        version: '1.0.0',
        modelsDir: again,
        minCategoryCount: 5,
      });
      assert.equal(second.sha256, report.sha256);
      assert.equal(
        await readFile(path.join(second.directory, 'model.json'), 'utf8'),
        await readFile(path.join(report.directory, 'model.json'), 'utf8'),
      );
    });

    it('agrees with validate-models on every holdout row', async () => {
      assert.equal(expected.rows.length, report.rows.holdout);
      const { code, stdout } = await validateModels(models, path.join(work, 'outcome-expected.json'));
      assert.equal(code, 0, stdout);
      assert.match(stdout, /ok {3}deal-outcome 1\.0\.0/);
      assert.match(stdout, /probabilities +float32 +\[N, 3\] +<- score: probability of class Won/);
      assert.match(stdout, /expected rows: 180, max difference [\d.e-]+ .*: ok/);
    });
  });

  describe('a numeric label (Amount)', () => {
    let report: TrainingReport;
    let card: ModelCard;
    let expected: { tolerance: number; rows: ExpectedRow[] };

    before(async () => {
      ({ report, card, expected } = await trainSample(models, 'deal-size', path.join(work, 'amount-expected.json'), [
        '--data',
        AMOUNT_CSV,
        '--label',
        'Amount',
        '--bands',
        'Large,Medium,Small',
      ]));
    });

    it('trains a regressor, reports MAE, RMSE and R², and learns the amounts', () => {
      if (report.task !== 'regression') return assert.fail('regression report');
      assert.ok(report.metrics.r2 > 0.4, `R² ${report.metrics.r2}`);
      assert.ok(report.metrics.mae < report.metrics.rmse, 'MAE is at most RMSE');
      // Predicting the mean for every deal would be off by about the labels' spread.
      assert.ok(report.metrics.rmse < 25_000, `RMSE ${report.metrics.rmse}`);
      assert.deepEqual(
        report.bands.map((b) => b.label),
        ['Large', 'Medium', 'Small'],
      );
      assert.ok(report.bands[0]!.holdoutMeanLabel! > report.bands[2]!.holdoutMeanLabel!, 'Large deals are larger');
    });

    it('writes a card that scores the value in its range, with value bands', () => {
      assert.equal(card.task, 'regression');
      assert.equal(card.output.name, 'variable');
      assert.equal(card.output.transform, 'none');
      const range = card.output.range!;
      assert.deepEqual(range, report.task === 'regression' ? report.range : undefined);
      assert.equal(
        card.scoreLabel,
        `Predicted Amount (${range[0].toLocaleString('en-US')} to ${range[1].toLocaleString('en-US')})`,
      );
      assert.ok(card.metrics?.r2 !== undefined && card.metrics.mae !== undefined && card.metrics.rmse !== undefined);
      for (const band of card.bands!) assert.equal(band.min, scoreOfValue(band.minValue!, range));
    });

    it('agrees with validate-models on every holdout row', async () => {
      const { code, stdout } = await validateModels(
        path.join(models, 'deal-size', '1.0.0'),
        path.join(work, 'amount-expected.json'),
      );
      assert.equal(code, 0, stdout);
      assert.match(stdout, /variable +float32 +\[N, 1\] +<- score: value mapped from \[/);
      assert.match(stdout, /expected rows: 120, max difference .*: ok/);
    });

    it('serves, over HTTP, what the trainer predicted for both models', async () => {
      const outcome = JSON.parse(await readFile(path.join(work, 'outcome-expected.json'), 'utf8')) as typeof expected;
      const service = await startService({ BYOM_API_KEYS: KEY, MODEL_DIR: models, LOG_LEVEL: 'silent' });
      try {
        await waitUntilReady(service);
        const classes = await scoreOverHttp(service.baseUrl, 'deal-outcome', outcome.rows);
        classes.forEach((served, i) => {
          const row = outcome.rows[i]!;
          assert.equal(served.id, row.id);
          assert.ok(
            Math.abs(served.score - row.score) < 1e-6,
            `${row.id}: score ${served.score}, trainer ${row.score}`,
          );
          assert.equal(served.band, null, 'no bands, no band');
          assert.deepEqual(
            served.probabilities!.map((p) => p.label),
            ['Lost', 'Stalled', 'Won'],
          );
          for (const p of served.probabilities!)
            assert.ok(Math.abs(p.probability - row.probabilities![p.label]!) < 1e-6);
        });

        // The Open Inference Protocol serves the graph's own outputs: the predicted class as text, and the probabilities.
        const first = outcome.rows[0]!;
        const categories = new Set(['LeadSource', 'Type', 'Industry']);
        const infer = await fetch(`${service.baseUrl}/v2/models/deal-outcome/infer`, {
          method: 'POST',
          headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            inputs: Object.entries(first.features).map(([name, value]) => ({
              name,
              datatype: categories.has(name) ? 'BYTES' : 'FP32',
              shape: [1, 1],
              data: [
                categories.has(name) ? (value ?? '') : typeof value === 'boolean' ? Number(value) : (value ?? 'NaN'),
              ],
            })),
          }),
        });
        const inferred = (await infer.json()) as {
          outputs: Array<{ name: string; datatype: string; data: unknown[] }>;
        };
        assert.equal(infer.status, 200, JSON.stringify(inferred));
        const byName = new Map(inferred.outputs.map((o) => [o.name, o]));
        assert.equal(byName.get('label')!.datatype, 'BYTES');
        const probabilities = byName.get('probabilities')!.data as number[];
        const best = ['Lost', 'Stalled', 'Won'][probabilities.indexOf(Math.max(...probabilities))];
        assert.deepEqual(byName.get('label')!.data, [best], 'the label output is the most probable class');
        assert.ok(Math.abs(probabilities[2]! - first.probabilities!.Won!) < 1e-6);

        const amounts = await scoreOverHttp(service.baseUrl, 'deal-size', expected.rows);
        const range = card.output.range!;
        amounts.forEach((served, i) => {
          const row = expected.rows[i]!;
          // float32 in the graph: about seven significant digits of the value.
          assert.ok(
            Math.abs(served.value! - row.value!) <= 1e-6 * Math.abs(row.value!),
            `${row.id}: ${served.value} vs ${row.value}`,
          );
          assert.ok(Math.abs(served.score - scoreOfValue(row.value!, range)) < 1e-6);
          const band = card.bands!.find((b) => row.value! >= b.minValue!) ?? card.bands!.at(-1)!;
          assert.equal(served.band, band.label, `${row.id}: value ${row.value} is in band ${band.label}`);
        });
      } finally {
        service.child.kill('SIGTERM');
        await service.exited;
      }
    });
  });

  describe('model eval on multiclass and regression versions', () => {
    before(async () => {
      // Second versions, more strongly regularised, next to the 1.0.0 of each.
      for (const [data, label, name, extra] of [
        [OUTCOME_CSV, 'Outcome', 'deal-outcome', { positiveClass: 'Won' }],
        [AMOUNT_CSV, 'Amount', 'deal-size', {}],
      ] as const) {
        await trainModelFromCsv({
          dataFile: data,
          label,
          name,
          version: '1.1.0',
          modelsDir: models,
          c: 0.01,
          ...extra,
        });
      }
    });

    it('compares multiclass versions by accuracy, macro-F1, log loss and the score\u2019s AUC', async () => {
      const report = await compareModelVersions({
        dataFile: OUTCOME_CSV,
        label: 'Outcome',
        modelDirs: [path.join(models, 'deal-outcome', '1.0.0'), path.join(models, 'deal-outcome', '1.1.0')],
      });
      assert.deepEqual(ComparisonReport.parse(report), report);
      if (report.task !== 'multiclass_classification') return assert.fail('multiclass comparison');
      assert.equal(report.positiveClass, 'Won');
      assert.equal(report.rows.compared, 900);
      assert.ok(report.baseline.accuracy > 0.45 && report.candidate.accuracy > 0.4);
      assert.ok(report.candidate.logLoss > report.baseline.logLoss, 'C = 0.01 squeezes the probabilities together');
      assert.ok(report.baseline.scoreAuc! > 0.68);
    });

    it('leaves out, and names, rows whose class a version does not know', async () => {
      const data = path.join(work, 'outcome-with-open.csv');
      const text = await readFile(OUTCOME_CSV, 'utf8');
      await writeFile(data, text.replace(/,Stalled\n/, ',Open\n'));
      const report = await compareModelVersions({
        dataFile: data,
        label: 'Outcome',
        modelDirs: [path.join(models, 'deal-outcome', '1.0.0'), path.join(models, 'deal-outcome', '1.1.0')],
      });
      assert.equal(report.rows.skipped, 1);
      assert.equal(report.rejections[0]!.code, 'UNKNOWN_CLASS');
      assert.match(report.rejections[0]!.message, /^"Open" is not a class of the model \(Lost, Stalled, Won\)$/);
    });

    it('compares regressors by MAE, RMSE and R² on the raw value', async () => {
      const report = await compareModelVersions({
        dataFile: AMOUNT_CSV,
        label: 'Amount',
        modelDirs: [path.join(models, 'deal-size', '1.0.0'), path.join(models, 'deal-size', '1.1.0')],
      });
      assert.deepEqual(ComparisonReport.parse(report), report);
      if (report.task !== 'regression') return assert.fail('regression comparison');
      assert.ok(
        report.baseline.r2 > report.candidate.r2,
        'heavy regularisation shrinks the predictions toward the mean',
      );
      assert.ok(report.valueShift.largest > 0);
    });

    it('refuses to compare versions of different tasks', async () => {
      await assert.rejects(
        compareModelVersions({
          dataFile: AMOUNT_CSV,
          label: 'Amount',
          modelDirs: [path.join(models, 'deal-size', '1.0.0'), path.join(models, 'deal-outcome', '1.0.0')],
        }),
        {
          message:
            'model eval compares versions of one task, but 1.0.0 is regression and 1.0.0 is multiclass classification',
        },
      );
    });
  });

  describe('labels that fit no task', () => {
    const cases: Array<[string, string, string[], RegExp]> = [
      ['blank on every row', 'Seats,Outcome\n1,\n2,\n', [], /the label "Outcome" is blank on every row/],
      [
        'one class only',
        'Seats,Outcome\n1,Won\n2,Won\n3,Won\n',
        [],
        /has one class only \("Won" on all 3 labelled rows\)/,
      ],
      [
        'several classes and no score class',
        'Seats,Outcome\n1,Won\n2,Lost\n3,Open\n',
        [],
        /has 3 classes .*name the one whose probability is the score with --positive-class/,
      ],
      [
        'a class held out entirely',
        'Seats,Outcome\n1,Won\n2,Lost\n3,Open\n',
        ['--positive-class', 'Won', '--holdout', '0.34'],
        /class "[A-Za-z]+" of "Outcome" has no training rows/,
      ],
      [
        '--range on a classifier',
        'Seats,Outcome\n1,true\n2,false\n',
        ['--range', '0,10'],
        /--range places a regressor's values/,
      ],
      [
        'a bad --task',
        'Seats,Outcome\n1,true\n2,false\n',
        ['--task', 'ranking'],
        /--task must be binary, multiclass or regression/,
      ],
    ];
    for (const [name, csv, extra, message] of cases) {
      it(`stops with exit code 2 and what to change: ${name}`, async () => {
        const data = path.join(work, `${name.replaceAll(/\W+/g, '-')}.csv`);
        await writeFile(data, csv);
        const { code, reply } = await trainCli([
          '--data',
          data,
          '--label',
          'Outcome',
          '--name',
          'bad',
          '--version',
          '1.0.0',
          '--models-dir',
          path.join(work, 'bad-models'),
          ...extra,
        ]);
        assert.equal(code, 2);
        assert.equal(reply.ok, false);
        assert.match((reply.error as { message: string }).message, message);
      });
    }
  });
});
