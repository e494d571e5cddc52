import { LightningElement, api, wire } from 'lwc';
import listTemplates from '@salesforce/apex/AiInsightController.listTemplates';
import generate from '@salesforce/apex/AiInsightController.generate';
import saveFeedback from '@salesforce/apex/AiInsightController.saveFeedback';
import { adviceFor } from './insightErrors';
import { runDetails } from './insightFormat';

export const RATING_UP = 'Up';
export const RATING_DOWN = 'Down';
/** AiInsightController.MAX_COMMENT_LENGTH. */
export const COMMENT_MAX_LENGTH = 4000;
/** How long "Copied" shows on the copy button. */
export const COPIED_FOR_MS = 2000;

const STATUS_SUCCESS = 'Success';

/**
 * AI-written insights on a Lead, Opportunity, Account or Contact page: the rep chooses one of
 * the active AI Prompt Templates for the object, generates, reads, copies or regenerates the
 * text, and rates it with a thumb and an optional comment saved on the AI Interaction audit
 * row. Failures say what to do (no access, insight not set up, provider down, too slow) with
 * the technical details one click away for the admin.
 */
export default class AiInsightPanel extends LightningElement {
  @api recordId;
  @api objectApiName;
  /** The card's title. */
  @api cardTitle = 'AI Insights';
  /** Developer name of the template chosen when the panel opens; blank chooses the first. */
  @api defaultTemplate = '';
  /** Comma-separated developer names of the templates to offer; blank offers every active one. */
  @api templateNames = '';
  /** Hides the model, masked-values and cost line under the insight. */
  @api hideRunDetails = false;

  /** The templates offered; undefined while loading. */
  templates;
  templatesError;
  selectedName;
  generating = false;
  /** The last AiInsightController.generate answer (success or a failure with its code). */
  result;
  /** Set when the Apex call itself failed (no access to the class, a network error…). */
  callError;
  rating;
  savingFeedback = false;
  comment = '';
  savedComment;
  commentSaved = false;
  feedbackError;
  copyState;
  announcement = '';

  _copyTimer;

  @wire(listTemplates, { objectApiName: '$objectApiName' })
  wiredTemplates({ data, error }) {
    if (data) {
      this.templates = this.offered(data);
      this.templatesError = undefined;
      this.selectedName = this.initialSelection();
    } else if (error) {
      this.templates = [];
      this.templatesError = error;
    }
  }

  disconnectedCallback() {
    clearTimeout(this._copyTimer);
  }

  // --- what the template shows -------------------------------------------------------------

  get isLoading() {
    return this.templates === undefined;
  }

  get hasTemplates() {
    return !this.isLoading && !this.templatesError && this.templates.length > 0;
  }

  get hasNoTemplates() {
    return !this.isLoading && !this.templatesError && this.templates.length === 0;
  }

  get objectLabel() {
    return this.objectApiName ?? 'this';
  }

  get hasChoice() {
    return this.hasTemplates && this.templates.length > 1;
  }

  get templateOptions() {
    return (this.templates ?? []).map((template) => ({ label: template.label, value: template.name }));
  }

  get selectedTemplate() {
    return (this.templates ?? []).find((template) => template.name === this.selectedName);
  }

  get selectedLabel() {
    return this.selectedTemplate?.label;
  }

  get selectedDescription() {
    return this.selectedTemplate?.description;
  }

  get generateDisabled() {
    return this.generating || !this.selectedTemplate;
  }

  get showGenerateButton() {
    return !this.generating && !this.hasInsight && !this.hasFailure;
  }

  get hasInsight() {
    return !this.generating && this.result?.status === STATUS_SUCCESS;
  }

  get hasFailure() {
    return (
      !this.generating && (Boolean(this.callError) || Boolean(this.result && this.result.status !== STATUS_SUCCESS))
    );
  }

  get failure() {
    if (this.callError) {
      return {
        title: "The insight couldn't be generated.",
        hint: 'Reload the page and try again. If it keeps happening, send the details to your Salesforce admin.',
        retryable: true,
        errors: this.callError,
      };
    }
    const advice = adviceFor(this.result.errorCode);
    const details = [this.result.errorMessage, `Error code: ${this.result.errorCode}`];
    if (this.result.requestId) {
      details.push(`Request ID: ${this.result.requestId}`);
    }
    return { ...advice, errors: details.filter(Boolean) };
  }

  get insightText() {
    return this.result?.text;
  }

  get wasCutShort() {
    return this.result?.finishReason === 'length';
  }

  get runDetailsText() {
    return this.hideRunDetails || !this.result ? null : runDetails(this.result).join(' · ') || null;
  }

  get maskedTitle() {
    return this.result?.maskedByType ? `Masked before the AI saw them: ${this.result.maskedByType}` : null;
  }

  get copyIcon() {
    return this.copyState === 'copied' ? 'utility:check' : 'utility:copy';
  }

  get copyLabel() {
    return this.copyState === 'copied' ? 'Copied' : 'Copy the insight';
  }

  get copyFailed() {
    return this.copyState === 'failed';
  }

  get isUp() {
    return this.rating === RATING_UP;
  }

  get isDown() {
    return this.rating === RATING_DOWN;
  }

  get showComment() {
    return Boolean(this.rating) && !this.commentSaved;
  }

  get commentLabel() {
    return this.isUp ? 'What was helpful? (optional)' : 'What was wrong? (optional)';
  }

  get commentMaxLength() {
    return COMMENT_MAX_LENGTH;
  }

  get saveCommentDisabled() {
    return this.savingFeedback || !this.comment.trim();
  }

  get ratingDisabled() {
    return this.savingFeedback;
  }

  // --- what the user does ------------------------------------------------------------------

  handleTemplateChange(event) {
    this.selectedName = event.detail.value;
    this.clearOutcome();
  }

  async handleGenerate() {
    if (!this.selectedTemplate || this.generating) {
      return;
    }
    this.clearOutcome();
    this.generating = true;
    this.announcement = `Writing the ${this.selectedTemplate.label} insight.`;
    try {
      this.result = await generate({ templateName: this.selectedName, recordId: this.recordId });
      this.announcement =
        this.result.status === STATUS_SUCCESS ? 'The insight is ready.' : adviceFor(this.result.errorCode).title;
    } catch (error) {
      this.callError = error;
      this.announcement = this.failure.title;
    } finally {
      this.generating = false;
    }
  }

  async handleCopy() {
    try {
      await navigator.clipboard.writeText(this.result.text);
      this.copyState = 'copied';
      clearTimeout(this._copyTimer);
      // eslint-disable-next-line @lwc/lwc/no-async-operation
      this._copyTimer = setTimeout(() => {
        this.copyState = undefined;
      }, COPIED_FOR_MS);
      this.announcement = 'The insight is copied.';
    } catch {
      this.copyState = 'failed';
    }
  }

  async handleRate(event) {
    const rating = event.currentTarget.dataset.rating;
    if (rating === this.rating || this.savingFeedback) {
      return;
    }
    await this.save(rating, this.savedComment ?? null);
    if (!this.feedbackError) {
      this.rating = rating;
      this.commentSaved = false;
      this.announcement = 'Thanks, your rating is saved.';
    }
  }

  handleCommentChange(event) {
    this.comment = event.detail.value ?? '';
  }

  async handleSaveComment() {
    const comment = this.comment.trim();
    await this.save(this.rating, comment);
    if (!this.feedbackError) {
      this.savedComment = comment;
      this.commentSaved = true;
      this.announcement = 'Thanks, your comment is saved.';
    }
  }

  // --- helpers -------------------------------------------------------------------------------

  async save(rating, comment) {
    this.savingFeedback = true;
    this.feedbackError = undefined;
    try {
      await saveFeedback({ interactionId: this.result.interactionId, rating, comment });
    } catch (error) {
      this.feedbackError = error;
    } finally {
      this.savingFeedback = false;
    }
  }

  clearOutcome() {
    this.result = undefined;
    this.callError = undefined;
    this.rating = undefined;
    this.comment = '';
    this.savedComment = undefined;
    this.commentSaved = false;
    this.feedbackError = undefined;
    this.copyState = undefined;
  }

  /** The templates the page offers: all, or only those the admin listed in App Builder. */
  offered(templates) {
    const wanted = (this.templateNames ?? '')
      .split(',')
      .map((name) => name.trim().toLowerCase())
      .filter(Boolean);
    return wanted.length === 0
      ? templates
      : templates.filter((template) => wanted.includes(template.name.toLowerCase()));
  }

  initialSelection() {
    const stillOffered = this.templates.find((template) => template.name === this.selectedName);
    if (stillOffered) {
      return stillOffered.name;
    }
    const preferred = (this.defaultTemplate ?? '').trim().toLowerCase();
    const match = this.templates.find((template) => template.name.toLowerCase() === preferred);
    return (match ?? this.templates[0])?.name;
  }
}
