import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { stubSfCommandUx, stubSpinner } from '@salesforce/sf-plugins-core';
import { TestContext } from '@salesforce/core/testSetup';
import ModelEval from '../../../../src/commands/byom/model/eval.ts';
import ModelTrain from '../../../../src/commands/byom/model/train.ts';
import { FixtureProject } from '../../../support/fixture-project.ts';
import { EXPORT_AS_OF, writeLeadExport } from '../../../support/lead-export.ts';

describe('sf byom model eval', () => {
  const $$ = new TestContext();
  let project: FixtureProject;
  let work: string;
  let holdout: string;
  let ux: ReturnType<typeof stubSfCommandUx>;

  beforeEach(async () => {
    ux = stubSfCommandUx($$.SANDBOX);
    stubSpinner($$.SANDBOX);
    project = await FixtureProject.create();
    await project.linkTrainer();
    work = await mkdtemp(path.join(os.tmpdir(), 'byom-eval-test-'));
    const training = path.join(work, 'training.csv');
    await writeLeadExport(training, 800, 31);
    // A candidate version next to the bundled 1.0.0, trained on other leads than it is evaluated on.
    await ModelTrain.run([
      '--project-dir',
      project.root,
      '--data',
      training,
      '--endpoint',
      'Lead_Scoring',
      '--label',
      'IsConverted',
      '--version',
      '1.1.0',
      '--min-category-count',
      '5',
      '--as-of',
      EXPORT_AS_OF,
    ]);
    holdout = path.join(work, 'holdout.csv');
    await writeLeadExport(holdout, 1000, 32);
  });

  afterEach(async () => {
    await project.dispose();
    await rm(work, { recursive: true, force: true });
  });

  const evaluate = (...args: string[]) =>
    ModelEval.run([
      '--project-dir',
      project.root,
      '--data',
      holdout,
      '--endpoint',
      'Lead_Scoring',
      '--label',
      'IsConverted',
      '--as-of',
      EXPORT_AS_OF,
      ...args,
    ]);

  it('compares the default version with a candidate: AUC, calibration and band changes on the same rows', async () => {
    const result = await evaluate('--candidate', '1.1.0');

    expect(result.baseline.version, 'the baseline defaults to the default version').to.equal('1.0.0');
    expect(result.candidate.version).to.equal('1.1.0');
    expect(result.rows).to.deep.equal({ total: 1000, labelled: 1000, compared: 1000, skipped: 0 });
    for (const version of [result.baseline, result.candidate]) {
      expect(version.auc).to.be.within(0.6, 0.85);
      expect(version.calibrationError).to.be.within(0, 0.2);
      expect(version.calibration.reduce((sum, bin) => sum + bin.count, 0)).to.equal(1000);
    }
    const moved = result.bands.transitions.filter((t) => t.from !== t.to).reduce((sum, t) => sum + t.count, 0);
    expect(result.bands.changed).to.equal(moved);
    expect(result.bands.transitions.reduce((sum, t) => sum + t.count, 0)).to.equal(1000);
    expect(ux.log.args.flat().join('\n')).to.contain(`${result.bands.changed} of 1000 rows`);
    expect(ux.table.callCount).to.be.at.least(1);
  });

  it('gives the same numbers for the same version on both sides, and no band changes', async () => {
    const result = await evaluate('--baseline', '1.1.0', '--candidate', '1.1.0');
    expect(result.candidate.auc).to.equal(result.baseline.auc);
    expect(result.bands.changed).to.equal(0);
    expect(result.scoreShift.largest).to.equal(0);
  });

  it('leaves out and reports rows a version rejects, so both are measured on the same rows', async () => {
    const lines = (await readFile(holdout, 'utf8')).split('\n');
    // AnnualRevenue (column 5) that is not a number: the service rejects the record.
    lines[3] = lines[3]!.replace(/^((?:"[^"]*",){4})"[^"]*"/, '$1"a lot"');
    await writeFile(holdout, lines.join('\n'));
    const result = await evaluate('--candidate', '1.1.0');
    expect(result.rows).to.deep.include({ compared: 999, skipped: 1 });
    expect(result.rejections[0]).to.deep.include({ line: 4, code: 'INVALID_FEATURE' });
    expect(result.rejections[0]!.message).to.equal('feature "AnnualRevenue" must be a number, got string "a lot"');
    expect(ux.warn.args.flat().join('\n')).to.contain('1 row(s) were left out');
  });

  it('fails, naming the columns it expected, when no column of the data is a feature of the model', async () => {
    const unrelated = path.join(work, 'unrelated.csv');
    await writeFile(unrelated, 'Colour,Size,IsConverted\nred,3,true\nblue,4,false\n');
    try {
      await ModelEval.run([
        '--project-dir',
        project.root,
        '--data',
        unrelated,
        '--name',
        'lead-scoring',
        '--candidate',
        '1.1.0',
        '--label',
        'IsConverted',
      ]);
      expect.fail('an AUC of 0.5 from default features must not pass as a result');
    } catch (error) {
      expect((error as Error).name).to.equal('EvaluationError', 'named for the command, not TrainingError');
      expect((error as Error).message).to.contain('none of the columns of unrelated.csv is a feature of the model');
      expect((error as Error).message).to.contain('it expected LeadSource, Industry, Country, TitleSeniority');
      expect((error as Error).message).to.contain('the data has Colour, Size, IsConverted');
    }
  });

  it('warns when the CSV looks like a Salesforce export but --endpoint is missing', async () => {
    const result = await ModelEval.run([
      '--project-dir',
      project.root,
      '--data',
      holdout,
      '--name',
      'lead-scoring',
      '--candidate',
      '1.1.0',
      '--label',
      'IsConverted',
    ]);
    expect(result.salesforceExport).to.be.a('string');
    const warnings = ux.warn.args.flat().join('\n');
    expect(warnings).to.contain('looks like a Salesforce export');
    expect(warnings).to.contain('Pass --endpoint so its feature mapping computes the features');
    const withEndpoint = await evaluate('--candidate', '1.1.0');
    expect(withEndpoint.salesforceExport, 'no warning with --endpoint').to.equal(undefined);
  });

  it('lists the versions when the candidate does not exist', async () => {
    try {
      await evaluate('--candidate', '3.0.0');
      expect.fail('expected an error');
    } catch (error) {
      expect((error as Error).message).to.match(
        /^Model lead-scoring has no version 3.0.0 in .* \(versions: 1.0.0, 1.1.0\)\.$/,
      );
    }
  });
});
