/**
 * Through the built CLI (issue 11): a SEV1 recorded after the fact gives a post-mortem whose
 * timeline, milestones and durations match the times given; a Resolved update says what was done;
 * impact survives an organisation's own update template.
 */
import { describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, sandbox, type Sandbox } from '../support/cli.js';

const DAY = '2026-11-30';
const at = (hm: string) => `${DAY}T${hm}:00Z`;

async function ok(box: Sandbox, ...args: string[]) {
  const r = await box.run(args);
  if (r.code !== 0) throw new Error(`${args.join(' ')} → ${r.code}\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

describe('a SEV1 recorded after the fact', () => {
  it('the post-mortem gives the times the responders gave, in order, with durations from detection', async () => {
    const box = sandbox();
    await ok(box, 'declare', '--title', 'Checkout down', '--severity', 'SEV1', '--at', at('09:00'));
    await ok(box, 'milestone', 'detected', '--at', at('08:55'));
    await ok(box, 'note', 'Checkout errors confirmed in Grafana', '--at', at('09:50'));
    await ok(box, 'note', 'Payment DB connection pool exhausted', '--tag', 'root-cause', '--at', at('10:00'));
    await ok(box, 'milestone', 'identified', '--at', at('10:05'));
    await ok(box, 'milestone', 'mitigated', '--at', at('10:30'));
    await ok(
      box,
      'resolve',
      '--root-cause',
      'Connection pool too small for the sale traffic',
      '--resolution',
      'Raised the pool size',
      '--at',
      at('11:00'),
    );
    const md = await ok(box, 'postmortem', 'generate', '-o', '-');

    // Timeline: by when it happened, each written later than it happened saying so.
    const later = String.raw` \(recorded later, \d{4}-\d\d-\d\d \d\d:\d\d\) \|`;
    const rows = [
      String.raw`\| 08:55 \| Milestone: detected${later}`,
      String.raw`\| 09:00 \| Incident opened: Checkout down \(SEV1\), channel #incident-${DAY}-checkout-down${later}`,
      String.raw`\| 09:50 \| Note \(tester\): Checkout errors confirmed in Grafana${later}`,
      String.raw`\| 10:00 \| Note \(tester\): Payment DB connection pool exhausted \[root-cause\]${later}`,
      String.raw`\| 10:05 \| Milestone: identified${later}`,
      String.raw`\| 10:30 \| Milestone: mitigated${later}`,
      String.raw`\| 11:00 \| Incident resolved: Raised the pool size \(root cause: Connection pool too small for the sale traffic\)${later}`,
    ].map((r) => new RegExp(r));
    const positions = rows.map((r) => {
      const m = r.exec(md);
      expect(m, `${r}\n${md}`).not.toBeNull();
      return m!.index;
    });
    expect(positions).toEqual([...positions].sort((a, b) => a - b));

    // Milestones and durations, all from detection at 08:55.
    expect(md).toContain('**Duration:** 02:05 (detection 08:55 UTC → resolution 11:00 UTC)');
    for (const row of [
      `| detected | ${DAY} 08:55 | 00:00 |`,
      `| declared | ${DAY} 09:00 | 00:05 |`,
      `| acknowledged | ${DAY} 09:50 | 00:55 |`,
      `| identified | ${DAY} 10:05 | 01:10 |`,
      `| mitigated | ${DAY} 10:30 | 01:35 |`,
      `| resolved | ${DAY} 11:00 | 02:05 |`,
    ])
      expect(md).toContain(row);
    expect(md).toContain('- Time to acknowledge: 00:55');
    expect(md).toContain('- Time to mitigate: 01:35');
    expect(md).toContain('- Time to resolve: 02:05');
    expect(md).toContain('Responded after 55m, beyond the 15m response time for SEV1 (deadline 09:10 UTC)');
    expect(md).toContain(
      // resolve --root-cause is the root cause; the note tagged root-cause at 10:00 was a hypothesis then.
      '## Root Cause\n\nConnection pool too small for the sale traffic\n\nNotes tagged root-cause during the incident (hypotheses at the time, not the confirmed cause):\n\n- 10:00 UTC, tester: Payment DB connection pool exhausted\n',
    );
  }, 60_000);
});

describe('the Resolved status update', () => {
  it('says what was done and what is known; no follow-ups, no drill findings, no next update', async () => {
    const box = sandbox();
    await ok(box, 'declare', '--title', 'API returning 500s', '--severity', 'SEV1');
    // A rehearsal: its findings are replayed output, never facts about this incident.
    const drill = await box.run(['run', 'platform-outage', '--simulate', 'database-failure', '--yes']);
    expect([0, 1]).toContain(drill.code);
    await ok(box, 'action', 'add', 'Alert on PostgreSQL volume usage', '--owner', 'bob', '--due', '2026-12-05');
    await ok(box, 'note', 'The volume filled with WAL from a stalled slot', '--tag', 'root-cause');
    const done = JSON.parse(await ok(box, 'update', '--status', 'Resolved', '--impact', 'None now', '--json')) as { message: string };
    expect(done.message).toContain('What We Know:\n- The volume filled with WAL from a stalled slot\n');
    expect(done.message).toContain('Current Actions:\n- Resolved\n');
    expect(done.message).toContain('Next Update: none (resolved)');
    expect(done.message).not.toContain('Alert on PostgreSQL volume usage');
    expect(done.message).not.toContain('cannot use its storage');
  }, 60_000);
});

describe('impact in the post-mortem', () => {
  it('comes from the recorded fields when the organisation edited the update template', async () => {
    const box = sandbox();
    const dir = join(box.dir, 'org-runbooks');
    mkdirSync(join(dir, 'policy'), { recursive: true });
    const shipped = readFileSync(join(ROOT, 'runbooks', 'policy', 'policy.yaml'), 'utf8');
    const edited = shipped.replace(
      / {2}statusUpdate: \|\n(?: {4}.*\n|\n)*/,
      '  statusUpdate: |\n    [{{severity}}] {{status}}: we are on it.\n    Next: {{nextUpdate}}\n',
    );
    expect(edited).not.toBe(shipped);
    writeFileSync(join(dir, 'policy', 'policy.yaml'), edited);
    const org = (...args: string[]) => ok(box, '--runbooks-dir', dir, ...args);
    await org('declare', '--title', 'Checkout down', '--severity', 'SEV2', '--impact', 'Checkout failing for some users');
    const update = JSON.parse(await org('update', '--status', 'Investigating', '--impact', 'All checkouts failing', '--json')) as {
      message: string;
    };
    expect(update.message).not.toMatch(/Impact/);
    await org('resolve', '--root-cause', 'x', '--resolution', 'y');
    const md = await org('postmortem', 'generate', '-o', '-');
    expect(md).toContain('- As declared: Checkout failing for some users');
    expect(md).toMatch(/- Reported in the status update of \d\d:\d\d UTC: All checkouts failing/);
  }, 60_000);
});
