/**
 * What a rep should tell their admin when a score failed, by the Error Code the scoring job
 * stored on the AI Score row. The codes and their fixes mirror the admin guide
 * ("Read the statuses"), so the card and the guide say the same thing.
 */
const HINTS = [
  [['CONFIGURATION'], 'Ask your admin to fix the AI Model Endpoint named in the details.'],
  [
    ['NAMED_CREDENTIAL'],
    'Ask your admin to check the BYOM Inference named credential, and that the user who saved the record has the AI Scoring Viewer permission set.',
  ],
  [
    ['UNAUTHORIZED'],
    'Ask your admin to check the service key and signing secret of the BYOM Inference external credential.',
  ],
  [['HTTP_403'], 'Ask your admin to check the IP allow list in front of the scoring service.'],
  [['MODEL_NOT_FOUND'], 'Ask your admin to check the model name and version of the AI Model Endpoint.'],
  [
    ['NOT_FOUND', 'HTTP_404', 'HTTP_405'],
    "Ask your admin to check the endpoint's Path and the BYOM Inference named credential URL.",
  ],
  [
    ['VALIDATION_ERROR', 'INVALID_JSON'],
    "Ask your admin to compare the endpoint's feature mapping with the model's features.",
  ],
  [['TOO_MANY_RECORDS', 'PAYLOAD_TOO_LARGE'], "Ask your admin to lower the endpoint's Batch Size."],
  [
    ['INVALID_FEATURE', 'MISSING_FEATURE'],
    "Check this record's fields named in the details; your admin can also give the feature a default value.",
  ],
  [
    ['MALFORMED_RESPONSE', 'INVALID_RESULT', 'OUT_OF_RANGE', 'MISSING_RESULT'],
    'The scoring service sent an unexpected answer. Ask your admin to check the service version and the named credential URL.',
  ],
  [
    ['TIMEOUT', 'CALLOUT_FAILED', 'NOT_READY', 'INTERNAL', 'INFERENCE_FAILED', 'HTTP_429'],
    'The scoring service was unavailable. Ask your admin to check its health and logs; the nightly rescoring will try again.',
  ],
  [
    ['CALLOUT_NOT_ALLOWED'],
    'Ask your admin to move the "Score records with AI" action before any record updates in the flow.',
  ],
  [
    ['QUEUE_UNAVAILABLE', 'NO_PROGRESS', 'JOB_FAILED', 'FINALIZER_FAILED', 'STALE_PENDING'],
    'The scoring job stopped before this record was scored. The nightly rescoring will try again.',
  ],
  [['RECORD_NOT_FOUND'], 'The record was deleted or hidden while it was being scored.'],
  [['SCORING_DISABLED'], 'AI scoring is turned off. Ask your admin about the AI Scoring Settings.'],
];

const HINT_BY_CODE = new Map(HINTS.flatMap(([codes, hint]) => codes.map((code) => [code, hint])));

const FALLBACK = 'Ask your admin to look up this error code in the BYOM Bridge admin guide ("Read the statuses").';

/**
 * @param {string} errorCode the AI Score row's Error Code
 * @returns {string} what to check, phrased for the rep to pass on
 */
export function adminHintFor(errorCode) {
  if (HINT_BY_CODE.has(errorCode)) {
    return HINT_BY_CODE.get(errorCode);
  }
  if (/^HTTP_5\d\d$/.test(errorCode ?? '')) {
    return HINT_BY_CODE.get('TIMEOUT');
  }
  return FALLBACK;
}
