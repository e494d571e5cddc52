import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { labelText, MAX_CLASSES, readLabelColumn } from '../../training/label-column.ts';
import type { LabelOptions } from '../../training/label-column.ts';

/** Reads a label column given as cell texts ('' is blank), on lines 2, 3, … as after a header. */
const read = (cells: Array<string | null>, options: LabelOptions = {}) =>
  readLabelColumn(
    cells.map((c) => (c === '' ? null : c)),
    cells.map((_, i) => i + 2),
    'Outcome',
    options,
  );

const repeat = (values: string[], times: number) => Array.from({ length: times }, () => values).flat();

describe('the label column chooses the task', () => {
  it('trains true/false, 1/0 and yes/no labels as binary, scoring true, blanks left out', () => {
    const label = read(['true', 'FALSE', '1', '0', 'yes', 'No', '']);
    assert.deepEqual(label.target, { task: 'binary_classification' });
    assert.deepEqual(label.labels, [1, 0, 1, 0, 1, 0, null]);
    assert.match(label.notes[0]!, /^task: binary classification \(chosen from its values.*probability of true$/);
  });

  it('scores false when asked, naming the classes so the card says which one is scored', () => {
    const label = read(['true', 'false', 'false'], { positiveClass: 'false' });
    assert.deepEqual(label.target, { task: 'binary_classification', classes: ['true', 'false'] });
    assert.deepEqual(label.labels, [0, 1, 1]);
    assert.equal(labelText(label.target, 1), 'false');
  });

  it('trains a number as a regression, and suggests multiclass when it takes only a few whole values', () => {
    const amount = read(['1200.5', '', '98000', '4.0E3']);
    assert.deepEqual(amount.target, { task: 'regression' });
    assert.deepEqual(amount.labels, [1200.5, null, 98000, 4000]);
    assert.equal(amount.notes.length, 1, 'no hint for a continuous value');
    const rating = read(['1', '2', '3', '5', '4', '2']);
    assert.equal(rating.target.task, 'regression');
    assert.equal(
      rating.notes[1],
      '"Outcome" takes only 5 values (1, 2, 3, 4, 5): pass --task multiclass to treat them as classes',
    );
  });

  it('trains three or more text classes as multiclass, once told which class is the score', () => {
    const cells = ['Won', 'Lost', 'Stalled', 'Won', ' Lost ', ''];
    assert.throws(() => read(cells), {
      message:
        'the label "Outcome" has 3 classes ("Lost" 2, "Stalled" 1, "Won" 2): name the one whose probability is ' +
        'the score with --positive-class, e.g. --positive-class "Won"',
    });
    const label = read(cells, { positiveClass: 'won' });
    assert.deepEqual(label.target, {
      task: 'multiclass_classification',
      classes: ['Lost', 'Stalled', 'Won'],
      positiveClass: 'Won',
    });
    assert.deepEqual(label.labels, [2, 0, 1, 2, 0, null], 'class indexes in sorted class order; cells are trimmed');
  });

  it('orders numeric classes as numbers', () => {
    const label = read(['10', '2', '1', '2'], { task: 'multiclass_classification', positiveClass: '10' });
    assert.deepEqual(label.target, {
      task: 'multiclass_classification',
      classes: ['1', '2', '10'],
      positiveClass: '10',
    });
  });

  it('trains two text classes as binary, scoring the class it is told', () => {
    assert.throws(() => read(['Won', 'Lost']), /has 2 classes \("Lost" 1, "Won" 1\): name the one whose probability/);
    const label = read(['Won', 'Lost', 'Won'], { positiveClass: 'Won' });
    assert.deepEqual(label.target, { task: 'binary_classification', classes: ['Lost', 'Won'] });
    assert.deepEqual(label.labels, [1, 0, 1]);
  });
});

describe('a label that fits no task', () => {
  const cases: Array<[string, Array<string | null>, LabelOptions, string | RegExp]> = [
    [
      'every value blank',
      ['', '', ''],
      {},
      'the label "Outcome" is blank on every row: there is nothing to learn from',
    ],
    [
      'one outcome only',
      ['true', 'true', ''],
      {},
      'the label "Outcome" is true on every labelled row (2): a model needs rows of both outcomes',
    ],
    [
      'one class only',
      ['Won', 'Won'],
      {},
      'the label "Outcome" has one class only ("Won" on all 2 labelled rows): a model needs rows of at least two',
    ],
    [
      'the same number everywhere',
      ['5', '5.0', ''],
      {},
      'the label "Outcome" is 5 on every row: there is nothing to predict (a regression needs varying values)',
    ],
    [
      'too many classes, mostly numbers',
      [...Array.from({ length: 40 }, (_, i) => String(i * 1.5)), 'n/a'],
      {},
      `the label "Outcome" has 41 different values, too many to be classes (at most ${MAX_CLASSES}); most of its values are numbers, but line 42 holds "n/a": fix such rows to train a regression`,
    ],
    [
      'a true/false column with a typo',
      [...repeat(['true', 'false'], 5), 'ture'],
      {},
      /^the label "Outcome" is true\/false on most rows, but line 12 holds "ture" \(1 row\(s\) like it\)/,
    ],
    [
      '--task binary on three classes',
      ['a', 'b', 'c'],
      { task: 'binary_classification' },
      'a binary model needs a label with two classes, but "Outcome" has 3 ("a" 1, "b" 1, "c" 1): train it as multiclass (--task multiclass)',
    ],
    [
      '--task multiclass on two classes',
      ['a', 'b'],
      { task: 'multiclass_classification', positiveClass: 'a' },
      '"Outcome" has two classes ("a" 1, "b" 1): train it as binary (--task binary), which scores one of them',
    ],
    [
      '--task regression on text',
      ['1', 'two'],
      { task: 'regression' },
      'a regression needs a numeric label, but "Outcome" on line 3 is "two"',
    ],
    [
      '--positive-class on a regression',
      ['1', '2'],
      { positiveClass: '2' },
      '--positive-class is for classifiers, but "Outcome" is trained as a regression',
    ],
    [
      'an unknown positive class',
      ['Won', 'Lost', 'Open'],
      { positiveClass: 'Closed Won' },
      '--positive-class "Closed Won" is not a class of the label "Outcome" (classes: "Lost" 1, "Open" 1, "Won" 1)',
    ],
    [
      'a positive class that is not true or false',
      ['true', 'false'],
      { positiveClass: 'Won' },
      '--positive-class "Won" is not a value of the true/false label "Outcome": give true or false',
    ],
  ];
  for (const [name, cells, options, message] of cases) {
    it(`is refused with what to do: ${name}`, () => {
      assert.throws(() => read(cells, options), { name: 'DatasetError', message });
    });
  }
});
