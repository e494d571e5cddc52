import path from 'node:path';
import type ort from 'onnxruntime-node';
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
  /** Tasks handed to piscina and not yet settled (running or queued). */
  private pending = 0;

  constructor(threads: number) {
    this.threads = threads;
    this.piscina = new Piscina({
      filename: TASKS_FILE,
      minThreads: threads,
      maxThreads: threads,
      resourceLimits: { maxOldGenerationSizeMb: THREAD_HEAP_MB },
      niceIncrement: POOL_NICE_INCREMENT,
      // In arrival order. piscina otherwise puts a task it could not hand to a busy thread at the
      // back of its queue, and keeps abortable tasks (masking, which carries the caller's
      // deadline) ahead of the others: under steady masking load an inference run never left the
      // queue, and its model's scoring stopped until the load did (test/workers/cpu-pool.test.ts).
      stricterFIFO: true,
    });
  }

  /**
   * Whether a thread is free now. A session run takes milliseconds and requests wait on it, so
   * when every thread is busy (masking long prompts, say) it runs where it is instead of queueing.
   */
  get hasFreeThread(): boolean {
    return this.pending < this.threads;
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

  private async run(task: unknown, options: Parameters<Piscina['run']>[1]): Promise<unknown> {
    this.pending++;
    try {
      return await this.piscina.run(task, options);
    } finally {
      this.pending--;
    }
  }

  close(): Promise<void> {
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
