import ort from 'onnxruntime-node';
import type { ModelValue } from '../../src/models/feature-encoder.ts';

/**
 * Shapley values straight from their definition, for checking the service's: every one of the
 * 2^d coalitions of a record's d features scored, and
 *
 *   φ_i = Σ_{S ⊆ N \ {i}} |S|! (d − |S| − 1)! / d! · (v(S ∪ {i}) − v(S)),
 *
 * with v(S) the margin of the record with the features in S at its values and the rest at
 * their baselines. Written independently of src/explanations (factorials, not the weight
 * recursion; every feature a player, even at its baseline).
 */
export async function bruteForceShapley(
  values: ModelValue[],
  baselines: ModelValue[],
  margins: (rows: ModelValue[][]) => Promise<ArrayLike<number>>,
): Promise<{ impacts: number[]; occlusion: number[]; margin: number; baselineMargin: number }> {
  const d = values.length;
  const rows: ModelValue[][] = [];
  for (let mask = 0; mask < 2 ** d; mask++) rows.push(values.map((v, i) => (mask & (1 << i) ? v : baselines[i]!)));
  const v = await margins(rows);
  const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));
  const impacts = Array.from({ length: d }, (_, i) => {
    let phi = 0;
    for (let mask = 0; mask < 2 ** d; mask++) {
      if (mask & (1 << i)) continue;
      let size = 0;
      for (let j = 0; j < d; j++) if (mask & (1 << j)) size++;
      phi += ((factorial(size) * factorial(d - size - 1)) / factorial(d)) * (v[mask | (1 << i)]! - v[mask]!);
    }
    return phi;
  });
  const full = 2 ** d - 1;
  // One feature at a time, for showing that a model has interactions the test can see.
  const occlusion = Array.from({ length: d }, (_, i) => v[full]! - v[full & ~(1 << i)]!);
  return { impacts, occlusion, margin: v[full]!, baselineMargin: v[0]! };
}

/**
 * Margins from a plain onnxruntime session whose one output is the margin itself (a tree
 * ensemble's margin reference, random-models.ts), fed as the card feeds the model.
 */
export async function referenceMargins(
  modelBytes: Uint8Array,
  inputs: Array<{ name: string; type: 'float' | 'string'; features: number[] }>,
): Promise<(rows: ModelValue[][]) => Promise<Float64Array>> {
  const session = await ort.InferenceSession.create(modelBytes);
  return async (rows) => {
    const feeds: Record<string, ort.Tensor> = {};
    for (const input of inputs) {
      const width = input.features.length;
      const data = rows.flatMap((row) => input.features.map((f) => row[f]!));
      feeds[input.name] =
        input.type === 'string'
          ? new ort.Tensor('string', data.map(String), [rows.length, width])
          : new ort.Tensor('float32', Float32Array.from(data as number[]), [rows.length, width]);
    }
    const output = await session.run(feeds);
    return Float64Array.from(Object.values(output)[0]!.data as Float32Array);
  };
}
