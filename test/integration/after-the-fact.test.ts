/**
 * Issue 11's acceptance, end to end through the built binary: a SEV1 written up after the fact,
 * with `--at` on every command, gives a post-mortem whose timeline, milestones and durations are
 * the times given, and a checklist whose every tick names what proves it (an event, or a person's
 * tick) at the time given.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ROOT, runOk, sandbox } from '../support/cli.js';

const T0 = '2026-01-01T10:00:00.000Z';
const at = (min: number) => new Date(Date.parse(T0) + min * 60_000).toISOString();
const RUNBOOKS = join(ROOT, 'test', 'fixtures', 'faults');

interface Proof {
  kind: 'events' | 'hand';
  at?: string;
  events?: Array<{ type: string; seq: number; ts: string; at?: string }>;
}
interface Item {
  id: string;
  done: boolean;
  proof: Proof | null;
}

describe('a SEV1 written up after the fact', () => {
  it('post-mortem and checklist carry the times given, and every tick names its proof', async () => {
    const box = sandbox();
    const ok = (...args: string[]) => runOk(box, args);
    await ok('declare', '--title', 'API down', '--severity', 'SEV1', '--at', T0);
    await ok('checklist', 'sev1', '--check', 'channel-created', '--at', at(2));
    await ok('assign', 'commander', 'alice', '--at', at(4));
    await ok('escalate', '--at', at(6));
    await ok('update', '--status', 'Investigating', '--impact', 'All API requests failing', '--at', at(8));
    await ok('checklist', 'sev1', '--check', 'stakeholders-notified', '--at', at(9));
    await ok('run', 'echo-input', '--runbooks-dir', RUNBOOKS, '--var', 'value=x', '--yes', '--at', at(10));
    await ok('note', 'the 09:55 deploy broke request routing', '--tag', 'root-cause', '--at', at(20));
    await ok('milestone', 'identified', '--at', at(20));
    await ok('milestone', 'mitigated', '--at', at(40));
    await ok('checklist', 'sev1', '--check', 'fix-verified', '--at', at(45));
    await ok('update', '--status', 'Resolved', '--impact', 'none since 10:40', '--at', at(48));
    await ok('resolve', '--root-cause', 'bad deploy', '--resolution', 'rolled back', '--at', at(50));
    await ok('postmortem', 'schedule', '--on', '2026-01-03');

    // The checklist: every item done, each naming what proves it, at the time it was done.
    const list = JSON.parse((await ok('checklist', 'sev1', '--json')).stdout) as { done: number; total: number; items: Item[] };
    expect(list.done).toBe(list.total);
    const proofOf = new Map(list.items.map((i) => [i.id, i.proof!]));
    const byHand = (id: string) => proofOf.get(id)!.kind === 'hand' && proofOf.get(id)!.at;
    const byEvent = (id: string) => proofOf.get(id)!.events!.map((e) => `${e.type}@${e.at ?? e.ts}`);
    expect(byHand('channel-created')).toBe(at(2));
    expect(byEvent('commander-assigned')).toEqual([`role.assigned@${at(4)}`]);
    expect(byEvent('initial-status-posted')).toEqual([`status.update@${at(8)}`]);
    expect(byHand('stakeholders-notified')).toBe(at(9));
    expect(byEvent('investigation-started')).toEqual([`run.started@${at(10)}`]);
    expect(byEvent('root-cause-identified')).toEqual([`note.added@${at(20)}`]);
    expect(byEvent('mitigation-applied')).toEqual([`milestone.recorded@${at(40)}`]);
    expect(byHand('fix-verified')).toBe(at(45));
    expect(byEvent('all-clear')).toEqual([`status.update@${at(48)}`]);
    expect(byEvent('postmortem-scheduled')[0]).toMatch(/^postmortem\.scheduled@/);
    for (const item of list.items) expect(item.proof, item.id).not.toBeNull();

    // The post-mortem: milestones, durations and rows at the times given, in the order they happened.
    const md = (await ok('postmortem', 'generate', '-o', '-')).stdout;
    for (const row of [
      '| detected | 2026-01-01 10:00 | 00:00 |',
      '| declared | 2026-01-01 10:00 | 00:00 |',
      '| acknowledged | 2026-01-01 10:02 | 00:02 |',
      '| investigating | 2026-01-01 10:10 | 00:10 |',
      '| identified | 2026-01-01 10:20 | 00:20 |',
      '| mitigated | 2026-01-01 10:40 | 00:40 |',
      '| resolved | 2026-01-01 10:50 | 00:50 |',
    ])
      expect(md).toContain(row);
    expect(md).toContain('**Duration:** 00:50 (detection 10:00 UTC → resolution 10:50 UTC)');
    expect(md).toContain('- Time to acknowledge: 00:02');
    expect(md).toContain('- Time to mitigate: 00:40');
    expect(md).toContain('- Time to resolve: 00:50');
    expect(md).toContain('scheduled for 2026-01-03');
    expect(md).toMatch(/## Root Cause[\s\S]*bad deploy/);
    const rows = [...md.matchAll(/^\| (10:\d\d) \| (.*) \|$/gm)].map((m) => [m[1]!, m[2]!] as const);
    expect(rows.map(([t]) => t)).toEqual([...rows.map(([t]) => t)].sort());
    expect(rows.find(([, text]) => text.startsWith('Incident opened'))?.[0]).toBe('10:00');
    expect(rows.find(([, text]) => text.startsWith('Escalated to L1'))?.[0]).toBe('10:06');
    expect(rows.find(([, text]) => text.startsWith('Incident resolved'))?.[0]).toBe('10:50');
  }, 90_000);

  it('checklist --check and classify --apply take --at like every other command: judged, dated, or refused recording nothing', async () => {
    const box = sandbox();
    const run = (...args: string[]) => box.run(args);
    expect((await run('declare', '--title', 'API down', '--severity', 'SEV2', '--at', T0)).code).toBe(0);
    const count = async () => (await run('timeline', '--json')).stdout.trim().split('\n').length;
    const before = await count();
    for (const args of [
      ['checklist', 'sev2', '--check', 'fix-verified', '--at', '2099-01-01T00:00:00Z'],
      ['checklist', 'sev2', '--check', 'fix-verified', '--at', at(-5)],
      ['checklist', 'sev2', '--check', 'fix-verified', '--check', 'no-such-item', '--at', at(5)],
      ['checklist', 'sev2', '--at', at(5)],
      ['classify', '--platform-down', '--apply', '--at', at(-5)],
      ['classify', '--platform-down', '--at', at(5)],
    ]) {
      const r = await run(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/--at|no single item/);
    }
    expect(await count()).toBe(before);

    expect((await run('classify', '--platform-down', '--apply', '--at', at(3))).code).toBe(0);
    const events = (await run('timeline', '--json')).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; data: Record<string, unknown> });
    expect(events.find((e) => e.type === 'severity.changed')?.data).toMatchObject({ from: 'SEV2', to: 'SEV1', at: at(3) });
    const status = JSON.parse((await run('status', '--json')).stdout);
    expect(status.severity).toBe('SEV1');
  }, 60_000);
});
