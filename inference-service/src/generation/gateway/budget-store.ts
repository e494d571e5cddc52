/**
 * Where budget and rate-limit counters live. A counter is an integer under a key that names its
 * scope, limit and window (budget-ledger.ts builds them); it expires when its window is over.
 * A reservation is all or nothing: either every counter has room and each goes up by its
 * amount, or none changes. That is what keeps concurrent requests from overshooting.
 *
 * - MemoryBudgetStore: in this process. Correct for one replica (one dyno); with more, each
 *   would enforce the whole limit on its own share of the traffic.
 * - RedisBudgetStore (redis-budget-store.ts): in Redis when REDIS_URL is set, shared by every
 *   dyno, reserved in one Lua script.
 */

export interface Charge {
  key: string;
  /** What this request adds: 1 request, its tokens, its cost in micro-dollars. */
  amount: number;
  /** The counter may not go above this. */
  limit: number;
  /** How long the counter is kept: to the end of its window, and a minute more. */
  ttlMs: number;
}

export interface Adjustment {
  key: string;
  /** Negative to give back what a reservation over-estimated. */
  amount: number;
  ttlMs: number;
}

export interface Refusal {
  /** Which charge had no room. */
  index: number;
  /** Its counter before this request. */
  used: number;
}

export interface BudgetStore {
  readonly kind: 'memory' | 'redis';
  /** Adds every charge's amount, or none if one of them would go over its limit (then says which). */
  reserve(charges: Charge[]): Promise<Refusal | undefined>;
  /** Adds amounts without checking limits: settling a reservation once the real usage is known. */
  adjust(adjustments: Adjustment[]): Promise<void>;
  close(): Promise<void>;
}

interface Counter {
  value: number;
  expiresAt: number;
}

const SWEEP_INTERVAL_MS = 60_000;

/** Counters in a Map. JavaScript runs one request's reserve to the end before another's, so it is atomic. */
export class MemoryBudgetStore implements BudgetStore {
  readonly kind = 'memory';
  private readonly counters = new Map<string, Counter>();
  private readonly sweeper: NodeJS.Timeout;

  constructor() {
    // Windows end (minutes, days, months): drop their counters so memory stays bounded.
    this.sweeper = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS).unref();
  }

  async reserve(charges: Charge[]): Promise<Refusal | undefined> {
    const now = Date.now();
    for (let index = 0; index < charges.length; index++) {
      const charge = charges[index]!;
      const used = this.live(charge.key, now)?.value ?? 0;
      if (charge.amount > 0 && used + charge.amount > charge.limit) return { index, used };
    }
    for (const charge of charges) this.add(charge.key, charge.amount, charge.ttlMs, now);
    return undefined;
  }

  async adjust(adjustments: Adjustment[]): Promise<void> {
    const now = Date.now();
    for (const adjustment of adjustments) this.add(adjustment.key, adjustment.amount, adjustment.ttlMs, now);
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.counters.clear();
  }

  private live(key: string, now: number): Counter | undefined {
    const counter = this.counters.get(key);
    if (counter !== undefined && counter.expiresAt <= now) {
      this.counters.delete(key);
      return undefined;
    }
    return counter;
  }

  private add(key: string, amount: number, ttlMs: number, now: number): void {
    const counter = this.live(key, now);
    if (counter === undefined) this.counters.set(key, { value: amount, expiresAt: now + ttlMs });
    else counter.value += amount;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, counter] of this.counters) if (counter.expiresAt <= now) this.counters.delete(key);
  }
}
