import { generateAnswer } from '../insightPreviewData.js';

/** Stand-in for @salesforce/apex/AiInsightController.generate. */
export default function generate({ recordId }) {
  return generateAnswer(recordId);
}
