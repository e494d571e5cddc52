import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { ModelCard } from '@byom/contracts/model-card';
import { buildModelCard, chooseScoreBands, exportOnnx } from '../../training/export-onnx.ts';
import { generateLeads, LEAD_FEATURES } from '../../training/lead-data.ts';
import { evaluateBinaryClassifier } from '../../training/metrics.ts';
import { predictProbability, splitTrainHoldout, trainTabularModel } from '../../training/tabular-trainer.ts';
import type { TabularRow } from '../../training/tabular-trainer.ts';

/** Measured 0.746 on the default data set; well below it, something broke (data, trainer or export). */
const AUC_FLOOR = 0.72;

const { train, holdout } = splitTrainHoldout(generateLeads(), 0.2, 42);
const model = trainTabularModel(LEAD_FEATURES, train);
const holdoutScores = holdout.rows.map((row) => predictProbability(model, row));
const metrics = evaluateBinaryClassifier(holdoutScores, holdout.labels);
const bands = chooseScoreBands(train.rows.map((row) => predictProbability(model, row)));
const info = { name: 'lead-scoring', version: '1.0.0', description: 'test' };
const onnxBytes = exportOnnx(model, info);
const card = buildModelCard(model, metrics, bands, { ...info, default: true, trainingData: { description: 'test' } });

/** Leads the generator never produces: blanks everywhere, categories nobody has seen, extreme sizes. */
const EDGE_LEADS: TabularRow[] = [
  {
    LeadSource: null,
    Industry: null,
    Country: null,
    TitleSeniority: null,
    AnnualRevenue: null,
    NumberOfEmployees: null,
    HasEmail: false,
    HasPhone: false,
    DaysSinceLastActivity: null,
    EmailOpens30d: null,
  },
  {
    LeadSource: 'Carrier Pigeon',
    Industry: 'Alchemy',
    Country: 'Atlantis',
    TitleSeniority: 'Intern',
    AnnualRevenue: 0,
    NumberOfEmployees: 1,
    HasEmail: true,
    HasPhone: false,
    DaysSinceLastActivity: 0,
    EmailOpens30d: 0,
  },
  {
    LeadSource: 'Employee Referral',
    Industry: 'Technology',
    Country: 'United States',
    TitleSeniority: 'VP',
    AnnualRevenue: 50_000_000_000,
    NumberOfEmployees: 400_000,
    HasEmail: true,
    HasPhone: true,
    DaysSinceLastActivity: 365,
    EmailOpens30d: 40,
  },
];

/** Feeds built the way the service builds them from the card: blanks become NaN, the card default, or ''. */
function feedsFor(rows: readonly TabularRow[]): Record<string, Tensor> {
  const feeds: Record<string, Tensor> = {};
  for (const feature of card.features) {
    const values = rows.map((row) => row[feature.name] ?? feature.default ?? null);
    feeds[feature.name] =
      feature.type === 'category'
        ? new Tensor('string', values.map(String), [rows.length, 1])
        : new Tensor(
            'float32',
            Float32Array.from(values, (v) => (v === null ? NaN : Number(v))),
            [rows.length, 1],
          );
  }
  return feeds;
}

describe('lead-scoring ONNX export', () => {
  let session: InferenceSession;
  before(async () => {
    session = await InferenceSession.create(onnxBytes);
  });
  after(async () => {
    await session.release();
  });

  it('has one input per card feature, in card order, and label and probabilities outputs', () => {
    assert.deepEqual(
      session.inputNames,
      card.features.map((f) => f.name),
      'inputs are the feature columns, as skl2onnx exports them',
    );
    assert.deepEqual(session.outputNames, ['label', 'probabilities'], 'outputs are those of a LinearClassifier');
  });

  it('scores holdout leads, blanks included, exactly as the JS pipeline does', async () => {
    const blanks = holdout.rows.filter((row) => Object.values(row).some((v) => v === null)).length;
    assert.ok(blanks > 1000, `the holdout must exercise imputation (it has ${blanks} rows with a blank)`);
    const { probabilities } = await session.run(feedsFor(holdout.rows));
    const worst = holdoutScores.reduce(
      (max, p, i) => Math.max(max, Math.abs(Number(probabilities.data[2 * i + 1]) - p)),
      0,
    );
    assert.ok(worst < 1e-5, `ONNX and JS probabilities differ by up to ${worst}`);
  });

  it('scores blank, unknown and extreme leads exactly as the JS pipeline does', async () => {
    const { probabilities } = await session.run(feedsFor(EDGE_LEADS));
    EDGE_LEADS.forEach((row, i) => {
      const onnx = Number(probabilities.data[2 * i + 1]);
      const js = predictProbability(model, row);
      assert.ok(Number.isFinite(onnx), `edge lead ${i} must get a finite score`);
      assert.ok(Math.abs(onnx - js) < 1e-5, `edge lead ${i}: ONNX ${onnx} vs JS ${js}`);
    });
  });

  it('scores an unknown category like a blank one when blanks have no column of their own', async () => {
    const base = { ...EDGE_LEADS[2] };
    const { probabilities } = await session.run(
      feedsFor([
        { ...base, TitleSeniority: 'Intern' },
        { ...base, TitleSeniority: '' },
      ]),
    );
    assert.equal(
      probabilities.data[1],
      probabilities.data[3],
      'TitleSeniority has no blank column: both are all zeros',
    );
  });

  it('returns complementary probabilities and the label of the likelier class', async () => {
    const rows = holdout.rows.slice(0, 500);
    const { label, probabilities } = await session.run(feedsFor(rows));
    rows.forEach((_, i) => {
      const [p0, p1] = [Number(probabilities.data[2 * i]), Number(probabilities.data[2 * i + 1])];
      assert.ok(Math.abs(p0 + p1 - 1) < 1e-6, `row ${i}: probabilities must sum to 1`);
      if (Math.abs(p1 - 0.5) > 1e-6) assert.equal(Number(label.data[i]), p1 > 0.5 ? 1 : 0, `row ${i}: label`);
    });
  });

  it(`ranks holdout leads with an AUC above ${AUC_FLOOR}`, () => {
    assert.ok(metrics.auc > AUC_FLOOR, `holdout AUC was ${metrics.auc}`);
  });

  it('produces the same bytes when exported twice', () => {
    assert.deepEqual(exportOnnx(model, info), onnxBytes, 'export must not add timestamps or random ids');
  });
});

describe('lead-scoring model card', () => {
  it('passes the model card schema', () => {
    assert.doesNotThrow(() => ModelCard.parse(JSON.parse(JSON.stringify(card))), 'the written card must parse');
  });

  it('lets a Lead with blank fields score: numbers may be missing, booleans and categories have defaults', () => {
    for (const feature of card.features) {
      if (feature.type === 'number' || feature.type === 'integer') {
        assert.equal(feature.allowMissing, true, `${feature.name} is imputed in the graph`);
      } else if (feature.type === 'boolean') {
        assert.equal(feature.default, false, `a blank ${feature.name} checkbox is false`);
      } else {
        assert.equal(feature.default, '', `a blank ${feature.name} picklist is ''`);
      }
      assert.notEqual(feature.baseline, undefined, `${feature.name} needs an explanation baseline`);
    }
  });

  it('refuses negative values for the features the graph log-transforms', () => {
    const revenue = card.features.find((f) => f.name === 'AnnualRevenue');
    assert.equal(revenue?.min, 0, 'log(1 + x) of a negative revenue would be meaningless');
  });

  it('records holdout metrics and a calibration table covering every holdout row', () => {
    assert.equal(card.metrics?.holdoutRows, 4000, '20% of 20,000 leads are held out');
    const counted = (card.metrics?.calibration ?? []).reduce((sum, bin) => sum + bin.count, 0);
    assert.equal(counted, 4000, 'every holdout row falls in one calibration bin');
  });

  it('orders bands from Hot down to Cold at 0', () => {
    assert.deepEqual(
      card.bands?.map((band) => band.label),
      ['Hot', 'Warm', 'Cold'],
      'three bands',
    );
    const mins = (card.bands ?? []).map((band) => band.min);
    assert.ok(mins[0] > mins[1] && mins[1] > mins[2] && mins[2] === 0, `band minimums ${mins} must fall to 0`);
  });
});
