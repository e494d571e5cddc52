/**
 * The real components in a real browser: every preview state of the AI Score card and the AI
 * Insights panel, rendered with SLDS in headless Chromium, checked with axe-core (0 violations,
 * colour contrast included, which jsdom cannot compute), plus what only a browser shows:
 * focus after a keyboard Rescore, and the exact scoring time as text.
 */
// Functions handed to page.evaluate and waitForFunction run in the browser.
/* global document, window */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { CONTEXT_OPTIONS, launchChromium, openState, watchForProblems } from '../browser.mjs';
import { buildPreview } from '../build.mjs';
import { startPreviewServer } from '../server.mjs';
import { STATES } from '../src/states.js';

const AXE_SOURCE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** One line per violation: rule, impact, and the elements with axe's own summary of what fails. */
function describeViolations(violations) {
  return violations.flatMap((violation) =>
    violation.nodes.map(
      (node) =>
        `${violation.id} (${violation.impact}): ${node.target.join(' ')}: ${node.failureSummary?.replace(/\s+/g, ' ')}`,
    ),
  );
}

/** The element that has focus, through the synthetic shadow roots, as a short description. */
function deepActiveElement() {
  let active = document.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  return active ? `${active.tagName.toLowerCase()}.${[...active.classList].join('.')}` : 'none';
}

describe('the components in Chromium', { timeout: 600_000 }, () => {
  let server;
  let browser;
  let context;
  before(async () => {
    const { outDir } = await buildPreview();
    server = await startPreviewServer({ root: outDir });
    browser = await launchChromium();
    context = await browser.newContext(CONTEXT_OPTIONS);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  it('covers every state of both components', () => {
    const components = new Set(STATES.map((state) => state.component));
    assert.deepEqual([...components].sort(), ['aiInsightPanel', 'aiScoreCard']);
    assert.equal(new Set(STATES.map((state) => state.id)).size, STATES.length, 'state ids are unique');
  });

  for (const state of STATES) {
    it(`${state.component} "${state.title}": renders cleanly and has no accessibility violations`, async () => {
      const page = await context.newPage();
      const problems = [];
      watchForProblems(page, problems);
      try {
        const stage = await openState(page, server.url, state);
        assert.ok((await stage.locator(state.expect).count()) > 0, `shows ${state.expect}`);
        await page.addScriptTag({ path: AXE_SOURCE });
        const result = await page.evaluate(
          (selector) => window.axe.run(selector, { resultTypes: ['violations'] }),
          `#stage-${state.id}`,
        );
        assert.deepEqual(describeViolations(result.violations), [], 'axe-core finds no violations');
        assert.deepEqual(problems, [], 'no console errors, page errors or failed requests');
      } finally {
        await page.close();
      }
    });
  }

  it('keeps focus on the card after a keyboard Rescore: the progress banner, then the new score', async () => {
    const page = await context.newPage();
    try {
      const stage = await openState(page, server.url, { id: 'scored' });
      await stage.locator('.rescore-button button').focus();
      await page.keyboard.press('Enter');
      await page.waitForFunction(() =>
        document.querySelector('#stage-scored c-ai-score-card')?.shadowRoot.querySelector('.status-banner'),
      );
      assert.equal(await page.evaluate(deepActiveElement), 'div.status-banner.status-banner_pending');
      // The preview lands the new score 2.5 s after Rescore.
      await page.waitForFunction(
        () => !document.querySelector('#stage-scored c-ai-score-card')?.shadowRoot.querySelector('.status-banner'),
      );
      assert.equal(
        await page.evaluate(deepActiveElement),
        'div.score-summary',
        'focus moves to the new score, not <body>',
      );
    } finally {
      await page.close();
    }
  });

  it('shows the exact scoring time as text, with nothing left in a hover title', async () => {
    const page = await context.newPage();
    try {
      const stage = await openState(page, server.url, { id: 'scored' });
      assert.equal((await stage.locator('.scored-at time').innerText()).trim(), 'Mar 10, 2026, 9:25 AM');
      assert.ok(await stage.locator('.scored-at').isVisible(), 'visible, so touch users read it too');
      assert.equal(await stage.locator('.freshness[title]').count(), 0);
      assert.equal((await stage.locator('.score-meaning').innerText()).trim(), 'Likelihood to convert · 0–100');
    } finally {
      await page.close();
    }
  });
});

describe('npm run preview', () => {
  it('says to set PORT when its port is taken, without a stack trace', async () => {
    const { spawnSync } = await import('node:child_process');
    const { createServer } = await import('node:net');
    const busy = createServer();
    await new Promise((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const { port } = busy.address();
    try {
      const run = spawnSync(process.execPath, [new URL('../serve.mjs', import.meta.url).pathname], {
        env: { ...process.env, PORT: String(port) },
        encoding: 'utf8',
        timeout: 120_000,
      });
      assert.equal(run.status, 1, run.stderr);
      assert.match(
        run.stderr,
        new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is already in use.*PORT=${port + 1} npm run preview`),
      );
      assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
    } finally {
      busy.close();
    }
  });
});
