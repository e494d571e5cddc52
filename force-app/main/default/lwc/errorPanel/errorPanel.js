import { LightningElement, api } from 'lwc';
import { reduceErrors } from 'c/ldsUtils';

const ICON_BY_VARIANT = { error: 'utility:error', warning: 'utility:warning' };

/**
 * Shows a failure the way a user can act on it: a friendly sentence first, an optional hint
 * saying what to check or whom to ask, and the raw messages (reduced with `reduceErrors`)
 * behind a "Show details" toggle, for the admin the user forwards them to.
 */
export default class ErrorPanel extends LightningElement {
  /** Any error shape, or a list of them (wire errors, Apex errors, JavaScript errors, strings). */
  @api errors;
  /** The sentence users read first. */
  @api friendlyMessage = 'Something went wrong.';
  /** Optional: what to check, or whom to ask. */
  @api hint;
  /** Hides the technical messages (the toggle is not shown). */
  @api hideDetails = false;

  detailsExpanded = false;
  _variant = 'error';

  /** `error` (default) or `warning`. */
  @api
  get variant() {
    return this._variant;
  }
  set variant(value) {
    this._variant = Object.hasOwn(ICON_BY_VARIANT, value) ? value : 'error';
  }

  get messages() {
    return reduceErrors(this.errors);
  }

  get hasDetails() {
    return !this.hideDetails && this.messages.length > 0;
  }

  get iconName() {
    return ICON_BY_VARIANT[this._variant];
  }

  get iconText() {
    return this._variant === 'warning' ? 'Warning' : 'Error';
  }

  get toggleLabel() {
    return this.detailsExpanded ? 'Hide details' : 'Show details';
  }

  get ariaExpanded() {
    return String(this.detailsExpanded);
  }

  handleToggleDetails() {
    this.detailsExpanded = !this.detailsExpanded;
  }
}
