/**
 * Masking refused the text: the request must not be sent on (fail closed). The message names
 * the reason and at most a kind of value, never the text, because it is logged.
 */
export class MaskingError extends Error {
  override name = 'MaskingError';
}
