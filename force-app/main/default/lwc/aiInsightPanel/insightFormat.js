/**
 * The quiet line under an insight: which model wrote it, how much personal data was masked
 * before it left Salesforce, and what it cost.
 */

/**
 * @param {number|null|undefined} cost US dollars
 * @returns {string|null} e.g. "$0.0012", "< $0.0001", "$0.00"; null when unknown
 */
export function formatCost(cost) {
  if (cost === null || cost === undefined || Number.isNaN(Number(cost))) {
    return null;
  }
  const value = Number(cost);
  if (value === 0) {
    return '$0.00';
  }
  if (value < 0.0001) {
    return '< $0.0001';
  }
  return `$${value < 0.01 ? value.toFixed(4) : value.toFixed(2)}`;
}

/**
 * @param {number|null|undefined} count distinct values masked
 * @returns {string|null} e.g. "3 personal values masked"; null when nothing was masked
 */
export function formatMasked(count) {
  if (!count) {
    return null;
  }
  return `${count} personal ${count === 1 ? 'value' : 'values'} masked`;
}

/**
 * @param {object} result an AiInsightResult
 * @returns {string[]} the parts of the line, in order, without blanks
 */
export function runDetails(result) {
  const model = result.model ? `${result.model}${result.provider ? ` (${result.provider})` : ''}` : null;
  return [model, formatMasked(result.maskedCount), formatCost(result.cost)].filter(Boolean);
}
