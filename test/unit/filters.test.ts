import { describe, expect, it } from 'vitest';
import { parseFilter } from '../../src/runbook/filters.js';

const run = (args: string[], input: string) => {
  const f = parseFilter(args);
  if (!f.ok) throw new Error('external' in f ? 'external' : f.message);
  return f.filter(input);
};
const text = 'INFO start\nERROR db down\nwarn x\nError: again\n';

describe('pipeline filters', () => {
  it.each([
    [['grep', '-i', 'error'], 'ERROR db down\nError: again\n'],
    [['grep', 'ERROR'], 'ERROR db down\n'],
    [['grep', '-v', '-i', 'error'], 'INFO start\nwarn x\n'],
    [['grep', '-c', '-i', 'error'], '2\n'],
    [['grep', '-E', 'INFO|warn'], 'INFO start\nwarn x\n'],
    [['grep', 'INFO\\|warn'], 'INFO start\nwarn x\n'],
    [['grep', 'x|y'], ''],
    [['head', '-2'], 'INFO start\nERROR db down\n'],
    [['head', '-n', '1'], 'INFO start\n'],
    [['tail', '-1'], 'Error: again\n'],
    [['wc', '-l'], '4\n'],
    [['sort'], 'ERROR db down\nError: again\nINFO start\nwarn x\n'],
  ])('%j', (args, expected) => {
    expect(run(args, text)).toBe(expected);
  });

  it('leaves unknown programs (jq) to run as processes', () => {
    expect(parseFilter(['jq', '.'])).toEqual({ ok: false, external: true });
  });

  it('rejects what it does not support, clearly', () => {
    const f = parseFilter(['head', '--bytes=3']);
    expect(f.ok).toBe(false);
    expect(!f.ok && 'message' in f && f.message).toMatch(/unsupported argument/);
  });
});

describe('streaming filters', () => {
  const streamed = (args: string[], chunks: string[]) => {
    const f = parseFilter(args);
    if (!f.ok) throw new Error('not a filter');
    const s = f.stream();
    return { out: chunks.map((c) => s.write(c)).join('') + s.end(), note: s.note };
  };
  // Every way of cutting the text into chunks gives what the whole text gives.
  const cuts = (t: string) => [
    [t],
    t.split(''),
    [t.slice(0, 7), t.slice(7, 20), t.slice(20)],
    t.split('\n').map((l, i, a) => (i < a.length - 1 ? l + '\n' : l)),
  ];
  it.each([
    [['grep', '-i', 'error']],
    [['grep', '-c', 'x']],
    [['head', '-2']],
    [['tail', '-2']],
    [['wc', '-l']],
    [['sort', '-r']],
    [['uniq', '-c']],
  ])('%j gives the same output however the input arrives', (args) => {
    const t = 'b\nb\nERROR a\nx\nError: c\nlast without newline';
    for (const chunks of cuts(t)) expect(streamed(args, chunks).out).toBe(run(args, t));
  });

  it('tail holds its last lines only, and sees the end of input longer than anything kept', () => {
    const chunks = Array.from({ length: 2000 }, (_, i) => `${'x'.repeat(10_000)} ${i}\n`);
    expect(streamed(['tail', '-1'], chunks).out).toBe(`${'x'.repeat(10_000)} 1999\n`);
  });

  it('sort holds at most its limit, and says what it left out', () => {
    const line = 'y'.repeat(1023) + '\n';
    const { out, note } = streamed(
      ['sort'],
      Array.from({ length: 17 * 1024 }, () => line),
    );
    expect(out.length).toBeLessThanOrEqual(16 * 1024 * 1024);
    expect(note).toMatch(
      /^sort: sorted only the first 16384 lines \(16777216 characters, its limit\); 1024 more lines \(1048576 characters\) were not sorted or shown$/,
    );
  });
});
