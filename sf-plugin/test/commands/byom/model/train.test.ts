import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { ModelCard } from '@byom/contracts/model-card';
import { stubSfCommandUx, stubSpinner } from '@salesforce/sf-plugins-core';
import { MockTestOrgData, TestContext } from '@salesforce/core/testSetup';
import ModelTrain from '../../../../src/commands/byom/model/train.ts';
import { bulkTimers } from '../../../../src/salesforce/bulk-query.ts';
import { describeOf } from '../../../support/byom-org.ts';
import { FakeOrg } from '../../../support/fake-org.ts';
import { FixtureProject, REPO_ROOT } from '../../../support/fixture-project.ts';
import { EXPORT_AS_OF, leadExportCsv, writeLeadExport } from '../../../support/lead-export.ts';
import { startService, waitUntilReady } from '../../../../../inference-service/test/support/service-process.ts';
import { LEAD_EXAMPLE } from '../../../../../inference-service/src/scoring/lead-example.ts';

describe('sf byom model train', () => {
  const $$ = new TestContext();
  const testOrg = new MockTestOrgData();
  let project: FixtureProject;
  let work: string;
  let models: string;
  let ux: ReturnType<typeof stubSfCommandUx>;

  beforeEach(async () => {
    ux = stubSfCommandUx($$.SANDBOX);
    stubSpinner($$.SANDBOX);
    project = await FixtureProject.create();
    await project.linkTrainer();
    work = await mkdtemp(path.join(os.tmpdir(), 'byom-train-test-'));
    // A models directory of its own, so nothing is written next to the bundled model.
    models = path.join(work, 'models');
  });

  afterEach(async () => {
    await project.dispose();
    await rm(work, { recursive: true, force: true });
  });

  const train = (...args: string[]) =>
    ModelTrain.run(['--project-dir', project.root, '--models-dir', models, '--min-category-count', '5', ...args]);

  describe('from a CSV of Lead records, through the Lead_Scoring mapping', () => {
    it('trains, writes the model and its card, and the service loads and scores it', async () => {
      const data = path.join(work, 'leads.csv');
      await writeLeadExport(data, 2000, 11);

      const result = await train(
        '--data',
        data,
        '--endpoint',
        'Lead_Scoring',
        '--label',
        'IsConverted',
        '--version',
        '1.1.0',
        '--as-of',
        EXPORT_AS_OF,
      );

      expect(result.name).to.equal('lead-scoring');
      expect(result.version).to.equal('1.1.0');
      expect(result.endpoint).to.equal('Lead_Scoring');
      expect(result.rows).to.deep.include({ total: 2000, used: 2000, train: 1600, holdout: 400 });
      // The bundled model reaches 0.746 on 20,000 rows of this data; the ceiling is 0.752.
      expect(result.metrics.auc, 'the synthetic leads are learnable').to.be.within(0.68, 0.8);
      expect(result.parity.worstGap).to.be.below(1e-5);
      expect(result.directory).to.equal(path.join(models, 'lead-scoring', '1.1.0'));

      const card = ModelCard.parse(JSON.parse(await readFile(path.join(result.directory, 'model.json'), 'utf8')));
      // The endpoint's feature names, with the types Apex sends: transforms and Salesforce field types.
      expect(card.features.map((f) => `${f.name}:${f.type}`)).to.deep.equal([
        'LeadSource:category',
        'Industry:category',
        'Country:category',
        'TitleSeniority:category',
        'AnnualRevenue:number',
        'NumberOfEmployees:integer',
        'HasEmail:boolean',
        'HasPhone:boolean',
        'DaysSinceLastActivity:integer',
        'EmailOpens30d:number',
      ]);
      expect(card.default, 'a trained version never takes the default from the bundled one').to.equal(undefined);
      expect(card.trainingData).to.deep.include({ label: 'IsConverted', daysSinceAsOf: EXPORT_AS_OF, seed: 42 });

      // The real service, with the new version next to the bundled one.
      const key = 'train-test-key-0123456789';
      const service = await startService({ BYOM_API_KEYS: key, MODEL_DIR: models, LOG_LEVEL: 'silent' });
      try {
        await waitUntilReady(service);
        const response = await fetch(`${service.baseUrl}/v1/score`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ ...LEAD_EXAMPLE, version: '1.1.0' }),
        });
        const body = (await response.json()) as {
          version: string;
          results: Array<{ score: number; band: string; factors: unknown[] }>;
        };
        expect(response.status).to.equal(200);
        expect(body.version).to.equal('1.1.0');
        expect(body.results[0]!.score).to.be.within(0, 1);
        expect(['Hot', 'Warm', 'Cold']).to.include(body.results[0]!.band);
        expect(body.results[0]!.factors).to.have.length(3);
      } finally {
        service.child.kill('SIGTERM');
        await service.exited;
      }
    });

    it('names the bands and says what the score predicts as told, and describes the model from its data', async () => {
      const data = path.join(work, 'leads.csv');
      await writeLeadExport(data, 1200, 12);
      const common = ['--data', data, '--endpoint', 'Lead_Scoring', '--label', 'IsConverted', '--as-of', EXPORT_AS_OF];
      const named = await train(
        ...common,
        '--version',
        '2.0.0',
        '--bands',
        'A,B,C',
        '--score-label',
        'Chance to convert',
      );
      const card = JSON.parse(await readFile(path.join(named.directory, 'model.json'), 'utf8')) as {
        bands: Array<{ label: string; min: number }>;
        scoreLabel: string;
        description: string;
      };
      expect(card.bands.map((band) => band.label)).to.deep.equal(['A', 'B', 'C']);
      expect(card.scoreLabel).to.equal('Chance to convert');
      expect(card.description).to.match(/^Probability that IsConverted is true, from .*LeadSource.* and .*\./);
      expect(card.description).to.contain('on 1200 labelled rows of');

      const two = await train(...common, '--version', '2.1.0', '--bands', 'Likely,Unlikely');
      const twoCard = JSON.parse(await readFile(path.join(two.directory, 'model.json'), 'utf8')) as {
        bands: Array<{ label: string; min: number }>;
        scoreLabel: string;
      };
      expect(twoCard.bands.map((band) => band.label)).to.deep.equal(['Likely', 'Unlikely']);
      expect(twoCard.bands[1]!.min).to.equal(0);
      expect(twoCard.scoreLabel).to.equal('Likelihood that IsConverted is true');
    });

    it('trains on the sample CSV of docs/training-models.md with the command the guide gives', async () => {
      const sample = path.join(REPO_ROOT, 'docs/samples/lead-export.csv');
      const guide = await readFile(path.join(REPO_ROOT, 'docs/training-models.md'), 'utf8');
      expect(guide).to.contain(
        'sf byom model train --data docs/samples/lead-export.csv --endpoint Lead_Scoring --label IsConverted --as-of 2025-03-14',
      );
      const result = await train(
        '--data',
        sample,
        '--endpoint',
        'Lead_Scoring',
        '--label',
        'IsConverted',
        '--as-of',
        EXPORT_AS_OF,
      );
      expect(result.rows).to.deep.include({ total: 300, used: 300 });
      expect(result.metrics.auc).to.be.within(0.55, 0.95);
    });

    it('prints the holdout metrics, the bands and what to do next', async () => {
      const data = path.join(work, 'leads.csv');
      await writeLeadExport(data, 400, 12);
      await train('--data', data, '--endpoint', 'Lead_Scoring', '--label', 'IsConverted', '--as-of', EXPORT_AS_OF);
      const tables = ux.table.args.map((args) => args[0].title);
      expect(tables).to.deep.equal(['Holdout metrics', 'Bands on the holdout rows']);
      const output = ux.log.args.flat().join('\n');
      expect(output).to.contain('The service serves lead-scoring 1.0.0 when a request names no version.');
      expect(output).to.contain('sf byom model eval --name lead-scoring --candidate 1.0.0');
      expect(ux.logSuccess.firstCall.args[0]).to.equal(
        'Trained lead-scoring 1.0.0 on 400 rows (320 for training, 80 held out).',
      );
    });

    it('refuses to overwrite an existing version unless --force', async () => {
      const data = path.join(work, 'leads.csv');
      await writeLeadExport(data, 300, 13);
      const args = [
        '--data',
        data,
        '--endpoint',
        'Lead_Scoring',
        '--label',
        'IsConverted',
        '--version',
        '2.0.0',
        '--as-of',
        EXPORT_AS_OF,
      ];
      await train(...args);
      await expectError(train(...args), /already exists; choose another version or replace it with --force/);
      expect((await train(...args, '--force')).version).to.equal('2.0.0');
    });

    it('refuses a version the bundled flat layout already has', async () => {
      const data = path.join(work, 'leads.csv');
      await writeLeadExport(data, 300, 13);
      await expectError(
        ModelTrain.run([
          '--project-dir',
          project.root,
          '--data',
          data,
          '--endpoint',
          'Lead_Scoring',
          '--label',
          'IsConverted',
          '--version',
          '1.0.0',
        ]),
        /lead-scoring 1.0.0 already exists in .*inference-service\/models\/lead-scoring; choose another version/,
      );
    });

    it('reports a label column the data does not have', async () => {
      const data = path.join(work, 'leads.csv');
      await writeLeadExport(data, 100, 14);
      await expectError(
        train('--data', data, '--endpoint', 'Lead_Scoring', '--label', 'Converted'),
        /^the data has no label column "Converted" \(columns: LeadSource, Industry/,
      );
    });

    it('reports the line of a value that does not fit its field', async () => {
      const data = path.join(work, 'leads.csv');
      await writeLeadExport(data, 100, 14);
      const text = await readFile(data, 'utf8');
      const lines = text.split('\n');
      lines[5] = lines[5]!.replace(/^("[^"]*",){8}"[^"]*"/, (match) => match.replace(/"[^"]*"$/, '"last week"'));
      await (await import('node:fs/promises')).writeFile(data, lines.join('\n'));
      await expectError(
        train('--data', data, '--endpoint', 'Lead_Scoring', '--label', 'IsConverted', '--as-of', EXPORT_AS_OF),
        'line 6: feature "DaysSinceLastActivity" uses DAYS_SINCE but "LastActivityDate" holds "last week", not a date (YYYY-MM-DD) or date/time',
      );
    });
  });

  describe('from a CSV whose columns are the features', () => {
    it('trains a new model: record ids left out, types read from the data unless declared', async () => {
      const data = path.join(work, 'churn.csv');
      const rows = Array.from({ length: 300 }, (_, i) => {
        const region = ['EU', 'US', 'APAC'][i % 3]!;
        const seats = 1 + ((i * 7) % 40);
        const annual = i % 4 !== 0;
        // Small monthly accounts in APAC churn; a deterministic rule with exceptions every 11th row.
        const churned = (region === 'APAC' && seats < 15) || (!annual && seats < 10) ? i % 11 !== 0 : i % 11 === 0;
        return `0015g0000${String(i).padStart(6, '0')}AAA,${region},${seats},${annual},${churned}`;
      });
      await (await import('node:fs/promises')).writeFile(data, ['Id,Region,Seats,Annual,Churned', ...rows].join('\n'));

      const result = await train(
        '--data',
        data,
        '--label',
        'Churned',
        '--name',
        'churn',
        '--feature-type',
        'Seats=integer',
      );

      expect(result.version, 'the first version of a new model').to.equal('1.0.0');
      expect(result.features).to.deep.equal([
        { name: 'Region', type: 'category' },
        { name: 'Seats', type: 'integer' },
        { name: 'Annual', type: 'boolean' },
      ]);
      expect(result.notes).to.include(
        'column "Id" looks like a record id (a different value on every row) and is not a feature',
      );
      expect(result.metrics.auc, 'the rule is learnable, though not linear').to.be.above(0.7);
    });

    it('needs a model name when there is no endpoint to take it from', async () => {
      const data = path.join(work, 'churn.csv');
      await (await import('node:fs/promises')).writeFile(data, 'Region,Seats,Churned\nEU,3,true\n');
      await expectError(
        train('--data', data, '--label', 'Churned'),
        'Name the model with --name, or pass --endpoint to use its Model Name.',
      );
    });
  });

  describe('from an org, through Bulk API 2.0', () => {
    let org: FakeOrg;
    let jobChecks: number;

    beforeEach(async () => {
      await $$.stubAuths(testOrg);
      $$.SANDBOX.stub(bulkTimers, 'sleep').resolves();
      const [header, ...records] = leadExportCsv(500, 21).trimEnd().split('\n');
      const pages = [records.slice(0, 200), records.slice(200, 450), records.slice(450)].map(
        (rows) => `${header}\n${rows.join('\n')}\n`,
      );
      jobChecks = 0;
      org = new FakeOrg()
        .on('GET', /\/sobjects\/Lead\/describe$/, () =>
          describeOf('Lead', [
            { name: 'AI_Title_Seniority__c', type: 'string' },
            { name: 'AI_Email_Opens_30d__c', type: 'double' },
          ]),
        )
        .on('POST', /\/jobs\/query$/, () => ({ id: '750xx0000000001AAA', state: 'UploadComplete' }))
        .on('GET', /\/jobs\/query\/750xx0000000001AAA$/, () =>
          ++jobChecks < 3
            ? { id: '750xx0000000001AAA', state: 'InProgress', numberRecordsProcessed: 200 * jobChecks }
            : { id: '750xx0000000001AAA', state: 'JobComplete', numberRecordsProcessed: 500 },
        )
        .on('GET', /\/jobs\/query\/750xx0000000001AAA\/resultPages$/, () => ({
          resultPages: [
            { resultUrl: '/services/data/v62.0/jobs/query/750xx0000000001AAA/results?locator=MA' },
            { resultUrl: '/services/data/v62.0/jobs/query/750xx0000000001AAA/results?locator=MjAw' },
          ],
          nextRecordsUrl: '/services/data/v62.0/jobs/query/750xx0000000001AAA/resultPages?locator=NDUw',
          done: false,
        }))
        .on('GET', /\/resultPages\?locator=NDUw$/, () => ({
          resultPages: [{ resultUrl: '/services/data/v62.0/jobs/query/750xx0000000001AAA/results?locator=NDUw' }],
          done: true,
        }))
        .on('GET', /\/results\?locator=(\w+)$/, (_request, match) => pages[['MA', 'MjAw', 'NDUw'].indexOf(match[1]!)])
        .on('DELETE', /\/jobs\/query\/750xx0000000001AAA$/, () => undefined)
        .install($$);
    });

    const trainFromOrg = (...args: string[]) =>
      train(
        '--target-org',
        testOrg.username,
        '--api-version',
        '62.0',
        '--object',
        'Lead',
        '--label',
        'IsConverted',
        '--as-of',
        EXPORT_AS_OF,
        ...args,
      );

    it("exports the mapping's fields and the label, trains on every page, and deletes the job", async () => {
      const result = await trainFromOrg('--where', 'CreatedDate = LAST_N_DAYS:730');

      const created = org.requests.find((r) => r.method === 'POST')!;
      expect(JSON.parse(created.body!)).to.deep.equal({
        operation: 'query',
        query:
          'SELECT LeadSource, Industry, Country, AI_Title_Seniority__c, AnnualRevenue, NumberOfEmployees, Email, Phone, ' +
          'LastActivityDate, AI_Email_Opens_30d__c, IsConverted FROM Lead WHERE CreatedDate = LAST_N_DAYS:730',
        contentType: 'CSV',
        columnDelimiter: 'COMMA',
        lineEnding: 'LF',
      });
      expect(
        org.requests.some((r) => r.method === 'DELETE'),
        'the job is deleted',
      ).to.equal(true);
      expect(result.rows.used).to.equal(500);
      expect(result.source).to.deep.include({ kind: 'org', object: 'Lead', records: 500, jobId: '750xx0000000001AAA' });
      const card = ModelCard.parse(JSON.parse(await readFile(path.join(result.directory, 'model.json'), 'utf8')));
      expect(card.trainingData?.description).to.contain(`Lead records exported from ${testOrg.username}`);
      // The org's describe says Number: the feature is a number, whatever the data looked like.
      expect(card.features.find((f) => f.name === 'EmailOpens30d')?.type).to.equal('number');
    });

    it('reports a query job that fails, and still deletes it', async () => {
      org.on('GET', /\/jobs\/query\/750xx0000000001AAA$/, () => ({
        id: '750xx0000000001AAA',
        state: 'Failed',
        errorMessage: "No such column 'AI_Email_Opens_30d__c' on entity 'Lead'",
      }));
      await expectError(
        trainFromOrg(),
        "the Bulk API query job 750xx0000000001AAA failed: No such column 'AI_Email_Opens_30d__c' on entity 'Lead'",
      );
      expect(org.requests.some((r) => r.method === 'DELETE')).to.equal(true);
    });

    it('needs an org for --object', async () => {
      await expectError(
        train('--object', 'Lead', '--label', 'IsConverted'),
        '--object exports records from an org: pass --target-org (or set a default org).',
      );
    });
  });
});

async function expectError(promise: Promise<unknown>, message: string | RegExp): Promise<void> {
  try {
    await promise;
  } catch (error) {
    if (typeof message === 'string') expect((error as Error).message).to.equal(message);
    else expect((error as Error).message).to.match(message);
    return;
  }
  throw new Error('expected the command to fail');
}
