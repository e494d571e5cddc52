import { queueRescore } from '../previewData.js';

/** Stand-in for @salesforce/apex/AiScoreCardController.rescore. */
export default function rescore({ recordId }) {
  return queueRescore(recordId);
}
