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
