import type { AttemptRecord, Route, RouteTarget } from '../domain.ts';
import { callModel, classifyFailure, isRequestRejection } from '../providers/model-call.ts';
import type { ClassifiedFailure, ModelAnswer, ModelCall } from '../providers/model-call.ts';
import type { ProviderFactory } from '../providers/provider-factory.ts';
import { targetLabel } from './routes-config.ts';

/**
 * Tries a route's targets in order until one answers, within the caller's deadline.
 *
 * - 429, 5xx and network errors are retried on the same target (`retries` times), after
 *   `retry-after` when the provider sends one, else after an exponential backoff with jitter;
 *   then the next target is tried.
 * - A timeout (the route's `timeoutMs`) or a malformed answer moves straight to the next target.
 * - 401/403/404 and other refusals mean this target is misconfigured: the next one is tried.
 *   400, 413 and 422 mean the request itself is wrong; no other target would do better, so the
 *   run stops.
 * - No attempt starts, and no backoff waits, past the deadline; an attempt still running at the
 *   deadline is abandoned and the run ends with DEADLINE_EXCEEDED.
 */

export interface RunResult {
  target: RouteTarget;
  answer: ModelAnswer;
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
export const MIN_ATTEMPT_MS = 50;
const MAX_BACKOFF_MS = 4_000;
/** A provider asking for a longer pause than this is skipped rather than waited for. */
const MAX_RETRY_AFTER_MS = 10_000;

export interface RunOptions {
  route: Route;
  call: ModelCall;
  /** Absolute, on the `now` clock. */
  deadlineAt: number;
  /** Aborts the run when the caller goes away. */
  signal?: AbortSignal;
  providers: ProviderFactory;
  now?: () => number;
  random?: () => number;
}

export async function runWithFallback(options: RunOptions): Promise<RunResult> {
  const { route, call, deadlineAt, signal, providers, now = () => performance.now(), random = Math.random } = options;
  const attempts: AttemptRecord[] = [];
  let waitedMs = 0;
  const deadlineExceeded = (why: string) =>
    new RunFailedError('deadline_exceeded', why, attempts, Math.round(waitedMs * 100) / 100);

  for (const target of route.targets) {
    const base = {
      provider: targetLabel(target),
      model: target.model,
      ...(target.region !== undefined ? { region: target.region } : {}),
    };
    for (let retry = 0; ; retry++) {
      if (signal?.aborted) throw deadlineExceeded('the caller went away');
      const remaining = deadlineAt - RESPONSE_MARGIN_MS - now();
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
      const started = now();
      let failure: ClassifiedFailure;
      try {
        const answer = await callModel(providers(target), call, controller.signal);
        const latencyMs = now() - started;
        waitedMs += latencyMs;
        attempts.push({ ...base, outcome: 'ok', status: 200, latencyMs: round(latencyMs) });
        return { target, answer, attempts, waitedMs: round(waitedMs) };
      } catch (error) {
        const latencyMs = now() - started;
        waitedMs += latencyMs;
        if (abortedBy === 'deadline' || abortedBy === 'caller') {
          const message = abortedBy === 'caller' ? 'the caller went away' : `still running at the deadline`;
          attempts.push({ ...base, outcome: 'deadline', status: null, latencyMs: round(latencyMs), message });
          throw deadlineExceeded(message);
        }
        failure =
          abortedBy === 'timeout'
            ? { outcome: 'timeout', status: null, message: `no answer within ${timeoutMs} ms` }
            : classifyFailure(error);
        attempts.push({
          ...base,
          outcome: failure.outcome,
          status: failure.status,
          latencyMs: round(latencyMs),
          message: failure.message,
        });
      } finally {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onCallerGone);
      }

      if (isRequestRejection(failure)) {
        throw new RunFailedError('providers_failed', failure.message, attempts, round(waitedMs));
      }
      const retryable =
        failure.outcome === 'rate_limited' || failure.outcome === 'server_error' || failure.outcome === 'network_error';
      if (!retryable || retry >= route.retries) break;
      const waitMs =
        failure.retryAfterMs ??
        Math.min(MAX_BACKOFF_MS, route.backoffMs * 2 ** retry) * (0.5 + 0.5 * Math.min(1, Math.max(0, random())));
      if (failure.retryAfterMs !== undefined && failure.retryAfterMs > MAX_RETRY_AFTER_MS) break;
      // Waiting would leave no time to try again: better to try the next target now.
      if (now() + waitMs + MIN_ATTEMPT_MS > deadlineAt - RESPONSE_MARGIN_MS) break;
      const sleptFrom = now();
      await sleep(waitMs, signal);
      waitedMs += now() - sleptFrom;
    }
  }
  const last = attempts.at(-1);
  throw new RunFailedError(
    'providers_failed',
    `every target of route "${route.name}" failed${last?.message ? `; the last: ${last.message}` : ''}`,
    attempts,
    round(waitedMs),
  );
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
