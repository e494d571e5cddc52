import type { Caller, LimitName, LimitScope, LimitSet, Limits, Route } from '../domain.ts';
import { sixDecimals } from '../../rounding.ts';
import type { BudgetStore, Charge } from './budget-store.ts';

/**
 * Budgets and rate limits, reserved before a request calls any provider and settled after it
 * (docs/llm-gateway.md, "Budgets and rate limits"). `limits` at the top of the routes file apply
 * across every route, a route's own to that route; a scope the request carries no id for (no
 * user id) does not apply to it.
 *
 * Before the call, the request reserves one unit of every requests-per-minute limit and the upper
 * bound of its tokens and cost (llm-gateway.ts, `upperBound`) on every token and cost limit, all
 * at once or none (the store's atomic reserve), so concurrent requests can never overshoot a
 * limit together; a request without room is refused with the first limit it would exceed. After
 * the call, the reservation is replaced by the usage the provider reported (or kept whole when it
 * reported none, or released when no provider answered). Windows are UTC: the minute, the day,
 * the month.
 */

export interface UsageAmounts {
  tokens: number;
  /** Micro-dollars, rounded up. */
  costMicros: number;
}

/** The limit a refused request would have exceeded, as the 429 reports it. */
export interface ExceededLimit {
  code: 'BUDGET_EXCEEDED' | 'RATE_LIMITED';
  scope: LimitScope;
  /** The key, org or user id the limit counts for (never a key itself); absent for `total`. */
  id?: string;
  /** The route the limit covers, or "*" for limits across every route. */
  route: string;
  limit: LimitName;
  /** In the limit's own unit: requests, tokens or USD. */
  value: number;
  used: number;
  requested: number;
  resetsAt: Date;
}

export class BudgetExceeded extends Error {
  override name = 'BudgetExceeded';
  readonly exceeded: ExceededLimit;

  constructor(exceeded: ExceededLimit) {
    super(describe(exceeded));
    this.exceeded = exceeded;
  }
}

interface LimitKind {
  window: 'minute' | 'day' | 'month';
  measure: 'requests' | 'tokens' | 'cost';
}

const LIMIT_KINDS: Record<LimitName, LimitKind> = {
  requestsPerMinute: { window: 'minute', measure: 'requests' },
  tokensPerDay: { window: 'day', measure: 'tokens' },
  tokensPerMonth: { window: 'month', measure: 'tokens' },
  costPerDayUsd: { window: 'day', measure: 'cost' },
  costPerMonthUsd: { window: 'month', measure: 'cost' },
};
const SCOPES: Array<{ scope: LimitScope; field: keyof Limits }> = [
  { scope: 'total', field: 'total' },
  { scope: 'key', field: 'perKey' },
  { scope: 'org', field: 'perOrg' },
  { scope: 'user', field: 'perUser' },
];
const MICROS = 1_000_000;
/** Counters outlive their window a little, so a settlement just after midnight still finds them. */
const TTL_MARGIN_MS = 60_000;

interface PlannedCharge extends Charge {
  measure: LimitKind['measure'];
  describe: Omit<ExceededLimit, 'used' | 'requested' | 'code'>;
}

/** What a request reserved, to settle once it is over. */
export interface Reservation {
  charges: PlannedCharge[];
  reserved: UsageAmounts;
}

export class BudgetLedger {
  readonly store: BudgetStore;
  private readonly everyRoute: Limits | undefined;

  constructor(store: BudgetStore, everyRoute: Limits | undefined) {
    this.store = store;
    this.everyRoute = everyRoute;
  }

  /** Whether any limit could apply to this route; when none can, requests skip the store. */
  applies(route: Route): boolean {
    return this.everyRoute !== undefined || route.limits !== undefined;
  }

  /** Reserves room for the request, or throws BudgetExceeded naming the limit it would exceed. */
  async reserve(route: Route, caller: Caller, estimate: UsageAmounts): Promise<Reservation> {
    const charges = this.plan(route, caller, estimate);
    const refusal = charges.length === 0 ? undefined : await this.store.reserve(charges);
    if (refusal !== undefined) {
      const charge = charges[refusal.index]!;
      const toUnit = charge.measure === 'cost' ? (micros: number) => micros / MICROS : (n: number) => n;
      throw new BudgetExceeded({
        code: charge.measure === 'requests' ? 'RATE_LIMITED' : 'BUDGET_EXCEEDED',
        ...charge.describe,
        used: toUnit(refusal.used),
        requested: toUnit(charge.amount),
      });
    }
    return { charges, reserved: estimate };
  }

  /**
   * Replaces the reservation with what the request used: `undefined` releases it (no provider
   * answered), `'unknown'` keeps it whole (a provider answered without reporting usage).
   */
  async settle(reservation: Reservation, used: UsageAmounts | 'unknown' | undefined): Promise<void> {
    if (used === 'unknown' || reservation.charges.length === 0) return;
    const actual = used ?? { tokens: 0, costMicros: 0 };
    const adjustments = [];
    for (const charge of reservation.charges) {
      if (charge.measure === 'requests') continue;
      const delta =
        charge.measure === 'tokens'
          ? actual.tokens - reservation.reserved.tokens
          : actual.costMicros - reservation.reserved.costMicros;
      if (delta !== 0) adjustments.push({ key: charge.key, amount: delta, ttlMs: charge.ttlMs });
    }
    await this.store.adjust(adjustments);
  }

  private plan(route: Route, caller: Caller, estimate: UsageAmounts): PlannedCharge[] {
    const now = Date.now();
    const charges: PlannedCharge[] = [];
    const sets: Array<{ routeKey: string; limits: Limits | undefined }> = [
      { routeKey: '*', limits: this.everyRoute },
      { routeKey: route.name, limits: route.limits },
    ];
    for (const { routeKey, limits } of sets) {
      if (limits === undefined) continue;
      for (const { scope, field } of SCOPES) {
        const set: LimitSet | undefined = limits[field];
        if (set === undefined) continue;
        const id = scope === 'total' ? undefined : idOf(caller, scope);
        if (scope !== 'total' && id === undefined) continue;
        for (const name of Object.keys(LIMIT_KINDS) as LimitName[]) {
          const value = set[name];
          if (value === undefined) continue;
          const kind = LIMIT_KINDS[name];
          const window = windowOf(kind.window, now);
          const amount =
            kind.measure === 'requests' ? 1 : kind.measure === 'tokens' ? estimate.tokens : estimate.costMicros;
          charges.push({
            key: `${routeKey}:${scope}:${id ?? '-'}:${name}:${window.id}`,
            amount,
            limit: kind.measure === 'cost' ? Math.round(value * MICROS) : value,
            ttlMs: window.resetsAt - now + TTL_MARGIN_MS,
            measure: kind.measure,
            describe: {
              scope,
              ...(id !== undefined ? { id } : {}),
              route: routeKey,
              limit: name,
              value,
              resetsAt: new Date(window.resetsAt),
            },
          });
        }
      }
    }
    return charges;
  }
}

function idOf(caller: Caller, scope: Exclude<LimitScope, 'total'>): string | undefined {
  return scope === 'key' ? caller.keyId : scope === 'org' ? caller.orgId : caller.userId;
}

/** The UTC window a moment falls in, and when the next one starts. */
export function windowOf(window: LimitKind['window'], now: number): { id: string; resetsAt: number } {
  if (window === 'minute') {
    const minute = Math.floor(now / 60_000);
    return { id: `m${minute}`, resetsAt: (minute + 1) * 60_000 };
  }
  const date = new Date(now);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  if (window === 'day') {
    return { id: date.toISOString().slice(0, 10), resetsAt: Date.UTC(year, month, date.getUTCDate() + 1) };
  }
  return { id: date.toISOString().slice(0, 7), resetsAt: Date.UTC(year, month + 1, 1) };
}

const WINDOW_WORDS: Record<LimitKind['window'], string> = { minute: 'per-minute', day: 'daily', month: 'monthly' };
const WHO: Record<LimitScope, string> = { total: '', key: 'service key', org: 'org', user: 'user' };

/** "the daily cost budget (USD 2) of route "insights" for user 005… is used up: ..." */
function describe(limit: ExceededLimit): string {
  const kind = LIMIT_KINDS[limit.limit];
  const what =
    kind.measure === 'requests'
      ? `the rate limit of ${limit.value} requests per minute`
      : kind.measure === 'tokens'
        ? `the ${WINDOW_WORDS[kind.window]} token budget (${limit.value} tokens)`
        : `the ${WINDOW_WORDS[kind.window]} cost budget (USD ${limit.value})`;
  const where = limit.route === '*' ? 'across all routes' : `of route "${limit.route}"`;
  const who = limit.scope === 'total' ? '' : ` for ${WHO[limit.scope]} ${limit.id}`;
  const state =
    kind.measure === 'requests'
      ? 'is reached'
      : `has no room for this request (${sixDecimals(limit.used)} used, up to ${sixDecimals(limit.requested)} needed)`;
  return `${what} ${where}${who} ${state}; it resets at ${limit.resetsAt.toISOString()}`;
}
