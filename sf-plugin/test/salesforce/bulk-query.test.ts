import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { Org } from '@salesforce/core';
import { MockTestOrgData, TestContext } from '@salesforce/core/testSetup';
import { bulkTimers, exportQueryToCsv } from '../../src/salesforce/bulk-query.ts';
import { FakeOrg } from '../support/fake-org.ts';

describe('Bulk API 2.0 export', () => {
  const $$ = new TestContext();
  const testOrg = new MockTestOrgData();
  let org: FakeOrg;
  let work: string;
  let pages: Record<string, string>;

  beforeEach(async () => {
    await $$.stubAuths(testOrg);
    $$.SANDBOX.stub(bulkTimers, 'sleep').resolves();
    work = await mkdtemp(path.join(os.tmpdir(), 'byom-bulk-'));
    pages = {
      A: '"Id","Name"\n"001A","Acme, Inc."\n"001B","Line one\nline two"\n',
      B: '"Id","Name"\n"001C","Globex"\n',
    };
    org = new FakeOrg()
      .on('POST', /\/jobs\/query$/, () => ({ id: '750J', state: 'UploadComplete' }))
      .on('GET', /\/jobs\/query\/750J$/, () => ({ id: '750J', state: 'JobComplete', numberRecordsProcessed: 3 }))
      .on('GET', /\/jobs\/query\/750J\/resultPages$/, () => ({
        resultPages: [
          { resultUrl: '/services/data/v62.0/jobs/query/750J/results?locator=A' },
          { resultUrl: '/services/data/v62.0/jobs/query/750J/results?locator=B' },
        ],
        done: true,
      }))
      .on('GET', /\/results\?locator=(\w)$/, (_r, match) => pages[match[1]!])
      .on('DELETE', /\/jobs\/query\/750J$/, () => undefined)
      .install($$);
  });

  afterEach(async () => {
    await rm(work, { recursive: true, force: true });
  });

  /** Requests of the export (Org.create makes its own Organization query first). */
  const bulkRequests = () => org.requests.filter((r) => r.url.includes('/jobs/'));

  const connection = async (version = '62.0') => {
    const conn = (await Org.create({ aliasOrUsername: testOrg.username })).getConnection();
    conn.setApiVersion(version);
    return conn;
  };

  it('joins the pages under one header, quoted line breaks and all', async () => {
    const file = path.join(work, 'out.csv');
    const result = await exportQueryToCsv(await connection(), 'SELECT Id, Name FROM Account', file);
    expect(result).to.deep.equal({ jobId: '750J', records: 3, file });
    expect(await readFile(file, 'utf8')).to.equal(
      '"Id","Name"\n"001A","Acme, Inc."\n"001B","Line one\nline two"\n"001C","Globex"\n',
    );
    expect(
      bulkRequests().map((r) => `${r.method} ${new URL(r.url, 'https://x').pathname.replace(/.*\/v62\.0/, '')}`),
    ).to.deep.equal([
      'POST /jobs/query',
      'GET /jobs/query/750J',
      'GET /jobs/query/750J/resultPages',
      'GET /jobs/query/750J/results',
      'GET /jobs/query/750J/results',
      'DELETE /jobs/query/750J',
    ]);
  });

  it('refuses pages whose headers differ', async () => {
    pages.B = '"Id","Title"\n"001C","Globex"\n';
    await expectMessage(
      exportQueryToCsv(await connection(), 'SELECT Id FROM Account', path.join(work, 'x.csv')),
      'result pages have different headers: "Id","Name" and "Id","Title"',
    );
  });

  it('says so when the query matches no records', async () => {
    org.on('GET', /\/jobs\/query\/750J$/, () => ({ id: '750J', state: 'JobComplete', numberRecordsProcessed: 0 }));
    await expectMessage(
      exportQueryToCsv(await connection(), 'SELECT Id FROM Account', path.join(work, 'x.csv')),
      'the query matched no records',
    );
  });

  it('notices pages that do not add up to the records the job processed', async () => {
    org.on('GET', /\/jobs\/query\/750J$/, () => ({ id: '750J', state: 'JobComplete', numberRecordsProcessed: 4 }));
    await expectMessage(
      exportQueryToCsv(await connection(), 'SELECT Id FROM Account', path.join(work, 'x.csv')),
      'the job reported 4 records but 3 were downloaded',
    );
  });

  it('needs API version 58.0 for the result pages', async () => {
    await expectMessage(
      exportQueryToCsv(await connection('57.0'), 'SELECT Id FROM Account', path.join(work, 'x.csv')),
      'the export needs API version 58.0 or later (the connection uses 57.0); pass --api-version',
    );
    expect(bulkRequests()).to.deep.equal([]);
  });
});

async function expectMessage(promise: Promise<unknown>, message: string): Promise<void> {
  try {
    await promise;
  } catch (error) {
    expect((error as Error).message).to.equal(message);
    return;
  }
  throw new Error('expected a failure');
}
