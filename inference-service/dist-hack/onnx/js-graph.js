import { kernelFor } from "./js-kernels.js";
import { UnsupportedGraphError, tensorFromProto } from "./js-tensor.js";
import { decodeModel } from "./onnx-proto.js";
/** Compiles the part of a model's graph that computes `outputName`; throws UnsupportedGraphError. */
export function compileGraph(modelBytes, outputName) {
    const model = decodeModel(modelBytes);
    const graph = model.graph;
    if (!graph)
        throw new UnsupportedGraphError('the model has no graph');
    const opsets = new Map();
    for (const o of model.opsetImport ?? []) {
        opsets.set(o.domain === 'ai.onnx' ? '' : (o.domain ?? ''), Number(o.version));
    }
    const nodes = graph.node ?? [];
    const producer = new Map();
    nodes.forEach((n, i) => n.output?.forEach((name) => name && producer.set(name, i)));
    const constants = new Map();
    for (const init of graph.initializer ?? [])
        constants.set(init.name ?? '', tensorFromProto(init));
    // Walk back from the output: onnxruntime skips nodes the fetched output does not need, and so must we
    // (a ZipMap or label branch we cannot run must not stop a graph whose score we can).
    const needed = new Set();
    const pending = [outputName];
    while (pending.length > 0) {
        const name = pending.pop();
        const at = producer.get(name);
        if (at === undefined || needed.has(at))
            continue;
        needed.add(at);
        for (const input of nodes[at].input ?? [])
            if (input)
                pending.push(input);
    }
    const read = new Set([outputName]);
    for (const at of needed)
        for (const input of nodes[at].input ?? [])
            read.add(input);
    const slots = new Map();
    const slotOf = (name) => {
        let slot = slots.get(name);
        if (slot === undefined)
            slots.set(name, (slot = slots.size));
        return slot;
    };
    const graphInputs = (graph.input ?? []).map((i) => i.name ?? '').filter((name) => !constants.has(name));
    for (const name of graphInputs)
        slotOf(name);
    const constantSlots = [...constants].map(([name, tensor]) => [slotOf(name), tensor]);
    const steps = [];
    // Nodes of a valid ONNX graph are listed in topological order.
    for (let at = 0; at < nodes.length; at++) {
        if (!needed.has(at))
            continue;
        const node = nodes[at];
        const domain = node.domain === 'ai.onnx' ? '' : (node.domain ?? '');
        const outputsUsed = (node.output ?? []).map((name) => read.has(name));
        const kernel = kernelFor({
            node,
            opset: opsets.get(domain) ?? 1,
            constant: (name) => constants.get(name),
            outputsUsed,
        });
        steps.push({
            kernel,
            inputs: (node.input ?? []).map((name) => (name ? slotOf(name) : -1)),
            outputs: (node.output ?? []).map((name, i) => (outputsUsed[i] ? slotOf(name) : -1)),
            previous: [],
            op: node.opType ?? '',
        });
    }
    if (!slots.has(outputName))
        throw new UnsupportedGraphError(`no node produces "${outputName}"`);
    const outputSlot = slotOf(outputName);
    const inputSlots = graphInputs.map((name) => [name, slots.get(name)]);
    const slotCount = slots.size;
    return {
        run(feeds) {
            const values = new Array(slotCount);
            for (const [slot, tensor] of constantSlots)
                values[slot] = tensor;
            for (const [name, slot] of inputSlots) {
                const feed = feeds[name];
                if (!feed)
                    throw new Error(`input "${name}" is missing`);
                values[slot] = feed;
            }
            for (const step of steps) {
                const outputs = step.kernel(step.inputs.map((slot) => (slot < 0 ? undefined : values[slot])), step.previous);
                step.previous = outputs;
                for (let i = 0; i < step.outputs.length; i++) {
                    const slot = step.outputs[i];
                    if (slot < 0)
                        continue;
                    const output = outputs[i];
                    if (!output)
                        throw new Error(`${step.op} did not compute output ${i}`);
                    values[slot] = output;
                }
            }
            // The caller keeps the output past this run; the next run writes over the kernels' buffers.
            return copyTensor(values[outputSlot]);
        },
    };
}
function copyTensor(tensor) {
    return { ...tensor, data: tensor.data.slice(), dims: [...tensor.dims] };
}
