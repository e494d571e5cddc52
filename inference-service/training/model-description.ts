import type { TabularModel } from './tabular-trainer.ts';

/**
 * The words a trained card carries when the caller gives none: its description (what is
 * predicted, from which features, of which rows), its scoreLabel (what the AI Score card
 * shows above the 0–100 scale) and how it was trained. Each says what the model's score is
 * for its task: the probability of a class, or a predicted value placed in a range.
 */

export interface DescribedModel {
  model: TabularModel;
  /** The label column's name. */
  label: string;
  /** Feature labels (or names), in card order. */
  features: readonly string[];
  rows: number;
  /** Where the rows came from, in words. */
  source: string;
  /** Regressors: the values scored 0 and 1. */
  range?: readonly [number, number];
}

/** The card's scoreLabel is at most this long (the AI Score card shows it on one line). */
const SCORE_LABEL_LENGTH = 80;

export function describeModel(described: DescribedModel): string {
  const { model, label, features, rows, source } = described;
  const from = `from ${listWords(features)}`;
  const trained = `Trained by sf byom model train on ${rows} labelled rows of ${source}.`;
  switch (model.task) {
    case 'binary_classification':
      return model.classes
        ? `Probability that ${label} is "${model.classes[1]}" (rather than "${model.classes[0]}"), ${from}. ${trained}`
        : `Probability that ${label} is true, ${from}. ${trained}`;
    case 'multiclass_classification':
      return (
        `Probability that ${label} is "${model.positiveClass}", one of ${model.classes.length} classes ` +
        `(${listWords(model.classes.map((c) => `"${c}"`))}), ${from}; every class's probability is served. ${trained}`
      );
    case 'regression': {
      const [low, high] = described.range!;
      return (
        `Predicted ${label}, ${from}. The score places the prediction between ${formatValue(low)} (0) and ` +
        `${formatValue(high)} (100); the predicted value itself is served too. ${trained}`
      );
    }
  }
}

export function defaultScoreLabel(model: TabularModel, label: string, range?: readonly [number, number]): string {
  switch (model.task) {
    case 'binary_classification':
      return fitScoreLabel(
        model.classes ? `Likelihood that ${label} is ${model.classes[1]}` : `Likelihood that ${label} is true`,
      );
    case 'multiclass_classification':
      return fitScoreLabel(`Likelihood that ${label} is ${model.positiveClass}`);
    case 'regression': {
      const [low, high] = range!;
      const withRange = `Predicted ${label} (${formatValue(low)} to ${formatValue(high)})`;
      return withRange.length <= SCORE_LABEL_LENGTH ? withRange : fitScoreLabel(`Predicted ${label}`);
    }
  }
}

/** The card's trainingData.trainer: the script and the model family it fitted. */
export function trainerDescription(model: TabularModel): string {
  const c = model.training.c;
  switch (model.task) {
    case 'binary_classification':
      return `training/tabular-trainer.ts: L2-regularised logistic regression (C = ${c}), Newton`;
    case 'multiclass_classification':
      return `training/tabular-trainer.ts: L2-regularised multinomial (softmax) logistic regression (C = ${c}), Newton`;
    case 'regression':
      return `training/tabular-trainer.ts: ridge regression (L2 strength 1/C, C = ${c}), closed form`;
  }
}

/** "a, b and c". */
export function listWords(words: readonly string[]): string {
  return words.length <= 1 ? (words[0] ?? 'no features') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

/** A value as an admin reads it: 250000 → "250,000"; decimals as they are. */
export function formatValue(value: number): string {
  if (!Number.isInteger(value)) return String(value);
  const digits = String(Math.abs(value)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return value < 0 ? `-${digits}` : digits;
}

function fitScoreLabel(text: string): string {
  return text.length <= SCORE_LABEL_LENGTH ? text : `${text.slice(0, SCORE_LABEL_LENGTH - 1)}…`;
}
