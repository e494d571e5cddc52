import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stubTarget } from '../../support/gateway-test-app.ts';
import { startService, waitUntilReady } from '../../support/service-process.ts';
import type { ServiceProcess } from '../../support/service-process.ts';
import { startStubLlmProvider } from '../../support/stub-llm-provider.ts';
import type { StubLlmProvider } from '../../support/stub-llm-provider.ts';
import { BASELINE_CORPUS, TRICKS_CORPUS } from './corpus/masking-corpus.ts';
import type { CorpusCase } from './corpus/masking-corpus.ts';
import { appliesTo, masks, percent, runCase, summarise } from './corpus/measure-corpus.ts';
import type { CaseResult, Endpoint, Service } from './corpus/measure-corpus.ts';

/**
 * The masking targets, measured from outside: the real service process, a stub provider that
 * records what it received, both generation endpoints. The figures are printed as test
 * diagnostics (docs/llm-gateway.md quotes them); the test fails below target.
 *
 *   npm run test:pii-corpus --workspace inference-service
 */

const KEY = 'masking-corpus-key-0123456789';
const RECALL_TARGET = 0.99;
const BENIGN_TARGET = 0.97;
const ENDPOINTS: Endpoint[] = ['/v1/generate', '/v1/chat/completions'];

describe('PII masking on the corpora, through the service over HTTP', () => {
  let stub: StubLlmProvider;
  let serviceProcess: ServiceProcess;
  let service: Service;

  before(async () => {
    stub = await startStubLlmProvider();
    const dir = await mkdtemp(path.join(tmpdir(), 'byom-corpus-'));
    const routesFile = path.join(dir, 'routes.json');
    await writeFile(
      routesFile,
      JSON.stringify({ routes: { corpus: { targets: [stubTarget(stub.baseUrl, 'model-a')] } } }),
    );
    serviceProcess = await startService({
      NODE_ENV: 'production',
      BYOM_API_KEYS: KEY,
      BYOM_ROUTES: routesFile,
      LOG_LEVEL: 'info',
    });
    await waitUntilReady(serviceProcess);
    service = { baseUrl: serviceProcess.baseUrl, key: KEY, route: 'corpus', stub };
  });
  after(async () => {
    serviceProcess.child.kill('SIGKILL');
    await stub.close();
  });

  const measure = async (cases: CorpusCase[], endpoint: Endpoint): Promise<CaseResult[]> => {
    const results: CaseResult[] = [];
    // One at a time, so each recorded provider request belongs to the case just sent.
    for (const c of cases.filter((c) => appliesTo(c, endpoint))) results.push(await runCase(service, c, endpoint));
    return results;
  };

  for (const [name, corpus] of [
    ['the tricks corpus', TRICKS_CORPUS],
    ['the baseline corpus', BASELINE_CORPUS],
  ] as const) {
    for (const endpoint of ENDPOINTS) {
      it(`${name} on ${endpoint}: recall ≥ 99 %, benign kept ≥ 97 %, every answer restored byte-exact`, async (t) => {
        const summary = summarise(await measure(corpus, endpoint));
        t.diagnostic(
          `${name} ${endpoint}: recall ${percent(summary.recall)} (${summary.caught}/${summary.piiCases}), ` +
            `benign kept ${percent(summary.benignKept)} (${summary.kept}/${summary.benignCases})`,
        );
        assert.ok(
          summary.recall >= RECALL_TARGET,
          `recall ${percent(summary.recall)}; missed: ${summary.missed.join(', ')}`,
        );
        assert.ok(
          summary.benignKept >= BENIGN_TARGET,
          `benign kept ${percent(summary.benignKept)}; damaged: ${summary.damaged.join(', ')}`,
        );
        assert.deepEqual(summary.notRestored, [], 'every answer is restored byte-exactly');
      });
    }
  }

  it('the corpus covers every class of trick the issue lists, each with benign look-alikes beside it', () => {
    const kinds = new Set(TRICKS_CORPUS.map((c) => c.kind));
    for (const kind of [
      'full-width digits',
      'Arabic-Indic digits',
      'full-width @',
      'zero-width characters',
      'soft hyphens',
      'combining marks',
      'no-break / thin spaces',
      'HTML entities',
      'percent-encoding',
      'tags inside a token',
      'dotted / newline-split cards',
      'en-dashes',
      'dashed IBANs',
      'base64',
      'stop sequences',
      '[at] / [dot] emails',
      'quoted local parts',
      'IP-literal emails',
      'field values: apostrophes',
      'field values: joins',
      'field values: zero-width',
      'field values: case',
      'versions',
      'order / invoice numbers',
      'dates',
      'ISO timestamps',
      'prices',
      'UUIDs',
      'SKUs',
    ]) {
      assert.ok(kinds.has(kind), `the corpus has cases of ${kind}`);
    }
    assert.equal(BASELINE_CORPUS.length, 40);
    for (const c of [...TRICKS_CORPUS, ...BASELINE_CORPUS]) {
      for (const secret of c.secrets) {
        const where = c.stop ?? c.text;
        assert.equal(where.indexOf(secret), where.lastIndexOf(secret), `${c.id}: its secret appears once`);
        assert.ok(where.includes(secret), `${c.id}: its secret is part of the case`);
      }
    }
  });

  it('judges a secret caught only when every character of it reached the provider inside a placeholder', () => {
    const original = 'Write to jane.doe@acme.example today.';
    assert.equal(masks(original, 'Write to [EMAIL_1] today.', 'jane.doe@acme.example'), true);
    assert.equal(masks(original, original, 'jane.doe@acme.example'), false, 'sent as it was');
    assert.equal(masks(original, 'Write to jane.[EMAIL_1] today.', 'jane.doe@acme.example'), false, 'half masked');
    assert.equal(masks(original, 'Write to [NAME_1]@acme.example today.', 'jane.doe@acme.example'), false);
    assert.equal(masks(original, 'Write to [EMAIL_1] tomorrow.', 'jane.doe@acme.example'), false, 'not the text sent');
    assert.equal(masks(original, '[EMAIL_1]', 'jane.doe@acme.example'), true, 'over-masking still hides the secret');
  });

  it('logs no secret of any case', async () => {
    await measure(TRICKS_CORPUS.slice(0, 20), '/v1/generate');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const log = serviceProcess.stdout();
    assert.match(log, /"msg":"llm request"/);
    for (const c of TRICKS_CORPUS) {
      for (const secret of c.secrets) assert.ok(!log.includes(secret), `the log never contains ${c.id}'s secret`);
    }
  });
});
