import { Redis } from 'ioredis';
import type { Result } from 'ioredis';
import type { Adjustment, BudgetStore, Charge, Refusal } from './budget-store.ts';

/**
 * Budget counters in Redis (REDIS_URL: Heroku Key-Value Store, shared by every dyno). A
 * reservation is one Lua script, which Redis runs with nothing else in between: it reads every
 * counter, and either refuses (naming the first one without room) or adds every amount. So 50
 * requests on 50 dynos racing for room for 10 get exactly 10 through.
 *
 * Keys share one hash tag, `{budgets}`, so one script can touch all of them on a Redis Cluster.
 * A Redis that cannot be reached fails the request (503 LIMITS_UNAVAILABLE) rather than letting
 * it through unmetered: commands time out after a second (Redis answers in well under a
 * millisecond), and are not queued while the client reconnects.
 */

const RESERVE = `
for i = 1, #KEYS do
  local amount = tonumber(ARGV[i * 3 - 2])
  local limit = tonumber(ARGV[i * 3 - 1])
  local used = tonumber(redis.call('GET', KEYS[i]) or '0')
  if amount > 0 and used + amount > limit then
    return {i, used}
  end
end
for i = 1, #KEYS do
  redis.call('INCRBY', KEYS[i], ARGV[i * 3 - 2])
  if redis.call('PTTL', KEYS[i]) < 0 then
    redis.call('PEXPIRE', KEYS[i], ARGV[i * 3])
  end
end
return {0, 0}
`;

const ADJUST = `
for i = 1, #KEYS do
  redis.call('INCRBY', KEYS[i], ARGV[i * 2 - 1])
  if redis.call('PTTL', KEYS[i]) < 0 then
    redis.call('PEXPIRE', KEYS[i], ARGV[i * 2])
  end
end
return 0
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    byomReserve(numberOfKeys: number, ...keysAndArguments: Array<string | number>): Result<[number, number], Context>;
    byomAdjust(numberOfKeys: number, ...keysAndArguments: Array<string | number>): Result<number, Context>;
  }
}

export interface RedisBudgetStoreOptions {
  url: string;
  /** Heroku Key-Value Store presents a self-signed certificate on rediss:// URLs. */
  tlsRejectUnauthorized?: boolean;
}

export class RedisBudgetStore implements BudgetStore {
  readonly kind = 'redis';
  private readonly redis: Redis;

  constructor(options: RedisBudgetStoreOptions) {
    const tls = options.url.startsWith('rediss://')
      ? { tls: { rejectUnauthorized: options.tlsRejectUnauthorized ?? true } }
      : {};
    this.redis = new Redis(options.url, {
      ...tls,
      keyPrefix: 'byom:{budgets}:',
      commandTimeout: 1000,
      connectTimeout: 2000,
      maxRetriesPerRequest: 0,
      // Fail at once while disconnected, instead of holding requests until Redis is back.
      enableOfflineQueue: false,
      lazyConnect: true,
    });
    // Connection errors reach the requests that needed Redis; here they would be unhandled.
    this.redis.on('error', () => {});
    this.redis.defineCommand('byomReserve', { lua: RESERVE });
    this.redis.defineCommand('byomAdjust', { lua: ADJUST });
  }

  /** Connects, so a wrong REDIS_URL shows at boot rather than on the first request. */
  async connect(): Promise<void> {
    await this.redis.connect();
  }

  async reserve(charges: Charge[]): Promise<Refusal | undefined> {
    const args: Array<string | number> = charges.map((charge) => charge.key);
    for (const charge of charges) args.push(charge.amount, charge.limit, charge.ttlMs);
    const [position, used] = await this.redis.byomReserve(charges.length, ...args);
    return position === 0 ? undefined : { index: position - 1, used };
  }

  async adjust(adjustments: Adjustment[]): Promise<void> {
    if (adjustments.length === 0) return;
    const args: Array<string | number> = adjustments.map((adjustment) => adjustment.key);
    for (const adjustment of adjustments) args.push(adjustment.amount, adjustment.ttlMs);
    await this.redis.byomAdjust(adjustments.length, ...args);
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
