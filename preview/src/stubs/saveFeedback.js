/** Stand-in for @salesforce/apex/AiInsightController.saveFeedback: the rating is kept, as the org would. */
export default function saveFeedback() {
  return Promise.resolve();
}
