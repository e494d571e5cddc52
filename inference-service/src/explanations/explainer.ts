import type { ModelValue } from '../models/feature-encoder.ts';
import type { Predictions } from '../models/prediction-decoding.ts';
import type { CoalitionRows } from '../models/row-batch.ts';
import {
  MAX_EXACT_PLAYERS,
  PermutationSampler,
  exactShapley,
  hashString,
  simultaneousCriticalValue,
} from './shapley.ts';
import type { TreeShap } from './tree-shap.ts';

/**
 * Explains records the way their model's card asks (docs/explanations.md):
 *
 * - `occlusion`: impact(f) = margin(x) − margin(x with f at its baseline), one row per feature
 *   off its baseline (cards that do not opt in).
 * - `shapley`, by the cheapest exact route the graph allows: TreeSHAP from the graph's trees,
 *   with no extra rows (tree-shap.ts); else coalitions, group by group (graph-dependencies.ts):
 *   a group of k features off their baselines takes 2^k − 1 rows, exact up to
 *   MAX_EXACT_PLAYERS; a larger group is sampled (shapley.ts) until its 95 % error bound is
 *   within the card's tolerance, in rounds batched across the request's records.
 *
 * Every Shapley method explains the same game, v(S) = margin with the features in S at their
 * own values and the rest at their baselines, so impacts add up to margin(x) − margin(baseline).
 * A feature at its baseline has impact 0 and costs no row.
 */

export type ExplanationMethod = 'occlusion' | 'shapley-exact' | 'shapley-sampled' | 'tree-shap';

export interface TreeExplainer {
  shap: TreeShap;
  /** The baseline record's tree input columns. */
  baseline: Float64Array;
}

export interface ExplainerOptions {
  method: 'occlusion' | 'shapley';
  baselines: ModelValue[];
  /** The margin of the all-baseline record. */
  baselineMargin: number;
  /** Shapley by coalitions: group of each feature (-1: it cannot move the margin); undefined: one group. */
  groups: Int32Array | undefined;
  /** Present when TreeSHAP explains the model. */
  trees: TreeExplainer | undefined;
  /** Sampled Shapley: the 95 % error bound to reach, in margin units. */
  tolerance: number;
}

/** Tolerance when the card sets none: 0.05 log-odds is about one point of probability near 50 %. */
export const DEFAULT_TOLERANCE = 0.05;
/** Antithetic pairs of orderings in a sampled group's first round, and at most in all. */
const FIRST_PAIRS = 16;
const MAX_PAIRS = 512;
/** Rounds of sampling a request may take (the first included). */
export const MAX_ROUNDS = 4;

export interface ExplanationResult {
  method: ExplanationMethod;
  /** Per card feature. */
  impacts: Float64Array;
  margin: number;
  baselineMargin: number;
  /** Sampled: the half-width that holds every impact at once with 95 % confidence. */
  errorBound?: number;
  /** Sampled: orderings scored, per sampled group (the largest). */
  permutations?: number;
}

export class Explainer {
  private readonly options: ExplainerOptions;

  constructor(options: ExplainerOptions) {
    this.options = options;
  }

  get usesTrees(): boolean {
    return this.options.method === 'shapley' && this.options.trees !== undefined;
  }

  /** Starts a record's explanation; its `rows` are scored after its own row. */
  begin(values: ModelValue[]): RecordExplanation {
    return new RecordExplanation(this.options, values);
  }
}

/** A group of a record's features off their baselines, and how it is being explained. */
interface PlayerGroup {
  /** Indexes into the record's players. */
  members: number[];
  sampler?: PermutationSampler;
  /** Sampled: the margin with this group at its baselines (the empty coalition), once scored. */
  empty?: number;
  /** Exact: where the group's coalition margins are, indexed by subset mask from `at` (the full set is the record's own). */
  exact?: { margins: Float64Array; at: number };
  /** Where this group's rows start in the current round's coalition rows. */
  start: number;
  /** Sampled: pairs drawn for the current round. */
  drawn: number;
  done: boolean;
}

export class RecordExplanation {
  private readonly options: ExplainerOptions;
  private readonly values: ModelValue[];
  /** Card indexes of the features off their baselines that can move the margin. */
  private readonly players: Int32Array;
  /** Per player, its baseline: the value a coalition row gives a player that is off. */
  private readonly alternates: ModelValue[];
  private readonly groups: PlayerGroup[] = [];
  /**
   * Players explained alone, at one row each (occlusion's row): every player under occlusion,
   * groups of one under Shapley. Indexes, not PlayerGroups: 1,000 records would hold 10,000 objects.
   */
  private singles: Int32Array | undefined;
  /** The singles' margins, once scored, in `singles` order. */
  private singleMargins: Float64Array | undefined;
  private readonly words: number;
  private margin = Number.NaN;
  /** The rows to score in the current round (after the record's own row). */
  rows: CoalitionRows | undefined;
  private treeResult: ExplanationResult | undefined;

  constructor(options: ExplainerOptions, values: ModelValue[]) {
    this.options = options;
    this.values = values;
    const { baselines, groups } = options;
    const players: number[] = [];
    for (let f = 0; f < values.length; f++) {
      if (Object.is(values[f], baselines[f])) continue;
      if (options.method === 'shapley' && groups && groups[f]! < 0) continue;
      players.push(f);
    }
    this.players = Int32Array.from(players);
    this.alternates = players.map((f) => baselines[f]!);
    this.words = Math.max(1, Math.ceil(players.length / 32));
    if (options.method === 'occlusion') {
      this.singles = Int32Array.from(players.keys());
      this.rows = this.coalitionRows(true);
      return;
    }
    if (options.trees) return; // TreeSHAP needs no rows
    const byGroup = new Map<number, number[]>();
    players.forEach((f, p) => {
      const g = groups ? groups[f]! : 0;
      const members = byGroup.get(g);
      if (members) members.push(p);
      else byGroup.set(g, [p]);
    });
    let seed: number | undefined;
    const singles: number[] = [];
    for (const members of byGroup.values()) {
      if (members.length === 1) {
        singles.push(members[0]!);
        continue;
      }
      const group: PlayerGroup = { members, start: 0, drawn: 0, done: false };
      if (members.length > MAX_EXACT_PLAYERS) {
        // Seeded by the record's values, so the same record always gets the same orderings.
        seed ??= hashString(values.map(String).join('\u0000'));
        group.sampler = new PermutationSampler(members.length, seed ^ members[0]!);
      }
      this.groups.push(group);
    }
    if (singles.length > 0) this.singles = Int32Array.from(singles);
    this.rows = this.coalitionRows(true);
  }

  /** Whether this record wants another round of rows. */
  get pending(): boolean {
    return this.rows !== undefined;
  }

  /**
   * Reads the round's margins: the record's own row at `ownRow`, its coalition rows right after.
   * Sets `rows` to the next round's rows, or undefined when the explanation is complete.
   */
  absorb(predictions: Predictions, ownRow: number, lastRound: boolean): void {
    const margins = predictions.margins;
    this.margin = margins[ownRow]!;
    const first = ownRow + 1;
    if (this.singles && this.singleMargins === undefined) {
      // The first round's rows start with the singles' (coalitionRows).
      this.singleMargins = margins.subarray(first, first + this.singles.length);
    }
    for (const group of this.groups) {
      if (group.done) continue;
      if (group.sampler) {
        let offset = first + group.start;
        if (group.empty === undefined) group.empty = margins[offset++]!;
        group.sampler.absorb(margins, offset, group.empty, this.margin);
        if (lastRound || this.samplingBound(group) <= this.options.tolerance || group.sampler.samples >= MAX_PAIRS) {
          group.done = true;
        }
      } else {
        group.exact = { margins, at: first + group.start };
        group.done = true;
      }
    }
    this.rows = this.groups.every((g) => g.done) ? undefined : this.coalitionRows(false);
  }

  /** Ends sampling where it stands (a round could not be run): the estimates keep the bound they have. */
  stop(): void {
    for (const group of this.groups) group.done = true;
    this.rows = undefined;
  }

  /** TreeSHAP: explains from the trees' input columns of the record's own row. */
  absorbTrees(predictions: Predictions, ownRow: number): void {
    const trees = this.options.trees!;
    const input = predictions.treeInput!;
    const row = input.data.subarray(ownRow * input.columns, (ownRow + 1) * input.columns);
    const impacts = new Float64Array(this.values.length);
    this.treeResult = { method: 'tree-shap', impacts, ...trees.shap.explain(row, trees.baseline, impacts) };
    this.rows = undefined;
  }

  result(): ExplanationResult {
    if (this.treeResult) return this.treeResult;
    const impacts = new Float64Array(this.values.length);
    const margins = { margin: this.margin, baselineMargin: this.options.baselineMargin };
    // A group of one: v({i}) − v(∅), the record's margin against its row with the feature at its baseline.
    this.singleMargins?.forEach((m, i) => (impacts[this.players[this.singles![i]!]!] = this.margin - m));
    if (this.options.method === 'occlusion') return { method: 'occlusion', impacts, ...margins };
    let errorBound: number | undefined;
    let permutations: number | undefined;
    for (const group of this.groups) {
      const { members } = group;
      const local = new Float64Array(members.length);
      if (group.sampler) {
        group.sampler.estimates(local);
        errorBound = Math.max(errorBound ?? 0, this.samplingBound(group));
        permutations = Math.max(permutations ?? 0, group.sampler.samples * 2);
      } else if (group.exact) {
        exactShapley(members.length, group.exact.margins, group.exact.at, this.margin, local);
      }
      members.forEach((p, i) => (impacts[this.players[p]!] = local[i]!));
    }
    if (errorBound === undefined) return { method: 'shapley-exact', impacts, ...margins };
    return { method: 'shapley-sampled', impacts, ...margins, errorBound, permutations: permutations! };
  }

  /** A sampled group's simultaneous 95 % bound, over every sampled player of the record (Bonferroni). */
  private samplingBound(group: PlayerGroup): number {
    const sampled = this.groups.reduce((n, g) => n + (g.sampler ? g.members.length : 0), 0);
    const sampler = group.sampler!;
    return simultaneousCriticalValue(sampled, sampler.samples) * sampler.maxStandardError();
  }

  /**
   * The round's coalition rows, group by group. In each, every player outside the group keeps
   * the record's value (additivity makes the other groups' values irrelevant, and this way a
   * group of one is exactly occlusion's row).
   */
  private coalitionRows(first: boolean): CoalitionRows | undefined {
    const singles = first ? (this.singles?.length ?? 0) : 0;
    let total = singles;
    for (const group of this.groups) {
      group.start = total;
      if (group.done) continue;
      const k = group.members.length;
      if (group.sampler) {
        group.drawn = first ? FIRST_PAIRS : this.nextPairs(group);
        // The empty coalition once, then each ordering's proper, non-empty prefixes (PermutationSampler.draw).
        total += (first ? 1 : 0) + group.drawn * 2 * (k - 1);
      } else {
        total += (1 << k) - 1;
      }
    }
    if (total === 0) return undefined;
    const writer = new MaskWriter(this.words, total);
    const everyone = this.players.length;
    for (let row = 0; row < singles; row++) {
      writer.setAll(row, everyone);
      writer.clear(row, this.singles![row]!);
    }
    for (const group of this.groups) {
      if (group.done) continue;
      const k = group.members.length;
      const outside = (row: number) => {
        writer.setAll(row, everyone);
        for (const p of group.members) writer.clear(row, p);
      };
      let row = group.start;
      if (group.sampler) {
        if (first) outside(row++);
        const orders = group.sampler.draw(group.drawn);
        for (let o = 0; o < orders.length / k; o++) {
          for (let r = 0; r < k - 1; r++, row++) {
            // Prefix r + 1 of the ordering: the previous prefix plus one player.
            if (r === 0) outside(row);
            else writer.copy(row - 1, row);
            writer.set(row, group.members[orders[o * k + r]!]!);
          }
        }
      } else {
        for (let mask = 0; mask < (1 << k) - 1; mask++, row++) {
          outside(row);
          for (let i = 0; i < k; i++) if (mask & (1 << i)) writer.set(row, group.members[i]!);
        }
      }
    }
    return { players: this.players, alternates: this.alternates, words: this.words, masks: writer.masks };
  }

  /** Pairs for a group's next round: enough to reach the tolerance at the current spread, within the budget. */
  private nextPairs(group: PlayerGroup): number {
    const sampler = group.sampler!;
    const n = sampler.samples;
    const ratio = this.samplingBound(group) / this.options.tolerance;
    const wanted = Math.ceil(n * ratio * ratio * 1.1) - n;
    return Math.min(Math.max(4, Math.min(wanted, n * 4)), MAX_PAIRS - n);
  }
}

/** Bit masks over a record's players, one row after another. */
class MaskWriter {
  readonly masks: Uint32Array;
  private readonly words: number;

  constructor(words: number, rows: number) {
    this.words = words;
    this.masks = new Uint32Array(words * rows);
  }

  set(row: number, player: number): void {
    this.masks[row * this.words + (player >> 5)]! |= 1 << (player & 31);
  }

  clear(row: number, player: number): void {
    this.masks[row * this.words + (player >> 5)]! &= ~(1 << (player & 31));
  }

  /** Sets the first `count` players. */
  setAll(row: number, count: number): void {
    for (let p = 0; p < count; p++) this.set(row, p);
  }

  copy(from: number, to: number): void {
    this.masks.copyWithin(to * this.words, from * this.words, (from + 1) * this.words);
  }
}
