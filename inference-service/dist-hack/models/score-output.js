import { attributeValue, decodeModel, encodeModel } from "../onnx/onnx-proto.js";
export class ModelGraphError extends Error {
    name = 'ModelGraphError';
}
// Operators whose second output is a [N, classes] probability tensor labelled by classlabels_* attributes.
const CLASSIFIER_OPS = new Set(['LinearClassifier', 'TreeEnsembleClassifier', 'SVMClassifier']);
export function resolveScoreOutput(modelBytes, outputName) {
    let model;
    try {
        model = decodeModel(modelBytes);
    }
    catch (error) {
        throw new ModelGraphError(`is not a valid ONNX model (${error.message})`);
    }
    const graph = model.graph;
    if (!graph)
        throw new ModelGraphError('has no graph');
    const outputs = graph.output ?? [];
    const output = outputs.find((o) => o.name === outputName);
    if (!output) {
        const names = outputs.map((o) => `"${o.name}"`).join(', ');
        throw new ModelGraphError(`has no output "${outputName}" named by output.name (outputs: ${names})`);
    }
    const producer = (graph.node ?? []).find((n) => n.output?.includes(outputName));
    if (output.type?.sequenceType) {
        if (producer?.opType !== 'ZipMap' || !producer.input?.[0]) {
            throw new ModelGraphError(`output "${outputName}" is a sequence not produced by ZipMap; point output.name at a tensor output`);
        }
        const probabilities = producer.input[0];
        const classes = classLabels(producer, 'classlabels_int64s', 'classlabels_strings');
        graph.node = (graph.node ?? []).filter((n) => n !== producer);
        graph.output = outputs.map((o) => o === output ? { name: probabilities, type: { tensorType: { elemType: 1 } } } : o);
        return { modelBytes: encodeModel(model), tensorName: probabilities, classes };
    }
    if (!output.type?.tensorType) {
        throw new ModelGraphError(`output "${outputName}" is not a tensor`);
    }
    const classes = producer && CLASSIFIER_OPS.has(producer.opType ?? '') && producer.output?.[1] === outputName
        ? classLabels(producer, 'classlabels_ints', 'classlabels_strings')
        : undefined;
    return { modelBytes, tensorName: outputName, classes };
}
function classLabels(node, intsName, stringsName) {
    const ints = attributeValue(node, intsName);
    if (ints && ints.length > 0)
        return ints;
    const strings = attributeValue(node, stringsName);
    if (strings && strings.length > 0)
        return strings;
    return undefined;
}
