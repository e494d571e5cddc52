import type { ModelTask } from '@byom/contracts/model-card';
import { asBoolean, DatasetError, isNumericText } from './feature-spec.ts';
import type { Cell } from './feature-spec.ts';

/**
 * What a label column asks the trainer for: the task, the classes, and each row's label as
 * the number the trainer fits. Unless the caller names the task, the values decide it:
 *
 *   binary      every value is true/false, 1/0 or yes/no; or the text has exactly two classes
 *   regression  every value is a number (and not only 0 and 1)
 *   multiclass  text with 3 to MAX_CLASSES classes
 *
 * A classifier's score is the probability of one class: `true` for a true/false label, and
 * otherwise the class the caller names (--positive-class), since no rule can guess which
 * stage or outcome a team wants scored. Anything that fits no task (every value blank, one
 * class only, a constant number, hundreds of "classes") is a DatasetError saying what to do.
 */

/** More classes than this are not classes: an id, a free-text field, or a number stored as text. */
export const MAX_CLASSES = 20;

export type LabelTarget =
  | {
      task: 'binary_classification';
      /** [other, positive] for text classes (or a true/false label scoring false); absent when true is scored. */
      classes?: [string, string];
    }
  | { task: 'multiclass_classification'; classes: string[]; positiveClass: string }
  | { task: 'regression' };

export interface LabelColumn {
  target: LabelTarget;
  /** Per row: binary 1 (positive) or 0, multiclass the index into classes, regression the value; null when blank. */
  labels: Array<number | null>;
  /** How the task was chosen, in words. */
  notes: string[];
}

export interface LabelOptions {
  /** Overrides the task the values suggest. */
  task?: ModelTask;
  /** The class whose probability is the score: needed for text classes, optional for true/false. */
  positiveClass?: string;
}

export function readLabelColumn(
  cells: readonly Cell[],
  lines: readonly number[],
  column: string,
  options: LabelOptions = {},
): LabelColumn {
  const texts = cells.map((cell) => (cell === null ? null : String(cell).trim()));
  const present = texts.flatMap((text, row) => (text === null || text === '' ? [] : [row]));
  if (present.length === 0) {
    throw new DatasetError(`the label "${column}" is blank on every row: there is nothing to learn from`);
  }
  const allBoolean = present.every((row) => asBoolean(texts[row]!) !== undefined);
  const allNumeric = present.every((row) => isNumericText(texts[row]!));
  const counts = classCounts(present.map((row) => texts[row]!));
  const notBoolean = present.filter((row) => asBoolean(texts[row]!) === undefined);
  // Mostly true/false with a few stray values is a typo or an export problem, not a set of classes.
  if (
    notBoolean.length > 0 &&
    notBoolean.length <= present.length * 0.2 &&
    options.task !== 'multiclass_classification' &&
    options.task !== 'regression'
  ) {
    const row = notBoolean[0]!;
    throw new DatasetError(
      `the label "${column}" is true/false on most rows, but line ${lines[row]} holds ${JSON.stringify(texts[row])} ` +
        `(${notBoolean.length} row(s) like it): labels must be true/false, 1/0 or yes/no; fix those rows, ` +
        'or pass --task multiclass to treat every value as a class',
    );
  }
  const task: ModelTask =
    options.task ??
    (allBoolean
      ? 'binary_classification'
      : allNumeric
        ? 'regression'
        : counts.size === 2
          ? 'binary_classification'
          : 'multiclass_classification');
  const chosen = options.task ? 'as --task says' : 'chosen from its values';
  const blank = (row: number) => texts[row] === null || texts[row] === '';

  if (task === 'regression') {
    if (options.positiveClass !== undefined) {
      throw new DatasetError(`--positive-class is for classifiers, but "${column}" is trained as a regression`);
    }
    const notNumber = present.find((row) => !isNumericText(texts[row]!));
    if (notNumber !== undefined) {
      throw new DatasetError(
        `a regression needs a numeric label, but "${column}" on line ${lines[notNumber]} is ${JSON.stringify(texts[notNumber])}`,
      );
    }
    const labels = texts.map((text, row) => (blank(row) ? null : Number(text)));
    const values = new Set(present.map((row) => labels[row]!));
    if (values.size === 1) {
      throw new DatasetError(
        `the label "${column}" is ${[...values][0]} on every row: there is nothing to predict (a regression needs varying values)`,
      );
    }
    const notes = [`task: regression (${chosen}: "${column}" is a number)`];
    if (!options.task && values.size <= 10 && [...values].every(Number.isInteger)) {
      notes.push(
        `"${column}" takes only ${values.size} values (${[...values].sort((a, b) => a - b).join(', ')}): ` +
          'pass --task multiclass to treat them as classes',
      );
    }
    return { target: { task: 'regression' }, labels, notes };
  }

  if (task === 'binary_classification' && allBoolean) {
    const outcomes = new Set(present.map((row) => asBoolean(texts[row]!)!));
    if (outcomes.size === 1) {
      throw new DatasetError(
        `the label "${column}" is ${[...outcomes][0]} on every labelled row (${present.length}): ` +
          'a model needs rows of both outcomes',
      );
    }
    const positive = options.positiveClass === undefined ? true : asBoolean(options.positiveClass.trim());
    if (positive === undefined) {
      throw new DatasetError(
        `--positive-class "${options.positiveClass}" is not a value of the true/false label "${column}": give true or false`,
      );
    }
    const labels = texts.map((text, row) => (blank(row) ? null : asBoolean(text!) === positive ? 1 : 0));
    const notes = [
      `task: binary classification (${chosen}: "${column}" is true/false); the score is the probability of ${positive}`,
    ];
    return {
      target: positive
        ? { task: 'binary_classification' }
        : { task: 'binary_classification', classes: ['true', 'false'] },
      labels,
      notes,
    };
  }

  const classes = orderClasses([...counts.keys()]);
  if (classes.length === 1) {
    throw new DatasetError(
      `the label "${column}" has one class only ("${classes[0]}" on all ${present.length} labelled rows): ` +
        'a model needs rows of at least two',
    );
  }
  if (task === 'binary_classification' && classes.length !== 2) {
    throw new DatasetError(
      `a binary model needs a label with two classes, but "${column}" has ${classes.length} (${listClasses(classes, counts)}): ` +
        'train it as multiclass (--task multiclass)',
    );
  }
  if (task === 'multiclass_classification' && classes.length === 2) {
    throw new DatasetError(
      `"${column}" has two classes (${listClasses(classes, counts)}): train it as binary (--task binary), which scores one of them`,
    );
  }
  if (classes.length > MAX_CLASSES) {
    const numeric = present.filter((row) => isNumericText(texts[row]!)).length;
    const stray = present.find((row) => !isNumericText(texts[row]!));
    const hint =
      numeric >= present.length * 0.8 && stray !== undefined
        ? `; most of its values are numbers, but line ${lines[stray]} holds ${JSON.stringify(texts[stray])}: fix such rows to train a regression`
        : '';
    throw new DatasetError(
      `the label "${column}" has ${classes.length} different values, too many to be classes (at most ${MAX_CLASSES})${hint}`,
    );
  }

  const positiveClass = findPositiveClass(column, classes, counts, options.positiveClass);
  const notes = [
    `task: ${task === 'binary_classification' ? 'binary' : 'multiclass'} classification (${chosen}: "${column}" has ` +
      `${classes.length} classes); the score is the probability of "${positiveClass}"`,
  ];
  if (task === 'binary_classification') {
    const other = classes.find((c) => c !== positiveClass)!;
    const labels = texts.map((text, row) => (blank(row) ? null : text === positiveClass ? 1 : 0));
    return { target: { task, classes: [other, positiveClass] }, labels, notes };
  }
  const index = new Map(classes.map((c, i) => [c, i]));
  const labels = texts.map((text, row) => (blank(row) ? null : index.get(text!)!));
  return { target: { task, classes, positiveClass }, labels, notes };
}

/** The label of row `label` as text, as a saved training table writes it. */
export function labelText(target: LabelTarget, label: number): string {
  switch (target.task) {
    case 'regression':
      return String(label);
    case 'binary_classification':
      return target.classes ? target.classes[label]! : label === 1 ? 'true' : 'false';
    case 'multiclass_classification':
      return target.classes[label]!;
  }
}

function classCounts(values: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

/** Numbers in numeric order ("2" before "10"), other text by code unit: the same order whatever the row order. */
function orderClasses(classes: string[]): string[] {
  if (classes.every((c) => isNumericText(c))) return classes.sort((a, b) => Number(a) - Number(b) || compare(a, b));
  return classes.sort(compare);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function listClasses(classes: readonly string[], counts: ReadonlyMap<string, number>): string {
  const shown = classes.slice(0, 8).map((c) => `"${c}" ${counts.get(c)}`);
  return classes.length > 8 ? `${shown.join(', ')}, …` : shown.join(', ');
}

function findPositiveClass(
  column: string,
  classes: readonly string[],
  counts: ReadonlyMap<string, number>,
  given: string | undefined,
): string {
  if (given === undefined) {
    throw new DatasetError(
      `the label "${column}" has ${classes.length} classes (${listClasses(classes, counts)}): name the one whose probability ` +
        `is the score with --positive-class, e.g. --positive-class "${classes.at(-1)}"`,
    );
  }
  const wanted = given.trim();
  const exact = classes.find((c) => c === wanted);
  if (exact !== undefined) return exact;
  const folded = classes.filter((c) => c.toLowerCase() === wanted.toLowerCase());
  if (folded.length === 1) return folded[0]!;
  throw new DatasetError(
    `--positive-class "${given}" is not a class of the label "${column}" (classes: ${listClasses(classes, counts)})`,
  );
}
