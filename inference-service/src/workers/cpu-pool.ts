import path from 'node:path';
import type ort from 'onnxruntime-node';
import pLimit from 'p-limit';
import type { LimitFunction } from 'p-limit';
import { Piscina } from 'piscina';
import type { ChatMessage } from '../generation/domain.ts';
import { MaskingError, maskRequest } from '../generation/pii/masking.ts';
import type { MaskingInput, MaskingOutput } from '../generation/pii/masking.ts';
import type { SessionSource } from '../models/onnx-session.ts';
import { fromPayload, toPayload } from './cpu-tasks.ts';
import type { InferenceResult, InferenceTask, MaskingOutcome, TensorPayload } from './cpu-tasks.ts';

/**
 * The service's one worker pool (piscina), for work that would stall the event loop: large
 * inference batches (models/scoring-model.ts) and the masking of large prompts
 * (generation/gateway/llm-gateway.ts). Threads start with the service and stay, so no request
 * waits for one to boot; its size is WORKER_THREADS (docs/operations.md).
 */

// The tasks module next to this one, as compiled (dist/…/cpu-tasks.js) or as source (npm start).
const TASKS_FILE = path.join(import.meta.dirname, `cpu-tasks${path.extname(import.meta.filename)}`);

/**
 * Prompts with at least this many characters (messages and forwarded strings) are masked on the
 * pool. Masking costs about 0.15 ms per thousand characters (a 256 KB prompt 30–40 ms, 9 MB
 * 1.2–1.3 s on the benchmark machine), so a prompt this size would hold the event loop ~1 ms; a
 * Lead summary (~1 KB) is masked in place, quicker than a hand-over.
 */
export const OFFLOAD_MIN_PROMPT_CHARS = 8 * 1024;

/**
 * A pool thread's heap: masking the largest prompt the service accepts needs ~75 MB of it. A task
 * that needs more ends its thread (the request fails closed: MASKING_FAILED) and a new one starts.
 */
const THREAD_HEAP_MB = 192;

/**
 * Pool threads run this much nicer than the event loop (piscina's `niceIncrement`, via
 * @napi-rs/nice; on Linux nice is per thread): on a dyno with a core or two, the event loop then
 * gets the CPU whenever it has work (health checks, small scores), and the pool what it leaves.
 */
export const POOL_NICE_INCREMENT = 10;

export class CpuPool {
  private readonly piscina: Piscina;
  private readonly threads: number;
  /**
   * Tasks wait for a thread here, in arrival order, and piscina is handed one only when a thread
   * is free. piscina's own queue reorders under load: a task it could not hand to a busy thread
   * goes to the back, abortable tasks (masking carries the caller's deadline) go ahead of the
   * others, and with `stricterFIFO` the abortable ones are served newest first. Under steady
   * masking an inference run never left that queue, so its model scored nothing until the load
   * stopped; with `stricterFIFO`, some masking requests waited past 10 s
   * (test/workers/cpu-pool.test.ts).
   */
  private readonly turns: LimitFunction;

  constructor(threads: number) {
    this.threads = threads;
    this.piscina = new Piscina({
      filename: TASKS_FILE,
      minThreads: threads,
      maxThreads: threads,
      resourceLimits: { maxOldGenerationSizeMb: THREAD_HEAP_MB },
      niceIncrement: POOL_NICE_INCREMENT,
    });
    this.turns = pLimit(threads);
  }

  /**
   * Whether a thread is free now. A session run takes milliseconds and requests wait on it, so
   * when every thread is busy (masking long prompts, say) it runs where it is instead of queueing.
   */
  get hasFreeThread(): boolean {
    // Counted by the queue: tasks running, and those waiting for a thread.
    return this.turns.activeCount + this.turns.pendingCount < this.threads;
  }

  /**
   * Runs `feeds` through a session opened from `source` on a pool thread (the feeds' buffers
   * move there); `runMs` is the run's own time on that thread.
   */
  async runInference(
    source: SessionSource,
    feeds: Record<string, ort.Tensor>,
    outputs: string[],
  ): Promise<{ outputs: Record<string, ort.Tensor>; runMs: number }> {
    const payloads: Record<string, TensorPayload> = {};
    const transferList: ArrayBuffer[] = [];
    for (const [name, tensor] of Object.entries(feeds)) {
      const payload = toPayload(tensor);
      payloads[name] = payload;
      // Typed arrays move without a copy.
      if (ArrayBuffer.isView(payload.data)) transferList.push(payload.data.buffer as ArrayBuffer);
    }
    const task: InferenceTask = { source, feeds: payloads, outputs };
    const result = (await this.run(task, { name: 'runInference', transferList })) as InferenceResult;
    const tensors: Record<string, ort.Tensor> = {};
    for (const [name, payload] of Object.entries(result.outputs)) tensors[name] = fromPayload(payload);
    return { outputs: tensors, runMs: result.runMs };
  }

  /**
   * Masks a request (generation/pii/masking.ts): a large prompt on a pool thread, a small one
   * here. An abort (the caller's deadline) removes the task from the queue, or stops the thread
   * running it.
   */
  async mask(input: MaskingInput<ChatMessage>, signal: AbortSignal): Promise<MaskingOutput<ChatMessage>> {
    if (promptChars(input) < OFFLOAD_MIN_PROMPT_CHARS) return maskRequest(input);
    const outcome = (await this.run(input, { name: 'maskPrompt', signal })) as MaskingOutcome;
    if (!outcome.ok) throw new MaskingError(outcome.message);
    return outcome.output;
  }

  /**
   * Runs a task in its turn. An abort while it waits answers the caller at once; when its turn
   * comes, piscina refuses the aborted task without running it. An abort while it runs stops its
   * thread (piscina), and a new one starts. The abort listener goes when the task settles: the
   * signal (a deadline's timeout) outlives the task, and its listener would keep the task's
   * result alive until the deadline (the mixed benchmark's heap grew by ~100 MB a minute).
   */
  private run(
    task: unknown,
    options: { name: string; transferList?: ArrayBuffer[]; signal?: AbortSignal },
  ): Promise<unknown> {
    const turn = this.turns(() => this.piscina.run(task, options));
    const { signal } = options;
    if (signal === undefined) return turn;
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(signal.reason as Error);
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
      turn.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  close(): Promise<void> {
    // Tasks still waiting would otherwise start threads on the destroyed pool (at shutdown, after the server drained).
    this.turns.clearQueue();
    return this.piscina.destroy();
  }
}

function promptChars(input: MaskingInput<ChatMessage>): number {
  let chars = 0;
  for (const message of input.messages) chars += message.content.length;
  // Stop sequences and a JSON Schema are small next to a prompt; counted roughly.
  if (input.forwarded !== undefined) chars += JSON.stringify(input.forwarded).length;
  return chars;
}
