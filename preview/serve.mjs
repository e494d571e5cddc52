#!/usr/bin/env node
/**
 * `npm run preview`: builds the preview and serves it on http://127.0.0.1:3001 (PORT to
 * change it), so you can see every state of the AI Score card and the AI Insights panel in a
 * browser, and press
 * Rescore in "Scored" to watch a new score land.
 */
import { buildPreview, PREVIEW_OUT_DIR } from './build.mjs';
import { startPreviewServer } from './server.mjs';
import { STATES } from './src/states.js';

const port = Number(process.env.PORT ?? 3001);
let url;
try {
  // Listen before building: a taken port is known at once, not after the build.
  ({ url } = await startPreviewServer({ root: PREVIEW_OUT_DIR, port }));
} catch (error) {
  if (error.code !== 'EADDRINUSE') throw error;
  // The usual cause is a preview (or another app) already running: say what to do, not a stack trace.
  console.error(
    `Port ${port} on 127.0.0.1 is already in use: stop the other process, or use another port, e.g. PORT=${port + 1} npm run preview`,
  );
  process.exit(1);
}
await buildPreview();
console.log(`AI Score card and AI Insights panel preview: ${url}/`);
for (const state of STATES) {
  console.log(`  ${state.title.padEnd(22)} ${url}/?state=${state.id}`);
}
console.log('Press Ctrl+C to stop.');
