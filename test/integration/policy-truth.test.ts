/**
 * The policy is the source of truth for classification (issue 12): `classify` follows the
 * playbook's §1.2 criteria as the policy file states them, `declare` shows the severity's examples
 * and criteria and suggests only checklists that exist, `assign` shows the role's responsibility,
 * the post-mortem requirement uses §8.2's words, and data loss is not a breach (§6 L4). Editing a
 * copy of the policy changes what the commands say. Through the built binary.
 */
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, runOk, sandbox, type Sandbox } from '../support/cli.js';

/** A --runbooks-dir holding only a policy: the shipped one, edited. */
function policyDir(edit: (text: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'bud-policy-'));
  mkdirSync(join(dir, 'policy'));
  const shipped = readFileSync(join(ROOT, 'runbooks', 'policy', 'policy.yaml'), 'utf8');
  const edited = edit(shipped);
  expect(edited).not.toBe(shipped);
  writeFileSync(join(dir, 'policy', 'policy.yaml'), edited);
  return dir;
}

const cli = (box: Sandbox, args: string[], ok: number[] = [0]) => runOk(box, args, ok, 60_000);
const json = async (box: Sandbox, args: string[]) => JSON.parse((await cli(box, [...args, '--json'])).stdout) as Record<string, any>;

describe('§1.2 classification as the playbook says it', () => {
  it('a single user affected is SEV4; a single endpoint or feature is SEV3, its own answer', async () => {
    const box = sandbox();
    const user = await cli(box, ['classify', '--users', 'single']);
    expect(user.stdout).toMatch(/Recommended severity: SEV4/);
    expect(user.stdout).toMatch(/because: Single user affected/);
    const feature = await cli(box, ['classify', '--single-feature']);
    expect(feature.stdout).toMatch(/Recommended severity: SEV3/);
    expect(feature.stdout).toMatch(/because: Single endpoint or feature impacted/);
  });

  it('data corruption or loss is SEV1 but not a breach: L4 is due at once only for a breach', async () => {
    const box = sandbox();
    await cli(box, ['declare', '--title', 'rows lost', '--severity', 'SEV2']);
    const loss = await json(box, ['classify', '--data-loss', '--apply']);
    expect(loss.severity).toBe('SEV1');
    expect(loss.reasons).toEqual(['Data corruption or loss']);
    const afterLoss = await json(box, ['status']);
    expect(afterLoss).toMatchObject({ severity: 'SEV1', dataLoss: true, dataBreach: false });
    expect((afterLoss.escalation.due as Array<{ level: string }>).map((l) => l.level)).not.toContain('L4');
    const breach = await json(box, ['classify', '--data-breach', '--apply']);
    expect(breach.reasons).toEqual(['Data breach or security incident']);
    const afterBreach = await json(box, ['status']);
    expect(afterBreach).toMatchObject({ dataLoss: true, dataBreach: true });
    expect((afterBreach.escalation.due as Array<{ level: string }>).map((l) => l.level)).toContain('L4');
  });
});

describe('declare and the post-mortem requirement', () => {
  it('declare SEV3/SEV4 suggests no checklist that does not exist; SEV1 suggests checklist sev1', async () => {
    for (const sev of ['SEV3', 'SEV4']) {
      const box = sandbox();
      const out = (await cli(box, ['declare', '--title', `minor ${sev}`, '--severity', sev])).stdout;
      expect(out).not.toMatch(/checklist sev[34]/);
      expect(out).toMatch(/Next: .*bud-incident status/);
      // Every suggested command names something that exists.
      for (const m of out.matchAll(/bud-incident checklist (\S+)/g)) await cli(box, ['checklist', m[1]!, '--json']);
    }
    const box = sandbox();
    const out = (await cli(box, ['declare', '--title', 'all down', '--severity', 'SEV1'])).stdout;
    expect(out).toMatch(/Next: .*bud-incident checklist sev1/);
  });

  it('SEV4 shows the post-mortem as not required (§8.2 "No"), SEV3 as optional, in status, resolve and the post-mortem', async () => {
    for (const [sev, word] of [
      ['SEV4', 'not required'],
      ['SEV3', 'optional'],
    ] as const) {
      const box = sandbox();
      await cli(box, ['declare', '--title', `typo ${sev}`, '--severity', sev]);
      expect((await cli(box, ['status'])).stdout).toMatch(new RegExp(`post-mortem: ${word}\\b`));
      const resolved = await cli(box, ['resolve', '--root-cause', 'a typo', '--resolution', 'fixed the typo']);
      expect(resolved.stdout).toMatch(new RegExp(`post-mortem: ${word}\\b`));
      const pm = await cli(box, ['postmortem', 'generate', '-o', '-'], [0, 1]);
      expect(pm.stdout).toMatch(new RegExp(`\\*\\*Post-mortem:\\*\\* ${word} for ${sev}`));
      if (sev === 'SEV4') expect(pm.stdout + resolved.stdout).not.toMatch(/optional/);
    }
  });
});

describe('an edited policy changes what the commands say', () => {
  it("moving a criterion, an example and a role's responsibility changes classify, declare and assign", async () => {
    const dir = policyDir((text) =>
      text
        // The organisation counts a single user as SEV2.
        .replace('      - { text: Single user affected, when: { users: single } }\n', '')
        .replace(
          '      - { text: Subset of users affected, when: { users: subset } }\n',
          '      - { text: Subset of users affected, when: { users: subset } }\n      - { text: Any single customer affected, when: { users: single } }\n',
        )
        .replace('examples: [Inference failures, Auth broken]', 'examples: [Inference failures, Billing export stalled]')
        .replace('responsibility: Leads investigation and fix', 'responsibility: Owns the fix and the rollback decision'),
    );
    const box = sandbox();
    const shipped = await cli(box, ['classify', '--users', 'single']);
    expect(shipped.stdout).toMatch(/SEV4/);
    const edited = await cli(box, ['classify', '--users', 'single', '--runbooks-dir', dir]);
    expect(edited.stdout).toMatch(/Recommended severity: SEV2/);
    expect(edited.stdout).toMatch(/because: Any single customer affected/);
    expect(edited.stdout).toMatch(/Billing export stalled/);

    const declared = await cli(box, ['declare', '--title', 'billing', '--severity', 'SEV2', '--runbooks-dir', dir]);
    expect(declared.stdout).toMatch(/SEV2 examples: Inference failures, Billing export stalled/);
    expect(declared.stdout).toMatch(/- Any single customer affected/);

    const shippedAssign = await cli(box, ['assign', 'tech-lead', 'alice']);
    expect(shippedAssign.stdout).toMatch(/responsible for: Leads investigation and fix/);
    const assigned = await cli(box, ['assign', 'tech-lead', 'bob', '--runbooks-dir', dir]);
    expect(assigned.stdout).toMatch(/responsible for: Owns the fix and the rollback decision/);
  });

  it('a criterion written as plain text is shown as not asked, not silently dropped', async () => {
    const dir = policyDir((text) =>
      text.replace('      - { text: All users affected, when: { users: all } }\n', '      - Payments failing for any customer\n'),
    );
    const box = sandbox();
    const r = await cli(box, ['classify', '--users', 'single', '--runbooks-dir', dir]);
    expect(r.stdout).toMatch(/Recommended severity: SEV4/);
    expect(r.stdout).toMatch(/Not asked .*\n\s+SEV1: Payments failing for any customer/);
  });

  it('a criterion naming a question classify does not ask is refused with its file and line', async () => {
    const dir = policyDir((text) => text.replace('when: workaround }', 'when: workarounds }'));
    const box = sandbox();
    const r = await cli(box, ['classify', '--users', 'single', '--runbooks-dir', dir], [2]);
    expect(r.stderr).toMatch(/policy\.yaml:\d+/);
    expect(r.stderr).toMatch(/"workarounds" is not an answer classify asks/);
  });
});

describe('the update cadence is our default, and said so', () => {
  const T0 = '2026-11-28T10:00:00.000Z';
  const at = (min: number) => new Date(Date.parse(T0) + min * 60_000).toISOString();
  async function lateUpdates(dir?: string) {
    const box = sandbox();
    const extra = dir ? ['--runbooks-dir', dir] : [];
    await cli(box, ['declare', '--title', 'API down', '--severity', 'SEV1', '--at', T0, ...extra]);
    await cli(box, ['update', '--status', 'Investigating', '--impact', 'all users', '--at', at(5), ...extra]);
    await cli(box, ['update', '--status', 'Mitigating', '--impact', 'all users', '--at', at(80), ...extra]);
    await cli(box, ['resolve', '--root-cause', 'a', '--resolution', 'b', '--at', at(90), ...extra]);
    return (await cli(box, ['postmortem', 'generate', '-o', '-', ...extra], [0, 1])).stdout;
  }

  it('the post-mortem words a late update against our default cadence, and an edited cadence changes it', async () => {
    const shipped = await lateUpdates();
    expect(shipped).toMatch(/No update for 75m \(10:05–11:20 UTC\) against our 30m default for SEV1/);
    const dir = policyDir((text) =>
      text.replace('updateEvery: 30m', 'updateEvery: 1h').replace('  source: default\n  grace: 5m', '  source: policy\n  grace: 20m'),
    );
    const edited = await lateUpdates(dir);
    // 75m against 1h + 20m grace is on time now.
    expect(edited).not.toMatch(/No update for 75m/);
    expect(edited).toMatch(/went out within the policy's 1h cadence for SEV1/);
  });
});

describe('status reads the policy: phases, roles and cadence as the organisation words them', () => {
  it('an edited phase title, role title/responsibility and cadence change what status says', async () => {
    const box = sandbox();
    await cli(box, ['declare', '--title', 'API down', '--severity', 'SEV1']);
    const shipped = (await cli(box, ['status'])).stdout;
    expect(shipped).toMatch(/phase: Triage \(15 min\)/);
    expect(shipped).toMatch(/this phase: Classify severity · Assign incident commander · Create incident channel/);
    expect(shipped).toMatch(/Technical Lead: nobody \(bud-incident assign tech-lead NAME\) — Leads investigation and fix/);
    const dir = policyDir((text) =>
      text
        .replace(
          '{ id: triage, title: "Triage (15 min)", does: [Classify severity, Assign incident commander, Create incident channel] }',
          '{ id: triage, title: First look, does: [Page the owner] }',
        )
        .replace(
          'tech-lead: { title: Technical Lead, responsibility: Leads investigation and fix }',
          'tech-lead: { title: Fix Owner, responsibility: Owns the fix and the rollback decision }',
        )
        .replace('updateEvery: 30m', 'updateEvery: 20m'),
    );
    const box2 = sandbox();
    const T0 = new Date(Date.now() - 60_000).toISOString();
    await cli(box2, ['declare', '--title', 'API down', '--severity', 'SEV1', '--at', T0, '--runbooks-dir', dir]);
    await cli(box2, ['update', '--status', 'Investigating', '--impact', 'all users', '--at', T0, '--runbooks-dir', dir]);
    const edited = await cli(box2, ['status', '--runbooks-dir', dir]);
    expect(edited.stdout).toMatch(/phase: First look/);
    expect(edited.stdout).toMatch(/this phase: Page the owner/);
    expect(edited.stdout).toMatch(/Fix Owner: nobody \(bud-incident assign tech-lead NAME\) — Owns the fix and the rollback decision/);
    const s = await json(box2, ['status', '--runbooks-dir', dir]);
    expect(s.phaseNamed).toEqual({ id: 'triage', title: 'First look', does: ['Page the owner'] });
    // The next update is due 20m after the last one, the edited cadence (not the shipped 30m).
    expect(Date.parse(s.nextUpdate.dueAt) - Date.parse(T0)).toBe(20 * 60_000);
  });

  it('a policy without a phase the CLI derives, or a template value it never fills, is refused with its line', async () => {
    const noPhase = policyDir((text) => text.replace(/ {2}- \{ id: resolution,[^\n]*\n/, ''));
    const r = await cli(sandbox(), ['status', '--runbooks-dir', noPhase], [2]);
    expect(r.stderr).toMatch(/policy\.yaml:\d+/);
    expect(r.stderr).toMatch(/the phase "resolution" is required/);
    const rawValue = policyDir((text) => text.replace('Status: {{status}}', 'Status: {{state}}'));
    const t = await cli(sandbox(), ['classify', '--users', 'single', '--runbooks-dir', rawValue], [2]);
    expect(t.stderr).toMatch(/\{\{state\}\} is not a value the CLI fills in this message \(did you mean "status"\?\)/);
  });
});

describe('§2.1 how it was detected, §3.4 how many users and requests', () => {
  it('declare --detected-by is recorded and shown by status and the post-mortem; milestone detected --by records it later', async () => {
    const box = sandbox();
    const d = await json(box, ['declare', '--title', 'API down', '--severity', 'SEV2', '--detected-by', 'alert: PagerDuty BudAPIDown']);
    expect(d.detectedBy).toEqual({ source: 'alert', detail: 'PagerDuty BudAPIDown' });
    expect((await cli(box, ['status'])).stdout).toMatch(/detected: \d\d:\d\d UTC by Monitoring alert \(PagerDuty BudAPIDown\)/);
    await cli(box, ['resolve', '--root-cause', 'a', '--resolution', 'b']);
    const pm = (await cli(box, ['postmortem', 'generate', '-o', '-'], [0, 1])).stdout;
    expect(pm).toMatch(/\*\*Detected:\*\* .* UTC by Monitoring alert \(PagerDuty BudAPIDown\)/);

    const later = sandbox();
    await cli(later, ['declare', '--title', 'slow page', '--severity', 'SEV3']);
    expect((await cli(later, ['status'])).stdout).toMatch(
      /how is not recorded: bud-incident milestone detected --by alert\|user-report\|internal/,
    );
    const typo = await cli(later, ['milestone', 'detected', '--by', 'user-reprot'], [2]);
    expect(typo.stderr).toMatch(/did you mean "user-report"/);
    // A huge value is quoted cut short in the error, not echoed whole.
    const huge = await cli(later, ['milestone', 'detected', '--by', 'x'.repeat(100_000)], [2]);
    expect(huge.stderr).toMatch(/"x{80}… \(100000 characters\)"/);
    expect(huge.stderr.length).toBeLessThan(1000);
    const before = await json(later, ['status']);
    await cli(later, ['milestone', 'detected', '--by', 'user-report: ticket 4411']);
    const after = await json(later, ['status']);
    // Saying how does not move when.
    expect(after.detectedAt).toBe(before.detectedAt);
    expect(after.detectedBy).toEqual({ source: 'user-report', detail: 'ticket 4411' });
  });

  it('declare --data-loss is SEV1 data loss, not a breach', async () => {
    const box = sandbox();
    await cli(box, ['declare', '--title', 'rows lost', '--severity', 'SEV1', '--data-loss']);
    const s = await json(box, ['status']);
    expect(s).toMatchObject({ dataLoss: true, dataBreach: false });
    expect((s.escalation.due as Array<{ level: string }>).map((l) => l.level)).not.toContain('L4');
  });

  it('the update carries the number of users and requests (§3.4), keeps it for the next update and the post-mortem', async () => {
    const box = sandbox();
    await cli(box, ['declare', '--title', 'API down', '--severity', 'SEV1']);
    const first = await cli(box, ['update', '--status', 'Investigating', '--impact', 'All API calls fail']);
    expect(first.stdout).toMatch(/Current Impact:\n- All API calls fail\n- Users\/requests affected: not counted yet\n/);
    const counted = await cli(box, [
      'update',
      '--status',
      'Investigating',
      '--impact',
      'All API calls fail',
      '--users-affected',
      '1200',
      '--requests-failed',
      '48000',
    ]);
    expect(counted.stdout).toMatch(/- Users affected: 1200 · Requests failed: 48000\n/);
    const kept = await cli(box, ['update', '--status', 'Mitigating', '--impact', 'Recovering']);
    expect(kept.stdout).toMatch(/- Users affected: 1200 · Requests failed: 48000\n/);
    await cli(box, ['resolve', '--root-cause', 'a', '--resolution', 'b']);
    const pm = (await cli(box, ['postmortem', 'generate', '-o', '-'], [0, 1])).stdout;
    expect(pm).toMatch(/- Users affected: 1200\n- Requests failed: 48000\n/);
  });
});
