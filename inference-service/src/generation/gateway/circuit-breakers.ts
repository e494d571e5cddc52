import { CircuitState, ConsecutiveBreaker, SamplingBreaker, circuitBreaker, handleWhen } from 'cockatiel';
import type { CircuitBreakerPolicy, IBreaker } from 'cockatiel';
import type { BreakerSettings, CircuitPosition, Route, RouteTarget } from '../domain.ts';

/**
 * A circuit breaker per route target, so a dead provider costs one timeout a few times rather
 * than on every request: after `consecutiveFailures` failures in a row, or a failure rate above
 * `failureRate` over `windowMs` (once at least `minimumRequests` calls were seen in it), the
 * target is skipped for `cooldownMs`; then one request probes it (half-open) while the others
 * keep skipping it. A probe that succeeds closes the circuit, one that fails opens it again.
 *
 * The state machine is cockatiel's CircuitBreakerPolicy. Two things are the gateway's own:
 * which failures count (the target's fault: timeouts, 5xx, 429, network errors, malformed
 * answers; never a request the provider rejected as invalid, nor the caller's deadline), and
 * that a request meeting a half-open circuit skips it instead of waiting for the probe (the
 * policy would queue it behind the probe, which can take the whole timeout).
 *
 * State is per process: every dyno learns on its own that a provider is down, within
 * `consecutiveFailures` requests.
 */

/** Thrown by a call to say whether its failure counts against the target. */
export interface CountedFailure {
  readonly countsAgainstTarget: boolean;
}

export type BreakerObserver = (target: RouteTarget, route: Route, position: CircuitPosition) => void;

const POSITIONS: Record<CircuitState, CircuitPosition> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half_open',
  [CircuitState.Isolated]: 'open',
};

/** Opens when either breaker would: the consecutive count for a dead provider, the rate for a flaky one. */
class EitherBreaker implements IBreaker {
  private readonly breakers: IBreaker[];

  constructor(breakers: IBreaker[]) {
    this.breakers = breakers;
  }

  get state(): unknown {
    return this.breakers.map((breaker) => breaker.state);
  }

  set state(value: unknown) {
    (value as unknown[]).forEach((state, i) => (this.breakers[i]!.state = state));
  }

  success(state: CircuitState): void {
    for (const breaker of this.breakers) breaker.success(state);
  }

  failure(state: CircuitState): boolean {
    let open = false;
    for (const breaker of this.breakers) open = breaker.failure(state) || open;
    return open;
  }
}

export interface TargetCircuit {
  /**
   * Whether a call may go ahead now: `skip` when the circuit is open, or half-open with its
   * probe already in flight; `probe` when this call is the half-open probe.
   */
  admit(): 'call' | 'probe' | 'skip';
  /** Runs an admitted call; rejects with cockatiel's BrokenCircuitError if the circuit opened meanwhile. */
  execute<T>(call: () => Promise<T>): Promise<T>;
  /** Milliseconds until an open circuit lets a probe through. */
  retryInMs(): number;
}

export class CircuitBreakers {
  private readonly circuits = new Map<RouteTarget, TargetCircuit>();

  constructor(routes: Route[], observe?: BreakerObserver) {
    for (const route of routes) {
      const settings = route.breaker;
      if (settings === false) continue;
      for (const target of route.targets) {
        this.circuits.set(
          target,
          targetCircuit(settings, (position) => observe?.(target, route, position)),
        );
      }
    }
  }

  /** The target's circuit; undefined when its route has breakers turned off. */
  of(target: RouteTarget): TargetCircuit | undefined {
    return this.circuits.get(target);
  }
}

function targetCircuit(settings: BreakerSettings, onChange: (position: CircuitPosition) => void): TargetCircuit {
  const breakers: IBreaker[] = [new ConsecutiveBreaker(settings.consecutiveFailures)];
  if (settings.failureRate < 1) {
    breakers.push(
      new SamplingBreaker({
        threshold: settings.failureRate,
        duration: settings.windowMs,
        minimumRps: settings.minimumRequests / (settings.windowMs / 1000),
      }),
    );
  }
  const policy: CircuitBreakerPolicy = circuitBreaker(
    handleWhen((error) => (error as Partial<CountedFailure>).countsAgainstTarget === true),
    { halfOpenAfter: settings.cooldownMs, breaker: new EitherBreaker(breakers) },
  );
  let openedAt = 0;
  policy.onBreak(() => (openedAt = Date.now()));
  policy.onStateChange((state) => onChange(POSITIONS[state]));

  return {
    admit() {
      const state = policy.state;
      if (state === CircuitState.Closed) return 'call';
      if (state === CircuitState.Open && Date.now() - openedAt >= settings.cooldownMs) return 'probe';
      return 'skip';
    },
    execute: (call) => policy.execute(() => call()),
    retryInMs: () => Math.max(0, openedAt + settings.cooldownMs - Date.now()),
  };
}
