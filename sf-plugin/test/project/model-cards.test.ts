import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { nextMinorVersion, parseModelCard, readModelDirectory } from '../../src/project/model-cards.ts';

describe('model directory', () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'byom-models-'));
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  /** A card the service would accept, with `card` over it. */
  const fullCard = (card: Record<string, unknown>) => ({
    task: 'binary_classification',
    features: [{ name: 'X', type: 'number' }],
    inputs: { style: 'tensor', name: 'input' },
    output: { name: 'probabilities' },
    ...card,
  });

  async function addCard(dir: string, card: Record<string, unknown>, onnx = true): Promise<void> {
    await mkdir(path.join(root, dir), { recursive: true });
    await writeFile(path.join(root, dir, 'model.json'), JSON.stringify(fullCard(card)));
    if (onnx) await writeFile(path.join(root, dir, 'model.onnx'), '');
  }

  it('reads both layouts and picks the default the way the service does', async () => {
    await addCard('churn', { name: 'churn', version: '1.0.0' });
    await addCard('churn/1.10.0', { name: 'churn', version: '1.10.0' });
    await addCard('churn/1.9.0', { name: 'churn', version: '1.9.0' });
    await addCard('lead', { name: 'lead', version: '1.0.0', default: true });
    await addCard('lead/2.0.0', { name: 'lead', version: '2.0.0' });
    const { families, problems } = await readModelDirectory(root);
    expect(problems).to.deep.equal([]);
    expect(families.get('churn')!.versions.map((v) => v.version)).to.deep.equal(['1.0.0', '1.9.0', '1.10.0']);
    expect(families.get('churn')!.defaultVersion, 'the highest version without a marked default').to.equal('1.10.0');
    expect(families.get('lead')!.defaultVersion, 'the version marked default').to.equal('1.0.0');
  });

  it('reports what the service would refuse to start with', async () => {
    await addCard('a', { name: 'b', version: '1.0.0' });
    await addCard('c', { name: 'c', version: '1.0.0', default: true });
    await addCard('c/2.0.0', { name: 'c', version: '2.0.0', default: true });
    await addCard('d', { name: 'd', version: '1.0.0' }, false);
    await addCard('e', { name: 'e', version: '1.0.0', bands: [{ label: 'Hot', min: 1.5 }] });
    await addCard('f', { name: 'f', version: '1.0.0', task: 'regression', threshold: 0.5 });
    const messages = (await readModelDirectory(root)).problems.map(
      (p) => `${path.relative(root, p.file)} ${p.message}`,
    );
    expect(messages).to.deep.equal([
      'a/model.json name "b" must match its directory "a"',
      'c/2.0.0/model.json c versions 1.0.0 and 2.0.0 are all marked default; the service refuses to start',
      'd/model.json has no model.onnx next to it',
      'e/model.json bands.0.min: Too big: expected number to be <=1',
      'f/model.json top level: unknown field "threshold" (allowed: name, version, default, description, scoreLabel, task, features, inputs, output, bands, explanations, metrics, trainingData, owner, createdAt); output.range: regression models need output.range to map their value onto a 0-1 score',
    ]);
  });

  it('reads a served card with the same schema', () => {
    const served = fullCard({ name: 'm', version: '1.0.0' });
    expect(parseModelCard(served, 'http://service', 'http://service/v1/models/m')).to.deep.include({
      name: 'm',
      output: { name: 'probabilities', transform: 'none' },
      directory: 'http://service',
      file: 'http://service/v1/models/m',
    });
    expect(parseModelCard({ ...served, features: [] }, 'x', 'x')).to.equal(
      'features: Too small: expected array to have >=1 items',
    );
  });

  it('orders versions numerically and proposes the next minor version', async () => {
    await addCard('m/1.9.0', { name: 'm', version: '1.9.0' });
    await addCard('m/1.10.2', { name: 'm', version: '1.10.2' });
    expect(nextMinorVersion((await readModelDirectory(root)).families.get('m'))).to.equal('1.11.0');
    expect(nextMinorVersion(undefined)).to.equal('1.0.0');
  });
});
