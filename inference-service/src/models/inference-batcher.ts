import { sliceRows } from './prediction-decoding.ts';
import type { Predictions } from './prediction-decoding.ts';
import { rowCount } from './row-batch.ts';
import type { RowBatch } from './row-batch.ts';

/**
 * Dynamic batching, as Triton does it: calls made in the same event-loop turn, and calls
 * made while a run is in flight, go out together in one session run. A native run costs
 * ~90 µs of CPU whatever its size (docs/performance.md), so under load many requests share
 * one instead of each paying for its own.
 *
 * The rows waiting (and running) are bounded: past `maxQueuedRows` a call is refused with a
 * QueueFullError at once, so a burst is shed (503) instead of waiting longer than callers will.
 * A call is always accepted when nothing is queued, so the largest request can always run.
 */

/** Upper bound on rows in one batched run: big enough to amortise a native call, small enough to bound latency. */
const MAX_BATCH_ROWS = 4096;

/** Runs the rows of several callers' batches, in order, in one session run. */
export type RunBatches = (batches: RowBatch[]) => Promise<Predictions>;

/** The queue has no room for a call's rows; the caller should come back later. */
export class QueueFullError extends Error {
  override name = 'QueueFullError';
}

export interface BatcherOptions {
  maxQueuedRows: number;
  /** Told the rows queued whenever the number changes (a gauge). */
  onQueuedRows?: (rows: number) => void;
}

interface PendingCall {
  batch: RowBatch;
  rows: number;
  resolve: (predictions: Predictions) => void;
  reject: (error: unknown) => void;
}

export class InferenceBatcher {
  private readonly run: RunBatches;
  private readonly options: BatcherOptions;
  private readonly queue: PendingCall[] = [];
  private queuedRows = 0;
  private draining = false;
  private drainScheduled = false;

  constructor(run: RunBatches, options: BatcherOptions) {
    this.run = run;
    this.options = options;
  }

  /**
   * The predictions for a batch's rows, from a run it may share with other callers; a
   * QueueFullError when there is no room. A request already admitted (its first run was
   * accepted) passes `admitted` for its later runs: it is never refused halfway, so the bound
   * sheds new requests, not work already done. Each request queues one run at a time, of at
   * most MAX_RUN_ROWS rows (score-records.ts), so admitted runs stay bounded by the requests in
   * flight.
   */
  predict(batch: RowBatch, admitted = false): Promise<Predictions> {
    const rows = rowCount(batch);
    if (!admitted && !this.hasRoomFor(rows)) {
      return Promise.reject(
        new QueueFullError(
          `${this.queuedRows} rows are already waiting for inference (limit ${this.options.maxQueuedRows})`,
        ),
      );
    }
    this.countQueued(rows);
    return new Promise((resolve, reject) => {
      this.queue.push({ batch, rows, resolve, reject });
      if (!this.draining && !this.drainScheduled) {
        this.drainScheduled = true;
        setImmediate(() => {
          this.drainScheduled = false;
          void this.drain();
        });
      }
    });
  }

  /** Whether a call with `rows` rows would be accepted now. */
  hasRoomFor(rows: number): boolean {
    return this.queuedRows === 0 || this.queuedRows + rows <= this.options.maxQueuedRows;
  }

  private async drain(): Promise<void> {
    this.draining = true;
    while (this.queue.length > 0) {
      const calls = takeCalls(this.queue, MAX_BATCH_ROWS);
      try {
        const predictions = await this.run(calls.map((call) => call.batch));
        let offset = 0;
        for (const call of calls) {
          call.resolve(sliceRows(predictions, offset, offset + call.rows));
          offset += call.rows;
        }
      } catch (error) {
        // A lone caller gets its error; in a shared run, rerun each caller alone so only the one whose rows broke it fails.
        if (calls.length === 1) calls[0]!.reject(error);
        else for (const call of calls) await this.run([call.batch]).then(call.resolve, call.reject);
      }
      this.countQueued(-calls.reduce((sum, call) => sum + call.rows, 0));
    }
    this.draining = false;
  }

  private countQueued(change: number): void {
    this.queuedRows += change;
    this.options.onQueuedRows?.(this.queuedRows);
  }
}

/** Takes queued calls in order until the row budget is reached (always at least one call). */
function takeCalls(queue: PendingCall[], maxRows: number): PendingCall[] {
  let rows = queue[0]!.rows;
  let count = 1;
  while (count < queue.length && rows + queue[count]!.rows <= maxRows) {
    rows += queue[count]!.rows;
    count++;
  }
  return queue.splice(0, count);
}
