#!/usr/bin/env node
/**
 * Runs the PMD Apex rules (Security, BestPractices, Performance, ErrorProne) over force-app
 * through @salesforce/code-analyzer-core, with the overrides in code-analyzer.yml.
 * Prints every violation and exits 1 when there is any.
 */
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import fs from 'node:fs';
import { CodeAnalyzer, CodeAnalyzerConfig } from '@salesforce/code-analyzer-core';
import * as pmdEngine from '@salesforce/code-analyzer-pmd-engine';

const here = path.dirname(fileURLToPath(import.meta.url));
const projectRoot = path.resolve(here, '../..');
const CATEGORIES = ['Security', 'BestPractices', 'Performance', 'ErrorProne'];

export async function runPmd() {
  const config = CodeAnalyzerConfig.fromYamlString(
    fs.readFileSync(path.join(here, 'code-analyzer.yml'), 'utf8'),
    projectRoot,
  );
  const analyzer = new CodeAnalyzer(config);
  await analyzer.addEnginePlugin(pmdEngine.createEnginePlugin());
  const workspace = await analyzer.createWorkspace([path.join(projectRoot, 'force-app')]);
  const selection = await analyzer.selectRules(
    CATEGORIES.map((category) => `pmd:${category}:Apex`),
    { workspace },
  );
  const ruleNames = selection
    .getEngineNames()
    .flatMap((engine) => selection.getRulesFor(engine).map((rule) => rule.getName()));
  const results = await analyzer.run(selection, { workspace });
  const violations = results.getViolations();
  for (const violation of violations) {
    const location = violation.getCodeLocations()[violation.getPrimaryLocationIndex()];
    const file = path.relative(projectRoot, location.getFile() ?? '');
    console.log(
      `${file}:${location.getStartLine()}  ${violation.getRule().getName()}  ${violation.getMessage().trim()}`,
    );
  }
  return { ruleCount: ruleNames.length, violationCount: violations.length };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = Date.now();
  const { ruleCount, violationCount } = await runPmd();
  console.log(
    `PMD: ${ruleCount} rules, ${violationCount} violation(s) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  process.exit(violationCount === 0 ? 0 : 1);
}
