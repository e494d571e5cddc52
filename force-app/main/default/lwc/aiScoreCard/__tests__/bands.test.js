/**
 * The card's colours and its fixtures against their sources of truth: the band colours
 * docs/score-card.md lists, and the bands of the bundled model (the preview and the
 * screenshots show these fixtures, so a rep reading them sees what the model would say).
 */
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '../../../../../..');
const css = fs.readFileSync(path.join(__dirname, '../aiScoreCard.css'), 'utf8');
const doc = fs.readFileSync(path.join(root, 'docs/score-card.md'), 'utf8');
const card = JSON.parse(fs.readFileSync(path.join(root, 'inference-service/models/lead-scoring/model.json'), 'utf8'));

/** `--score-high: var(--slds-…, #2e844a)` → '#2e844a'. */
function cssColour(variable) {
  const match = new RegExp(`${variable}:\\s*var\\([^,]+,\\s*(#[0-9a-f]{6})\\)`, 'i').exec(css);
  if (!match) throw new Error(`aiScoreCard.css defines no ${variable}`);
  return match[1].toLowerCase();
}

/** The row of the "Band colours" table in docs/score-card.md whose first cell starts with `tone`. */
function docRow(tone) {
  const table = doc.slice(doc.indexOf('### Band colours'));
  const row = table.split('\n').find((line) => line.toLowerCase().startsWith(`| ${tone}`));
  if (!row) throw new Error(`docs/score-card.md has no "${tone}" row under "### Band colours"`);
  return row.toLowerCase();
}

function bandOf(score) {
  const probability = score / 100;
  return [...card.bands].sort((a, b) => b.min - a.min).find((band) => probability >= band.min)?.label;
}

function scoredRows(value, found = []) {
  if (Array.isArray(value)) value.forEach((item) => scoredRows(item, found));
  else if (value && typeof value === 'object') {
    if (typeof value.score === 'number' && 'band' in value) found.push(value);
    Object.values(value).forEach((item) => scoredRows(item, found));
  }
  return found;
}

describe('c-ai-score-card colours and fixtures', () => {
  it.each([
    ['best', '--score-high'],
    ['middle', '--score-medium'],
    ['middle', '--score-medium-badge'],
    ['lowest', '--score-low'],
    ['stale', '--score-stale'],
  ])('draws the %s band in the colour docs/score-card.md gives (%s)', (tone, variable) => {
    expect(docRow(tone)).toContain(cssColour(variable));
  });

  it('labels every fixture score with the band the bundled model gives it', () => {
    const dir = path.join(__dirname, 'data');
    const rows = fs
      .readdirSync(dir)
      .filter((file) => file.endsWith('.json'))
      .flatMap((file) =>
        scoredRows(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'))).map((row) => [file, row]),
      );
    expect(rows.length).toBeGreaterThan(20);
    for (const [file, row] of rows) {
      expect(`${file}: ${row.score} ${row.band}`).toBe(`${file}: ${row.score} ${bandOf(row.score)}`);
    }
  });

  it('shows every band of the bundled model in the fixtures', () => {
    const dir = path.join(__dirname, 'data');
    const shown = new Set(
      fs
        .readdirSync(dir)
        .filter((file) => file.endsWith('.json'))
        .flatMap((file) =>
          scoredRows(JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'))).map((row) => row.band),
        ),
    );
    expect([...shown].sort()).toEqual(card.bands.map((band) => band.label).sort());
  });
});
