/**
 * What `status`, `handoff` and `update` say about findings and fixes, through the built binary: the
 * same judgement as the post-mortem (src/incident/findings.ts). A finding a later run of the same
 * check refuted is listed apart, labelled, never as a fact; a drill's own findings are its findings,
 * marked simulated, and every update of a drill starts with the DRILL banner; a fix whose check
 * failed afterwards is not "Done"; the all-clear can go out after `resolve`, carrying the
 * resolution; a closed or discarded incident takes nothing more.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runOk, sandbox, type Sandbox } from '../support/cli.js';

/** A runbook whose one check fails while a file does not say "ok"; its fix (touch) changes nothing it checks. */
const RUNBOOKS = join(ROOT, 'test', 'fixtures', 'findings');
const DRILL_BANNER = '[DRILL — a rehearsal, not a real incident]';

function cli(box: Sandbox) {
  // A run that finds something exits 1.
  const ok = (...args: string[]) => runOk(box, args, args[0] === 'run' ? [0, 1] : [0]);
  const dir = mkdtempSync(join(tmpdir(), 'bud-flag-'));
  /** Runs the flag-file check against a file that says `says`. */
  const flag = async (name: string, says: string, ...extra: string[]) => {
    const file = join(dir, name);
    writeFileSync(file, `${says}\n`);
    await ok('run', 'flag-file', '--runbooks-dir', RUNBOOKS, '--var', `file=${file}`, '--yes', ...extra);
    return file;
  };
  const events = async (id: string) => (await ok('timeline', '--json', '--incident', id)).stdout.trim().split('\n').length;
  return { ok, flag, events };
}

describe('findings in status and handoff', () => {
  it('show the findings that stand; a refuted one is listed apart, labelled, never as a finding', async () => {
    const box = sandbox();
    const { ok, flag } = cli(box);
    await ok('declare', '--title', 'API down', '--severity', 'SEV2');
    const refuted = await flag('a', 'bad');
    await flag('a', 'ok'); // the same check passes, nothing applied in between: a false alarm
    const stands = await flag('b', 'bad');

    const s = JSON.parse((await ok('status', '--json')).stdout);
    expect(s.findings.map((f: { message: string }) => f.message)).toEqual([`The flag file is not ok: ${stands}`]);
    expect(s.findings[0]).toMatchObject({ verdict: 'stands' });
    expect(s.findingsSetAside).toEqual([
      expect.objectContaining({
        message: `The flag file is not ok: ${refuted}`,
        verdict: 'refuted',
        why: expect.stringMatching(/not there when/),
      }),
    ]);

    const text = (await ok('status')).stdout;
    expect(text).toContain(`  findings (1):\n    • The flag file is not ok: ${stands}\n`);
    expect(text).toMatch(
      /set aside, not facts about the system \(1\):\n\s+• refuted: The flag file is not ok: \S+\/a — not there when the same check ran again/,
    );
    expect(text).not.toContain(`• The flag file is not ok: ${refuted}`);

    const handoff = JSON.parse((await ok('handoff', '--to', 'dave', '--json')).stdout).summary.join('\n');
    expect(handoff).toContain('1 finding(s) (and 1 set aside)');
    expect(handoff).toContain(`  • finding: The flag file is not ok: ${stands}`);
    expect(handoff).toMatch(/• set aside, not a fact about the system: refuted: The flag file is not ok: \S+\/a — not there when/);
    expect(handoff).not.toContain(`• finding: The flag file is not ok: ${refuted}`);
  });

  it("in a drill, the drill's own findings show, marked simulated, and every update starts with the DRILL banner", async () => {
    const box = sandbox();
    const { ok } = cli(box);
    await ok('run', 'database-failure', '--simulate', 'storage', '--yes');
    const drill = JSON.parse((await ok('incidents', 'list', '--json')).stdout);
    const id = (Array.isArray(drill) ? drill : drill.incidents).find((i: { drill: boolean }) => i.drill).id as string;

    const s = JSON.parse((await ok('status', '--incident', id, '--json')).stdout);
    expect(s.findings.length).toBeGreaterThan(0);
    expect(s.findings[0]).toMatchObject({ simulated: true, verdict: 'stands', message: expect.stringMatching(/volume is full/) });
    expect((await ok('status', '--incident', id)).stdout).toMatch(
      /findings \(\d+, simulated in this drill\):\n\s+• \[simulated\] PostgreSQL \S+ cannot use its storage/,
    );

    for (const status of ['Investigating', 'Resolved']) {
      const u = JSON.parse((await ok('update', '--incident', id, '--status', status, '--impact', 'rehearsal', '--json')).stdout);
      expect(u.message.startsWith(`${DRILL_BANNER}\n=== SEV1 INCIDENT UPDATE ===`), u.message).toBe(true);
      if (status === 'Investigating') expect(u.message).toMatch(/What We Know:\n- \[simulated\] PostgreSQL \S+ cannot use its storage/);
    }
  });
});

describe('the all-clear and a fix that did not verify', () => {
  it('the Resolved update after resolve carries the resolution and root cause; a fix whose check failed afterwards is not "Done"', async () => {
    const box = sandbox();
    const { ok, flag } = cli(box);
    await ok('declare', '--title', 'API down', '--severity', 'SEV2');
    // The fix runs (touch), then its verification re-runs the check, which still fails.
    await flag('b', 'bad', '--allow-mitigations');
    await ok('resolve', '--root-cause', 'a bad flag', '--resolution', 'touched the flag file');

    const refused = await box.run(['update', '--status', 'Monitoring', '--impact', 'none']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /is resolved: only its all-clear may still be sent .*a "Monitoring" update needs it reopened first: bud-incident resolve --reopen/,
    );

    const u = JSON.parse((await ok('update', '--status', 'Resolved', '--impact', 'none now', '--json')).stdout);
    expect(u.message).toContain('- Root cause: a bad flag');
    expect(u.message).toContain('- Resolved: touched the flag file');
    expect(u.message).toMatch(/- Applied but did not verify: fix-flag at \d\d:\d\d UTC; its check flag failed afterwards/);
    expect(u.message).not.toMatch(/Done: fix-flag/);
    expect(u.nextUpdateAt).toBeNull();
    // It is the all-clear: the checklist item is proved by it.
    const cl = JSON.parse((await ok('checklist', 'sev2', '--json')).stdout);
    expect(cl.items.find((i: { id: string }) => i.id === 'stakeholders-updated')).toMatchObject({
      done: true,
      proof: { kind: 'events', events: [{ type: 'status.update', seq: u.seq }] },
    });

    const md = (await ok('postmortem', 'generate', '-o', '-')).stdout;
    expect(md).toMatch(/- Mitigation `fix-flag` \(flag-file\) applied at \d\d:\d\d UTC — did not verify: its check flag failed afterwards/);
  });

  it('a closed or discarded incident refuses the all-clear, checklist ticks and post-mortem scheduling, recording nothing', async () => {
    const box = sandbox();
    const { ok, events } = cli(box);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    for (const end of ['close', 'discard']) {
      const id = JSON.parse((await ok('declare', '--title', `opened by mistake ${end}`, '--severity', 'SEV1', '--json')).stdout)
        .id as string;
      await ok('incidents', end, id, '--reason', 'a duplicate');
      const before = await events(id);
      for (const args of [
        ['update', '--status', 'Resolved', '--impact', 'none'],
        ['checklist', 'sev1', '--check', 'channel-created'],
        ['postmortem', 'schedule', '--on', tomorrow],
      ]) {
        const r = await box.run([...args, '--incident', id]);
        expect(r.code, `${args.join(' ')} on a ${end}d incident`).toBe(2);
        expect(r.stderr).toMatch(new RegExp(`incident ${id} was (closed|discarded) .*needs an open incident`));
      }
      expect(await events(id)).toBe(before);
    }
  });
});
