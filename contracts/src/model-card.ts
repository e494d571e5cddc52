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

export const ModelMetrics = z
  .object({
    auc: z.number().optional(),
    brier: z.number().optional(),
    logLoss: z.number().optional(),
    accuracy: z.number().optional(),
    rmse: z.number().optional(),
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

/** A model name: also its directory under the models directory, and what Custom Metadata names. */
export const MODEL_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
/** A model version: also its directory under `<name>/`. compareVersions (model-versions.ts) orders them. */
export const MODEL_VERSION_PATTERN = /^[0-9A-Za-z][0-9A-Za-z.+_-]*$/;

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
    task: z.enum(['binary_classification', 'multiclass_classification', 'regression']),
    features: z.array(FeatureSpec).min(1),
    inputs: InputsSpec,
    output: OutputSpec,
    bands: z.array(Band).optional().describe('Score bands; a score gets the band with the highest min it reaches.'),
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
    });
    if (card.task === 'regression' && !card.output.range) {
      ctx.addIssue({
        code: 'custom',
        path: ['output', 'range'],
        message: 'regression models need output.range to map their value onto a 0-1 score',
      });
    }
    if (card.bands) {
      const mins = card.bands.map((b) => b.min);
      if (new Set(mins).size !== mins.length) {
        ctx.addIssue({ code: 'custom', path: ['bands'], message: 'two bands share the same min' });
      }
    }
  });
export type ModelCard = z.infer<typeof ModelCard>;
