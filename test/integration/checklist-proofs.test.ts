/**
 * The flow from issue 11 through the built binary: declare a SEV1, escalate, resolve. Nothing in it
 * creates a channel, tells stakeholders, sends the all-clear or schedules the post-mortem, so
 * `checklist sev1` leaves those open and says how to record each; recording them ticks them, each
 * naming the event (or the person) that proved it. A drill run in the incident ticks nothing.
 */
import { describe, expect, it } from 'vitest';
import { sandbox } from '../support/cli.js';

type Item = { id: string; done: boolean; auto: boolean; proof: any; record: string[] | null; by: string | null };

describe('checklist sev1 after declare, escalate, resolve', () => {
  it('leaves channel, stakeholders, all-clear and post-mortem open, says how to record each, and names each proof once recorded', async () => {
    const box = sandbox({ BUD_INCIDENT_ACTOR: 'alice' });
    const run = async (...args: string[]) => {
      const r = await box.run(args);
      if (r.code !== 0 && !(args[0] === 'run' && r.code === 1)) throw new Error(`${args.join(' ')} → ${r.code}\n${r.stderr}${r.stdout}`);
      return r;
    };
    const items = async () =>
      new Map((JSON.parse((await run('checklist', 'sev1', '--json')).stdout).items as Item[]).map((i) => [i.id, i]));

    await run('declare', '--title', 'API returning 500s', '--severity', 'SEV1');
    // A drill in the live incident (old timelines hold them): it proves nothing.
    await run('run', 'platform-outage', '--simulate', 'database-failure', '--yes');
    await run('escalate');
    await run('resolve', '--root-cause', 'The PostgreSQL volume filled up', '--resolution', 'Expanded the volume');

    let s = await items();
    const open = ['channel-created', 'stakeholders-notified', 'all-clear', 'postmortem-scheduled'];
    for (const id of open) expect(s.get(id), id).toMatchObject({ done: false, proof: null });
    expect(s.get('investigation-started'), 'a drill is not an investigation').toMatchObject({ done: false });
    expect(s.get('channel-created')!.record).toEqual([
      'confirm "Create incident channel" in bud-incident run sev1-response',
      'bud-incident checklist sev1 --check channel-created',
    ]);
    expect(s.get('stakeholders-notified')!.record).toEqual([
      'confirm "Notify stakeholders" in bud-incident run sev1-response (#status-updates, the status page)',
      'bud-incident checklist sev1 --check stakeholders-notified',
    ]);
    expect(s.get('all-clear')!.record![0]).toBe(
      'bud-incident update --status Resolved --impact "..." (after resolve, so it carries the resolution)',
    );
    expect(s.get('postmortem-scheduled')!.record![0]).toBe('bud-incident postmortem schedule --on YYYY-MM-DD');
    // The root cause resolve recorded is a person's word: it proves that item, and says so.
    expect(s.get('root-cause-identified')).toMatchObject({
      done: true,
      auto: true,
      proof: { kind: 'events', events: [{ type: 'incident.resolved' }] },
    });

    const text = (await run('checklist', 'sev1')).stdout;
    expect(text).toMatch(
      /\[ \]\s+1\. Incident channel created\n\s+record it: .*; or tick it by hand: bud-incident checklist sev1 --check channel-created/,
    );
    expect(text).toMatch(
      /\[ \]\s+4\. Stakeholders notified\n\s+record it: confirm "Notify stakeholders" in bud-incident run sev1-response \(#status-updates, the status page\); or tick it by hand: bud-incident checklist sev1 --check stakeholders-notified/,
    );
    expect(text).toMatch(/\[ \]\s+9\. All-clear communicated\n\s+record it: bud-incident update --status Resolved/);
    expect(text).toMatch(/\[ \]\s+10\. Post-mortem scheduled\n\s+record it: bud-incident postmortem schedule --on YYYY-MM-DD/);
    expect(text).toMatch(
      /\[x\]\s+6\. Root cause identified\n\s+proved by #\d+ incident\.resolved at \d{4}-\d\d-\d\d \d\d:\d\d UTC by alice \(Incident resolved: .*root cause: The PostgreSQL volume filled up/,
    );

    // Recording each one ticks it and names its proof.
    const resolvedSeq = s.get('root-cause-identified')!.proof.events[0].seq as number;
    await run('checklist', 'sev1', '--check', 'channel-created');
    await run('checklist', 'sev1', '--check', 'stakeholders-notified');
    // The all-clear is the one update a resolved incident still takes.
    await run('update', '--status', 'Resolved', '--impact', 'None now');
    const bad = await box.run(['postmortem', 'schedule', '--on', '2026-02-30']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--on "2026-02-30": 2026-02 has no day 30/);
    expect((await box.run(['postmortem', 'schedule'])).stderr).toMatch(/postmortem schedule needs --on DATE/);
    const day = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const scheduled = JSON.parse((await run('postmortem', 'schedule', '--on', day, '--json')).stdout);
    expect(scheduled).toMatchObject({ on: day });

    s = await items();
    expect(s.get('channel-created')).toMatchObject({
      done: true,
      auto: false,
      by: 'alice',
      proof: { kind: 'hand', by: 'alice' },
      record: null,
    });
    expect(s.get('stakeholders-notified')).toMatchObject({ done: true, auto: false, proof: { kind: 'hand', by: 'alice' } });
    expect(s.get('all-clear')).toMatchObject({ done: true, auto: true, proof: { kind: 'events', events: [{ type: 'status.update' }] } });
    expect(s.get('all-clear')!.proof.events[0].seq).toBeGreaterThan(resolvedSeq);
    expect(s.get('postmortem-scheduled')).toMatchObject({
      done: true,
      auto: true,
      proof: { kind: 'events', events: [{ type: 'postmortem.scheduled', seq: scheduled.seq, what: `Post-mortem scheduled on ${day}` }] },
    });
    const after = (await run('checklist', 'sev1')).stdout;
    expect(after).toMatch(/\[x\]\s+1\. Incident channel created\n\s+ticked by alice at \d{4}-\d\d-\d\d \d\d:\d\d UTC \(#\d+\)/);
    expect(after).toMatch(
      /\[x\]\s+10\. Post-mortem scheduled\n\s+proved by #\d+ postmortem\.scheduled at .* by alice \(Post-mortem scheduled on /,
    );
  });
});
