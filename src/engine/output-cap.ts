/**
 * The output cap for what is shown, the same as the artifact's (limits.ts): `--json` prints a
 * stream's output up to OUTPUT_CAP bytes, then one `step.output.truncated` event with the total;
 * the terminal draws from the same capped text. Bytes that are not UTF-8 are shown as U+FFFD here
 * (the artifact keeps them). Past the cap nothing more is decoded for display or redacted, so a
 * flood costs its reading, not its printing.
 */
import { shownText } from '../adapters/output-text.js';
import { OUTPUT_CAP } from '../limits.js';

export class ShownOutput {
  private bytes = 0;
  /** True once the cap was reached: the rest of the stream is not shown. */
  cut = false;

  constructor(private readonly cap = OUTPUT_CAP) {}

  /** The part of `chunk` (escaped output, see output-text.ts) still to show; '' past the cap. */
  take(chunk: string): string {
    if (this.cut) return '';
    const text = shownText(chunk);
    const size = Buffer.byteLength(text);
    if (this.bytes + size <= this.cap) {
      this.bytes += size;
      return text;
    }
    const part = Buffer.from(text)
      .subarray(0, this.cap - this.bytes)
      .toString('utf8')
      .replace(/\uFFFD$/, ''); // not half a character at the cut
    this.bytes = this.cap;
    this.cut = true;
    return part;
  }

  get shownBytes(): number {
    return this.bytes;
  }
}
