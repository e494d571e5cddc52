import { SplitMode, goesTrue } from './tree-ensemble.ts';
import type { TreeEnsemble } from './tree-ensemble.ts';

/**
 * Exact Shapley values of a tree ensemble against one reference record, from the trees alone
 * (interventional TreeSHAP with a single background record, Lundberg et al. 2020).
 *
 * The game is the one every Shapley method here explains: v(S) is the margin of the record
 * with the features in S at its own values and the rest at their baselines. A leaf of a tree
 * is reached under S exactly when every split on its path goes the way the record's value
 * sends it (feature in S) or the way the baseline's sends it (feature not in S). Walking each
 * tree once, following both ways only where the record and the baseline part, gives every
 * reachable leaf with the features that must be in S (P) and out of S (M) to reach it. Such a
 * leaf adds its value v to each player of P in (|P|−1)!·|M|!/(|P|+|M|)! of the orderings, and
 * takes it from each of M in |P|!·(|M|−1)!/(|P|+|M|)!, which sums to v(N) − v(∅) per leaf.
 *
 * Players are card features, not tree columns: `columnFeature` maps each input column of the
 * trees to the card feature it comes from (a one-hot column to its category feature, a scaled
 * column to its number), so every column of a feature moves together, as in the game.
 */

export interface TreeShapResult {
  /** Margin of the record and of the baseline, from the trees. */
  margin: number;
  baselineMargin: number;
}

const FREE = 0;
const IN = 1;
const OUT = 2;

export class TreeShap {
  private readonly trees: TreeEnsemble;
  private readonly columnFeature: Int32Array;
  /** Per card feature during a walk: FREE, IN (the record's value) or OUT (the baseline's). */
  private readonly status: Uint8Array;
  private readonly inPlayers: Int32Array;
  private readonly outPlayers: Int32Array;

  constructor(trees: TreeEnsemble, columnFeature: Int32Array, featureCount: number) {
    this.trees = trees;
    this.columnFeature = columnFeature;
    this.status = new Uint8Array(featureCount);
    // A path has at most one entry per feature.
    this.inPlayers = new Int32Array(featureCount);
    this.outPlayers = new Int32Array(featureCount);
  }

  get featureCount(): number {
    return this.status.length;
  }

  /**
   * Adds each feature's Shapley value to `impacts` (card order) for the record whose tree
   * input row is `x`, against the baseline's row `z`.
   */
  explain(x: ArrayLike<number>, z: ArrayLike<number>, impacts: Float64Array): TreeShapResult {
    const result = { margin: this.trees.bias, baselineMargin: this.trees.bias };
    for (const root of this.trees.roots) this.walk(root, x, z, 0, 0, impacts, result);
    return result;
  }

  private walk(
    node: number,
    x: ArrayLike<number>,
    z: ArrayLike<number>,
    p: number,
    m: number,
    impacts: Float64Array,
    result: TreeShapResult,
  ): void {
    const trees = this.trees;
    if (trees.mode[node] === SplitMode.Leaf) {
      const value = trees.leafMargin[node]!;
      if (m === 0) result.margin += value;
      if (p === 0) result.baselineMargin += value;
      if (value === 0 || p + m === 0) return;
      if (p > 0) {
        const share = value / (p * binomial(p + m, p));
        for (let i = 0; i < p; i++) impacts[this.inPlayers[i]!]! += share;
      }
      if (m > 0) {
        const share = value / (m * binomial(p + m, m));
        for (let j = 0; j < m; j++) impacts[this.outPlayers[j]!]! -= share;
      }
      return;
    }
    const column = trees.column[node]!;
    const feature = this.columnFeature[column]!;
    const byRecord = goesTrue(trees, node, x[column]!) ? trees.trueChild[node]! : trees.falseChild[node]!;
    const byBaseline = goesTrue(trees, node, z[column]!) ? trees.trueChild[node]! : trees.falseChild[node]!;
    // A column no card feature feeds is the same in both rows, so both ways agree.
    const status = feature < 0 ? FREE : this.status[feature]!;
    if (status === IN) return this.walk(byRecord, x, z, p, m, impacts, result);
    if (status === OUT) return this.walk(byBaseline, x, z, p, m, impacts, result);
    if (byRecord === byBaseline) return this.walk(byRecord, x, z, p, m, impacts, result);
    this.status[feature] = IN;
    this.inPlayers[p] = feature;
    this.walk(byRecord, x, z, p + 1, m, impacts, result);
    this.status[feature] = OUT;
    this.outPlayers[m] = feature;
    this.walk(byBaseline, x, z, p, m + 1, impacts, result);
    this.status[feature] = FREE;
  }
}

/** C(n, k) in floating point; paths are short, so n stays small. */
function binomial(n: number, k: number): number {
  let result = 1;
  for (let i = 1; i <= k; i++) result = (result * (n - k + i)) / i;
  return result;
}
