import { z } from 'zod';

/**
 * The model card (`model.json`) that sits next to every `model.onnx`. It is the only
 * thing a data scientist writes to bring a model: it names the features a request sends,
 * how they reach the ONNX inputs, which output is the score, and how to band it.
 * docs/models.md documents every field with examples. The service validates every card
 * with this schema at boot and serves it from /v1/models/{name}; the trainer writes cards
 * that pass it; `sf byom doctor` checks a project's cards and the served ones with it.
 */

const featureValue = z.union([z.number(), z.string(), z.boolean()]);

export const FeatureType = z.enum(['number', 'integer', 'boolean', 'category']);
export type FeatureType = z.infer<typeof FeatureType>;

/**
 * The values "how to improve" may suggest for a feature a rep can change: `true` for every
 * category the card lists (or both booleans), a list of `values`, or a number grid from `min`
 * to `max` by `step`. actionableCandidates() expands it.
 */
export const ActionableSpec = z.union([
  z.literal(true),
  z
    .object({
      values: z.array(featureValue).min(1).optional().describe('The values a suggestion may set.'),
      min: z.number().optional().describe('Numbers: the lowest value a suggestion may set.'),
      max: z.number().optional().describe('Numbers: the highest value a suggestion may set.'),
      // A refinement rather than .positive(): OpenAPI 3.0 (GET /v1/models serves cards) has no numeric exclusiveMinimum.
      step: z
        .number()
        .refine((step) => step > 0, 'must be above 0')
        .optional()
        .describe('Numbers: the grid from min to max a suggestion picks from.'),
    })
    .strict(),
]);
export type ActionableSpec = z.infer<typeof ActionableSpec>;

/** A number grid or value list longer than this is refused: every value is a model row per record. */
export const MAX_ACTIONABLE_VALUES = 100;

export const FeatureSpec = z
  .object({
    name: z.string().min(1).describe('Feature name as sent in score requests (and mapped from a Salesforce field).'),
    label: z.string().optional().describe('Human-readable label, for explanations shown to reps.'),
    type: FeatureType.describe(
      'number/integer: JSON numbers; boolean: true/false (sent to the model as 1/0); category: strings.',
    ),
    description: z.string().optional(),
    input: z
      .string()
      .optional()
      .describe('ONNX input that receives this feature when inputs.style is "columns"; defaults to the feature name.'),
    default: featureValue
      .optional()
      .describe('Value used when a record omits the feature or sends null. Without it a missing feature is an error.'),
    allowMissing: z
      .boolean()
      .optional()
      .describe('number/integer only: pass a missing value to the model as NaN because the graph imputes it.'),
    categories: z.array(z.string()).optional().describe('Known categories (documentation and explanation baseline).'),
    min: z.number().optional().describe('Lowest accepted value; lower values are a per-record error.'),
    max: z.number().optional().describe('Highest accepted value; higher values are a per-record error.'),
    baseline: featureValue
      .optional()
      .describe('Reference value for explanations: the impact of a feature is the change from substituting it.'),
    actionable: ActionableSpec.optional().describe(
      'A value a rep can change: "how to improve" suggestions try the values listed here (docs/explanations.md).',
    ),
  })
  .strict();
export type FeatureSpec = z.infer<typeof FeatureSpec>;

export const InputsSpec = z.discriminatedUnion('style', [
  z
    .object({
      style: z.literal('tensor'),
      name: z.string().min(1).describe('The single float input [N, F] that receives every feature in card order.'),
    })
    .strict(),
  z
    .object({
      style: z.literal('columns'),
    })
    .strict()
    .describe('One ONNX input [N, 1] per feature (float, double, int64, int32 or string), as skl2onnx exports.'),
]);
export type InputsSpec = z.infer<typeof InputsSpec>;

const classLabel = z.union([z.string(), z.number()]);

export const OutputSpec = z
  .object({
    name: z.string().min(1).describe('ONNX output holding probabilities (tensor or ZipMap) or the regression value.'),
    positiveClass: classLabel
      .optional()
      .describe('Classifiers: the class whose probability is the score. Binary default: the second class.'),
    classes: z
      .array(classLabel)
      .optional()
      .describe('Class label of each probability column, when the graph does not name them.'),
    transform: z
      .enum(['none', 'sigmoid', 'softmax'])
      .default('none')
      .describe('Apply to the output first, for graphs that emit logits (common in torch exports).'),
    range: z
      .tuple([z.number(), z.number()])
      .optional()
      .describe('Regression: raw output range mapped linearly onto the score range [0, 1] (required).'),
  })
  .strict();
export type OutputSpec = z.infer<typeof OutputSpec>;

export const Band = z
  .object({
    label: z.string().min(1),
    min: z.number().min(0).max(1).describe('Lowest score (inclusive) that falls in this band.'),
    minValue: z
      .number()
      .optional()
      .describe(
        "Regression only: the predicted value, in the label's own units, where the band starts; min must be " +
          'its score (where it falls in output.range), so the band and the value agree.',
      ),
  })
  .strict();
export type Band = z.infer<typeof Band>;

export const CalibrationBin = z
  .object({
    lower: z.number(),
    upper: z.number(),
    /** Mean predicted probability of the rows in the bin. */
    meanPredicted: z.number(),
    /** Share of the rows in the bin whose label is 1. */
    observedRate: z.number(),
    count: z.number().int(),
  })
  .strict();
export type CalibrationBin = z.infer<typeof CalibrationBin>;

/** How well a classifier tells one class from the others, on the holdout rows. */
export const ClassMetrics = z
  .object({
    label: z.string(),
    /** Holdout rows whose label is this class. */
    rows: z.number().int(),
    /** Of the rows predicted as this class (the most probable one), the share that are. */
    precision: z.number(),
    /** Of the rows of this class, the share predicted as it. */
    recall: z.number(),
    f1: z.number(),
    /** AUC of this class's probability, the class against the rest; absent when the holdout lacks either. */
    auc: z.number().optional(),
  })
  .strict();
export type ClassMetrics = z.infer<typeof ClassMetrics>;

export const ModelMetrics = z
  .object({
    auc: z.number().optional(),
    brier: z.number().optional(),
    logLoss: z.number().optional(),
    accuracy: z.number().optional(),
    /** Multiclass: the unweighted mean of the classes' F1. */
    macroF1: z.number().optional(),
    /** Multiclass: precision, recall, F1 and AUC of each class. */
    classes: z.array(ClassMetrics).optional(),
    /** Regression, in the label's units: mean absolute error, root mean squared error. */
    mae: z.number().optional(),
    rmse: z.number().optional(),
    /** Regression: the share of the label's variance the model explains (1 is perfect, 0 is the mean's). */
    r2: z.number().optional(),
    holdoutRows: z.number().int().optional(),
    calibration: z.array(CalibrationBin).optional(),
  })
  .catchall(z.unknown());

export const TrainingData = z
  .object({
    description: z.string(),
    rows: z.number().int().optional(),
    positiveRate: z.number().optional(),
    seed: z.number().int().optional(),
    generator: z.string().optional(),
  })
  .catchall(z.unknown());

/**
 * How the service explains this model's scores (docs/explanations.md). A card without this
 * block predates the choice and keeps `occlusion`, so no existing model's factors change
 * silently; a card with it gets `shapley` unless it says otherwise. The trainer writes it.
 */
export const ExplanationsSpec = z
  .object({
    method: z
      .enum(['shapley', 'occlusion'])
      .default('shapley')
      .describe(
        'shapley: impacts that add up (exact, TreeSHAP or sampled with a stated error); occlusion: one feature at a time.',
      ),
    tolerance: z
      .number()
      .refine((tolerance) => tolerance > 0, 'must be above 0')
      .optional()
      .describe(
        'Sampled Shapley values: keep sampling until every impact is within this of the exact value (95 % confidence), ' +
          'in log-odds for classifiers and raw output units for regressors. Default 0.05.',
      ),
    improve: z
      .enum(['raise', 'lower'])
      .default('raise')
      .describe(
        'Which way "how to improve" suggestions move the score: raise it (default) or lower it (a churn risk).',
      ),
  })
  .strict();
export type ExplanationsSpec = z.infer<typeof ExplanationsSpec>;

/** The method a card's scores are explained with: `occlusion` for a card without an explanations block. */
export function explanationMethod(card: { explanations?: { method: 'shapley' | 'occlusion' } | undefined }) {
  return card.explanations?.method ?? 'occlusion';
}

/**
 * The values "how to improve" may suggest for a feature, in the card's order (undefined when
 * the feature is not actionable). A grid is min, min + step, … up to max.
 */
export function actionableCandidates(feature: FeatureSpec): Array<number | string | boolean> | undefined {
  const actionable = feature.actionable;
  if (actionable === undefined) return undefined;
  if (actionable === true) {
    if (feature.type === 'boolean') return [true, false];
    return feature.categories ?? [];
  }
  if (actionable.values) return actionable.values;
  const { min, max, step } = actionable;
  if (min === undefined || max === undefined || step === undefined) return [];
  const values: number[] = [];
  // Counted in steps, not accumulated, so 0.1 steps do not drift; the epsilon keeps max itself on the grid.
  for (let i = 0; min + i * step <= max + step * 1e-9 && i <= MAX_ACTIONABLE_VALUES; i++) {
    values.push(Math.round((min + i * step) * 1e9) / 1e9);
  }
  return values;
}

/** Candidate rows "how to improve" may score per record (every single change and every pair); more is refused at load. */
export const MAX_IMPROVEMENT_ROWS = 2_000;

/** A model name: also its directory under the models directory, and what Custom Metadata names. */
export const MODEL_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
/** A model version: also its directory under `<name>/`. compareVersions (model-versions.ts) orders them. */
export const MODEL_VERSION_PATTERN = /^[0-9A-Za-z][0-9A-Za-z.+_-]*$/;

/** What a model predicts; the card's `task`. */
export const ModelTask = z.enum(['binary_classification', 'multiclass_classification', 'regression']);
export type ModelTask = z.infer<typeof ModelTask>;

export const ModelCard = z
  .object({
    name: z.string().regex(MODEL_NAME_PATTERN, 'letters, digits, ".", "_" and "-", starting with a letter or digit'),
    version: z.string().regex(MODEL_VERSION_PATTERN, 'a version such as 1.0.0'),
    default: z.boolean().optional().describe('Serve this version when a request names no version.'),
    description: z.string().optional(),
    scoreLabel: z
      .string()
      .min(1)
      .max(80)
      .optional()
      .describe(
        'What the score predicts, in a few words, as the AI Score card shows it above the 0–100 scale ' +
          '("Likelihood to convert"). Copy it into the endpoint\'s Score_Label__c; sf byom doctor checks they agree.',
      ),
    task: ModelTask,
    features: z.array(FeatureSpec).min(1),
    inputs: InputsSpec,
    output: OutputSpec,
    bands: z.array(Band).optional().describe('Score bands; a score gets the band with the highest min it reaches.'),
    explanations: ExplanationsSpec.optional(),
    metrics: ModelMetrics.optional(),
    trainingData: TrainingData.optional(),
    owner: z.string().optional(),
    createdAt: z.string().optional(),
  })
  .strict()
  .superRefine((card, ctx) => {
    const seen = new Set<string>();
    card.features.forEach((feature, index) => {
      if (seen.has(feature.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['features', index, 'name'],
          message: `duplicate feature "${feature.name}"`,
        });
      }
      seen.add(feature.name);
      if (feature.allowMissing && feature.type !== 'number' && feature.type !== 'integer') {
        ctx.addIssue({
          code: 'custom',
          path: ['features', index, 'allowMissing'],
          message: 'only number and integer features can be passed as NaN',
        });
      }
      for (const message of actionableProblems(feature)) {
        ctx.addIssue({ code: 'custom', path: ['features', index, 'actionable'], message });
      }
    });
    const improvementRows = countImprovementRows(card.features);
    if (improvementRows > MAX_IMPROVEMENT_ROWS) {
      ctx.addIssue({
        code: 'custom',
        path: ['features'],
        message:
          `the actionable features' values make ${improvementRows} candidate rows per record (every single change and every pair); ` +
          `at most ${MAX_IMPROVEMENT_ROWS}: list fewer values or use a coarser step`,
      });
    }
    if (card.task === 'regression' && !card.output.range) {
      ctx.addIssue({
        code: 'custom',
        path: ['output', 'range'],
        message: 'regression models need output.range to map their value onto a 0-1 score',
      });
    }
    if (card.output.range && card.output.range[0] === card.output.range[1]) {
      ctx.addIssue({
        code: 'custom',
        path: ['output', 'range'],
        message: 'the two ends of the range must differ (every value would get the same score)',
      });
    }
    if (card.bands) {
      const mins = card.bands.map((b) => b.min);
      if (new Set(mins).size !== mins.length) {
        ctx.addIssue({ code: 'custom', path: ['bands'], message: 'two bands share the same min' });
      }
      card.bands.forEach((band, index) => {
        if (band.minValue === undefined) return;
        const path = ['bands', index, 'minValue'];
        if (card.task !== 'regression' || !card.output.range) {
          ctx.addIssue({ code: 'custom', path, message: 'only a regression band starts at a value' });
          return;
        }
        const [low, high] = card.output.range;
        if (!(band.minValue >= Math.min(low, high) && band.minValue <= Math.max(low, high))) {
          ctx.addIssue({ code: 'custom', path, message: `${band.minValue} is outside output.range [${low}, ${high}]` });
        } else if (Math.abs(scoreOfValue(band.minValue, card.output.range) - band.min) > 1e-9) {
          ctx.addIssue({
            code: 'custom',
            path: ['bands', index, 'min'],
            message: `must be ${scoreOfValue(band.minValue, card.output.range)}, where minValue ${band.minValue} falls in output.range`,
          });
        }
      });
    }
  });
export type ModelCard = z.infer<typeof ModelCard>;

/**
 * A regressor's score: its value placed linearly in output.range, 0 at the low end and 1 at the
 * high end, clamped. The service scores with it and the trainer places value bands with it.
 */
export function scoreOfValue(value: number, [low, high]: readonly [number, number]): number {
  const score = (value - low) / (high - low);
  return score < 0 ? 0 : score > 1 ? 1 : score;
}

/** What is wrong with a feature's actionable values, if anything. */
function actionableProblems(feature: FeatureSpec): string[] {
  const actionable = feature.actionable;
  if (actionable === undefined) return [];
  const { type } = feature;
  if (actionable === true) {
    if (type === 'number' || type === 'integer') {
      return ['a number needs the values a suggestion may set: values, or min, max and step'];
    }
    if (type === 'category' && !feature.categories?.length) {
      return ['true means every listed category, and the feature lists none: list categories or values'];
    }
    return [];
  }
  const problems: string[] = [];
  const grid = actionable.min !== undefined || actionable.max !== undefined || actionable.step !== undefined;
  if (actionable.values && grid) problems.push('give either values or min, max and step, not both');
  if (!actionable.values && !grid) problems.push('give values, or min, max and step');
  if (grid) {
    if (type !== 'number' && type !== 'integer')
      problems.push(`min, max and step are for numbers; a ${type} lists values`);
    else if (actionable.min === undefined || actionable.max === undefined || actionable.step === undefined) {
      problems.push('a number grid needs min, max and step');
    } else if (actionable.min > actionable.max) problems.push('min is above max');
    else if (type === 'integer' && ![actionable.min, actionable.step].every(Number.isInteger)) {
      problems.push('an integer grid needs an integer min and step');
    } else if ((actionable.max - actionable.min) / actionable.step + 1 > MAX_ACTIONABLE_VALUES) {
      problems.push(`the grid has more than ${MAX_ACTIONABLE_VALUES} values: use a coarser step`);
    }
  }
  for (const value of actionable.values ?? []) {
    const problem = valueProblem(feature, value);
    if (problem) problems.push(problem);
  }
  if (actionable.values && actionable.values.length > MAX_ACTIONABLE_VALUES) {
    problems.push(`more than ${MAX_ACTIONABLE_VALUES} values`);
  }
  const candidates = grid ? [actionable.min, actionable.max] : [];
  for (const bound of candidates) {
    if (bound === undefined) continue;
    if ((feature.min !== undefined && bound < feature.min) || (feature.max !== undefined && bound > feature.max)) {
      problems.push(
        `${bound} is outside the values the feature accepts (min ${feature.min ?? '-'}, max ${feature.max ?? '-'})`,
      );
    }
  }
  return problems;
}

function valueProblem(feature: FeatureSpec, value: number | string | boolean): string | undefined {
  switch (feature.type) {
    case 'category':
      return typeof value === 'string' ? undefined : `${JSON.stringify(value)} is not a category (a string)`;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `${JSON.stringify(value)} is not true or false`;
    case 'number':
    case 'integer':
      if (typeof value !== 'number') return `${JSON.stringify(value)} is not a number`;
      if (feature.type === 'integer' && !Number.isInteger(value)) return `${value} is not an integer`;
      if ((feature.min !== undefined && value < feature.min) || (feature.max !== undefined && value > feature.max)) {
        return `${value} is outside the values the feature accepts (min ${feature.min ?? '-'}, max ${feature.max ?? '-'})`;
      }
      return undefined;
  }
}

/** Rows "how to improve" scores per record at most: each candidate value alone, and each pair of values of two features. */
function countImprovementRows(features: FeatureSpec[]): number {
  const counts = features.map((f) => actionableCandidates(f)?.length ?? 0).filter((n) => n > 0);
  let rows = 0;
  for (let i = 0; i < counts.length; i++) {
    rows += counts[i]!;
    for (let j = i + 1; j < counts.length; j++) rows += counts[i]! * counts[j]!;
  }
  return rows;
}
