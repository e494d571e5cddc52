import { cp, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FeatureSpec, ModelCard } from '@byom/contracts/model-card';
import { buildModel, floatInitializer, node, tensor } from '../src/onnx/onnx-builder.ts';
import { createRandom } from '../training/random.ts';
import { buildScoreBody } from './request-bodies.ts';

/**
 * The explanation scenarios of `npm run bench` (issue 18): 200-record explained requests at 8
 * concurrent callers (parallel Queueables), each method on the same records:
 *
 * - the bundled lead model explained by occlusion (what every card got before explanations.method
 *   existed), by Shapley values (exact: the graph makes every feature a group of its own), and
 *   with "how to improve" suggestions on top;
 * - a 30-feature MLP, where every feature interacts with every other, explained by occlusion and
 *   by sampled Shapley values (30 features off their baselines is far past exact).
 *
 * The model variants differ only in their card's explanations block, so they are written to a
 * directory the service is given as MODEL_DIR. Each result reports the rows onnxruntime ran per
 * record scored, read from the service's own counters.
 */

export const EXPLANATION_CALLERS = 8;
const RECORDS = 200;
const MLP_FEATURES = 30;

export interface ExplanationScenario {
  name: string;
  /** The model the request names (a variant written by writeExplanationModels, or a bundled one). */
  model: string;
  connections: number;
  records: number;
  body: string;
  check: (response: unknown) => string | undefined;
}

/** A directory of model variants for MODEL_DIR: the bundled lead model with occlusion, and the MLP both ways. */
export async function writeExplanationModels(bundledDir: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'byom-bench-models-'));
  const lead = JSON.parse(await readFile(path.join(bundledDir, 'lead-scoring', 'model.json'), 'utf8')) as ModelCard;
  await writeVariant(dir, { ...lead, name: 'lead-scoring-occlusion', explanations: occlusion(lead) }, async (target) =>
    cp(path.join(bundledDir, 'lead-scoring', 'model.onnx'), target),
  );
  const mlp = benchMlp();
  await writeVariant(dir, mlp.card, async (target) => writeFile(target, mlp.onnx));
  await writeVariant(
    dir,
    { ...mlp.card, name: `${mlp.card.name}-occlusion`, explanations: occlusion(mlp.card) },
    async (target) => writeFile(target, mlp.onnx),
  );
  return dir;
}

function occlusion(card: ModelCard): ModelCard['explanations'] {
  return { ...(card.explanations ?? { improve: 'raise' }), method: 'occlusion' };
}

async function writeVariant(dir: string, card: ModelCard, writeOnnx: (target: string) => Promise<void>): Promise<void> {
  const modelDir = path.join(dir, card.name);
  await mkdir(modelDir, { recursive: true });
  await writeFile(path.join(modelDir, 'model.json'), JSON.stringify(card, null, 2));
  await writeOnnx(path.join(modelDir, 'model.onnx'));
}

/** A seeded 30 → 32 (ReLU) → 16 (ReLU) → 1 MLP emitting a logit, as torch.onnx.export writes it. */
function benchMlp(): { card: ModelCard; onnx: Uint8Array } {
  const random = createRandom(1818);
  const weights = (n: number, scale: number) => Array.from({ length: n }, () => random.normal(0, scale));
  const features: FeatureSpec[] = Array.from({ length: MLP_FEATURES }, (_, i) => ({
    name: `x${String(i + 1).padStart(2, '0')}`,
    type: 'number',
    baseline: 10,
  }));
  const card: ModelCard = {
    name: 'bench-mlp-30',
    version: '1.0.0',
    description: 'A seeded 30-feature MLP written by bench/explanation-scenarios.ts for the explanation benchmark.',
    task: 'binary_classification',
    features,
    inputs: { style: 'tensor', name: 'input' },
    output: { name: 'logit', transform: 'sigmoid' },
    explanations: { method: 'shapley', improve: 'raise' },
  };
  const onnx = buildModel({
    graphName: 'torch_jit',
    inputs: [tensor('input', 'float', ['batch', MLP_FEATURES])],
    outputs: [tensor('logit', 'float', ['batch', 1])],
    initializers: [
      // Standardisation inside the graph, as a torch module would carry it: records vary around 10.
      floatInitializer(
        'center',
        Array.from({ length: MLP_FEATURES }, () => 10),
        [MLP_FEATURES],
      ),
      floatInitializer(
        'scale',
        Array.from({ length: MLP_FEATURES }, () => 0.2),
        [MLP_FEATURES],
      ),
      floatInitializer('w1', weights(MLP_FEATURES * 32, 0.6 / Math.sqrt(MLP_FEATURES)), [MLP_FEATURES, 32]),
      floatInitializer('b1', weights(32, 0.5), [32]),
      floatInitializer('w2', weights(32 * 16, 1 / Math.sqrt(32)), [32, 16]),
      floatInitializer('b2', weights(16, 0.3), [16]),
      floatInitializer('w3', weights(16, 1 / Math.sqrt(16)), [16, 1]),
      floatInitializer('b3', [0], [1]),
    ],
    nodes: [
      node('Sub', ['input', 'center'], ['centered']),
      node('Mul', ['centered', 'scale'], ['scaled']),
      node('MatMul', ['scaled', 'w1'], ['h1_linear']),
      node('Add', ['h1_linear', 'b1'], ['h1_biased']),
      node('Relu', ['h1_biased'], ['h1']),
      node('MatMul', ['h1', 'w2'], ['h2_linear']),
      node('Add', ['h2_linear', 'b2'], ['h2_biased']),
      node('Relu', ['h2_biased'], ['h2']),
      node('MatMul', ['h2', 'w3'], ['out_linear']),
      node('Add', ['out_linear', 'b3'], ['logit']),
    ],
  });
  return { card, onnx };
}

/** The scenarios, for models whose cards the caller fetched from the service. */
export function explanationScenarios(
  cards: Map<string, { version: string; features: FeatureSpec[] }>,
): ExplanationScenario[] {
  const scenario = (name: string, model: string, improve: boolean): ExplanationScenario => {
    const card = cards.get(model);
    if (!card) throw new Error(`the service does not serve ${model}`);
    const body = {
      ...buildScoreBody(model, card.version, card.features, RECORDS, true),
      ...(improve ? { improve } : {}),
    };
    return {
      name,
      model,
      connections: EXPLANATION_CALLERS,
      records: RECORDS,
      body: JSON.stringify(body),
      check: expectExplained(RECORDS, improve),
    };
  };
  return [
    scenario(`explain-200-occlusion@${EXPLANATION_CALLERS}`, 'lead-scoring-occlusion', false),
    scenario(`explain-200-shapley-exact@${EXPLANATION_CALLERS}`, 'lead-scoring', false),
    scenario(`explain-200-improve@${EXPLANATION_CALLERS}`, 'lead-scoring', true),
    scenario(`mlp30-explain-200-occlusion@${EXPLANATION_CALLERS}`, 'bench-mlp-30-occlusion', false),
    scenario(`mlp30-explain-200-shapley-sampled@${EXPLANATION_CALLERS}`, 'bench-mlp-30', false),
  ];
}

/** The models the scenarios name, to fetch their cards. */
export const EXPLANATION_MODELS = ['lead-scoring-occlusion', 'lead-scoring', 'bench-mlp-30-occlusion', 'bench-mlp-30'];

/** Every record explained by the method the scenario is about, with improvements when asked. */
function expectExplained(records: number, improve: boolean): (response: unknown) => string | undefined {
  return (response) => {
    const body = response as {
      results?: Array<{ factors?: unknown[]; improvements?: unknown[]; explanation?: { method: string } }>;
      errors?: Array<{ message: string }>;
    };
    if (body.errors && body.errors.length > 0)
      return `${body.errors.length} record errors, first: ${body.errors[0]!.message}`;
    if (body.results?.length !== records) return `expected ${records} results, got ${body.results?.length ?? 'none'}`;
    if (!body.results.every((r) => Array.isArray(r.factors) && r.explanation)) return 'results without explanations';
    if (improve && !body.results.every((r) => Array.isArray(r.improvements))) return 'results without improvements';
    return undefined;
  };
}

/** Rows onnxruntime ran and records scored for a model so far, from the service's Prometheus counters. */
export function countersFor(metricsText: string, model: string): { rows: number; records: number } {
  const value = (metric: string) =>
    metricsText
      .split('\n')
      .filter((line) => line.startsWith(`${metric}{`) && line.includes(`model="${model}"`))
      .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
  return { rows: value('byom_inference_rows_total'), records: value('byom_records_scored_total') };
}
