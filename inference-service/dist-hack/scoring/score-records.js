import { resolveRecord } from "../models/feature-encoder.js";
export async function scoreRecords(model, input) {
    const errors = [];
    const valid = [];
    const seen = new Set();
    for (const record of input.records) {
        if (seen.has(record.id)) {
            errors.push({
                id: record.id,
                code: 'DUPLICATE_ID',
                message: `id "${record.id}" appears more than once; it was scored once`,
            });
            continue;
        }
        seen.add(record.id);
        const resolved = resolveRecord(model.card.features, record.features);
        if (resolved.ok) {
            const swaps = input.explain ? featuresOffBaseline(model, resolved.values) : NO_SWAPS;
            valid.push({ id: record.id, values: resolved.values, shown: resolved.shown, swaps });
        }
        else
            errors.push({ id: record.id, code: resolved.code, message: resolved.message });
    }
    const results = [];
    // One scratch row of impacts for the whole request, reset per record.
    const impacts = input.explain ? new Float64Array(model.card.features.length) : undefined;
    for (const group of await predictIsolatingFailures(model, valid, input.explain)) {
        if ('error' in group) {
            errors.push({ id: group.record.id, code: 'INFERENCE_FAILED', message: group.error });
            continue;
        }
        const { record, predictions, row } = group;
        const score = predictions.scores[row];
        if (!Number.isFinite(score)) {
            errors.push({ id: record.id, code: 'INFERENCE_FAILED', message: 'the model returned no number for this record' });
            continue;
        }
        const result = { id: record.id, score, band: bandFor(model.card.bands, score) };
        if (predictions.values)
            result.value = predictions.values[row];
        if (impacts)
            result.factors = topFactors(model, record, predictions.margins, row, impacts, input.topK);
        results.push(result);
    }
    return { model: model.name, version: model.version, results, errors };
}
/**
 * One run for the whole batch; if the runtime rejects it, each record is retried alone so
 * that a record the graph cannot handle fails by itself.
 */
async function predictIsolatingFailures(model, records, explain, isolated = false) {
    if (records.length === 0)
        return [];
    try {
        const batch = { records: records.map((r) => r.values) };
        if (explain)
            batch.swaps = records.map((r) => r.swaps);
        // Per-record retries run alone so they cannot be failed again by other requests' rows.
        const predictions = isolated ? await model.predictAlone(batch) : await model.predict(batch);
        let row = 0;
        return records.map((record) => {
            const at = row;
            row += 1 + (explain ? record.swaps.length : 0);
            return { record, predictions, row: at };
        });
    }
    catch (batchError) {
        if (records.length === 1) {
            return [
                { record: records[0], error: `the model could not score this record: ${batchError.message}` },
            ];
        }
        const perRecord = await Promise.all(records.map((r) => predictIsolatingFailures(model, [r], explain, true)));
        return perRecord.flat();
    }
}
const NO_SWAPS = [];
/**
 * The features worth a baseline row: one already at its baseline has impact 0 by definition
 * (the swapped row would be the record's own row), so it costs no inference.
 */
function featuresOffBaseline(model, values) {
    const swaps = [];
    for (let f = 0; f < values.length; f++) {
        if (!Object.is(values[f], model.baselines[f]))
            swaps.push(f);
    }
    return swaps;
}
/**
 * impact(f) = margin(x) - margin(x with f set to its baseline), where margin is the
 * log-odds for classifiers and the raw value for regressors (docs/explanations.md).
 * Returns the top k by absolute impact, equal impacts in card order (so responses are
 * deterministic), building objects for those k only.
 */
function topFactors(model, record, margins, row, impacts, topK) {
    impacts.fill(0);
    const margin = margins[row];
    for (let i = 0; i < record.swaps.length; i++) {
        const impact = margin - margins[row + 1 + i];
        impacts[record.swaps[i]] = Number.isFinite(impact) ? round(impact) : 0;
    }
    // Insertion into a list kept sorted by |impact|: a new feature goes after every one at
    // least as large, which keeps card order among equals.
    const top = [];
    for (let f = 0; f < impacts.length; f++) {
        const size = Math.abs(impacts[f]);
        let at = top.length;
        while (at > 0 && Math.abs(impacts[top[at - 1]]) < size)
            at--;
        if (at >= topK)
            continue;
        if (top.length < topK)
            top.push(f);
        for (let i = top.length - 1; i > at; i--)
            top[i] = top[i - 1];
        top[at] = f;
    }
    const features = model.card.features;
    return top.map((f) => ({ feature: features[f].name, value: record.shown[f], impact: impacts[f] }));
}
function bandFor(bands, score) {
    if (!bands)
        return null;
    let best;
    for (const band of bands) {
        if (score >= band.min && (best === undefined || band.min > best.min))
            best = band;
    }
    return best?.label ?? null;
}
/** Six decimals: well below what a rep can read, and it keeps float noise out of responses. */
function round(x) {
    return Math.round(x * 1e6) / 1e6;
}
