import { describe, expect, it } from 'vitest';
import { encodeOutput, OutputDecoder, shownText } from '../../src/adapters/output-text.js';

const decode = (chunks: Buffer[]) => {
  const d = new OutputDecoder();
  const text = chunks.map((c) => d.write(c)).join('') + d.end();
  return { text, firstInvalid: d.firstInvalid };
};

describe('command output that is not UTF-8', () => {
  const bytes = Buffer.concat([Buffer.from('valid é text\n'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from(' after €\n')]);

  it('says where the first bad byte is, shows U+FFFD, and gives back the raw bytes', () => {
    for (const size of [1, 2, 3, 5, bytes.length]) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
      const { text, firstInvalid } = decode(chunks);
      expect(firstInvalid).toBe(Buffer.byteLength('valid é text\n'));
      expect(shownText(text)).toBe('valid é text\n\uFFFD\uFFFD\uFFFD after €\n');
      expect(encodeOutput(text)).toEqual(bytes);
    }
  });

  it('valid UTF-8 split anywhere is decoded as text, with nothing marked', () => {
    const good = Buffer.from('naïve — 日本語 😀 done\n');
    for (let cut = 0; cut <= good.length; cut++) {
      const { text, firstInvalid } = decode([good.subarray(0, cut), good.subarray(cut)]);
      expect(text).toBe(good.toString());
      expect(firstInvalid).toBeUndefined();
    }
  });

  it('overlong forms, surrogates and a truncated sequence at the end are invalid', () => {
    for (const bad of [
      [0xc0, 0xaf],
      [0xed, 0xa0, 0x80],
      [0xf4, 0x90, 0x80, 0x80],
      [0x41, 0xe2, 0x82],
    ]) {
      const { text, firstInvalid } = decode([Buffer.from(bad)]);
      expect(firstInvalid).toBeDefined();
      expect(encodeOutput(text)).toEqual(Buffer.from(bad));
    }
  });
});
