import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { rescoringApex } from '../../src/salesforce/rescoring-job.ts';
import { runApexLs } from '../../../scripts/salesforce/apex-ls-check.mjs';
import { REPO_ROOT } from '../support/fixture-project.ts';

/**
 * `sf byom rescore` sends anonymous Apex that calls force-app's classes. Only an org runs
 * it, but apex-ls (the project's offline semantic check) can tell whether it still fits
 * those classes: wrapped in a method, it must check clean against the repository's Apex.
 */
describe('the rescoring anonymous Apex', () => {
  it("compiles against the project's Apex classes (apex-ls)", async () => {
    const workspace = await mkdtemp(path.join(os.tmpdir(), 'byom-apex-ls-'));
    try {
      await cp(path.join(REPO_ROOT, 'force-app'), path.join(workspace, 'force-app'), { recursive: true });
      await cp(path.join(REPO_ROOT, 'sfdx-project.json'), path.join(workspace, 'sfdx-project.json'));
      const classes = path.join(workspace, 'force-app', 'main', 'default', 'classes');
      const body = rescoringApex('Lead_Scoring')
        .split('\n')
        .map((line) => `    ${line}`)
        .join('\n');
      await writeFile(
        path.join(classes, 'ByomRescoreCheck.cls'),
        `public with sharing class ByomRescoreCheck {\n  public static void run() {\n${body}\n  }\n}\n`,
      );
      await cp(
        path.join(classes, 'scoring', 'AiNightlyRescoringBatch.cls-meta.xml'),
        path.join(classes, 'ByomRescoreCheck.cls-meta.xml'),
      );

      // The repository's own check, with its list of platform methods apex-ls does not know yet.
      const { output } = runApexLs(workspace);
      expect(output, 'apex-ls finds no issue (npm test needs Java 17 for the Apex checks)').to.equal('');
    } finally {
      await rm(workspace, { recursive: true, force: true });
    }
  });

  it('refuses an endpoint name that could carry Apex', () => {
    expect(() => rescoringApex("Lead'); delete [SELECT Id FROM Lead]; //")).to.throw(
      'is not an endpoint developer name',
    );
  });
});
