import { describe, expect, it } from 'vitest';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TimelineStore, readEvents, verifyTimeline } from '../../src/timeline/store.js';
import { ManualClock } from '../../src/adapters/clock.js';

function store() {
  const dir = mkdtempSync(join(tmpdir(), 'tl-'));
  const clock = new ManualClock('2026-11-28T04:00:00Z');
  return { dir, clock, s: new TimelineStore(dir, 'alice', () => clock.now()) };
}

describe('timeline store', () => {
  it('appends chained events that verify', () => {
    const { s, clock } = store();
    s.append([{ type: 'a', data: { n: 1 } }]);
    clock.advance(1000);
    const [e] = s.append([{ type: 'b', data: { n: 2 } }]);
    expect(e).toMatchObject({ seq: 2, ts: '2026-11-28T04:00:01.000Z', actor: 'alice', type: 'b' });
    expect(verifyTimeline(s.path)).toEqual({ ok: true, events: 2 });
    expect([...readEvents(s.path)].map((x) => x.seq)).toEqual([1, 2]);
  });

  it('names the first line that was edited', () => {
    const { s } = store();
    s.append([
      { type: 'a', data: { text: 'root cause: disk' } },
      { type: 'b', data: {} },
      { type: 'c', data: {} },
    ]);
    const lines = readFileSync(s.path, 'utf8').split('\n');
    lines[1] = lines[1]!.replace('"b"', '"x"');
    writeFileSync(s.path, lines.join('\n'));
    expect(verifyTimeline(s.path)).toMatchObject({
      ok: false,
      events: 1,
      firstBad: { line: 2, reason: expect.stringMatching(/hash mismatch/) },
    });
  });

  it('detects a removed line', () => {
    const { s } = store();
    s.append([
      { type: 'a', data: {} },
      { type: 'b', data: {} },
      { type: 'c', data: {} },
    ]);
    const lines = readFileSync(s.path, 'utf8').split('\n');
    lines.splice(1, 1);
    writeFileSync(s.path, lines.join('\n'));
    expect(verifyTimeline(s.path)).toMatchObject({
      ok: false,
      firstBad: { line: 2, reason: expect.stringMatching(/sequence number 3, expected 2/) },
    });
  });

  it('reports a torn last line, then sets it aside on the next append instead of dropping it', () => {
    const { s, dir } = store();
    s.append([{ type: 'a', data: {} }]);
    appendFileSync(s.path, '{"seq":2,"ts":"2026-11-28T04:0');
    expect(verifyTimeline(s.path)).toMatchObject({ ok: true, events: 1, torn: { line: 2 } });
    const [e] = s.append([{ type: 'b', data: {} }]);
    expect(e!.seq).toBe(3);
    const all = [...readEvents(s.path)];
    expect(all.map((x) => x.type)).toEqual(['a', 'timeline.torn_line_set_aside', 'b']);
    expect(readFileSync(join(dir, 'timeline.torn.jsonl'), 'utf8')).toContain('"seq":2,"ts":"2026-11-28T04:0');
    expect(verifyTimeline(s.path)).toEqual({ ok: true, events: 3 });
  });

  it('refuses to append after a damaged line rather than extending a broken chain', () => {
    const { s } = store();
    s.append([{ type: 'a', data: {} }]);
    appendFileSync(s.path, 'garbage\n');
    expect(() => s.append([{ type: 'b', data: {} }])).toThrow(/damaged/);
  });

  it('reads an empty or missing timeline as no events', () => {
    const { s } = store();
    expect(existsSync(s.path)).toBe(false);
    expect(verifyTimeline(s.path)).toEqual({ ok: true, events: 0 });
  });
});
