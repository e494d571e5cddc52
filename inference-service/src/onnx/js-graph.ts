import { kernelFor } from './js-kernels.ts';
import { UnsupportedGraphError, isNumeric, newTypedArray, tensorFromProto } from './js-tensor.ts';
import type { JsTensor, Kernel, NumericData, TypedArrayType } from './js-tensor.ts';
import { decodeModel } from './onnx-proto.ts';

/**
 * Runs an ONNX graph in JavaScript, for the graphs whose every node has a kernel in
 * js-kernels.ts. A native onnxruntime run costs tens of microseconds whatever its size, and
 * onnxruntime-node defers each run to the next event-loop turn; scoring a handful of rows
 * through a small linear or tree model in JavaScript takes a few microseconds, in the same
 * turn. Only the nodes the requested output depends on are compiled. Models with any other
 * node stay on onnxruntime (ScoringModel decides, and checks the two agree at load).
 */

export interface JsGraph {
  /**
   * The requested output for these feeds (graph input name → tensor), owned by the caller.
   * Throws on bad data, like onnxruntime. Not re-entrant: one run at a time per graph (runs are synchronous).
   */
  run(feeds: Readonly<Record<string, JsTensor>>): JsTensor;
}

interface Step {
  kernel: Kernel;
  /** Value slots of the node's inputs (-1 for an omitted optional input). */
  inputs: number[];
  /** The kernel's inputs array, refilled from `inputs` every run rather than allocated. */
  args: Array<JsTensor | undefined>;
  /** Value slots of the node's outputs (-1 for outputs nothing reads). */
  outputs: number[];
  /** What the kernel returned last run, for it to write over (js-tensor.ts, Kernel). */
  previous: Array<JsTensor | undefined>;
  op: string;
}

/** Compiles the part of a model's graph that computes `outputName`; throws UnsupportedGraphError. */
export function compileGraph(modelBytes: Uint8Array, outputName: string): JsGraph {
  const model = decodeModel(modelBytes);
  const graph = model.graph;
  if (!graph) throw new UnsupportedGraphError('the model has no graph');
  const opsets = new Map<string, number>();
  for (const o of model.opsetImport ?? []) {
    opsets.set(o.domain === 'ai.onnx' ? '' : (o.domain ?? ''), Number(o.version));
  }

  const nodes = graph.node ?? [];
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => n.output?.forEach((name) => name && producer.set(name, i)));
  const constants = new Map<string, JsTensor>();
  for (const init of graph.initializer ?? []) constants.set(init.name ?? '', tensorFromProto(init));

  // Walk back from the output: onnxruntime skips nodes the fetched output does not need, and so must we
  // (a ZipMap or label branch we cannot run must not stop a graph whose score we can).
  const needed = new Set<number>();
  const pending = [outputName];
  while (pending.length > 0) {
    const name = pending.pop()!;
    const at = producer.get(name);
    if (at === undefined || needed.has(at)) continue;
    needed.add(at);
    for (const input of nodes[at]!.input ?? []) if (input) pending.push(input);
  }
  const read = new Set<string>([outputName]);
  for (const at of needed) for (const input of nodes[at]!.input ?? []) read.add(input);

  const slots = new Map<string, number>();
  const slotOf = (name: string) => {
    let slot = slots.get(name);
    if (slot === undefined) slots.set(name, (slot = slots.size));
    return slot;
  };
  const graphInputs = (graph.input ?? []).map((i) => i.name ?? '').filter((name) => !constants.has(name));
  for (const name of graphInputs) slotOf(name);
  const constantSlots = [...constants].map(([name, tensor]) => [slotOf(name), tensor] as const);

  const steps: Step[] = [];
  // Nodes of a valid ONNX graph are listed in topological order.
  for (let at = 0; at < nodes.length; at++) {
    if (!needed.has(at)) continue;
    const node = nodes[at]!;
    const domain = node.domain === 'ai.onnx' ? '' : (node.domain ?? '');
    const outputsUsed = (node.output ?? []).map((name) => read.has(name));
    const kernel = kernelFor({
      node,
      opset: opsets.get(domain) ?? 1,
      constant: (name) => constants.get(name),
      outputsUsed,
    });
    const inputs = (node.input ?? []).map((name) => (name ? slotOf(name) : -1));
    steps.push({
      kernel,
      inputs,
      args: new Array<JsTensor | undefined>(inputs.length).fill(undefined),
      outputs: (node.output ?? []).map((name, i) => (outputsUsed[i] ? slotOf(name) : -1)),
      previous: [],
      op: node.opType ?? '',
    });
  }
  if (!slots.has(outputName)) throw new UnsupportedGraphError(`no node produces "${outputName}"`);
  const outputSlot = slotOf(outputName);
  const inputSlots = graphInputs.map((name) => ({ name, slot: slots.get(name)! }));
  // Every run writes each slot it reads before reading it (feeds, then nodes in order), so one
  // array serves all runs; the constants are written once.
  const values = new Array<JsTensor | undefined>(slots.size).fill(undefined);
  for (const [slot, tensor] of constantSlots) values[slot] = tensor;
  // The steps whose args hold a feed, to clear after the run.
  const feedSlots = new Set(inputSlots.map(({ slot }) => slot));
  const feedReaders = steps.filter((step) => step.inputs.some((slot) => feedSlots.has(slot)));

  return {
    run(feeds) {
      try {
        for (const { name, slot } of inputSlots) {
          const feed = feeds[name];
          if (!feed) throw new Error(`input "${name}" is missing`);
          values[slot] = feed;
        }
        for (const step of steps) {
          const { inputs, args } = step;
          for (let i = 0; i < inputs.length; i++) args[i] = inputs[i]! < 0 ? undefined : values[inputs[i]!];
          const outputs = step.kernel(args, step.previous);
          step.previous = outputs;
          for (let i = 0; i < step.outputs.length; i++) {
            const slot = step.outputs[i]!;
            if (slot < 0) continue;
            const output = outputs[i];
            if (!output) throw new Error(`${step.op} did not compute output ${i}`);
            values[slot] = output;
          }
        }
        // The caller keeps the output past this run; the next run writes over the kernels' buffers.
        return copyTensor(values[outputSlot]!);
      } finally {
        // Let go of the caller's feeds (the kernels' own outputs stay, for the next run to write over).
        for (const { slot } of inputSlots) values[slot] = undefined;
        for (const { args } of feedReaders) for (let i = 0; i < args.length; i++) args[i] = undefined;
      }
    },
  };
}

function copyTensor(tensor: JsTensor): JsTensor {
  const dims = tensor.dims.slice();
  if (tensor.type === 'float32') return { type: tensor.type, data: copyOf(Float32Array, tensor.data), dims };
  if (isNumeric(tensor)) return { type: tensor.type, data: copyOf(Float64Array, tensor.data), dims };
  return { type: tensor.type, data: tensor.data.slice(), dims } as JsTensor;
}

function copyOf<T extends NumericData>(Type: TypedArrayType<T>, data: T): T {
  const copy = newTypedArray(Type, data.length);
  copy.set(data);
  return copy;
}
