import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';
import { Piscina } from 'piscina';
import type { SessionSource } from '../models/onnx-session.ts';
import type { InferenceTask, TensorPayload } from './cpu-tasks.ts';

/**
 * The service's one worker pool (piscina), for work that would stall the event loop: large
 * inference batches (models/scoring-model.ts) and the masking of large prompts
 * (generation/gateway/llm-gateway.ts). Threads start with the service and stay, so no request
 * waits for one to boot; its size is WORKER_THREADS (docs/operations.md).
 */

// The tasks module next to this one, as compiled (dist/…/cpu-tasks.js) or as source (npm start).
const TASKS_FILE = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  `cpu-tasks${path.extname(fileURLToPath(import.meta.url))}`,
);

export class CpuPool {
  private readonly piscina: Piscina;

  constructor(threads: number) {
    this.piscina = new Piscina({ filename: TASKS_FILE, minThreads: threads, maxThreads: threads });
  }

  /** Runs `feeds` through a session opened from `source` on a pool thread; the feeds' buffers move there. */
  async runInference(
    source: SessionSource,
    feeds: Record<string, ort.Tensor>,
    outputs: string[],
  ): Promise<Record<string, ort.Tensor>> {
    const payloads: Record<string, TensorPayload> = {};
    const transferList: ArrayBuffer[] = [];
    for (const [name, tensor] of Object.entries(feeds)) {
      payloads[name] = { type: tensor.type, data: tensor.data, dims: tensor.dims };
      // Typed arrays move without a copy; string tensors are copied.
      if (ArrayBuffer.isView(tensor.data)) transferList.push(tensor.data.buffer as ArrayBuffer);
    }
    const task: InferenceTask = { source, feeds: payloads, outputs };
    const results = (await this.piscina.run(task, { name: 'runInference', transferList })) as Record<
      string,
      TensorPayload
    >;
    const tensors: Record<string, ort.Tensor> = {};
    for (const [name, result] of Object.entries(results)) {
      tensors[name] = new ort.Tensor(result.type, result.data as never, result.dims);
    }
    return tensors;
  }

  close(): Promise<void> {
    return this.piscina.destroy();
  }
}
