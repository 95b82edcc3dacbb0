/**
 * A whole simulated SEV1 through the built binary, from declare to resolve and the post-mortem,
 * checking `status --json` and the timeline at each step; and the bad input a tired responder types.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sandbox } from '../support/cli.js';

describe('a SEV1 from declare to post-mortem', () => {
  it('every command records, and status tells what is due at each step', async () => {
    const box = sandbox();
    const run = async (...args: string[]) => {
      const r = await box.run(args);
      if (r.code !== 0 && !(args[0] === 'run' && r.code === 1)) throw new Error(`${args.join(' ')} → ${r.code}\n${r.stderr}${r.stdout}`);
      return r;
    };
    const status = async () => JSON.parse((await run('status', '--json')).stdout) as Record<string, any>;

    // A rehearsal of the whole response: a drill made current, so the simulated run records in it.
    const declared = JSON.parse(
      (await run('declare', '--title', 'API returning 500s', '--severity', 'SEV1', '--drill', '--make-current', '--json')).stdout,
    );
    // A drill (declare --drill) says so in its id and channel.
    expect(declared.channel).toMatch(/^#incident-\d{4}-\d{2}-\d{2}-drill-api-returning-500s$/);
    expect(declared.message).toContain(':rotating_light: SEV1 INCIDENT DECLARED');
    expect(declared.escalation.map((e: { level: string }) => e.level)).toEqual(['L1', 'L2', 'L3', 'L4']);
    let s = await status();
    expect(s).toMatchObject({ severity: 'SEV1', status: 'open', phase: 'triage', response: { acknowledgedAt: null, overdue: false } });
    expect(s.escalation.due.map((l: { level: string }) => l.level)).toEqual(['L1', 'L2']);
    // Declaring names a channel; it does not create one: nothing is proven yet.
    expect(s.checklists).toEqual([{ name: 'sev1', done: 0, total: 10 }]);

    await run('run', 'platform-outage', '--simulate', 'database-failure', '--yes');
    s = await status();
    expect(s.phase).toBe('mitigation');
    expect(s.findings.length).toBe(1);
    expect(s.response.met).toBe(true);

    await run('assign', 'commander', 'alice');
    await run('assign', 'tech-lead', 'bob');
    await run('assign', 'scribe', 'erin');
    const u1 = JSON.parse((await run('update', '--status', 'Investigating', '--impact', 'All API requests failing', '--json')).stdout);
    // A drill's update says so first; the drill's own (simulated) findings are what it knows, marked as such.
    expect(u1.message).toMatch(
      /^\[DRILL — a rehearsal, not a real incident\]\n=== SEV1 INCIDENT UPDATE ===\nTime: \d\d:\d\d UTC\nStatus: Investigating/,
    );
    expect(u1.message).toMatch(/- \[simulated\] PostgreSQL \S+ cannot use its storage/);
    await run('update', '--status', 'Mitigating', '--impact', 'All API requests failing', '--next-update', '15m');
    // A Resolved update is the last one: it promises no next update.
    const done = JSON.parse((await run('update', '--status', 'Resolved', '--impact', 'None now', '--json')).stdout);
    expect(done.message).toMatch(/Next Update: none \(resolved\)/);
    expect(done.nextUpdateAt).toBeNull();
    const esc = JSON.parse((await run('escalate', '--json')).stdout);
    expect(esc.recorded).toEqual(['L1', 'L2']);
    expect(esc.next.level).toBe('L3');
    s = await status();
    expect(s.escalation.due.every((l: { done: boolean }) => l.done)).toBe(true);
    expect(s.roles).toEqual({ commander: 'alice', 'tech-lead': 'bob', scribe: 'erin' });
    // Commander assigned, initial status posted, all-clear (the Resolved update); the drill and escalate prove nothing.
    expect(s.checklists[0].done).toBe(3);

    await run('note', 'The runbook named the database within a minute', '--tag', 'went-well');
    await run('action', 'add', 'Alert on PostgreSQL volume usage', '--owner', 'bob', '--due', '2026-12-05');
    await run('milestone', 'mitigated');
    const handoff = JSON.parse((await run('handoff', '--to', 'dave', '--json')).stdout);
    expect(handoff.summary.join('\n')).toContain('A1 Alert on PostgreSQL volume usage (bob, due 2026-12-05)');
    await run('resolve', '--root-cause', 'The PostgreSQL volume filled up', '--resolution', 'Expanded the volume');
    s = await status();
    expect(s).toMatchObject({ status: 'resolved', postmortem: { required: true } });
    expect(s.postmortem.dueAt).toBeTruthy();

    const cl = JSON.parse((await run('checklist', 'sev1', '--json')).stdout);
    expect(cl.items.find((i: { id: string }) => i.id === 'all-clear')).toMatchObject({ done: true, auto: true });
    expect(cl.items.find((i: { id: string }) => i.id === 'initial-status-posted')).toMatchObject({ done: true, auto: true, by: 'tester' });
    await run('checklist', 'sev1', '--check', 'fix-verified');
    const cl2 = JSON.parse((await run('checklist', 'sev1', '--json')).stdout);
    expect(cl2.items.find((i: { id: string }) => i.id === 'fix-verified')).toMatchObject({ done: true, auto: false });

    const pm = await run('postmortem', 'generate');
    const path = pm.stdout.trim().split(' — ')[0]!;
    const md = readFileSync(path, 'utf8');
    expect(md).toContain('# Post-Mortem (DRILL): API returning 500s');
    expect(md).toContain('The PostgreSQL volume filled up');
    expect(md).toContain('The runbook named the database within a minute');
    expect(md).toContain('**Author:** erin');
    expect((await run('timeline', 'verify')).stdout).toMatch(/hash chain intact/);
    // --json is the subcommand's too, though `timeline` has one of its own.
    const verified = JSON.parse((await run('timeline', 'verify', '--json')).stdout) as { ok: boolean; events: number };
    expect(verified.ok).toBe(true);
    expect(verified.events).toBeGreaterThan(10);
  }, 90_000);
});

describe('bad input', () => {
  it('gives a clear error and exit 2, recording nothing', async () => {
    const box = sandbox();
    const cases: Array<[string[], RegExp]> = [
      [['status'], /no incident yet/],
      [['checklist', 'sev1'], /no incident yet/],
      [['postmortem', 'generate'], /no incident yet/],
      [['declare', '--title', 'x', '--severity', 'SEV5'], /unknown severity "SEV5"/],
      [['declare', '--title', 'x'], /declare needs --severity SEVn when it cannot ask/],
    ];
    for (const [args, message] of cases) {
      const r = await box.run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    expect(existsSync(join(box.home, 'incidents'))).toBe(false);
  });

  it('refuses unknown roles, future times, times before detection and out-of-order milestones', async () => {
    const box = sandbox();
    await box.run(['declare', '--title', 'x', '--severity', 'SEV2', '--at', '2026-01-01T10:00:00Z']);
    const cases: Array<[string[], RegExp]> = [
      [['assign', 'comander', 'alice'], /unknown role "comander" \(did you mean "commander"\?\)/],
      [['note', 'later', '--at', '2999-01-01T00:00:00Z'], /is in the future/],
      [['milestone', 'acknowledged', '--at', '2025-12-31T10:00:00Z'], /would come before detected/],
      [['milestone', 'mitgated'], /unknown milestone "mitgated" \(did you mean "mitigated"\?\)/],
      [['severity', 'SEV1'], /--reason is required/],
      [['checklist', 'sev3'], /unknown checklist "sev3" \(did you mean "sev1"\?\)/],
      [['update', '--status', 'Investigating'], /update needs --impact T/],
      [['resolve'], /resolve needs --root-cause/],
    ];
    for (const [args, message] of cases) {
      const r = await box.run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    const ok = await box.run(['milestone', 'mitigated', '--at', '2026-01-01T11:00:00Z']);
    expect(ok.code).toBe(0);
    const out = await box.run(['milestone', 'acknowledged', '--at', '2026-01-01T11:30:00Z']);
    expect(out.stderr).toMatch(/would come after mitigated/);
  });

  it('reads times strictly: impossible dates, empty values and malformed times are refused naming the flag and value', async () => {
    const box = sandbox();
    const refused: Array<[string[], RegExp]> = [
      [['declare', '--title', 'x', '--severity', 'SEV2', '--at', ''], /--at "": it is empty/],
      [
        ['declare', '--title', 'x', '--severity', 'SEV2', '--at', '2026-11-31T10:00:00Z'],
        /--at "2026-11-31T10:00:00Z": 2026-11 has no day 31/,
      ],
      [['declare', '--title', 'x', '--severity', 'SEV2', '--at', '2026-02-29T10:00Z'], /2026-02 has no day 29/],
      [['declare', '--title', 'x', '--severity', 'SEV2', '--at', '2026-11-30T24:00Z'], /no hour 24/],
      [['declare', '--title', 'x', '--severity', 'SEV2', '--at', '2026-11-30T10:00:00Zjunk'], /expected an ISO 8601 time/],
    ];
    for (const [args, message] of refused) {
      const r = await box.run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    expect(existsSync(join(box.home, 'incidents'))).toBe(false);

    // A time with an offset, or with a space for the T, is read as written.
    const ok = await box.run(['declare', '--title', 'x', '--severity', 'SEV2', '--at', '2026-01-01 11:00+01:00', '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).openedAt).toBe('2026-01-01T10:00:00.000Z');
    const events = async () => (await box.run(['timeline', '--json'])).stdout.trim().split('\n').length;
    const before = await events();
    for (const [args, message] of [
      [['note', 'x', '--at', ''], /--at "": it is empty/],
      [['milestone', 'mitigated', '--at', ''], /--at "": it is empty/],
      [['milestone', 'mitigated', '--at', '2026-04-31T10:00Z'], /2026-04 has no day 31/],
      [['resolve', '--root-cause', 'a', '--resolution', 'b', '--at', ''], /--at "": it is empty/],
      [['resolve', '--root-cause', 'a', '--resolution', 'b', '--at', '2026-13-01T10:00Z'], /no month 13/],
      [['action', 'add', 'x', '--owner', 'bob', '--due', '2026-11-31'], /--due "2026-11-31": 2026-11 has no day 31/],
      [['action', 'add', 'x', '--owner', 'bob', '--due', ''], /--due "": it is empty/],
      [['action', 'add', 'x', '--owner', 'bob', '--due', '2026-12-05garbage'], /expected a date such as 2026-12-05/],
    ] as Array<[string[], RegExp]>) {
      const r = await box.run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    expect(await events()).toBe(before);
    expect((await box.run(['status', '--json'])).stdout).toContain('"status": "open"');
  });

  it('one-line values refuse line breaks; a multi-line root cause cannot forge post-mortem headings', async () => {
    const box = sandbox();
    const forged = 'x\n## Action Items\n- none';
    for (const [args, message] of [
      [['declare', '--title', forged, '--severity', 'SEV2'], /--title must be one line; it contains a line break/],
      [['declare', '--title', 'ok', '--summary', forged, '--severity', 'SEV2'], /--summary must be one line/],
      [['declare', '--title', 'bell\u0007', '--severity', 'SEV2'], /--title must be one line; it contains a control character \(U\+0007\)/],
    ] as Array<[string[], RegExp]>) {
      const r = await box.run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    expect(existsSync(join(box.home, 'incidents'))).toBe(false);
    const ok = async (...args: string[]) => {
      const r = await box.run(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      return r;
    };
    await ok('declare', '--title', 'API down', '--severity', 'SEV2', '--at', '2026-01-01T10:00:00Z');
    for (const [args, message] of [
      [['action', 'add', 'x', '--owner', forged], /--owner must be one line/],
      [['update', '--status', forged, '--impact', 'i'], /--status must be one line/],
      [['assign', 'scribe', forged], /the person must be one line/],
      [['postmortem', 'generate', '--author', forged, '-o', '-'], /--author must be one line/],
    ] as Array<[string[], RegExp]>) {
      const r = await box.run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    await ok('note', `# Lessons Learned\n${forged}`, '--tag', 'lesson');
    await ok('update', '--status', 'Investigating', '--impact', `all users\n## Communications`);
    await ok('resolve', '--root-cause', forged, '--resolution', `rolled back\n# Resolution\n\`\`\``, '--at', '2026-01-01T11:00:00Z');
    const md = (await ok('postmortem', 'generate', '-o', '-')).stdout;
    expect(md.match(/^ {0,3}(>\s*)*#{1,6}\s.*$/gm)).toEqual([
      '# Post-Mortem: API down',
      '## Summary',
      '## Impact',
      '## Milestones',
      '## Timeline',
      '## Root Cause',
      '## Resolution',
      '## What Went Well',
      '## What Went Wrong',
      '## Action Items',
      '## Lessons Learned',
      '## Communications',
    ]);
    expect(md).toContain('## Root Cause\n\n> x  \n> \\## Action Items  \n> \\- none\n');
    expect(md).not.toMatch(/^- none$/m);
  });

  it('a post-mortem of an unresolved incident is a draft that says what is missing', async () => {
    const box = sandbox();
    await box.run(['declare', '--title', 'half done', '--severity', 'SEV2']);
    const r = await box.run(['postmortem', 'generate', '-o', '-']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('> **Draft — missing:** the incident is not resolved yet (bud-incident resolve); root cause; impact.');
    const json = JSON.parse((await box.run(['postmortem', 'generate', '--format', 'json', '-o', '-'])).stdout);
    expect(json.missing).toEqual(['the incident is not resolved yet (bud-incident resolve)', 'root cause', 'impact']);
  });
});
