/**
 * What the record concludes, through the built binary: a finding is refuted only by the same check
 * (the same command, not the same step of another target), and a pass after a mitigation recorded by
 * hand means the finding was fixed; a handoff dated with --at summarises the incident as of then; a
 * root-cause hypothesis noted during the incident is not shown as a cause beside the confirmed one.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runOk, sandbox, type Sandbox } from '../support/cli.js';

/** A runbook whose one check fails while a file does not say "ok" (test/fixtures/findings/flag-file.yaml). */
const RUNBOOKS = join(ROOT, 'test', 'fixtures', 'findings');

function cli(box: Sandbox) {
  // A run that finds something exits 1.
  const ok = (...args: string[]) => runOk(box, args, args[0] === 'run' ? [0, 1] : [0]);
  const dir = mkdtempSync(join(tmpdir(), 'bud-judged-'));
  /** Runs the flag-file check against the file `name`, which says `says`. */
  const flag = async (name: string, says: string) => {
    const file = join(dir, name);
    writeFileSync(file, `${says}\n`);
    await ok('run', 'flag-file', '--runbooks-dir', RUNBOOKS, '--var', `file=${file}`, '--yes');
    return file;
  };
  const status = async () =>
    JSON.parse((await ok('status', '--json')).stdout) as { findings: JudgedLike[]; findingsSetAside: JudgedLike[] };
  const postmortem = async () => (await ok('postmortem', 'generate', '-o', '-')).stdout;
  return { ok, flag, status, postmortem };
}
interface JudgedLike {
  message: string;
  verdict: string;
  why?: string;
}
const section = (md: string, title: string) => md.split(`## ${title}\n`)[1]!.split('\n## ')[0]!;

describe('a finding is refuted only by the same check', () => {
  it('a pass of the same step against another target refutes nothing: the finding stands', async () => {
    const box = sandbox();
    const { ok, flag, status, postmortem } = cli(box);
    await ok('declare', '--title', 'checkout down', '--severity', 'SEV2');
    const checkout = await flag('checkout', 'bad');
    await flag('search', 'ok'); // the same step, another file: says nothing about checkout

    const s = await status();
    expect(s.findings).toEqual([expect.objectContaining({ message: `The flag file is not ok: ${checkout}`, verdict: 'stands' })]);
    expect(s.findingsSetAside).toEqual([]);
    const rc = section(await postmortem(), 'Root Cause');
    expect(rc).not.toContain('Not causes');
    expect(rc).toContain(`What the runbooks found (evidence, not by itself the cause):\n\n- The flag file is not ok: ${checkout}`);

    // The same check (same file) passing again does refute it.
    await flag('checkout', 'ok');
    expect((await status()).findingsSetAside).toEqual([
      expect.objectContaining({ message: `The flag file is not ok: ${checkout}`, verdict: 'refuted' }),
    ]);
  });

  it('a pass after "milestone mitigated" means the finding was fixed, not refuted', async () => {
    const box = sandbox();
    const { ok, flag, status, postmortem } = cli(box);
    await ok('declare', '--title', 'checkout down', '--severity', 'SEV2');
    const checkout = await flag('checkout', 'bad');
    await ok('milestone', 'mitigated'); // fixed by hand
    await flag('checkout', 'ok');

    const s = await status();
    expect(s.findingsSetAside).toEqual([]);
    expect(s.findings).toEqual([
      expect.objectContaining({
        message: `The flag file is not ok: ${checkout}`,
        verdict: 'fixed',
        why: expect.stringMatching(/^cleared after milestone mitigated \(tester\) \(\d\d:\d\d UTC\): the check passed at/),
      }),
    ]);
    const rc = section(await postmortem(), 'Root Cause');
    expect(rc).not.toContain('Not causes');
    expect(rc).toMatch(
      /- The flag file is not ok: \S+ \(flag-file, pointed to bad-flag, \d\d:\d\d UTC\) — cleared after milestone mitigated/,
    );
  });
});

describe('handoff --at', () => {
  it('summarises the incident as of the time given: its severity, phase, roles and actions then; from is the commander then', async () => {
    const box = sandbox();
    const { ok, postmortem } = cli(box);
    const t0 = Math.floor(Date.now() / 60_000) * 60_000 - 60 * 60_000;
    const at = (min: number) => new Date(t0 + min * 60_000).toISOString();
    await ok('declare', '--title', 'checkout down', '--severity', 'SEV2', '--at', at(0));
    await ok('assign', 'commander', 'alice', '--at', at(5));
    await ok('note', 'looked at the dashboards', '--at', at(10));
    // All of this happened after the handoff at +20 (recorded before it, as happens when writing up later).
    await ok('severity', 'SEV1', '--reason', 'all regions', '--at', at(30));
    await ok('assign', 'commander', 'dave', '--at', at(30));
    await ok('milestone', 'mitigated', '--at', at(35));
    await ok('action', 'add', 'add an alert', '--owner', 'bob', '--at', at(40));
    await ok('note', 'rolled back', '--at', at(40));

    const h = JSON.parse((await ok('handoff', '--to', 'dave', '--at', at(20), '--json')).stdout) as { from: string; summary: string[] };
    const text = h.summary.join('\n');
    expect(h.from).toBe('alice');
    expect(text).toMatch(/^Status: SEV2, open, phase Triage \(15 min\), 20m since/m);
    expect(text).toContain('Roles: commander alice\n');
    expect(text).toContain('  • note: looked at the dashboards');
    expect(text).not.toContain('rolled back');
    expect(text).toContain('Open actions (0):\n  none');
    expect(await postmortem()).toContain('Handoff from alice to dave');

    // Without --at it is as of now: everything recorded.
    const now = JSON.parse((await ok('handoff', '--to', 'erin', '--json')).stdout) as { from: string; summary: string[] };
    expect(now.from).toBe('dave');
    expect(now.summary.join('\n')).toMatch(/^Status: SEV1, open, phase Resolution,/m);
  });
});

describe('the root cause', () => {
  it('given to resolve is THE root cause; a root-cause note taken earlier is shown as a hypothesis of its time, not a cause', async () => {
    const box = sandbox();
    const { ok, postmortem } = cli(box);
    const t0 = Math.floor(Date.now() / 60_000) * 60_000 - 60 * 60_000;
    const at = (min: number) => new Date(t0 + min * 60_000).toISOString();
    await ok('declare', '--title', 'checkout down', '--severity', 'SEV2', '--at', at(0));
    await ok('note', 'DB volume filling up', '--tag', 'root-cause', '--at', at(10));
    await ok('note', 'volume is fine, not the cause', '--at', at(20));
    await ok('resolve', '--root-cause', 'bad 4.2 deploy', '--resolution', 'rolled back to 4.1', '--at', at(40));

    const rc = section(await postmortem(), 'Root Cause');
    expect(rc.startsWith('\nbad 4.2 deploy\n'), rc).toBe(true);
    expect(rc).toContain(
      `\nNotes tagged root-cause during the incident (hypotheses at the time, not the confirmed cause):\n\n- ${dayUnlessStart(at(10), at(0))}${at(10).slice(11, 16)} UTC, tester: DB volume filling up\n`,
    );
    expect(rc).not.toMatch(/^- DB volume filling up/m);
    const json = JSON.parse((await ok('postmortem', 'generate', '--format', 'json', '-o', '-')).stdout);
    expect(json).toMatchObject({ rootCause: 'bad 4.2 deploy', rootCauseNotesAre: 'hypotheses' });

    const u = JSON.parse((await ok('update', '--status', 'Resolved', '--impact', 'none now', '--json')).stdout) as { message: string };
    expect(u.message).toMatch(/What We Know:\n- Root cause: bad 4.2 deploy\n/);
    expect(u.message).not.toContain('DB volume filling up');
  });

  it('without resolve --root-cause (not resolved yet), the notes tagged root-cause are the root cause as recorded', async () => {
    const box = sandbox();
    const { ok, postmortem } = cli(box);
    await ok('declare', '--title', 'checkout down', '--severity', 'SEV2');
    await ok('note', 'bad 4.2 deploy', '--tag', 'root-cause');
    // Not resolved yet (resolve needs --root-cause): the draft post-mortem and the updates go by the note.
    const rc = section(await postmortem(), 'Root Cause');
    expect(rc).toMatch(/^\nAs the responders recorded it \(notes tagged root-cause\):\n\n- bad 4\.2 deploy \(tester, \d\d:\d\d\)\n/);
    const json = JSON.parse((await ok('postmortem', 'generate', '--format', 'json', '-o', '-')).stdout);
    expect(json).toMatchObject({ rootCause: null, rootCauseNotesAre: 'the root cause' });
    const u = JSON.parse((await ok('update', '--status', 'Investigating', '--impact', 'checkout down', '--json')).stdout) as {
      message: string;
    };
    expect(u.message).toMatch(/What We Know:\n- bad 4\.2 deploy\n/);
  });
});

/** The post-mortem dates a time on another day than the incident's start (a test run just after midnight UTC meets it). */
function dayUnlessStart(iso: string, start: string): string {
  return iso.slice(0, 10) === start.slice(0, 10) ? '' : `${iso.slice(0, 10)} `;
}
