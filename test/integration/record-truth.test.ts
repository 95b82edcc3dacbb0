/**
 * What a stranger found the record saying that did not happen (issue 11's hostile pass), each as a
 * user would see it through the built binary: a mitigation nobody did recorded as done, a response
 * "met" because the system recovered by itself, a reopening filed at the wrong time, an all-clear
 * typed in lower case promising another update, ticks out of order, a commander named "-".
 */
import { describe, expect, it } from 'vitest';
import { runOk, sandbox, type Sandbox } from '../support/cli.js';

const T0 = '2026-01-01T10:00:00.000Z';
const at = (min: number) => new Date(Date.parse(T0) + min * 60_000).toISOString();

function cli(box: Sandbox) {
  const ok = (...args: string[]) => runOk(box, args);
  const events = async () =>
    (await ok('timeline', '--json')).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; data: Record<string, unknown> });
  return { ok, events };
}

describe('the record says only what happened', () => {
  it('a mitigation done by hand is not recorded as done when nobody could confirm it (--yes)', async () => {
    const box = sandbox();
    const { ok, events } = cli(box);
    // The shipped control-plane scenario proposes an instruction-only mitigation (escalate to the operators).
    await box.run(['run', 'platform-outage', '--simulate', 'control-plane', '--yes', '--make-current']);
    const types = (await events()).map((e) => e.type);
    expect(types).toContain('mitigation.proposed');
    expect(types).not.toContain('mitigation.approved');
    expect(types).not.toContain('mitigation.finished');
    const declined = (await events()).find((e) => e.type === 'mitigation.declined');
    expect(declined?.data.reason).toMatch(/not done: proposed only/);
    const status = JSON.parse((await ok('status', '--json')).stdout);
    expect(status.milestones.mitigated).toBeUndefined();
  });

  it('a system that recovered by itself does not acknowledge the incident: the first responder does', async () => {
    const box = sandbox();
    const { ok } = cli(box);
    await ok('declare', '--title', 'Error spike', '--severity', 'SEV1', '--at', T0);
    await ok('milestone', 'mitigated', '--at', at(5));
    await ok('assign', 'commander', 'alice', '--at', at(40));
    const status = JSON.parse((await ok('status', '--json')).stdout);
    expect(status.response).toMatchObject({ acknowledgedAt: at(40), met: false });
    await ok('resolve', '--root-cause', 'x', '--resolution', 'y', '--at', at(50));
    const md = (await ok('postmortem', 'generate', '-o', '-')).stdout;
    expect(md).toContain('- Time to acknowledge: 00:40');
    expect(md).toMatch(/Responded after 40m, beyond the 15m response time for SEV1/);
  });

  it('resolve --reopen takes --at, and the all-clear before it leaves no update due until then', async () => {
    const box = sandbox();
    const { ok, events } = cli(box);
    await ok('declare', '--title', 'API down', '--severity', 'SEV1', '--commander', 'alice', '--at', T0);
    await ok('update', '--status', 'Investigating', '--impact', 'all', '--at', at(5));
    await ok('update', '--status', 'resolved', '--impact', 'none', '--at', at(14));
    await ok('resolve', '--root-cause', 'a', '--resolution', 'b', '--at', at(15));
    expect((await box.run(['resolve', '--reopen', '--at', at(10)])).code).toBe(2); // before its resolution
    await ok('resolve', '--reopen', '--at', at(60));
    await ok('update', '--status', 'Investigating', '--impact', 'errors back', '--at', at(65));
    await ok('resolve', '--root-cause', 'a2', '--resolution', 'b2', '--at', at(90));
    const all = await events();
    expect(all.find((e) => e.type === 'incident.reopened')?.data.at).toBe(at(60));
    // Typed in lower case, the all-clear is still the all-clear: recorded as Resolved, no next update.
    const allClear = all.filter((e) => e.type === 'status.update')[1]!;
    expect(allClear.data.status).toBe('Resolved');
    expect(allClear.data.message).toMatch(/Next Update: none \(resolved\)/);
    const md = (await ok('postmortem', 'generate', '-o', '-')).stdout;
    expect(md).toMatch(/\| 11:00 \| Incident reopened/);
    expect(md).not.toMatch(/No update for .*11:05 UTC/);
  });

  it('a next update on another day shows its date; --next-update 0 is refused', async () => {
    const box = sandbox();
    const { ok } = cli(box);
    await ok('declare', '--title', 'one user', '--severity', 'SEV4', '--at', T0);
    const r = await ok('update', '--status', 'Investigating', '--impact', 'one user', '--at', at(5), '--json');
    expect(JSON.parse(r.stdout).message).toMatch(/Next Update: 2026-01-02 10:05 UTC/);
    const zero = await box.run(['update', '--status', 'Investigating', '--impact', 'x', '--next-update', '0m']);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toMatch(/--next-update "0m"/);
  });

  it('a tick is not dated before the last tick or untick of the same item; a name that names nobody is refused', async () => {
    const box = sandbox();
    const { ok } = cli(box);
    await ok('declare', '--title', 'x', '--severity', 'SEV1', '--at', T0);
    await ok('checklist', 'sev1', '--check', 'stakeholders-notified', '--at', at(30));
    const early = await box.run(['checklist', 'sev1', '--uncheck', 'stakeholders-notified', '--at', at(10)]);
    expect(early.code).toBe(2);
    expect(early.stderr).toMatch(/before the last tick or untick of stakeholders-notified/);
    const list = JSON.parse((await ok('checklist', 'sev1', '--json')).stdout);
    expect(list.items.find((i: { id: string }) => i.id === 'stakeholders-notified')).toMatchObject({ done: true, at: at(30) });
    for (const args of [
      ['assign', 'commander', '-'],
      ['assign', 'commander', ' '],
      ['declare', '--title', 'y', '--severity', 'SEV2', '--commander', ' '],
    ]) {
      const r = await box.run(args);
      expect(r.code, args.join(' ')).toBe(2);
    }
  });

  it('escalating a drill says it is a drill', async () => {
    const box = sandbox();
    const { ok } = cli(box);
    await ok('declare', '--drill', '--make-current', '--title', 'game day', '--severity', 'SEV1', '--data-breach');
    expect((await ok('escalate')).stdout).toMatch(/^\[DRILL — a rehearsal, not a real incident\]/);
  });

  it("a drill never takes a live incident's name; incidents list lines up; a hand tick reads as one in the timeline", async () => {
    const box = sandbox();
    const { ok } = cli(box);
    await ok('declare', '--drill', '--title', 'API down', '--severity', 'SEV1');
    await ok('declare', '--title', 'API down', '--severity', 'SEV1');
    await box.run(['run', 'platform-outage', '--simulate', 'control-plane', '--yes']);
    const rows = (await ok('incidents', 'list')).stdout.trimEnd().split('\n');
    expect(rows.map((r) => r.slice(2).split(/\s+/)[0])).toEqual(
      expect.arrayContaining([expect.stringMatching(/-api-down$/), expect.stringMatching(/-drill-api-down$/)]),
    );
    const column = (r: string) => r.search(/SEV1/);
    expect(new Set(rows.map(column)).size).toBe(1);
    await ok('checklist', 'sev1', '--check', 'channel-created');
    expect((await ok('timeline')).stdout).toMatch(/Checklist sev1: channel-created ticked by hand/);
  });

  it('a status update says where it goes (§7): customer-facing channels for SEV1/SEV2, never for a drill', async () => {
    const box = sandbox();
    const { ok } = cli(box);
    const postTo = async () =>
      (
        JSON.parse((await ok('update', '--status', 'Investigating', '--impact', 'x', '--json')).stdout).postTo as Array<{ channel: string }>
      ).map((p) => p.channel);
    await ok('declare', '--title', 'api down', '--severity', 'SEV1');
    expect(await postTo()).toEqual([expect.stringMatching(/^#incident-/), '#status-updates', 'Status page']);
    await ok('severity', 'SEV2', '--reason', 'partial');
    expect(await postTo()).toEqual([expect.stringMatching(/^#incident-/), '#incidents', '#status-updates', 'Status page']);
    await ok('severity', 'SEV3', '--reason', 'minor');
    expect(await postTo()).toEqual([expect.stringMatching(/^#incident-/)]);
    expect((await ok('update', '--status', 'Monitoring', '--impact', 'x')).stdout).toMatch(/Post it in:\n {2}#incident-/);
    await ok('declare', '--drill', '--make-current', '--title', 'game day', '--severity', 'SEV1');
    expect(await postTo()).toEqual([expect.stringMatching(/^#incident-.*drill/)]);
  });
});
