import { templatesResultForNewPanel } from '../insightPreviewData.js';

/** Stand-in for @salesforce/apex/AiInsightController.listTemplates: a wire adapter fed by fixtures. */
export default class listTemplates {
  constructor(dataCallback) {
    this.dataCallback = dataCallback;
    this.result = templatesResultForNewPanel();
  }

  update() {
    if (this.result) this.dataCallback(this.result);
  }

  connect() {}

  disconnect() {}
}
