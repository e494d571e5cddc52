#!/usr/bin/env node
/**
 * `npm run screenshots`: builds the local preview of the AI Score card and the AI Insights
 * panel, opens every state in headless Chromium and saves docs/screenshots/score-card-<state>.png
 * and insight-panel-<state>.png (the README and docs show them). Fails, without writing a partial set, when a page logs an error, a request fails
 * or a state does not show what it should.
 *
 * Chromium: /usr/bin/chromium, or the CHROMIUM_PATH environment variable.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONTEXT_OPTIONS, launchChromium, openState, watchForProblems } from '../preview/browser.mjs';
import { buildPreview } from '../preview/build.mjs';
import { startPreviewServer } from '../preview/server.mjs';
import { STATES } from '../preview/src/states.js';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(projectRoot, 'docs/screenshots');

const started = Date.now();
const { outDir: siteDir } = await buildPreview();
const server = await startPreviewServer({ root: siteDir });
const browser = await launchChromium();
const problems = [];
const shots = [];
try {
  const context = await browser.newContext(CONTEXT_OPTIONS);
  const page = await context.newPage();
  watchForProblems(page, problems);
  for (const state of STATES) {
    const stage = await openState(page, server.url, state);
    if ((await stage.locator(state.expect).count()) === 0) {
      problems.push(`state "${state.id}" does not show ${state.expect}`);
      continue;
    }
    shots.push({ state, png: await stage.screenshot({ animations: 'disabled' }) });
  }
} finally {
  await browser.close();
  await server.close();
}

if (problems.length > 0) {
  console.error(`No screenshots written:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
await mkdir(outDir, { recursive: true });
for (const { state, png } of shots) {
  const file = path.join(outDir, `${state.screenshot}.png`);
  await writeFile(file, png);
  console.log(`${path.relative(projectRoot, file)}  ${state.title}`);
}
console.log(`${shots.length} screenshots in ${((Date.now() - started) / 1000).toFixed(1)} s`);
