import { connectWire } from '../previewData.js';

/** Stand-in for @salesforce/apex/AiScoreCardController.getScoreCard: a wire adapter fed by fixtures. */
export default class getScoreCard {
  constructor(dataCallback) {
    this.dataCallback = dataCallback;
  }

  update(config) {
    this.disconnect();
    if (config.recordId) {
      this.release = connectWire(config.recordId, this.dataCallback);
    }
  }

  connect() {}

  disconnect() {
    this.release?.();
    this.release = undefined;
  }
}
