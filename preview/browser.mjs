/**
 * Headless Chromium for the preview's screenshots and its browser test: Debian's chromium (or
 * CHROMIUM_PATH), without the sandbox (CI runs as root) and without the background networking
 * that a closed network refuses, many connections at a time.
 */
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

/** The page settings screenshots and checks share: one locale, time zone and size, no motion. */
export const CONTEXT_OPTIONS = {
  viewport: { width: 480, height: 1000 },
  deviceScaleFactor: 2,
  locale: 'en-US',
  timezoneId: 'America/Los_Angeles',
  reducedMotion: 'reduce',
};

export async function launchChromium() {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `No Chromium at ${CHROMIUM_PATH}: install it (Debian/Ubuntu: apt-get install chromium; README, Prerequisites) ` +
        'or set CHROMIUM_PATH to a Chrome or Chromium binary.',
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/** Records what a page logs as an error or warning, what it throws, and every failed request. */
export function watchForProblems(page, problems) {
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning')
      problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
}

/** Opens one state alone and waits until it has settled (main.js marks the stage). */
export async function openState(page, baseUrl, state) {
  await page.goto(`${baseUrl}/?state=${state.id}`);
  const stage = page.locator(`#stage-${state.id}[data-settled="true"]`);
  await stage.waitFor();
  await page.evaluate('document.fonts.ready');
  return stage;
}
