import { describe, expect, it } from 'vitest';
import { Chalk } from 'chalk';
import { guardedTerminal, memoryTerminal, neutralise } from '../../src/render/terminal.js';

// Issue 10, item 7: escape sequences from command output, notes and titles reached the terminal.
const OSC52 = '\x1b]52;c;cm0gLXJmIH4=\x07';
const CLEAR = '\x1b[2J';
const TITLE = '\x1b]0;pwned\x07';
const HIDDEN = '\x1b[8mhidden\x1b[28m';
const HOSTILE = `out ${OSC52} ${CLEAR} ${TITLE} ${HIDDEN} \x9b2J \u202eevil\r end`;

function colouredMemoryTerminal() {
  const mem = memoryTerminal(true);
  return { mem, term: guardedTerminal({ ...mem, color: new Chalk({ level: 1 }), errColor: new Chalk({ level: 1 }) }) };
}

describe('terminal guard', () => {
  it('shows control characters from outside escaped, keeping newlines and tabs', () => {
    expect(neutralise(HOSTILE)).toBe(
      'out \\x1b]52;c;cm0gLXJmIH4=\\x07 \\x1b[2J \\x1b]0;pwned\\x07 \\x1b[8mhidden\\x1b[28m \\u009b2J \\u202eevil\\x0d end',
    );
    expect(neutralise('a\tb\nc\r\nd')).toBe('a\tb\nc\r\nd');
  });

  it('shows line/paragraph separators and invisible format characters escaped; emoji joiners and other text stay', () => {
    expect(neutralise('a\u2028b\u2029c \u200bzw \ufeffbom \u2066iso\u2069 \u200emark \u2060wj')).toBe(
      'a\\u2028b\\u2029c \\u200bzw \\ufeffbom \\u2066iso\\u2069 \\u200emark \\u2060wj',
    );
    expect(neutralise('👩\u200d💻 café – “ok” 日本')).toBe('👩\u200d💻 café – “ok” 日本');
  });

  it('no escape from outside text reaches the stream, written plainly or inside colour', () => {
    const { mem, term } = colouredMemoryTerminal();
    term.out.write(`note: ${HOSTILE}\n`);
    term.out.write(term.color.red.bold(`finding ${HOSTILE}`) + '\n');
    term.err.write(`${term.errColor.red('error:')} ${HOSTILE}\n`);
    const all = mem.stdout() + mem.stderr();
    // The only escapes left are chalk's own colour codes.
    expect(all.replace(/\x1b\[\d+m/g, '')).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]/);
    expect(mem.stdout()).toContain('\\x1b]52;c;');
    expect(mem.stdout()).toContain('\\x1b[8mhidden');
  });

  it("keeps the tool's own colours and control sequences", () => {
    const { mem, term } = colouredMemoryTerminal();
    term.out.write(term.control('\r\x1b[2K') + term.color.green('✔') + ' ' + term.color.dim(`a ${term.color.bold('b')} c`) + '\n');
    expect(mem.stdout()).toBe('\r\x1b[2K\x1b[32m✔\x1b[39m \x1b[2ma \x1b[1mb\x1b[22m\x1b[2m c\x1b[22m\n');
  });

  it('a --json line carrying such output stays valid JSON with the original characters', () => {
    const { mem, term } = colouredMemoryTerminal();
    term.out.write(JSON.stringify({ text: HOSTILE }) + '\n');
    expect((JSON.parse(mem.stdout()) as { text: string }).text).toBe(HOSTILE);
  });
});
