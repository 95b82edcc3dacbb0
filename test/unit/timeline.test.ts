import { describe, expect, it } from 'vitest';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChainError, TimelineStore, readEvents, readVerifiedEvents, verifyTimeline } from '../../src/timeline/store.js';
import { hashEvent } from '../../src/timeline/event.js';
import { ManualClock } from '../../src/adapters/clock.js';

function store() {
  const dir = mkdtempSync(join(tmpdir(), 'tl-'));
  const clock = new ManualClock('2026-11-28T04:00:00Z');
  return { dir, clock, s: new TimelineStore(dir, 'alice', () => clock.now()) };
}

describe('timeline store', () => {
  it('appends chained events that verify', () => {
    const { s, clock } = store();
    s.appendRaw([{ type: 'a', data: { n: 1 } }]);
    clock.advance(1000);
    const [e] = s.appendRaw([{ type: 'b', data: { n: 2 } }]);
    expect(e).toMatchObject({ seq: 2, ts: '2026-11-28T04:00:01.000Z', actor: 'alice', type: 'b' });
    expect(verifyTimeline(s.path)).toEqual({ ok: true, events: 2, head: e!.hash });
    expect([...readEvents(s.path)].map((x) => x.seq)).toEqual([1, 2]);
  });

  it('names the first line that was edited', () => {
    const { s } = store();
    s.appendRaw([
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
    s.appendRaw([
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
    s.appendRaw([{ type: 'a', data: {} }]);
    appendFileSync(s.path, '{"seq":2,"ts":"2026-11-28T04:0');
    expect(verifyTimeline(s.path)).toMatchObject({ ok: true, events: 1, torn: { line: 2 } });
    const [e] = s.appendRaw([{ type: 'b', data: {} }]);
    expect(e!.seq).toBe(3);
    const all = [...readEvents(s.path)];
    expect(all.map((x) => x.type)).toEqual(['a', 'timeline.torn_line_set_aside', 'b']);
    expect(readFileSync(join(dir, 'timeline.torn.jsonl'), 'utf8')).toContain('"seq":2,"ts":"2026-11-28T04:0');
    expect(verifyTimeline(s.path)).toMatchObject({ ok: true, events: 3 });
  });

  it('a whole last event missing only its newline is an event, finished on the next append, not set aside', () => {
    const { s, dir } = store();
    s.appendRaw([
      { type: 'a', data: {} },
      { type: 'b', data: { text: 'third note' } },
    ]);
    writeFileSync(s.path, readFileSync(s.path, 'utf8').replace(/\n$/, ''));
    const v = verifyTimeline(s.path);
    expect(v).toMatchObject({ ok: true, events: 2 });
    expect(v.torn).toBeUndefined();
    expect([...readEvents(s.path)].map((x) => x.type)).toEqual(['a', 'b']);
    const [e] = s.appendRaw([{ type: 'c', data: {} }]);
    expect(e!.seq).toBe(3);
    expect([...readEvents(s.path)].map((x) => x.type)).toEqual(['a', 'b', 'c']);
    expect(existsSync(join(dir, 'timeline.torn.jsonl'))).toBe(false);
    expect(verifyTimeline(s.path)).toMatchObject({ ok: true, events: 3 });
  });

  it('refuses to append after a damaged line rather than extending a broken chain', () => {
    const { s } = store();
    s.appendRaw([{ type: 'a', data: {} }]);
    appendFileSync(s.path, 'garbage\n');
    expect(() => s.appendRaw([{ type: 'b', data: {} }])).toThrow(/damaged/);
  });

  it('reads an empty or missing timeline as no events', () => {
    const { s } = store();
    expect(existsSync(s.path)).toBe(false);
    expect(verifyTimeline(s.path)).toEqual({ ok: true, events: 0, head: '0'.repeat(64) });
  });

  it('refuses to append after a forged line that does not chain, naming it; --ignore-chain goes on', () => {
    const { s, dir, clock } = store();
    s.appendRaw([
      { type: 'a', data: {} },
      { type: 'b', data: {} },
    ]);
    const [, second] = [...readEvents(s.path)];
    // A plausible line: the next seq, chained to the last hash, but its own hash made up.
    appendFileSync(
      s.path,
      JSON.stringify({ ...second!, seq: 3, prev: second!.hash, type: 'note.added', data: { text: 'forged' }, hash: 'f'.repeat(64) }) + '\n',
    );
    const before = readFileSync(s.path, 'utf8');
    expect(() => s.appendRaw([{ type: 'c', data: {} }])).toThrow(/timeline\.jsonl:3: the timeline does not verify \(hash mismatch/);
    expect(readFileSync(s.path, 'utf8')).toBe(before);
    const ignoring = new TimelineStore(dir, 'alice', () => clock.now(), true);
    expect(ignoring.appendRaw([{ type: 'c', data: {} }])[0]!.seq).toBe(4);
  });

  it('refuses a last line whose own hash is right but that does not follow the line before it', () => {
    const { s } = store();
    s.appendRaw([
      { type: 'a', data: {} },
      { type: 'b', data: {} },
    ]);
    const ts = '2026-11-28T04:00:00.000Z';
    const prev = 'e'.repeat(64);
    const hash = hashEvent(prev, 3, ts, 'mallory', 'note.added', { text: 'x' });
    appendFileSync(s.path, JSON.stringify({ seq: 3, ts, actor: 'mallory', type: 'note.added', data: { text: 'x' }, prev, hash }) + '\n');
    expect(() => s.appendRaw([{ type: 'c', data: {} }])).toThrow(/timeline\.jsonl:3: .*does not chain/);
  });

  it('refuses to write when the file moved under the lock (a writer that ignored it), rather than fork the chain', () => {
    const { s, dir } = store();
    s.appendRaw([{ type: 'a', data: {} }]);
    let calls = 0;
    const sneaky = new TimelineStore(dir, 'alice', () => {
      // Called under the lock, after the tail was read: another process writes without the lock.
      if (calls++ === 0) {
        const last = [...readEvents(s.path)].pop()!;
        const ts = '2026-11-28T04:00:00.000Z';
        const hash = hashEvent(last.hash, 2, ts, 'bob', 'x', {});
        appendFileSync(s.path, JSON.stringify({ seq: 2, ts, actor: 'bob', type: 'x', data: {}, prev: last.hash, hash }) + '\n');
      }
      return new Date();
    });
    expect(() => sneaky.appendRaw([{ type: 'b', data: {} }])).toThrow(/changed while this command held its lock/);
    expect(verifyTimeline(s.path)).toMatchObject({ ok: true, events: 2 });
  });

  it('readers refuse a chain that does not verify, naming the file and line; with ignoreChain they warn once and go on', () => {
    const { s } = store();
    s.appendRaw([
      { type: 'a', data: {} },
      { type: 'b', data: {} },
      { type: 'c', data: {} },
    ]);
    const lines = readFileSync(s.path, 'utf8').split('\n');
    lines[1] = lines[1]!.replace('"b"', '"B"');
    writeFileSync(s.path, lines.join('\n'));
    expect(() => [...readVerifiedEvents(s.path)]).toThrow(ChainError);
    expect(() => [...readVerifiedEvents(s.path)]).toThrow(new RegExp(`${s.path.replace(/[.]/g, '\\.')}:2: the timeline does not verify`));
    const told: ChainError[] = [];
    const events = [...readVerifiedEvents(s.path, { ignoreChain: true, onBroken: (e) => told.push(e) })];
    expect(events.map((e) => e.type)).toEqual(['a', 'B', 'c']);
    expect(told.map((e) => e.line)).toEqual([2]);
  });

  it('binds the record to its incident: a file moved from another incident does not verify', () => {
    const { s } = store();
    s.appendRaw([
      { type: 'incident.opened', data: { id: 'inc-a', title: 'A' } },
      { type: 'b', data: {} },
    ]);
    expect(verifyTimeline(s.path, { incidentId: 'inc-a' })).toMatchObject({ ok: true, events: 2 });
    expect(verifyTimeline(s.path, { incidentId: 'inc-b' })).toMatchObject({
      ok: false,
      firstBad: { line: 1, reason: expect.stringMatching(/opens incident "inc-a", not "inc-b"/) },
    });
    const other = store();
    other.s.appendRaw([{ type: 'note.added', data: {} }]);
    expect(verifyTimeline(other.s.path, { incidentId: 'inc-a' })).toMatchObject({ ok: false, firstBad: { line: 1 } });
  });

  it('a head witness is found in its chain, and not after truncation or re-chaining', () => {
    const { s } = store();
    const written = s.appendRaw([
      { type: 'a', data: {} },
      { type: 'b', data: { n: 1 } },
      { type: 'c', data: {} },
    ]);
    const witness = written[1]!.hash.slice(0, 12);
    expect(verifyTimeline(s.path, { witness })).toMatchObject({ ok: true, witness: { hash: witness, seq: 2 } });
    // Truncated before the witness: what is left verifies, but the witness is not in it.
    const lines = readFileSync(s.path, 'utf8').split('\n');
    writeFileSync(s.path, lines[0] + '\n');
    expect(verifyTimeline(s.path, { witness })).toEqual({ ok: true, events: 1, head: written[0]!.hash, witness: { hash: witness } });
    // Rewritten from line 2 with every later hash recomputed: verifies, but the witness is gone.
    const rewritten = store();
    rewritten.s.appendRaw([
      { type: 'a', data: {} },
      { type: 'b', data: { n: 2 } },
      { type: 'c', data: {} },
    ]);
    expect(verifyTimeline(rewritten.s.path, { witness })).toMatchObject({ ok: true, witness: { hash: witness } });
    expect(verifyTimeline(rewritten.s.path, { witness }).witness!.seq).toBeUndefined();
  });
});
