/**
 * What a rep reads when an insight fails: a headline, what to do about it, and whether trying
 * again can help. Keyed by the stable error code of AiInsightResult (the service's codes, and
 * the ones Salesforce adds before anything is sent). The technical message stays available
 * behind "Show details" for the admin the rep forwards it to.
 */
const ASK_ADMIN = 'Send the details to your Salesforce admin.';

const UNAVAILABLE = {
  title: "The AI service isn't available right now.",
  hint: 'Try again in a minute. If it keeps happening, send the details to your Salesforce admin.',
  retryable: true,
};
const TOO_SLOW = {
  title: 'The AI took too long to answer.',
  hint: 'Try again. If it keeps happening, your admin can give this insight more time or a shorter answer.',
  retryable: true,
};
const NOT_CONNECTED = {
  title: "Salesforce can't connect to the AI service.",
  hint: 'Your admin needs to check the BYOM Inference credential and your permission sets.',
  retryable: false,
};
const TOO_LARGE = {
  title: 'This record has more text than the insight can take.',
  hint: 'Ask your admin to use fewer long text fields in this insight.',
  retryable: false,
};

const ADVICE = {
  NO_ACCESS: {
    title: "You can't see everything this insight needs, so nothing was sent.",
    hint: 'Ask your admin for access to the fields in the details, or choose another insight.',
    retryable: false,
  },
  RECORD_NOT_FOUND: {
    title: "This record can't be read.",
    hint: 'It may have been deleted or is no longer shared with you. Reload the page.',
    retryable: false,
  },
  WRONG_OBJECT: {
    title: 'This insight is for a different kind of record.',
    hint: 'Choose another insight.',
    retryable: false,
  },
  CONFIGURATION: { title: "This insight isn't set up correctly.", hint: ASK_ADMIN, retryable: false },
  ROUTE_NOT_FOUND: {
    title: "The AI model for this insight isn't configured.",
    hint: "Your admin needs to set the template's route to one the AI service knows.",
    retryable: false,
  },
  MASKING_FAILED: {
    title: "Personal data couldn't be protected, so nothing was sent to the AI.",
    hint: 'Try again. If it keeps happening, send the details to your Salesforce admin.',
    retryable: true,
  },
  OUTPUT_REJECTED: {
    title: "The AI's answer didn't pass the quality checks.",
    hint: 'Try again: a new answer usually passes.',
    retryable: true,
  },
  BUDGET_EXCEEDED: {
    title: 'The AI usage budget for insights is used up for now.',
    hint: 'New insights can be generated again once the budget resets; the details say when. Your admin can raise the budget.',
    retryable: false,
  },
  RATE_LIMITED: {
    title: 'Too many insights were asked for in the last minute.',
    hint: 'Wait a minute and try again.',
    retryable: true,
  },
  CALLOUT_LIMIT: {
    title: 'Too many insights were asked for at once.',
    hint: 'Try again in a moment.',
    retryable: true,
  },
  PROVIDERS_FAILED: UNAVAILABLE,
  LIMITS_UNAVAILABLE: UNAVAILABLE,
  NOT_READY: UNAVAILABLE,
  INTERNAL: UNAVAILABLE,
  CALLOUT_FAILED: UNAVAILABLE,
  DEADLINE_EXCEEDED: TOO_SLOW,
  TIMEOUT: TOO_SLOW,
  UNAUTHORIZED: NOT_CONNECTED,
  NAMED_CREDENTIAL: NOT_CONNECTED,
  HTTP_401: NOT_CONNECTED,
  HTTP_403: NOT_CONNECTED,
  PII_VALUE_TOO_LONG: TOO_LARGE,
  PROMPT_TOO_LARGE: TOO_LARGE,
  PAYLOAD_TOO_LARGE: TOO_LARGE,
};

const FALLBACK = {
  title: "The insight couldn't be generated.",
  hint: 'Try again. If it keeps happening, send the details to your Salesforce admin.',
  retryable: true,
};

/**
 * @param {string} errorCode the result's errorCode, e.g. DEADLINE_EXCEEDED or HTTP_503
 * @returns {{title: string, hint: string, retryable: boolean}} what the rep reads
 */
export function adviceFor(errorCode) {
  if (ADVICE[errorCode]) {
    return ADVICE[errorCode];
  }
  // A gateway or proxy status without a service body: busy or down, worth another try.
  if (/^HTTP_(429|5\d\d)$/.test(errorCode ?? '')) {
    return UNAVAILABLE;
  }
  return FALLBACK;
}
