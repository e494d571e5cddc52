import { setTimeout as sleep } from 'node:timers/promises';
import { BrokenCircuitError } from 'cockatiel';
import type { AttemptRecord, CircuitPosition, Route, RouteTarget } from '../domain.ts';
import { classifyFailure, countsAgainstTarget, isRequestRejection } from '../providers/model-call.ts';
import type { ClassifiedFailure, ProviderLanguageModel } from '../providers/model-call.ts';
import type { ProviderFactory } from '../providers/provider-factory.ts';
import { roundMs } from '../../rounding.ts';
import type { CircuitBreakers, CountedFailure } from './circuit-breakers.ts';
import { targetLabel } from './routes-config.ts';

/**
 * Tries a route's targets in order until one answers, within the caller's deadline.
 *
 * - A target whose circuit is open is skipped at once (an attempt with outcome
 *   `circuit_open`); circuit-breakers.ts says when circuits open and close.
 * - 429, 5xx and network errors are retried on the same target (`retries` times), after
 *   `retry-after` when the provider sends one, else after an exponential backoff with jitter;
 *   then the next target is tried.
 * - A timeout (the route's `timeoutMs`) or a malformed answer moves straight to the next target.
 * - 401/403/404 and other refusals mean this target is misconfigured: the next one is tried.
 *   400, 413 and 422 mean the request itself is wrong; no other target would do better, so the
 *   run stops.
 * - No attempt starts, and no backoff waits, past the deadline; an attempt still running at the
 *   deadline is abandoned and the run ends with DEADLINE_EXCEEDED.
 *
 * What an attempt does is the caller's: a whole completion, or a stream up to its first token.
 */

export interface RunResult<T> {
  target: RouteTarget;
  answer: T;
  attempts: AttemptRecord[];
  /** Time spent waiting on providers: calls and the waits between them. */
  waitedMs: number;
}

export class RunFailedError extends Error {
  override name = 'RunFailedError';
  readonly kind: 'providers_failed' | 'deadline_exceeded';
  readonly attempts: AttemptRecord[];
  readonly waitedMs: number;

  constructor(kind: RunFailedError['kind'], message: string, attempts: AttemptRecord[], waitedMs: number) {
    super(message);
    this.kind = kind;
    this.attempts = attempts;
    this.waitedMs = waitedMs;
  }
}

/** Time kept back for checking, restoring and sending the answer. */
export const RESPONSE_MARGIN_MS = 20;
/** An attempt with less time than this left is not worth starting. */
const MIN_ATTEMPT_MS = 50;
const MAX_BACKOFF_MS = 4_000;
/** A provider asking for a longer pause than this is skipped rather than waited for. */
const MAX_RETRY_AFTER_MS = 10_000;

/** One attempt on one target's model; it must stop when `signal` aborts. */
export type Attempt<T> = (model: ProviderLanguageModel, signal: AbortSignal, target: RouteTarget) => Promise<T>;

export interface RunOptions<T> {
  route: Route;
  attempt: Attempt<T>;
  /** Absolute, on the performance.now() clock. */
  deadlineAt: number;
  /** Aborts the run when the caller goes away. */
  signal?: AbortSignal;
  providers: ProviderFactory;
  /** Per-target circuits; without them every target is always tried. */
  breakers?: CircuitBreakers;
}

/** An attempt's failure, classified, on its way through the circuit breaker. */
class AttemptFailure extends Error implements CountedFailure {
  override name = 'AttemptFailure';
  readonly failure: ClassifiedFailure;
  readonly countsAgainstTarget: boolean;
  readonly abortedBy: 'deadline' | 'caller' | undefined;

  constructor(failure: ClassifiedFailure, abortedBy: 'deadline' | 'caller' | undefined) {
    super(failure.message);
    this.failure = failure;
    this.abortedBy = abortedBy;
    this.countsAgainstTarget = abortedBy === undefined && countsAgainstTarget(failure);
  }
}

export async function runWithFallback<T>(options: RunOptions<T>): Promise<RunResult<T>> {
  const { route, attempt, deadlineAt, signal, providers, breakers } = options;
  const attempts: AttemptRecord[] = [];
  let waitedMs = 0;
  const deadlineExceeded = (why: string) => new RunFailedError('deadline_exceeded', why, attempts, roundMs(waitedMs));

  for (const target of route.targets) {
    const circuit = breakers?.of(target);
    const base = {
      provider: targetLabel(target),
      model: target.model,
      ...(target.region !== undefined ? { region: target.region } : {}),
    };
    const skip = () =>
      attempts.push({
        ...base,
        outcome: 'circuit_open',
        status: null,
        latencyMs: 0,
        circuit: 'open',
        message: `skipped: the circuit is open after repeated failures; the next probe in ${Math.ceil(circuit?.retryInMs() ?? 0)} ms`,
      });
    for (let retry = 0; ; retry++) {
      if (signal?.aborted) throw deadlineExceeded('the caller went away');
      const admission = circuit?.admit() ?? 'call';
      if (admission === 'skip') {
        skip();
        break;
      }
      const position: CircuitPosition | undefined =
        circuit === undefined ? undefined : admission === 'probe' ? 'half_open' : 'closed';
      const remaining = deadlineAt - RESPONSE_MARGIN_MS - performance.now();
      if (remaining < MIN_ATTEMPT_MS) {
        throw deadlineExceeded(`the deadline left no time for ${attempts.length === 0 ? 'an' : 'another'} attempt`);
      }
      const timeoutMs = target.timeoutMs ?? route.timeoutMs;
      const limitMs = Math.min(timeoutMs, remaining);
      const controller = new AbortController();
      let abortedBy: 'timeout' | 'deadline' | 'caller' | undefined;
      const timer = setTimeout(() => {
        abortedBy = timeoutMs <= remaining ? 'timeout' : 'deadline';
        controller.abort();
      }, limitMs);
      const onCallerGone = () => {
        abortedBy = 'caller';
        controller.abort();
      };
      signal?.addEventListener('abort', onCallerGone, { once: true });
      const started = performance.now();
      const once = async () => {
        try {
          return await attempt(providers(target), controller.signal, target);
        } catch (error) {
          const failure: ClassifiedFailure =
            abortedBy === 'timeout'
              ? { outcome: 'timeout', status: null, message: `no answer within ${timeoutMs} ms` }
              : classifyFailure(error);
          throw new AttemptFailure(failure, abortedBy === 'timeout' ? undefined : abortedBy);
        }
      };
      let failure: ClassifiedFailure;
      try {
        const answer = circuit === undefined ? await once() : await circuit.execute(once);
        const latencyMs = performance.now() - started;
        waitedMs += latencyMs;
        attempts.push({
          ...base,
          outcome: 'ok',
          status: 200,
          latencyMs: roundMs(latencyMs),
          ...(position ? { circuit: position } : {}),
        });
        return { target, answer, attempts, waitedMs: roundMs(waitedMs) };
      } catch (error) {
        const latencyMs = performance.now() - started;
        waitedMs += latencyMs;
        if (error instanceof BrokenCircuitError) {
          // Another request opened the circuit between the admission and the call.
          skip();
          break;
        }
        if (!(error instanceof AttemptFailure)) throw error;
        if (error.abortedBy !== undefined) {
          const message = error.abortedBy === 'caller' ? 'the caller went away' : `still running at the deadline`;
          attempts.push({
            ...base,
            outcome: 'deadline',
            status: null,
            latencyMs: roundMs(latencyMs),
            message,
            ...(position ? { circuit: position } : {}),
          });
          throw deadlineExceeded(message);
        }
        failure = error.failure;
        attempts.push({
          ...base,
          outcome: failure.outcome,
          status: failure.status,
          latencyMs: roundMs(latencyMs),
          message: failure.message,
          ...(position ? { circuit: position } : {}),
        });
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onCallerGone);
      }

      if (isRequestRejection(failure)) {
        throw new RunFailedError('providers_failed', failure.message, attempts, roundMs(waitedMs));
      }
      const retryable =
        failure.outcome === 'rate_limited' || failure.outcome === 'server_error' || failure.outcome === 'network_error';
      if (!retryable || retry >= route.retries) break;
      const waitMs =
        failure.retryAfterMs ?? Math.min(MAX_BACKOFF_MS, route.backoffMs * 2 ** retry) * (0.5 + 0.5 * Math.random());
      if (failure.retryAfterMs !== undefined && failure.retryAfterMs > MAX_RETRY_AFTER_MS) break;
      // Waiting would leave no time to try again: better to try the next target now.
      if (performance.now() + waitMs + MIN_ATTEMPT_MS > deadlineAt - RESPONSE_MARGIN_MS) break;
      const sleptFrom = performance.now();
      // Resolves early when the caller goes away; the next round then stops the run.
      await sleep(waitMs, undefined, { signal }).catch(() => {});
      waitedMs += performance.now() - sleptFrom;
    }
  }
  const last = attempts.at(-1);
  const allOpen = attempts.length > 0 && attempts.every((a) => a.outcome === 'circuit_open');
  throw new RunFailedError(
    'providers_failed',
    allOpen
      ? `every target of route "${route.name}" is skipped: their circuits are open after repeated failures`
      : `every target of route "${route.name}" failed${last?.message ? `; the last: ${last.message}` : ''}`,
    attempts,
    roundMs(waitedMs),
  );
}
