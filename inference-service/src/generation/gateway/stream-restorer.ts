import type { PlaceholderVault } from '../pii/masking.ts';

/**
 * Restores masked values in an answer as it streams. A placeholder can arrive split across
 * chunks (`[EMA` + `IL_1]`), so the tail of the text that could still be part of one is held
 * back until the next chunk settles it: an unclosed `[` (placeholders are short, so one more than
 * MAX_PLACEHOLDER_CHARS back no longer counts) or a run of word characters at the very end
 * (`EMAIL_1` without brackets, which `EMAIL_12` could extend). Everything before that is restored
 * and sent. Output checks (invented placeholders, length, JSON) run on the assembled answer once
 * the stream ends.
 */

const MAX_PLACEHOLDER_CHARS = 64;
const TRAILING_WORD = /[A-Za-z0-9_]+$/;

export class StreamRestorer {
  private readonly vault: PlaceholderVault;
  private pending = '';
  /** Every masked chunk so far, for the output checks at the end. */
  private assembled = '';

  constructor(vault: PlaceholderVault) {
    this.vault = vault;
  }

  /** Takes the next masked chunk; returns the restored text that is now safe to send (may be empty). */
  push(masked: string): string {
    this.assembled += masked;
    this.pending += masked;
    const cut = this.holdFrom(this.pending);
    const ready = this.pending.slice(0, cut);
    this.pending = this.pending.slice(cut);
    return ready.length === 0 ? '' : this.vault.restore(ready).text;
  }

  /** The stream ended: whatever was held back, restored. */
  flush(): string {
    const rest = this.pending;
    this.pending = '';
    return rest.length === 0 ? '' : this.vault.restore(rest).text;
  }

  /** The whole answer as the model sent it, still masked. */
  maskedAnswer(): string {
    return this.assembled;
  }

  private holdFrom(text: string): number {
    let cut = text.length;
    const open = text.lastIndexOf('[');
    if (open >= 0 && text.indexOf(']', open) < 0 && text.length - open <= MAX_PLACEHOLDER_CHARS) cut = open;
    const word = TRAILING_WORD.exec(text.slice(0, cut));
    if (word !== null) cut = word.index;
    return cut;
  }
}
