/**
 * Recording an incident after the fact through the built binary: `--at` on every command that
 * records something a person did, the times given carried by `status --json`, `timeline --json`
 * and the post-mortem, and the same refusals (future, before detection) everywhere, recording nothing.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { ROOT, runOk, sandbox, type Sandbox } from '../support/cli.js';

const T0 = '2026-01-01T10:00:00.000Z';
const at = (min: number) => new Date(Date.parse(T0) + min * 60_000).toISOString();
const RUNBOOKS = join(ROOT, 'test', 'fixtures', 'faults');
const echoRun = ['run', 'echo-input', '--runbooks-dir', RUNBOOKS, '--var', 'value=x', '--yes'];

function cli(box: Sandbox) {
  const ok = (...args: string[]) => runOk(box, args);
  const status = async () => JSON.parse((await ok('status', '--json')).stdout) as Record<string, any>;
  const events = async () =>
    (await ok('timeline', '--json')).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { seq: number; ts: string; type: string; data: Record<string, any> });
  return { ok, status, events };
}

describe('a SEV1 recorded entirely after the fact', () => {
  it('status, the timeline and the post-mortem carry the times given, not the times typed', async () => {
    const box = sandbox();
    const { ok, status, events } = cli(box);
    await ok('declare', '--title', 'API down', '--severity', 'SEV1', '--at', T0);
    await ok('assign', 'commander', 'alice', '--at', at(4));
    expect((await ok('escalate', '--at', at(6))).stdout).toMatch(/Escalation for 2026-01-01-api-down \(SEV1, 6m in, as of 10:06 UTC\)/);
    await ok('update', '--status', 'Investigating', '--impact', 'All API requests failing', '--at', at(8));
    await ok('severity', 'SEV2', '--reason', 'half the traffic recovered', '--at', at(30));
    await ok('note', 'rolled back the deploy', '--at', at(35));
    await ok('milestone', 'identified', '--at', at(20));
    await ok('milestone', 'mitigated', '--at', at(40));
    await ok('action', 'add', 'alert on error rate', '--owner', 'bob', '--at', at(41));
    await ok('action', 'done', 'A1', '--at', at(42));
    await ok('handoff', '--to', 'dave', '--at', at(45));
    await ok('resolve', '--root-cause', 'bad deploy', '--resolution', 'rolled back', '--at', at(50));

    const s = await status();
    expect(s.response).toMatchObject({ acknowledgedAt: at(4), met: true });
    expect(s.milestones).toMatchObject({
      detected: T0,
      declared: T0,
      acknowledged: at(4),
      identified: at(20),
      mitigated: at(40),
      resolved: at(50),
    });
    expect(s.severity).toBe('SEV2');
    expect(s.elapsedMinutes).toBe(50);
    expect(s.escalation.due.filter((l: { done: boolean }) => l.done).map((l: { level: string }) => l.level)).toEqual(['L1', 'L2']);

    const given = Object.fromEntries((await events()).filter((e) => e.data.at).map((e) => [e.type, e.data.at]));
    expect(given).toMatchObject({
      'role.assigned': at(4),
      'escalation.recorded': at(6),
      'status.update': at(8),
      'severity.changed': at(30),
      'note.added': at(35),
      'action.added': at(41),
      'action.done': at(42),
      'handoff.completed': at(45),
      'incident.resolved': at(50),
    });
    const update = (await events()).find((e) => e.type === 'status.update')!;
    expect(update.data.message).toMatch(/^=== SEV1 INCIDENT UPDATE ===\nTime: 10:08 UTC/);
    expect(update.data.nextUpdateAt).toBe(at(38));

    // The timeline's time column is when each line was written; what was backdated says when it happened.
    const table = (await ok('timeline')).stdout;
    expect(table).toMatch(/Note \(tester\): rolled back the deploy \(happened 2026-01-01 10:35 UTC, recorded later\)/);
    expect(table).toMatch(/Incident opened: API down \(SEV1\).* \(happened 2026-01-01 10:00 UTC, recorded later\)/);

    const md = (await ok('postmortem', 'generate', '-o', '-')).stdout;
    expect(md).toContain('- Time to acknowledge: 00:04');
    expect(md).toContain('- Time to mitigate: 00:40');
    expect(md).toContain('- Time to resolve: 00:50');
    // Its timeline rows sit at the times given.
    for (const row of [
      /\| 10:04 \| [^|\n]*alice/,
      /\| 10:06 \| [^|\n]*L1 \(On-call engineer\), L2/,
      /\| 10:08 \| [^|\n]*Investigating/,
      /\| 10:30 \| [^|\n]*SEV2/,
      /\| 10:45 \| [^|\n]*dave/,
    ])
      expect(md).toMatch(row);
  }, 60_000);
});

describe('acknowledgement', () => {
  it('a note dated the day before detection is refused, so it cannot acknowledge; status and the post-mortem agree', async () => {
    const box = sandbox();
    const { ok, status, events } = cli(box);
    await ok('declare', '--title', 'x', '--severity', 'SEV1', '--at', T0);
    const before = (await events()).length;
    const r = await box.run(['note', 'x', '--at', '2025-12-31T12:00:00Z']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `--at "2025-12-31T12:00:00Z" (2025-12-31T12:00:00.000Z) is before incident 2026-01-01-x was detected (${T0})`,
    );
    expect(r.stderr).toContain('bud-incident milestone detected --at');
    expect((await events()).length).toBe(before);
    expect((await status()).response).toMatchObject({ acknowledgedAt: null, met: null });
    expect((await ok('postmortem', 'generate', '-o', '-')).stdout).toContain('- Time to acknowledge: not reached');

    await ok('note', 'paged the on-call', '--at', at(20));
    expect((await status()).response).toMatchObject({ acknowledgedAt: at(20), met: false });
    expect((await ok('postmortem', 'generate', '-o', '-')).stdout).toContain('- Time to acknowledge: 00:20');
  }, 60_000);
});

describe('milestone order judged on the times given', () => {
  it("milestone identified earlier than a run's derived 'investigating' is accepted; investigating is shown by then", async () => {
    const box = sandbox();
    const { ok, status } = cli(box);
    await ok('declare', '--title', 'x', '--severity', 'SEV1', '--at', T0);
    await ok(...echoRun);
    const r = await box.run(['milestone', 'identified', '--at', at(20)]);
    expect(r.code, r.stderr).toBe(0);
    const m = (await status()).milestones;
    expect(m.identified).toBe(at(20));
    expect(m.investigating).toBe(at(20));
  }, 60_000);
});

describe('the same refusals on every command', () => {
  it('--at in the future or before detection: exit 2, naming the flag, the time and the bound; nothing recorded', async () => {
    const box = sandbox();
    const { ok, events } = cli(box);
    await ok('declare', '--title', 'x', '--severity', 'SEV1', '--at', T0);
    await ok('action', 'add', 'a', '--owner', 'o');
    const before = (await events()).length;
    const commands: string[][] = [
      ['note', 'x'],
      ['update', '--status', 'Investigating', '--impact', 'i'],
      ['escalate'],
      ['assign', 'commander', 'alice'],
      ['severity', 'SEV2', '--reason', 'r'],
      ['handoff', '--to', 'dave'],
      ['action', 'add', 'b', '--owner', 'o'],
      ['action', 'done', 'A1'],
      ['milestone', 'communicated'],
      ['resolve', '--root-cause', 'a', '--resolution', 'b'],
      echoRun,
    ];
    for (const command of commands) {
      const future = await box.run([...command, '--at', '2999-01-01T00:00:00Z']);
      expect(future.code, command.join(' ')).toBe(2);
      expect(future.stderr, command.join(' ')).toMatch(
        /--at "2999-01-01T00:00:00Z" \(2999-01-01T00:00:00.000Z\) is in the future \(now is .*\): give the time it happened, or leave --at out/,
      );
      const early = await box.run([...command, '--at', '2026-01-01T09:59:00Z']);
      expect(early.code, command.join(' ')).toBe(2);
      expect(early.stderr, command.join(' ')).toContain(
        `--at "2026-01-01T09:59:00Z" (2026-01-01T09:59:00.000Z) is before incident 2026-01-01-x was detected (${T0}): give a time at or after detection`,
      );
    }
    expect((await events()).length).toBe(before);
  }, 120_000);

  it('histories stay in time order: a severity change before the last one is refused, naming it', async () => {
    const box = sandbox();
    const { ok, events } = cli(box);
    await ok('declare', '--title', 'x', '--severity', 'SEV1', '--at', T0);
    await ok('severity', 'SEV2', '--reason', 'r', '--at', at(30));
    const before = (await events()).length;
    const r = await box.run(['severity', 'SEV3', '--reason', 'r', '--at', at(20)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`is before the last severity change (${at(30)}): record them in the order they happened`);
    expect((await events()).length).toBe(before);
  }, 60_000);
});

describe('run --at', () => {
  it('dates when the responder began the runbook; its steps keep their real times', async () => {
    const box = sandbox();
    const { ok, status, events } = cli(box);
    // No open incident: a run would open one now, after the time given.
    const none = await box.run([...echoRun, '--at', at(5)]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('declare it first (bud-incident declare --title T --severity SEVn --at TIME)');
    expect((await box.run(['incidents', 'list', '--json'])).stdout.trim()).toBe('[]');

    await ok('declare', '--title', 'x', '--severity', 'SEV1', '--at', T0);
    const simulated = await box.run(['run', 'platform-outage', '--simulate', 'database-failure', '--yes', '--at', at(5)]);
    expect(simulated.code).toBe(2);
    expect(simulated.stderr).toContain('run --at cannot be used with --simulate');

    await ok(...echoRun, '--at', at(5));
    const all = await events();
    const started = all.find((e) => e.type === 'run.started')!;
    expect(started.data.at).toBe(at(5));
    const step = all.find((e) => e.type === 'step.finished')!;
    expect(step.data.at).toBeUndefined();
    expect(Date.parse(step.ts)).toBeGreaterThan(Date.parse(T0) + 86_400_000);
    const s = await status();
    expect(s.response).toMatchObject({ acknowledgedAt: at(5), met: true });
    expect(s.milestones.investigating).toBe(at(5));
  }, 60_000);
});
