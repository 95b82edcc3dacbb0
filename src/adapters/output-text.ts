/**
 * Command output is bytes; the responder reads text. Decoding invalid UTF-8 the usual way turns
 * each bad byte into U+FFFD silently, so the evidence no longer holds what the command printed and
 * nobody is told. Here output is decoded losslessly: valid UTF-8 as text, each invalid byte as a
 * lone low surrogate U+DC80+byte (Python's "surrogateescape"), which no valid text contains. The
 * artifact writer turns those back into the original bytes (`encodeOutput`); what is shown or
 * judged shows them as U+FFFD (`shownText`); and the offset of the first invalid byte is kept so
 * the step's record can say so. Valid output (nearly all) takes Node's native path: one
 * `isUtf8` check and `toString` per chunk.
 */
import { isUtf8 } from 'node:buffer';

/** A lone escaped byte (a low surrogate U+DC80–U+DCFF not preceded by a high surrogate). */
const ESCAPED = /(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/g;
const ESCAPED_TEST = /[\uDC80-\uDCFF]/;

/** Length of a UTF-8 sequence from its first byte, 0 when the byte cannot start one. */
function sequenceLength(b: number): number {
  if (b < 0x80) return 1;
  if (b >= 0xc2 && b <= 0xdf) return 2;
  if (b >= 0xe0 && b <= 0xef) return 3;
  if (b >= 0xf0 && b <= 0xf4) return 4;
  return 0;
}

/** Decodes one stream's chunks; a multi-byte character split across chunks is carried over. */
export class OutputDecoder {
  private carry: Buffer = Buffer.alloc(0);
  private offset = 0;
  /** Byte offset (from the start of the stream) of the first byte that is not UTF-8. */
  firstInvalid: number | undefined;

  write(chunk: Buffer): string {
    const buf = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    // Hold back an incomplete sequence at the end (at most 3 bytes): the next chunk may finish it.
    let cut = buf.length;
    for (let i = buf.length - 1; i >= Math.max(0, buf.length - 3); i--) {
      const b = buf.readUInt8(i); // i is in range: readUInt8 says so to the compiler (buf[i] may be undefined)
      if ((b & 0xc0) === 0x80) continue; // a continuation byte: look further back
      const n = sequenceLength(b);
      if (n > 1 && i + n > buf.length) cut = i;
      break;
    }
    this.carry = Buffer.from(buf.subarray(cut));
    return this.decode(buf.subarray(0, cut));
  }

  end(): string {
    const rest = this.carry;
    this.carry = Buffer.alloc(0);
    return this.decode(rest);
  }

  private decode(buf: Buffer): string {
    const start = this.offset;
    this.offset += buf.length;
    if (buf.length === 0) return '';
    if (isUtf8(buf)) return buf.toString('utf8');
    let out = '';
    let i = 0;
    let from = 0;
    while (i < buf.length) {
      const n = sequenceLength(buf.readUInt8(i));
      let ok = n > 0 && i + n <= buf.length;
      for (let k = 1; ok && k < n; k++) ok = (buf.readUInt8(i + k) & 0xc0) === 0x80;
      if (ok && n > 1 && !isUtf8(buf.subarray(i, i + n))) ok = false; // overlong, surrogate, > U+10FFFF
      if (ok) {
        i += n;
        continue;
      }
      out += buf.subarray(from, i).toString('utf8') + String.fromCharCode(0xdc00 + buf.readUInt8(i));
      this.firstInvalid ??= start + i;
      i++;
      from = i;
    }
    return out + buf.subarray(from).toString('utf8');
  }
}

/** The text as shown and judged: each escaped byte as U+FFFD. */
export function shownText(text: string): string {
  return ESCAPED_TEST.test(text) ? text.replace(ESCAPED, '\uFFFD') : text;
}

/** The bytes the text came from: escaped bytes back as themselves, the rest as UTF-8. */
export function encodeOutput(text: string): Buffer {
  if (!ESCAPED_TEST.test(text)) return Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  let from = 0;
  for (const m of text.matchAll(ESCAPED)) {
    parts.push(Buffer.from(text.slice(from, m.index), 'utf8'), Buffer.from([m[0].charCodeAt(0) - 0xdc00]));
    from = m.index + 1;
  }
  parts.push(Buffer.from(text.slice(from), 'utf8'));
  return Buffer.concat(parts);
}

/** What a step's output record says about bytes that were not UTF-8. */
export function encodingNote(firstInvalid: number | undefined): string | undefined {
  return firstInvalid === undefined
    ? undefined
    : `invalid utf-8 at byte ${firstInvalid}, shown with U+FFFD; the artifact keeps the raw bytes`;
}
