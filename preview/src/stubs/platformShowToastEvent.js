/** Stand-in for lightning/platformShowToastEvent; the preview page shows the toasts it catches. */
export class ShowToastEvent extends CustomEvent {
  constructor(detail) {
    super('lightning__showtoast', { bubbles: true, composed: true, cancelable: true, detail });
  }
}
