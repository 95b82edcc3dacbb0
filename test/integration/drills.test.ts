/**
 * Drills are their own incidents (issue 11): `run --simulate` never records in a live incident,
 * opens a drill that is not current unless asked, and is marked DRILL wherever a person looks;
 * `incidents close|discard` end an incident without deleting anything; `run` and `declare` open
 * incidents the same way (the policy's channel pattern). Through the built binary.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonLines, ROOT, runOk, sandbox, spawnCli, type Sandbox } from '../support/cli.js';
import { FakeKubeServer } from '../support/fake-kube.js';
import { keycloakDownCluster } from '../support/cluster.js';

const servers: FakeKubeServer[] = [];
afterAll(async () => Promise.all(servers.map((s) => s.stop())));

/** A runbook a live run can execute without a cluster: one check that raises a real finding. */
const LIVE_CHECK = `id: live-check
title: Live check
summary: A live check that needs no cluster.
severity: SEV2
steps:
  - id: probe
    kind: check
    title: Probe the replica
    run: echo replica lagging
    expect:
      - matches: all good
        finding: { id: lag, message: "replica lagging behind the primary" }
`;

function runbooksDir(policyEdit?: (text: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'bud-drill-runbooks-'));
  writeFileSync(join(dir, 'live-check.yaml'), LIVE_CHECK);
  if (policyEdit) {
    mkdirSync(join(dir, 'policy'));
    const shipped = readFileSync(join(ROOT, 'runbooks', 'policy', 'policy.yaml'), 'utf8');
    writeFileSync(join(dir, 'policy', 'policy.yaml'), policyEdit(shipped));
  }
  return dir;
}

const cli = (box: Sandbox, args: string[], ok: number[] = [0]) => runOk(box, args, ok, 60_000);

const json = async (box: Sandbox, args: string[]) => JSON.parse((await cli(box, [...args, '--json'])).stdout) as Record<string, any>;
const timelineText = (box: Sandbox, id: string) => readFileSync(join(box.home, 'incidents', id, 'timeline.jsonl'), 'utf8');
const currentFile = (box: Sandbox) => (existsSync(join(box.home, 'current')) ? readFileSync(join(box.home, 'current'), 'utf8').trim() : '');

/** What the drill of database-failure/storage says: none of it may reach a live incident. */
const DRILL_WORDS = /volume is full|cannot use its storage|database-storage|simulat/i;

async function triageServer(): Promise<FakeKubeServer> {
  const server = await new FakeKubeServer(keycloakDownCluster(), { now: new Date() }).start();
  servers.push(server);
  return server;
}

describe('a drill during a live SEV1', () => {
  it("declare → drill → real triage and run → update → resolve → post-mortem: the drill's findings are nowhere in the live incident", async () => {
    const box = sandbox();
    box.writeKubeconfig((await triageServer()).kubeconfig());
    const dir = runbooksDir();
    const live = await json(box, ['declare', '--title', 'API returning 500s', '--severity', 'SEV1']);
    const before = await json(box, ['status']);
    const checklistBefore = await json(box, ['checklist', 'sev1']);

    const drill = await cli(box, ['run', 'database-failure', '--simulate', 'storage', '--yes'], [1]);
    expect(drill.stdout).toMatch(/Drill opened: \S*drill-database-failure-storage\S* \(SEV\d\) — a rehearsal, not the current incident/);
    expect(drill.stdout).toContain('volume is full');

    // The live incident did not move: same phase, same checklist, no finding, still current.
    const after = await json(box, ['status']);
    expect(after.id).toBe(live.id);
    expect(after.drill).toBe(false);
    expect(after.phase).toBe(before.phase);
    expect(after.findings).toEqual([]);
    expect(after.checklists).toEqual(before.checklists);
    expect((await json(box, ['checklist', 'sev1'])).items).toEqual(checklistBefore.items);
    expect(currentFile(box)).toBe(live.id);
    expect(timelineText(box, live.id)).not.toMatch(DRILL_WORDS);

    // Both are listed; the drill is marked and not current.
    const list = (await json(box, ['incidents', 'list'])) as unknown as Array<Record<string, any>>;
    expect(list.map((r) => [r.id === live.id ? 'live' : 'drill', r.drill, r.current, r.status])).toEqual(
      expect.arrayContaining([
        ['live', false, true, 'open'],
        ['drill', true, false, 'open'],
      ]),
    );
    expect(list).toHaveLength(2);
    const drillId = list.find((r) => r.drill)!.id as string;
    expect(drillId).toMatch(/drill-database-failure-storage/);
    expect(list.find((r) => r.drill)!.title).toBe('Drill: database-failure / storage');
    expect((await cli(box, ['incidents', 'list'])).stdout).toMatch(new RegExp(`${drillId}\\s+SEV\\d\\s+open\\s+DRILL `));
    expect(timelineText(box, drillId)).toMatch(/volume is full/);

    // Real work lands in the live incident, not in the drill.
    await cli(box, ['triage'], [1]);
    await cli(box, ['run', 'live-check', '--yes', '--runbooks-dir', dir], [1]);
    const u = await json(box, ['update', '--status', 'Investigating', '--impact', 'x']);
    expect(u.incident).toBe(live.id);
    expect(u.message).toContain('replica lagging behind the primary');
    expect(u.message).not.toMatch(DRILL_WORDS);
    await cli(box, ['resolve', '--root-cause', 'replica lag', '--resolution', 'resynced the replica']);
    const pm = (await cli(box, ['postmortem', 'generate', '-o', '-'])).stdout;
    expect(pm).toContain('# Post-Mortem: API returning 500s');
    expect(pm).toContain('replica lagging behind the primary');
    expect(pm).not.toMatch(DRILL_WORDS);
    const liveRecord = timelineText(box, live.id);
    expect(liveRecord).toContain('"type":"triage.completed"');
    expect(liveRecord).not.toMatch(DRILL_WORDS);
    const cl = await json(box, ['checklist', 'sev1']);
    expect(JSON.stringify(cl)).not.toMatch(DRILL_WORDS);
    // Nothing of the live incident went into the drill.
    const drillRecord = timelineText(box, drillId);
    expect(drillRecord).not.toMatch(/triage\.completed|live-check|replica lagging|status\.update/);
  }, 120_000);
});

describe('the drill is marked wherever a person looks', () => {
  it('incidents show, status --incident, timeline header, post-mortem title; and a team can rehearse declare → update → resolve → post-mortem', async () => {
    const box = sandbox();
    await cli(box, ['run', 'database-failure', '--simulate', 'storage', '--yes'], [1]);
    const [row] = (await json(box, ['incidents', 'list'])) as unknown as Array<Record<string, any>>;
    const id = row!.id as string;
    expect(row).toMatchObject({ drill: true, current: false });
    const show = await cli(box, ['incidents', 'show', id]);
    expect(show.stdout).toMatch(/DRILL a rehearsal, not the current incident: act on it with --incident /);
    expect((await json(box, ['status', '--incident', id])).drill).toBe(true);
    expect((await cli(box, ['timeline', '--incident', id])).stdout.split('\n')[0]).toMatch(
      new RegExp(`^Timeline of ${id} DRILL \\(a rehearsal, not a live incident\\)`),
    );
    expect((await cli(box, ['timeline', '--incident', id, '--format', 'md'])).stdout.split('\n')[0]).toBe(
      `# Timeline: ${id} (DRILL: a rehearsal, not a live incident)`,
    );
    // Every recording command works on a drill.
    await cli(box, ['update', '--incident', id, '--status', 'Investigating', '--impact', 'rehearsal']);
    await cli(box, ['note', '--incident', id, 'the runbook found the volume']);
    await cli(box, ['resolve', '--incident', id, '--root-cause', 'volume full', '--resolution', 'expanded it']);
    const pm = (await cli(box, ['postmortem', 'generate', '--incident', id, '-o', '-'])).stdout;
    expect(pm.split('\n')[0]).toBe('# Post-Mortem (DRILL): Drill: database-failure / storage');
    expect(JSON.parse((await cli(box, ['postmortem', 'generate', '--incident', id, '-o', '-', '--format', 'json'])).stdout).drill).toBe(
      true,
    );

    // declare --drill: marked, its message says so, not current unless asked.
    const d = await json(box, ['declare', '--drill', '--title', 'game day', '--severity', 'SEV1']);
    expect(d).toMatchObject({ drill: true, current: false });
    expect(d.message.split('\n')[0]).toBe('[DRILL — a rehearsal, not a real incident]');
    expect(currentFile(box)).toBe('');
    const d2 = await json(box, ['declare', '--drill', '--make-current', '--title', 'game day 2', '--severity', 'SEV1']);
    expect(d2).toMatchObject({ drill: true, current: true });
    // A simulation attaches to a drill made current on purpose.
    const again = await cli(box, ['run', 'database-failure', '--simulate', 'storage', '--yes'], [1]);
    expect(again.stdout).toContain(`Recording in drill ${d2.id}`);
  }, 120_000);
});

describe('the README first command leaves no live incident behind', () => {
  it('run --simulate with no incident opens a drill that is not current; the next real triage and run do not land in it', async () => {
    const box = sandbox();
    box.writeKubeconfig((await triageServer()).kubeconfig());
    const dir = runbooksDir();
    const r = await cli(box, ['run', 'platform-outage', '--simulate', 'database-failure'], [1]);
    expect(r.stdout).toMatch(/Drill opened: .* not the current incident; end it with: bud-incident incidents close /);
    expect(existsSync(join(box.home, 'current'))).toBe(false);
    const status = await box.run(['status']);
    expect(status.code).toBe(2);
    expect(status.stderr).toContain('no current incident');
    const [drill] = (await json(box, ['incidents', 'list'])) as unknown as Array<Record<string, any>>;
    expect(drill).toMatchObject({ drill: true, current: false, severity: 'SEV1' });
    const drillBefore = timelineText(box, drill!.id);

    const t = await cli(box, ['triage'], [1]);
    expect(t.stdout).not.toContain('Recorded in incident');
    const live = await cli(box, ['run', 'live-check', '--yes', '--runbooks-dir', dir], [1]);
    expect(live.stdout).toMatch(/Incident opened: \S+live-check/);
    expect(timelineText(box, drill!.id)).toBe(drillBefore);
    const rows = (await json(box, ['incidents', 'list'])) as unknown as Array<Record<string, any>>;
    expect(rows.find((x) => x.current)).toMatchObject({ drill: false, title: 'Live check' });
  }, 120_000);
});

describe('--simulate and a named incident', () => {
  it('refuses a live incident (exit 2, nothing recorded), attaches to a drill, --make-current on request', async () => {
    const box = sandbox();
    const live = await json(box, ['declare', '--title', 'db down', '--severity', 'SEV2']);
    const before = timelineText(box, live.id);
    const refused = await box.run(['run', 'database-failure', '--simulate', 'storage', '--yes', '--incident', live.id]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`incident ${live.id} is a live incident, not a drill`);
    expect(refused.stderr).toContain('Leave out --incident to open a drill of its own');
    expect(timelineText(box, live.id)).toBe(before);
    expect((await json(box, ['incidents', 'list'])) as unknown as unknown[]).toHaveLength(1);

    const opened = await cli(box, ['run', 'database-failure', '--simulate', 'storage', '--yes', '--make-current', '--json'], [1]);
    const info = jsonLines(opened.stdout)[0]!;
    expect(info).toMatchObject({ drill: true, current: true });
    expect(currentFile(box)).toBe(info.id);
    await cli(box, ['incidents', 'switch', live.id]);
    const attached = await cli(box, ['run', 'database-failure', '--simulate', 'oom', '--yes', '--incident', info.id], [1]);
    expect(attached.stdout).toContain(`Recording in drill ${info.id}`);
    expect(currentFile(box)).toBe(live.id);
    await cli(box, ['run', 'database-failure', '--simulate', 'oom', '--yes', '--incident', info.id, '--make-current'], [1]);
    expect(currentFile(box)).toBe(info.id);
    expect(timelineText(box, live.id)).toBe(before);
    const noSim = await box.run(['run', 'database-failure', '--make-current', '--yes']);
    expect(noSim.code).toBe(2);
    expect(noSim.stderr).toContain('--make-current is for drills (--simulate)');
  }, 120_000);

  it('--resume --simulate finds the interrupted drill although it is not current', async () => {
    const box = sandbox();
    const live = await json(box, ['declare', '--title', 'db down', '--severity', 'SEV2']);
    // The network-partition scenario has a 20 s check: interrupt while it runs.
    const run = spawnCli(box, ['run', 'platform-outage', '--simulate', 'network-partition', '--yes', '--json']);
    await run.waitFor('"stepId":"keycloak"', '"type":"step.finished"');
    run.child.kill('SIGINT');
    expect(await run.closed).toBe(130);
    const resumed = await box.run(['run', 'platform-outage', '--simulate', 'network-partition', '--resume', '--yes', '--json'], {
      timeoutMs: 60_000,
    });
    expect(resumed.code).toBe(1);
    const events = jsonLines(resumed.stdout);
    expect(events[0]).toMatchObject({ type: 'incident.attached', drill: true });
    expect(events.some((e) => e.type === 'run.resumed')).toBe(true);
    expect(currentFile(box)).toBe(live.id);
    expect(timelineText(box, live.id)).not.toMatch(/run\.(started|resumed)/);
    // A live incident is never resumed into with --simulate.
    const named = await box.run(['run', 'platform-outage', '--simulate', 'network-partition', '--resume', '--incident', live.id]);
    expect(named.code).toBe(2);
    expect(named.stderr).toContain('is a live incident, not a drill');
  }, 120_000);
});

describe('incidents close and discard', () => {
  it('end an incident without deleting it; it stops being current; recording commands refuse it; close can be reopened, discard not', async () => {
    const box = sandbox();
    const a = await json(box, ['declare', '--title', 'api down', '--severity', 'SEV2']);
    const b = await json(box, ['declare', '--title', 'api down again', '--severity', 'SEV2']);
    const noReason = await box.run(['incidents', 'discard']);
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toContain('incidents discard: --reason is required');

    const bBefore = timelineText(box, b.id);
    const discarded = await json(box, ['incidents', 'discard', '--reason', 'opened by mistake']);
    expect(discarded).toMatchObject({ incident: b.id, status: 'discarded', wasCurrent: true });
    expect(timelineText(box, b.id).startsWith(bBefore)).toBe(true);
    expect(timelineText(box, b.id)).toContain('"type":"incident.discarded"');
    expect(existsSync(join(box.home, 'current'))).toBe(false);
    expect((await box.run(['status'])).code).toBe(2);

    for (const args of [
      ['note', 'x'],
      ['update', '--status', 'Investigating', '--impact', 'x'],
      ['assign', 'commander', 'alice'],
      ['milestone', 'mitigated'],
      ['resolve', '--root-cause', 'x', '--resolution', 'y'],
      ['run', 'database-failure', '--simulate', 'storage', '--yes'],
    ]) {
      if (args[0] === 'run') continue; // a simulation never records in a live incident anyway
      const r = await box.run([...args, '--incident', b.id]);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr).toContain(`incident ${b.id} was discarded at`);
      expect(r.stderr).toContain('opened by mistake');
    }
    const liveRun = await box.run(['run', 'live-check', '--yes', '--runbooks-dir', runbooksDir(), '--incident', b.id]);
    expect(liveRun.code).toBe(2);
    expect(liveRun.stderr).toContain('was discarded');
    const reopen = await box.run(['resolve', '--reopen', '--incident', b.id]);
    expect(reopen.code).toBe(2);
    expect(reopen.stderr).toContain('cannot be reopened');

    const closeDiscarded = await box.run(['incidents', 'close', b.id, '--reason', 'x']);
    expect(closeDiscarded.code).toBe(2);
    expect(closeDiscarded.stderr).toContain('was discarded (opened by mistake); it stays so');

    await cli(box, ['incidents', 'switch', a.id]);
    const closed = await json(box, ['incidents', 'close', '--reason', `duplicate of ${b.id}`]);
    expect(closed).toMatchObject({ incident: a.id, status: 'closed', wasCurrent: true });
    expect(existsSync(join(box.home, 'current'))).toBe(false);
    const rows = (await json(box, ['incidents', 'list'])) as unknown as Array<Record<string, any>>;
    expect(rows.map((r) => [r.id, r.status, r.current])).toEqual([
      [a.id, 'closed', false],
      [b.id, 'discarded', false],
    ]);
    expect((await cli(box, ['incidents', 'list'])).stdout).toMatch(new RegExp(`${a.id}\\s+SEV2\\s+closed `));
    const show = await cli(box, ['incidents', 'show', a.id]);
    expect(show.stdout).toMatch(/CLOSED \d\d:\d\d UTC by tester: duplicate of/);
    const refused = await box.run(['update', '--incident', a.id, '--status', 'Investigating', '--impact', 'x']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`incident ${a.id} was closed at`);
    expect(refused.stderr).toContain(`reopen it: bud-incident resolve --reopen --incident ${a.id}`);
    // A closed incident may go on again; a resolved one is not closed without a resolution.
    await cli(box, ['resolve', '--reopen', '--incident', a.id]);
    expect((await json(box, ['status', '--incident', a.id])).status).toBe('open');
    await cli(box, ['resolve', '--incident', a.id, '--root-cause', 'x', '--resolution', 'y']);
    const closeResolved = await box.run(['incidents', 'close', a.id, '--reason', 'x']);
    expect(closeResolved.code).toBe(2);
    expect(closeResolved.stderr).toContain('is resolved: it already ended, with a resolution');

    // Closing a drill that is not current leaves the current incident alone.
    const c2 = await json(box, ['declare', '--title', 'real one', '--severity', 'SEV2']);
    await cli(box, ['run', 'database-failure', '--simulate', 'storage', '--yes'], [1]);
    const drill = ((await json(box, ['incidents', 'list'])) as unknown as Array<Record<string, any>>).find((r) => r.drill)!;
    expect(await json(box, ['incidents', 'close', drill.id, '--reason', 'drill finished'])).toMatchObject({
      wasCurrent: false,
      drill: true,
    });
    expect(currentFile(box)).toBe(c2.id);
  }, 120_000);
});

describe('one way to open an incident', () => {
  it("an incident opened by run follows the policy's channel pattern and records openedAt/detectedAt as declare does", async () => {
    const box = sandbox();
    const dir = runbooksDir((text) => text.replace('"#incident-{date}-{slug}"', '"#inc-{slug}-{date}"'));
    const declared = await json(box, ['declare', '--title', 'db down', '--severity', 'SEV2', '--runbooks-dir', dir]);
    expect(declared.channel).toMatch(/^#inc-db-down-\d{4}-\d\d-\d\d$/);
    // In a state directory of its own: no current incident, so run opens one.
    const other = sandbox();
    const r = await cli(other, ['run', 'live-check', '--yes', '--runbooks-dir', dir, '--json'], [1]);
    const opened = jsonLines(r.stdout)[0]!;
    expect(opened).toMatchObject({ type: 'incident.opened', channel: expect.stringMatching(/^#inc-live-check-\d{4}-\d\d-\d\d$/) });
    const first = JSON.parse(timelineText(other, opened.id).split('\n')[0]!) as { data: Record<string, unknown> };
    expect(first.data).toMatchObject({ source: 'run', runbook: 'live-check', channel: opened.channel });
    expect(first.data.detectedAt).toBe(first.data.openedAt);
    // A drill's channel follows the pattern too.
    const drill = await cli(other, ['run', 'database-failure', '--simulate', 'storage', '--yes', '--json', '--runbooks-dir', dir], [1]);
    expect(jsonLines(drill.stdout)[0]!.channel).toMatch(/^#inc-drill-database-failure-storage-\d{4}-\d\d-\d\d$/);
  }, 60_000);
});
