import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ModelCard } from '@byom/contracts/model-card';

/**
 * The model directory of the benchmark's second service process (MODEL_DIR; the bundled models
 * load beside it): variants that differ from a model only in their card's explanations block,
 * so each explanation method is measured on the same graph and the same records. A process of
 * their own keeps the other scenarios' memory that of a service with its usual models:
 *
 * - `lead-scoring-occlusion`: the bundled lead model explained by occlusion, which is what every
 *   card without an explanations block gets; the bundled card itself asks for Shapley values
 *   (exact: its graph makes every feature a group of its own) and marks actionable features;
 * - `account-churn-mlp-shapley`: the benchmark's 30-feature torch MLP, whose card has no
 *   explanations block (occlusion), with sampled Shapley values (every feature interacts with
 *   every other, far past exact).
 */

export const EXPLANATION_VARIANTS = {
  'lead-scoring-occlusion': { from: 'lead-scoring', method: 'occlusion' },
  'account-churn-mlp-shapley': { from: 'account-churn-mlp', method: 'shapley' },
} as const;

export async function writeExplanationVariants(bundledDir: string, benchDir: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'byom-bench-models-'));
  for (const [name, variant] of Object.entries(EXPLANATION_VARIANTS)) {
    const from = existsSync(path.join(benchDir, variant.from))
      ? path.join(benchDir, variant.from)
      : path.join(bundledDir, variant.from);
    const card = JSON.parse(await readFile(path.join(from, 'model.json'), 'utf8')) as ModelCard;
    const explanations = { ...(card.explanations ?? {}), method: variant.method };
    await mkdir(path.join(dir, name));
    await cp(path.join(from, 'model.onnx'), path.join(dir, name, 'model.onnx'));
    await writeFile(path.join(dir, name, 'model.json'), JSON.stringify({ ...card, name, explanations }, null, 2));
  }
  return dir;
}
