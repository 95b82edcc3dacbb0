/**
 * Tamper evidence with an anchor (issue 10, item 5): the record is bound to its incident, verify
 * re-hashes the artifacts and checks a head witness quoted in a status update, and every reader
 * refuses a chain that does not verify (exit 3, file:line) unless --ignore-chain.
 */
import { describe, expect, it } from 'vitest';
import { appendFileSync, chmodSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sandbox, type Sandbox } from '../support/cli.js';
import { TimelineStore } from '../../src/timeline/store.js';

const timelineOf = (box: Sandbox, id?: string) =>
  join(box.home, 'incidents', id ?? readFileSync(join(box.home, 'current'), 'utf8').trim(), 'timeline.jsonl');

async function declared(title = 'db down'): Promise<Sandbox> {
  const box = sandbox();
  expect((await box.run(['declare', '--title', title, '--severity', 'SEV2'])).code).toBe(0);
  return box;
}

/** Appends a plausible line that does not chain (its hash made up), as a forger without the chain would. */
function forge(path: string): number {
  const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
  const last = JSON.parse(lines.at(-1)!) as { seq: number; hash: string; ts: string };
  const forged = {
    seq: last.seq + 1,
    ts: last.ts,
    actor: 'mallory',
    type: 'incident.resolved',
    data: { rootCause: 'nothing', resolution: 'nothing' },
    prev: last.hash,
    hash: 'a'.repeat(64),
  };
  appendFileSync(path, JSON.stringify(forged) + '\n');
  return lines.length + 1;
}

describe('a record that does not verify', () => {
  it('is refused by every reader with file:line and exit 3, and nothing is appended', async () => {
    const box = await declared();
    const path = timelineOf(box);
    const line = forge(path);
    const before = readFileSync(path, 'utf8');
    for (const args of [
      ['status'],
      ['note', 'after the forgery'],
      ['update', '--status', 'Investigating', '--impact', 'all'],
      ['resolve', '--root-cause', 'x', '--resolution', 'y'],
      ['postmortem', 'generate', '-o', '-'],
      ['timeline'],
      ['checklist', 'sev2', '--json'],
      ['run', 'platform-outage', '--simulate', 'control-plane', '--yes'],
    ]) {
      const r = await box.run(args);
      expect({ args, code: r.code }).toEqual({ args, code: 3 });
      expect(r.stderr).toContain(`${path}:${line}: the timeline does not verify (hash mismatch`);
      expect(r.stderr).toContain('--ignore-chain');
    }
    expect(readFileSync(path, 'utf8')).toBe(before);
    // timeline verify names it too (exit 1, as before).
    const v = await box.run(['timeline', 'verify']);
    expect(v.code).toBe(1);
    expect(v.stdout).toContain(`${path}:${line}: hash mismatch`);
  });

  it('--ignore-chain warns with the line and goes on', async () => {
    const box = await declared();
    const path = timelineOf(box);
    const line = forge(path);
    const status = await box.run(['status', '--ignore-chain']);
    expect(status.code).toBe(0);
    expect(status.stderr).toContain(`warning: ${path}:${line}: the timeline does not verify`);
    const note = await box.run(['note', 'recorded anyway', '--ignore-chain']);
    expect(note.code).toBe(0);
    expect(readFileSync(path, 'utf8')).toContain('recorded anyway');
    const pm = await box.run(['postmortem', 'generate', '-o', '-', '--ignore-chain']);
    expect(pm.code).toBe(0);
    expect(pm.stdout).toMatch(/> \*\*Warning:\*\* the timeline does not verify from line \d+/);
  });

  it('a torn last line still works as before: readers go on, the next write sets it aside', async () => {
    const box = await declared();
    const path = timelineOf(box);
    appendFileSync(path, '{"seq":2,"ts":"2026-11-28T04:0');
    expect((await box.run(['status'])).code).toBe(0);
    expect((await box.run(['note', 'after a torn line'])).code).toBe(0);
    const v = await box.run(['timeline', 'verify']);
    expect(v.code).toBe(0);
    expect(readFileSync(join(path, '..', 'timeline.torn.jsonl'), 'utf8')).toContain('"seq":2,"ts":"2026-11-28T04:0');
  });
});

describe('tamper evidence with an anchor', () => {
  it("two incidents' timelines swapped: verify and the readers name the first line", async () => {
    const box = await declared('first');
    expect((await box.run(['declare', '--title', 'second', '--severity', 'SEV3'])).code).toBe(0);
    const [a, b] = readdirSync(join(box.home, 'incidents')).sort();
    const pa = timelineOf(box, a);
    const pb = timelineOf(box, b);
    renameSync(pa, pa + '.tmp');
    renameSync(pb, pa);
    renameSync(pa + '.tmp', pb);
    const v = await box.run(['timeline', 'verify', '--incident', a!]);
    expect(v.code).toBe(1);
    expect(v.stdout).toContain(`${pa}:1: this record opens incident "${b}", not "${a}"`);
    const s = await box.run(['status', '--incident', b!]);
    expect(s.code).toBe(3);
    expect(s.stderr).toContain(`${pb}:1:`);
    // The list still shows every incident, the broken ones as such.
    const list = await box.run(['incidents', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(`${a}`);
    expect(list.stdout).toMatch(/broken +record does not verify \(line 1\)/);
  });

  it('an edited or missing artifact fails verify, naming the file and the event that recorded its hash', async () => {
    const box = sandbox();
    await box.run(['run', 'platform-outage', '--simulate', 'control-plane', '--yes', '--make-current']);
    const dir = join(timelineOf(box), '..');
    const runDir = join(dir, 'artifacts', readdirSync(join(dir, 'artifacts'))[0]!);
    const file = readdirSync(runDir)[0]!;
    expect((await box.run(['timeline', 'verify'])).stdout).toMatch(/✔ \d+ artifact\(s\) match the hashes recorded in the timeline/);
    chmodSync(join(runDir, file), 0o600);
    appendFileSync(join(runDir, file), 'edited later\n');
    const edited = await box.run(['timeline', 'verify']);
    expect(edited.code).toBe(1);
    expect(edited.stdout).toMatch(
      new RegExp(`✖ .*artifacts/[^/]+/${file.replace(/\./g, '\\.')}: changed: its sha256 is [0-9a-f]{16}…, event #\\d+ recorded`),
    );
    renameSync(join(runDir, file), join(runDir, file + '.gone'));
    expect((await box.run(['timeline', 'verify'])).stdout).toMatch(/: missing \(recorded by event #\d+\)/);
  });

  it('the head witness in a status update catches truncation and a re-chained rewrite', async () => {
    const box = await declared();
    await box.run(['note', 'first']);
    const update = await box.run(['update', '--status', 'Investigating', '--impact', 'all users']);
    const witness = /Record: 2 events, head sha256:([0-9a-f]{16})…/.exec(update.stdout)?.[1];
    expect(witness).toBeDefined();
    await box.run(['note', 'later']);
    const ok = await box.run(['timeline', 'verify', '--head', `sha256:${witness}…`]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`✔ sha256:${witness} is event #2 of this chain`);
    expect((await box.run(['timeline', 'verify', '--head', 'abc'])).code).toBe(2);

    // Rewrite from the note on with every later hash recomputed: the chain verifies, the witness is gone.
    const path = timelineOf(box);
    const id = readFileSync(join(box.home, 'current'), 'utf8').trim();
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    const events = lines.map((l) => JSON.parse(l) as { ts: string; actor: string; type: string; data: Record<string, unknown> });
    const dir = join(box.home, 'incidents', id);
    renameSync(path, path + '.orig');
    let n = 0;
    const store = new TimelineStore(dir, 'x', () => new Date(events[n]!.ts));
    for (const e of events) {
      store.appendRaw([{ type: e.type, actor: e.actor, data: e.type === 'note.added' && n === 1 ? { text: 'rewritten' } : e.data }]);
      n++;
    }
    expect((await box.run(['timeline', 'verify'])).code).toBe(0);
    const rewritten = await box.run(['timeline', 'verify', '--head', witness!]);
    expect(rewritten.code).toBe(1);
    expect(rewritten.stdout).toContain(`✖ sha256:${witness} is not an event of this chain`);

    // Cut short before the witness: what is left verifies, the witness does not.
    writeFileSync(path, lines[0] + '\n');
    const truncated = await box.run(['timeline', 'verify', '--head', witness!]);
    expect(truncated.code).toBe(1);
    expect(truncated.stdout).toContain('1 events');
    expect(truncated.stdout).toContain('is not an event of this chain');
  });
});
