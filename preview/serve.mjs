#!/usr/bin/env node
/**
 * `npm run preview`: builds the preview and serves it on http://127.0.0.1:3001 (PORT to
 * change it), so you can see every state of the AI Score card in a browser, and press
 * Rescore in "Scored" to watch a new score land.
 */
import { buildPreview } from './build.mjs';
import { startPreviewServer } from './server.mjs';
import { STATES } from './src/states.js';

const { outDir } = await buildPreview();
const { url } = await startPreviewServer({ root: outDir, port: Number(process.env.PORT ?? 3001) });
console.log(`AI Score card preview: ${url}/`);
for (const state of STATES) {
  console.log(`  ${state.title.padEnd(22)} ${url}/?state=${state.id}`);
}
console.log('Press Ctrl+C to stop.');
