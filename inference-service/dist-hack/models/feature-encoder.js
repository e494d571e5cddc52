export function resolveRecord(features, raw) {
    const values = new Array(features.length);
    const shown = new Array(features.length);
    for (let i = 0; i < features.length; i++) {
        const spec = features[i];
        let value = Object.hasOwn(raw, spec.name) ? raw[spec.name] : undefined;
        if (value === undefined || value === null) {
            if (spec.default !== undefined) {
                value = spec.default;
            }
            else if (spec.allowMissing) {
                values[i] = Number.NaN;
                shown[i] = null;
                continue;
            }
            else {
                return {
                    ok: false,
                    code: 'MISSING_FEATURE',
                    message: `feature "${spec.name}" is missing and the model card gives it no default`,
                };
            }
        }
        const converted = toModelValue(spec, value);
        if (typeof converted === 'object')
            return converted;
        values[i] = converted;
        shown[i] = value;
    }
    return { ok: true, values, shown };
}
function toModelValue(spec, value) {
    switch (spec.type) {
        case 'number':
        case 'integer': {
            if (typeof value !== 'number' || !Number.isFinite(value)) {
                return invalid(spec, `must be a ${spec.type}, got ${describe(value)}`);
            }
            if (spec.type === 'integer' && !Number.isInteger(value)) {
                return invalid(spec, `must be an integer, got ${value}`);
            }
            if (spec.min !== undefined && value < spec.min)
                return invalid(spec, `must be at least ${spec.min}, got ${value}`);
            if (spec.max !== undefined && value > spec.max)
                return invalid(spec, `must be at most ${spec.max}, got ${value}`);
            return value;
        }
        case 'boolean':
            if (typeof value !== 'boolean')
                return invalid(spec, `must be true or false, got ${describe(value)}`);
            return value ? 1 : 0;
        case 'category':
            if (typeof value !== 'string')
                return invalid(spec, `must be a string, got ${describe(value)}`);
            if (value.length > MAX_CATEGORY_LENGTH)
                return invalid(spec, `is longer than ${MAX_CATEGORY_LENGTH} characters`);
            return value;
    }
}
function invalid(spec, problem) {
    return { ok: false, code: 'INVALID_FEATURE', message: `feature "${spec.name}" ${problem}` };
}
/** Salesforce text fields top out far below this; longer values are not categories. */
const MAX_CATEGORY_LENGTH = 10_000;
function describe(value) {
    if (typeof value === 'string')
        return `string "${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
    if (Array.isArray(value))
        return 'an array';
    return value === null ? 'null' : typeof value;
}
/** The explanation reference of a feature, in model space (see docs/explanations.md). */
export function baselineValue(spec) {
    const reference = spec.baseline ?? spec.default;
    if (reference !== undefined) {
        if (typeof reference === 'boolean')
            return reference ? 1 : 0;
        return reference;
    }
    if (spec.allowMissing)
        return Number.NaN;
    switch (spec.type) {
        case 'boolean':
        case 'number':
        case 'integer':
            return 0;
        case 'category':
            return spec.categories?.[0] ?? '';
    }
}
export function rowCount(batch) {
    let rows = batch.records.length;
    if (batch.swaps)
        for (const swap of batch.swaps)
            rows += swap.length;
    return rows;
}
/** Builds one feed per binding holding every row of the batches, in order. */
export function buildFeeds(bindings, batches, baselines) {
    const n = batches.reduce((sum, batch) => sum + rowCount(batch), 0);
    const feeds = {};
    for (const binding of bindings) {
        const columns = binding.featureIndexes.length;
        const dims = binding.rank === 1 ? [n] : [n, columns];
        feeds[binding.inputName] = { dataType: binding.dataType, data: fillInput(binding, batches, baselines, n), dims };
    }
    return feeds;
}
function fillInput(binding, batches, baselines, rows) {
    const { featureIndexes } = binding;
    const columns = featureIndexes.length;
    const size = rows * columns;
    let write;
    let data;
    switch (binding.dataType) {
        case 'string': {
            const strings = new Array(size);
            write = (at, value) => (strings[at] = String(value));
            data = strings;
            break;
        }
        case 'int64': {
            const ints = new BigInt64Array(size);
            write = (at, value) => (ints[at] = BigInt(Math.trunc(value)));
            data = ints;
            break;
        }
        default: {
            const numbers = binding.dataType === 'float32'
                ? new Float32Array(size)
                : binding.dataType === 'float64'
                    ? new Float64Array(size)
                    : new Int32Array(size);
            write = (at, value) => (numbers[at] = value);
            data = numbers;
        }
    }
    let row = 0;
    for (const batch of batches) {
        for (let r = 0; r < batch.records.length; r++) {
            const record = batch.records[r];
            for (let c = 0; c < columns; c++)
                write(row * columns + c, record[featureIndexes[c]]);
            row++;
            const swaps = batch.swaps?.[r];
            if (!swaps)
                continue;
            for (const swapped of swaps) {
                for (let c = 0; c < columns; c++) {
                    const feature = featureIndexes[c];
                    write(row * columns + c, feature === swapped ? baselines[feature] : record[feature]);
                }
                row++;
            }
        }
    }
    return data;
}
