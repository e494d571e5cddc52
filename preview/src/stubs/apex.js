import { refreshResult } from '../previewData.js';

/** Stand-in for @salesforce/apex: refreshApex re-delivers the record's current fixture. */
export function refreshApex(wiredResult) {
  return refreshResult(wiredResult);
}
