#!/usr/bin/env node
/**
 * Builds the local preview of the AI Score card into node_modules/.cache/byom-preview
 * (index.html, preview.css, bundle.js), or with --check only proves that it still builds:
 * `npm test` runs the check, so the preview cannot rot when the component changes.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rollup } from 'rollup';
import { previewRollupOptions } from './rollup.config.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const PREVIEW_OUT_DIR = path.resolve(here, '../node_modules/.cache/byom-preview');

/**
 * @param {{ outDir?: string, write?: boolean }} options write false only bundles in memory
 * @returns {Promise<{ outDir: string, modules: number, bytes: number }>}
 */
export async function buildPreview({ outDir = PREVIEW_OUT_DIR, write = true } = {}) {
  const bundle = await rollup(previewRollupOptions());
  try {
    // One file: Lightning base components import some modules lazily.
    const output = { format: 'iife', name: 'aiScoreCardPreview', sourcemap: write, inlineDynamicImports: true };
    const { output: chunks } = write
      ? await bundle.write({ ...output, file: path.join(outDir, 'bundle.js') })
      : await bundle.generate(output);
    if (write) {
      await mkdir(outDir, { recursive: true });
      await copyFile(path.join(here, 'src/index.html'), path.join(outDir, 'index.html'));
      await copyFile(path.join(here, 'src/preview.css'), path.join(outDir, 'preview.css'));
    }
    const main = chunks.find((chunk) => chunk.type === 'chunk');
    return { outDir, modules: Object.keys(main.modules).length, bytes: main.code.length };
  } finally {
    await bundle.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const check = process.argv.includes('--check');
  const started = Date.now();
  try {
    const { outDir, modules, bytes } = await buildPreview({ write: !check });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const size = `${Math.round(bytes / 1024)} kB`;
    console.log(
      check
        ? `preview builds: ${modules} modules, ${size} (${seconds} s)`
        : `preview built into ${outDir}: ${modules} modules, ${size} (${seconds} s)`,
    );
  } catch (error) {
    console.error(error.stack ?? String(error));
    process.exit(1);
  }
}
