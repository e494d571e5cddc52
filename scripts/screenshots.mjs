#!/usr/bin/env node
/**
 * `npm run screenshots`: builds the local preview of the AI Score card, opens every state
 * in headless Chromium and saves docs/screenshots/score-card-<state>.png (the README shows
 * them). Fails, without writing a partial set, when a page logs an error, a request fails
 * or a state does not show what it should.
 *
 * Chromium: /usr/bin/chromium, or the CHROMIUM_PATH environment variable.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { buildPreview } from '../preview/build.mjs';
import { startPreviewServer } from '../preview/server.mjs';
import { STATES } from '../preview/src/states.js';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(projectRoot, 'docs/screenshots');
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const started = Date.now();
const { outDir: siteDir } = await buildPreview();
const server = await startPreviewServer({ root: siteDir });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: CHROMIUM_ARGS,
});
const problems = [];
const shots = [];
try {
  const context = await browser.newContext({
    viewport: { width: 480, height: 1000 },
    deviceScaleFactor: 2,
    locale: 'en-US',
    timezoneId: 'America/Los_Angeles',
    reducedMotion: 'reduce',
  });
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning')
      problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  for (const state of STATES) {
    await page.goto(`${server.url}/?state=${state.id}`);
    const stage = page.locator(`#stage-${state.id}[data-settled="true"]`);
    await stage.waitFor();
    await page.evaluate('document.fonts.ready');
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
  const file = path.join(outDir, `score-card-${state.id}.png`);
  await writeFile(file, png);
  console.log(`${path.relative(projectRoot, file)}  ${state.title}`);
}
console.log(`${shots.length} screenshots in ${((Date.now() - started) / 1000).toFixed(1)} s`);
