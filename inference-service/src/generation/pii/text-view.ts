/**
 * A rewritten copy of a text that remembers, for every UTF-16 code unit, which span of the
 * original text it came from. Detection runs on views in which entities are decoded, tags
 * removed and look-alike characters folded; a match in a view maps back to the exact span of
 * the original it covers, so the original bytes are what get masked and later restored.
 *
 * Every unit of a view comes from a non-empty span of the original; units the rewriting
 * removed (a zero-width space, a tag) have no unit of their own, but fall inside the span of
 * any match that reaches across them.
 */
export interface TextView {
  readonly text: string;
  /**
   * For each code unit of `text`: where its source starts and ends (exclusive) in the
   * original. Null for text copied unchanged, whose unit i comes from `offset + i`: most
   * text needs no rewriting, and then costs no map.
   */
  readonly start: Int32Array | null;
  readonly end: Int32Array | null;
  readonly offset: number;
}

/** The view of a text as it is. */
export function identityView(text: string): TextView {
  return { text, start: null, end: null, offset: 0 };
}

/** Units [from, to) of a view, as a view of their own (still mapped to the same original). */
export function sliceView(view: TextView, from: number, to: number): TextView {
  const text = view.text.slice(from, to);
  if (view.start === null || view.end === null) return { text, start: null, end: null, offset: view.offset + from };
  return { text, start: view.start.subarray(from, to), end: view.end.subarray(from, to), offset: 0 };
}

/** The original span behind units [from, to) of a view (from < to). */
export function originalSpan(view: TextView, from: number, to: number): { start: number; end: number } {
  if (view.start === null || view.end === null) return { start: view.offset + from, end: view.offset + to };
  return { start: view.start[from]!, end: view.end[to - 1]! };
}

/**
 * Builds a view from another one, piece by piece and left to right: `keep` copies units of
 * the source, `replace` writes new text in place of some (empty text removes them). Each
 * rewriting step (decoding entities, folding characters) is one pass with one builder, so a
 * view costs time and memory linear in the text.
 */
export class ViewBuilder {
  private readonly source: TextView;
  private readonly parts: string[] = [];
  private length = 0;
  private start: Int32Array;
  private end: Int32Array;

  constructor(source: TextView) {
    this.source = source;
    this.start = new Int32Array(source.text.length + 16);
    this.end = new Int32Array(source.text.length + 16);
  }

  /** Copies source units [from, to) unchanged. */
  keep(from: number, to: number): void {
    if (to <= from) return;
    this.reserve(to - from);
    this.parts.push(this.source.text.slice(from, to));
    const { start, end, offset } = this.source;
    if (start === null || end === null) {
      for (let i = from; i < to; i++, this.length++) {
        this.start[this.length] = offset + i;
        this.end[this.length] = offset + i + 1;
      }
      return;
    }
    this.start.set(start.subarray(from, to), this.length);
    this.end.set(end.subarray(from, to), this.length);
    this.length += to - from;
  }

  /** Writes `text` in place of source units [from, to): each of its units maps to all of their original span. */
  replace(from: number, to: number, text: string): void {
    if (text.length === 0) return;
    this.reserve(text.length);
    const { start, end } = originalSpan(this.source, from, to);
    this.parts.push(text);
    this.start.fill(start, this.length, this.length + text.length);
    this.end.fill(end, this.length, this.length + text.length);
    this.length += text.length;
  }

  build(): TextView {
    return {
      text: this.parts.join(''),
      start: this.start.subarray(0, this.length),
      end: this.end.subarray(0, this.length),
      offset: 0,
    };
  }

  private reserve(extra: number): void {
    if (this.length + extra <= this.start.length) return;
    const capacity = Math.max(this.start.length * 2, this.length + extra);
    const start = new Int32Array(capacity);
    const end = new Int32Array(capacity);
    start.set(this.start.subarray(0, this.length));
    end.set(this.end.subarray(0, this.length));
    this.start = start;
    this.end = end;
  }
}
