import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildModelCard, exportOnnx, scoreWithOnnx } from './export-onnx.ts';
import { DEFAULT_LEAD_ROWS, DEFAULT_LEAD_SEED, generateLeads, LEAD_FEATURES } from './lead-data.ts';
import { evaluateBinaryClassifier } from './metrics.ts';
import { chooseScoreBands } from './score-bands.ts';
import { predictProbability, splitTrainHoldout, trainTabularModel } from './tabular-trainer.ts';

/**
 * `npm run train`: regenerates the synthetic Lead data, trains the bundled lead-scoring
 * model, checks the exported graph against the JS pipeline with onnxruntime, and writes
 * models/lead-scoring/model.onnx and model.json. The same options always write the same
 * bytes; test/training checks the committed model is what this script produces.
 *
 *   node --conditions=@byom/source training/train-lead-model.ts [--out <dir>] [--rows 20000] [--seed 42]
 */

const HOLDOUT_FRACTION = 0.2;
/** float32 in the graph against float64 in JS: anything beyond this is a real mismatch. */
const PARITY_TOLERANCE = 1e-5;
const DEFAULT_OUT_DIR = fileURLToPath(new URL('../models/lead-scoring/', import.meta.url));

const { values: args } = parseArgs({
  options: {
    out: { type: 'string', default: DEFAULT_OUT_DIR },
    rows: { type: 'string', default: String(DEFAULT_LEAD_ROWS) },
    seed: { type: 'string', default: String(DEFAULT_LEAD_SEED) },
  },
  strict: true,
});
const rows = parseInteger('--rows', args.rows);
const seed = parseInteger('--seed', args.seed);
const outDir = resolve(args.out);

const started = performance.now();
const data = generateLeads({ rows, seed });
const { train, holdout } = splitTrainHoldout(data, HOLDOUT_FRACTION, seed);
const model = trainTabularModel(LEAD_FEATURES, train);
if (!model.training.converged) throw new Error(`training did not converge in ${model.training.iterations} iterations`);

const holdoutScores = holdout.rows.map((row) => predictProbability(model, row));
const metrics = evaluateBinaryClassifier(holdoutScores, holdout.labels);
const bands = chooseScoreBands(train.rows.map((row) => predictProbability(model, row)));

const description =
  'Probability that a Lead converts, from its source, company, title seniority, contactability and recent ' +
  'engagement. Trained on synthetic data: a working example, not for real decisions.';
const onnxBytes = exportOnnx(model, { name: 'lead-scoring', version: '1.0.0', description });
const card = buildModelCard(model, metrics, bands, {
  name: 'lead-scoring',
  version: '1.0.0',
  default: true,
  description,
  scoreLabel: 'Likelihood to convert',
  // What a rep can act on: where a lead comes from, getting a phone number or an email, logging an activity.
  actionable: {
    LeadSource: true,
    HasPhone: { values: [true] },
    HasEmail: { values: [true] },
    DaysSinceLastActivity: { values: [0] },
  },
  trainingData: {
    description:
      `${groupThousands(rows)} synthetic Leads with realistic fields, missing values and a documented ` +
      `conversion mechanism (docs/lead-scoring-model.md), split ${100 - HOLDOUT_FRACTION * 100}/` +
      `${HOLDOUT_FRACTION * 100} into training and holdout rows. rows and positiveRate describe the training rows.`,
    seed,
    generator: 'training/lead-data.ts',
    generatedRows: rows,
    holdoutFraction: HOLDOUT_FRACTION,
    trainer: `training/tabular-trainer.ts: L2-regularised logistic regression (C = ${model.training.c}), Newton`,
  },
});

// The graph must score exactly what the JS pipeline scored, or the card's metrics are not the model's.
const onnxScores = await scoreWithOnnx(onnxBytes, model, holdout.rows);
const worstGap = onnxScores.reduce((worst, score, i) => Math.max(worst, Math.abs(score - holdoutScores[i])), 0);
if (!(worstGap <= PARITY_TOLERANCE)) {
  throw new Error(`the ONNX graph disagrees with the JS pipeline by up to ${worstGap} on the holdout rows`);
}

await mkdir(outDir, { recursive: true });
await writeFile(join(outDir, 'model.onnx'), onnxBytes);
await writeFile(join(outDir, 'model.json'), `${JSON.stringify(card, null, 2)}\n`);
const seconds = (performance.now() - started) / 1000;

const format = (value: number): string => value.toFixed(4);
console.log(
  `lead-scoring 1.0.0: ${train.rows.length} training rows, ${holdout.rows.length} holdout rows (seed ${seed})`,
);
console.log(`  positive rate  train ${format(model.training.positiveRate)}  holdout ${format(metrics.positiveRate)}`);
console.log(
  `  holdout        AUC ${format(metrics.auc)}  Brier ${format(metrics.brier)}  log loss ${format(metrics.logLoss)}` +
    `  accuracy ${format(metrics.accuracy)}`,
);
console.log(`  bands          ${bands.map((band) => `${band.label} >= ${band.min}`).join(', ')}`);
for (const [index, band] of bands.entries()) {
  const upper = index === 0 ? Infinity : bands[index - 1].min;
  const members = holdoutScores.flatMap((score, i) => (score >= band.min && score < upper ? [holdout.labels[i]] : []));
  const rate = members.length ? members.reduce((sum, y) => sum + y, 0) / members.length : 0;
  console.log(
    `    ${band.label.padEnd(5)} ${format(members.length / holdoutScores.length)} of holdout leads, ` +
      `${format(rate)} of them converted`,
  );
}
console.log(`  ONNX parity    max |onnx - js| = ${worstGap.toExponential(2)} on ${holdout.rows.length} holdout rows`);
console.log(`  wrote          ${join(outDir, 'model.onnx')} and model.json in ${seconds.toFixed(2)} s`);
console.log(`  sha256         ${createHash('sha256').update(onnxBytes).digest('hex')}`);

function parseInteger(flag: string, value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed)) throw new Error(`${flag} must be an integer, got "${value}"`);
  return parsed;
}

/** 20000 → "20,000", without depending on the ICU data the Node build ships. */
function groupThousands(value: number): string {
  return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
