/**
 * Turns whatever a failed Salesforce call hands a component into readable messages.
 *
 * Errors arrive in many shapes: wire and imperative Apex errors (`{ body: { message } }`),
 * AuraHandledException, UI API read errors (`{ body: [{ message }] }`), UI API DML errors
 * with page and field errors, FetchResponse-style errors with only a status text, plain
 * JavaScript errors and strings. Components show `reduceErrors(error)` instead of guessing.
 *
 * @param {*} errors one error or a list of errors, in any of the shapes above
 * @returns {string[]} the distinct non-empty messages, in the order they were found
 */
export function reduceErrors(errors) {
  const list = Array.isArray(errors) ? errors : [errors];
  const messages = list.filter((error) => error !== null && error !== undefined).flatMap(messagesOf);
  return [...new Set(messages.filter((message) => typeof message === 'string' && message.trim() !== ''))];
}

function messagesOf(error) {
  if (typeof error === 'string') {
    return [error];
  }
  const body = error.body;
  if (Array.isArray(body)) {
    // UI API read errors: one entry per failed request.
    return body.map((entry) => entry?.message);
  }
  if (body && typeof body === 'object') {
    const fromBody = [
      ...pageErrors(body.pageErrors),
      ...fieldErrors(body.fieldErrors),
      ...pageErrors(body.output?.errors),
      ...fieldErrors(body.output?.fieldErrors),
    ];
    if (fromBody.length > 0) {
      return fromBody;
    }
    if (typeof body.message === 'string') {
      return [body.message];
    }
  }
  if (typeof error.message === 'string') {
    return [error.message];
  }
  if (typeof error.statusText === 'string') {
    return [error.statusText];
  }
  return [];
}

function pageErrors(errors) {
  return Array.isArray(errors) ? errors.map((entry) => entry?.message) : [];
}

/** Field errors come keyed by field API name, each a list of `{ message }`. */
function fieldErrors(errorsByField) {
  if (!errorsByField || typeof errorsByField !== 'object') {
    return [];
  }
  return Object.values(errorsByField).flatMap((entries) => pageErrors(entries));
}
