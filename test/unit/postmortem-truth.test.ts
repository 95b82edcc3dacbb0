/**
 * The post-mortem reads as the incident happened (issue 11): rows that say what happened, in the
 * order it happened, durations from one start, the root cause the responders confirmed (never a
 * refuted, unchecked or drill finding), impact from the recorded fields, and a Resolved status
 * update that says what was done.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { foldIncident } from '../../src/incident/state.js';
import { loadPolicy, type Policy } from '../../src/incident/policy.js';
import * as generate from '../../src/postmortem/generate.js';
import { judgeFindings } from '../../src/incident/findings.js';
import { ROOT } from '../support/cli.js';
import { writeIncident } from '../support/incident-fixture.js';
import type { TimelineEvent } from '../../src/timeline/event.js';

const policy = loadPolicy(join(ROOT, 'runbooks', 'policy', 'policy.yaml'));
type Step = [time: string, actor: string, type: string, data: Record<string, unknown>];
const ID = '2026-11-28-checkout-down';
const day = (hm: string) => `2026-11-28T${hm}:00.000Z`;

function postmortemOf(steps: Step[], p: Policy = policy): string {
  const { events } = writeIncident(ID, steps);
  const state = foldIncident(ID, events);
  // `describeOptions` and the findings are new: with the code before issue 11 they are absent, and the document is judged as it was.
  const opts = generate.describeOptions?.(p);
  return generate.generatePostmortem({
    policy: p,
    state,
    rows: events.filter(generate.isSignificant).map((e) => generate.timelineRow(e, opts)),
    findings: judgeFindings(events),
    checklistGaps: [],
  }).markdown;
}

const section = (md: string, heading: string) => {
  const from = md.indexOf(`## ${heading}\n`);
  return md.slice(from, md.indexOf('\n## ', from + 3));
};

const opened = (at: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  id: ID,
  title: 'Checkout down',
  severity: 'SEV1',
  channel: `#incident-${ID}`,
  openedAt: at,
  detectedAt: at,
  source: 'declare',
  ...extra,
});

/** A SEV1 recorded after the fact: every command ran from 11:12 on, each giving the time it happened with --at. */
function afterTheFact(): Step[] {
  return [
    [day('11:12'), 'alice', 'incident.opened', opened(day('09:00'))],
    [day('11:13'), 'alice', 'milestone.recorded', { name: 'detected', at: day('08:55') }],
    [day('11:14'), 'alice', 'note.added', { text: 'Checkout errors confirmed in Grafana', at: day('09:50') }],
    [day('11:15'), 'alice', 'note.added', { text: 'Payment DB connection pool exhausted', tags: ['root-cause'], at: day('10:00') }],
    [day('11:16'), 'alice', 'milestone.recorded', { name: 'identified', at: day('10:05') }],
    [day('11:17'), 'alice', 'milestone.recorded', { name: 'mitigated', at: day('10:30') }],
    [
      day('11:20'),
      'alice',
      'incident.resolved',
      { rootCause: 'Connection pool too small for the sale traffic', resolution: 'Raised the pool size', at: day('11:00') },
    ],
  ];
}

describe('a SEV1 recorded after the fact', () => {
  const md = postmortemOf(afterTheFact());

  it('orders the timeline by when things happened and marks what was recorded later', () => {
    const rows = [
      '| 08:55 | Milestone: detected (recorded later, 11:13) |',
      '| 09:00 | Incident opened: Checkout down (SEV1), channel #incident-2026-11-28-checkout-down (recorded later, 11:12) |',
      '| 09:50 | Note (alice): Checkout errors confirmed in Grafana (recorded later, 11:14) |',
      '| 10:00 | Note (alice): Payment DB connection pool exhausted [root-cause] (recorded later, 11:15) |',
      '| 10:05 | Milestone: identified (recorded later, 11:16) |',
      '| 10:30 | Milestone: mitigated (recorded later, 11:17) |',
    ];
    for (const r of rows) expect(md).toContain(r);
    const at = rows.map((r) => md.indexOf(r));
    expect(at).toEqual([...at].sort((a, b) => a - b));
    expect(md).toMatch(/\| 11:00 \| Incident resolved: Raised the pool size .*\(recorded later, 11:20\) \|/);
  });

  it('measures every milestone and duration from detection, as given', () => {
    expect(md).toContain('**Duration:** 02:05 (detection 08:55 UTC → resolution 11:00 UTC)');
    expect(md).toContain('Times are measured from detection, 2026-11-28 08:55 UTC.');
    for (const row of [
      '| detected | 2026-11-28 08:55 | 00:00 |',
      '| declared | 2026-11-28 09:00 | 00:05 |',
      '| acknowledged | 2026-11-28 09:50 | 00:55 |',
      '| identified | 2026-11-28 10:05 | 01:10 |',
      '| mitigated | 2026-11-28 10:30 | 01:35 |',
      '| resolved | 2026-11-28 11:00 | 02:05 |',
    ])
      expect(md).toContain(row);
    expect(md).toContain('- Time to acknowledge: 00:55 (response time for SEV1: 15m)');
    expect(md).toContain('- Time to mitigate: 01:35');
    expect(md).toContain('- Time to resolve: 02:05');
    // What went wrong agrees with the table: 55 minutes from detection, against a deadline 15 minutes after it.
    expect(md).toContain('Responded after 55m, beyond the 15m response time for SEV1 (deadline 09:10 UTC)');
  });

  it('gives the root cause the responders confirmed', () => {
    const rc = section(md, 'Root Cause');
    expect(rc).toContain('Connection pool too small for the sale traffic');
    // The note was what alice thought at 10:00; resolve --root-cause is the confirmed cause.
    expect(rc).toContain(
      'Notes tagged root-cause during the incident (hypotheses at the time, not the confirmed cause):\n\n- 10:00 UTC, alice: Payment DB connection pool exhausted',
    );
    expect(rc).not.toContain('- Payment DB connection pool exhausted (alice, 10:00)');
  });
});

describe('timeline rows say what happened', () => {
  const ev = (type: string, data: Record<string, unknown>): TimelineEvent => ({
    seq: 3,
    ts: day('10:00'),
    actor: 'alice',
    type,
    data,
    prev: '0'.repeat(64),
    hash: '1'.repeat(64),
  });
  // Every significant event type, with what its row must say.
  const cases: Array<[string, Record<string, unknown>, string]> = [
    [
      'incident.opened',
      opened(day('10:00'), { commander: 'alice' }),
      'Incident opened: Checkout down (SEV1), channel #incident-2026-11-28-checkout-down, commander alice',
    ],
    [
      'severity.changed',
      { from: 'SEV2', to: 'SEV1', reason: 'all checkouts fail' },
      'Severity changed from SEV2 to SEV1: all checkouts fail',
    ],
    ['role.assigned', { role: 'tech-lead', person: 'bob', previous: 'carol' }, 'bob assigned as tech-lead (was carol)'],
    [
      'finding.raised',
      { runId: 'r1', stepId: 'pg', findingId: 'pg-down', message: 'PostgreSQL is down', evidence: { lines: [] } },
      'Finding: PostgreSQL is down',
    ],
    [
      'mitigation.approved',
      { runId: 'r1', stepId: 's', mitigationId: 'grow-volume', how: 'typed-yes' },
      'Mitigation grow-volume approved by alice (typed yes)',
    ],
    [
      'mitigation.finished',
      { runId: 'r1', stepId: 's', mitigationId: 'rollout-undo', status: 'failed', reason: 'exit 1', manual: false },
      'Mitigation rollout-undo failed: exit 1',
    ],
    [
      'mitigation.finished',
      { runId: 'r1', stepId: 's', mitigationId: 'grow-volume', status: 'passed', manual: true },
      'Mitigation grow-volume passed (done by hand)',
    ],
    [
      'mitigation.declined',
      { runId: 'r1', stepId: 's', mitigationId: 'failover', reason: 'no consent' },
      'Mitigation failover not run: no consent',
    ],
    [
      'mitigation.declined',
      { runId: 'r1', stepId: 's', mitigationId: 'failover', reason: 'not run: needs a typed "yes"' },
      'Mitigation failover not run: needs a typed "yes"',
    ],
    [
      'status.update',
      { status: 'Investigating', impact: 'All checkouts fail', message: 'x', nextUpdateAt: day('10:30') },
      'Status update posted: Investigating; impact: All checkouts fail; next due 10:30 UTC',
    ],
    [
      'status.update',
      { status: 'Resolved', impact: 'None', message: 'x' },
      'Status update posted: Resolved; impact: None; the last update',
    ],
    ['escalation.recorded', { levels: ['L1', 'L2'], severity: 'SEV1' }, 'Escalated to L1 (On-call engineer), L2 (Team lead) at SEV1'],
    ['note.added', { text: 'disk full', tags: ['root-cause'] }, 'Note (alice): disk full [root-cause]'],
    ['milestone.recorded', { name: 'identified', at: day('10:00') }, 'Milestone: identified'],
    ['handoff.completed', { from: 'alice', to: 'dave', summary: 's' }, 'Handoff from alice to dave'],
    [
      'incident.resolved',
      { rootCause: 'disk full', resolution: 'grew the volume', at: day('10:00') },
      'Incident resolved: grew the volume (root cause: disk full)',
    ],
    ['incident.reopened', {}, 'Incident reopened'],
    [
      'run.started',
      { runId: 'r1', runbook: 'platform-outage', mode: 'simulate', scenario: 'storage' },
      'Runbook platform-outage started (drill, simulated: storage)',
    ],
    [
      'run.finished',
      { runId: 'r1', runbook: 'platform-outage', outcome: 'findings', findings: 2, uncheckedSteps: ['dns'] },
      'Runbook platform-outage finished: findings, 2 finding(s), 1 check(s) could not see the system',
    ],
    [
      'run.aborted',
      { runId: 'r1', runbook: 'platform-outage', reason: 'interrupted', pendingSteps: [] },
      'Runbook platform-outage aborted: interrupted',
    ],
    ['triage.completed', { matches: [{ runbook: 'database-failure', severity: 'SEV1' }] }, 'Triage: database-failure (SEV1)'],
    [
      'classification.recorded',
      { severity: 'SEV1', reasons: ['platform completely unavailable'] },
      'Classified as SEV1: platform completely unavailable',
    ],
    [
      'action.added',
      { id: 'A1', text: 'Alert on pool usage', owner: 'bob', due: '2026-12-05' },
      'Action A1 added: Alert on pool usage (owner bob, due 2026-12-05)',
    ],
    ['action.done', { id: 'A1' }, 'Action A1 done'],
    [
      'mitigation.verified',
      { mitigationId: 'grow-volume', stepId: 'check-db', status: 'passed' },
      'Mitigation grow-volume verified by check-db: passed',
    ],
    ['incident.closed', { reason: 'duplicate of INC-7' }, 'Incident closed without resolution: duplicate of INC-7'],
    ['incident.discarded', { reason: 'typo in the title' }, 'Incident discarded (opened by mistake): typo in the title'],
    ['postmortem.scheduled', { on: '2026-12-03T14:00:00.000Z' }, 'Post-mortem scheduled on 2026-12-03 14:00 UTC'],
  ];

  it('covers every significant event type', () => {
    expect(new Set(cases.map((c) => c[0]))).toEqual(new Set(generate.SIGNIFICANT));
  });

  it.each(cases)('%s: %s', (type, data, text) => {
    const row = generate.timelineRow(ev(type, data), generate.describeOptions?.(policy));
    expect(row.text).toBe(text);
  });
});

/** Runs of platform-outage: findings that stand, are fixed, refuted, unchecked, and from a drill. */
function withFindings(extra: Step[] = []): Step[] {
  const run = (time: string, runId: string, mode = 'live'): Step => [
    day(time),
    'bob',
    'run.started',
    {
      runId,
      runbook: 'platform-outage',
      title: 'Platform outage',
      file: 'x',
      mode,
      ...(mode === 'simulate' ? { scenario: 'storage' } : {}),
      vars: {},
      steps: 3,
    },
  ];
  const step = (time: string, runId: string, stepId: string, status: string): Step => [
    day(time),
    'bob',
    'step.finished',
    { runId, stepId, kind: 'check', title: stepId, status, attempt: 1, durationMs: 10 },
  ];
  const finding = (time: string, runId: string, stepId: string, cause: string, message: string): Step => [
    day(time),
    'bob',
    'finding.raised',
    {
      runId,
      stepId,
      findingId: `${stepId}-x`,
      message,
      detail: 'd',
      cause: { id: cause, title: cause },
      next: [],
      evidence: { lines: [] },
    },
  ];
  return [
    [day('09:00'), 'alice', 'incident.opened', opened(day('09:00'))],
    run('09:05', 'r1'),
    step('09:05', 'r1', 'network', 'failed'),
    finding('09:05', 'r1', 'network', 'network-partition', 'Nodes cannot reach each other'),
    step('09:06', 'r1', 'postgres', 'failed'),
    finding('09:06', 'r1', 'postgres', 'database-failure', 'PostgreSQL volume is full'),
    step('09:06', 'r1', 'dns', 'unchecked'),
    finding('09:06', 'r1', 'dns', 'dns-failure', 'CoreDNS is not answering'),
    run('09:10', 'd1', 'simulate'),
    step('09:10', 'd1', 'keycloak', 'failed'),
    finding('09:10', 'd1', 'keycloak', 'auth-failure', 'Keycloak certificate expired (simulated)'),
    [day('09:12'), 'alice', 'action.added', { id: 'A1', text: 'Alert on volume usage', owner: 'bob', due: '2026-12-05' }],
    // The network check passes again with nothing done in between: its finding was a false alarm.
    run('09:20', 'r2'),
    step('09:20', 'r2', 'network', 'passed'),
    [
      day('09:25'),
      'bob',
      'mitigation.finished',
      { runId: 'r2', stepId: 'offer', mitigationId: 'grow-volume', status: 'passed', manual: true },
    ],
    step('09:26', 'r2', 'postgres', 'passed'),
    ...extra,
  ];
}

describe('the root cause is the one the responders confirmed', () => {
  it('says it is not confirmed instead of listing every cause a runbook pointed to', () => {
    const md = postmortemOf(withFindings());
    const rc = section(md, 'Root Cause');
    expect(rc).toContain('**Not confirmed** — record it with `bud-incident resolve --root-cause "..."` or a note tagged root-cause');
    expect(rc).not.toMatch(/Causes the runbooks pointed to/);
    // Evidence that stood (and was fixed) is listed as what the runbooks found, not as the cause.
    const found = rc.slice(rc.indexOf('What the runbooks found'), rc.indexOf('Not causes'));
    expect(found).toContain(
      'PostgreSQL volume is full (platform-outage, pointed to database-failure, 09:06 UTC) — cleared after mitigation grow-volume',
    );
    expect(found).not.toContain('Nodes cannot reach each other');
    expect(found).not.toContain('CoreDNS');
    const not = rc.slice(rc.indexOf('Not causes'));
    expect(not).toContain(
      'Nodes cannot reach each other (platform-outage, pointed to network-partition, 09:05 UTC) — not there when the same check ran again at 09:20 UTC',
    );
    expect(not).toContain(
      'CoreDNS is not answering (platform-outage, pointed to dns-failure, 09:06 UTC) — its check did not see the system (unchecked)',
    );
    // A drill's finding is no fact about this incident.
    expect(rc).not.toContain('Keycloak');
    expect(rc).toContain('1 finding(s) from drills (`--simulate`) are left out');
    expect(md).toContain('> **Draft — missing:** the incident is not resolved yet (bud-incident resolve); root cause; impact.');
    // The timeline keeps every finding, each saying what became of it.
    expect(md).toContain(
      '| 09:05 | Finding: Nodes cannot reach each other — not a cause (refuted): not there when the same check ran again at 09:20 UTC',
    );
    expect(md).toContain('| 09:10 | Finding: Keycloak certificate expired (simulated) — not a cause (a drill): from a drill (--simulate)');
  });

  it('a note tagged root-cause is a confirmed root cause', () => {
    const md = postmortemOf(withFindings([[day('09:30'), 'erin', 'note.added', { text: 'WAL filled the volume', tags: ['root-cause'] }]]));
    const rc = section(md, 'Root Cause');
    expect(rc).not.toContain('Not confirmed');
    expect(rc).toContain('As the responders recorded it (notes tagged root-cause):');
    expect(rc).toContain('- WAL filled the volume (erin, 09:30)');
  });
});

describe('impact comes from the recorded fields', () => {
  it('keeps each impact statement when the organisation edited the update template (no "Impact:" line)', () => {
    const md = postmortemOf([
      [day('09:00'), 'alice', 'incident.opened', opened(day('09:00'), { impact: 'Checkout failing for some users' })],
      [
        day('09:20'),
        'carol',
        'status.update',
        { status: 'Investigating', impact: 'All checkouts failing', message: 'We are on it.\nNext: 09:50', nextUpdateAt: day('09:50') },
      ],
      [day('09:40'), 'alice', 'incident.updated', { impact: 'Checkout failing in EU only' }],
    ]);
    const impact = section(md, 'Impact');
    expect(impact).toContain('- As declared: Checkout failing for some users');
    expect(impact).toContain('- Reported in the status update of 09:20 UTC: All checkouts failing');
    expect(impact).toContain('- Updated at 09:40 UTC: Checkout failing in EU only');
  });
});

describe('status updates say only what the record supports', () => {
  const message = async (status: string, extra: Step[] = []) => {
    // The message builder is new with issue 11: before it, the update command filled the template inline.
    const { statusUpdateMessage } = await import('../../src/incident/status-update.js');
    const { events } = writeIncident(ID, withFindings(extra));
    const state = foldIncident(ID, events);
    return statusUpdateMessage(policy, state, judgeFindings(events), {
      status,
      impact: 'Checkout failing for all users',
      now: new Date(day('10:40')),
      nextAt: new Date(day('11:10')),
    });
  };

  it('an update during the incident lists only findings that are evidence about the live system', async () => {
    const m = await message('Investigating');
    expect(m).toContain('What We Know:\n- PostgreSQL volume is full\n');
    for (const never of ['Nodes cannot reach each other', 'CoreDNS', 'Keycloak']) expect(m).not.toContain(never);
    expect(m).toContain('Next Update: 11:10 UTC');
  });

  it('a Resolved update says what was done and what is known, not the follow-ups or false findings', async () => {
    const m = await message('Resolved', [
      [day('10:00'), 'erin', 'note.added', { text: 'WAL filled the volume', tags: ['root-cause'] }],
      [
        day('10:30'),
        'alice',
        'incident.resolved',
        { rootCause: 'A stalled replication slot', resolution: 'Grew the volume', at: day('10:30') },
      ],
    ]);
    // resolve --root-cause is the root cause; the note tagged root-cause before it was a hypothesis.
    expect(m).toContain('What We Know:\n- Root cause: A stalled replication slot\n\n');
    expect(m).toContain('Current Actions:\n- Resolved: Grew the volume\n- Done: grow-volume applied at 09:25 UTC\n\n');
    expect(m).toContain('Next Update: none (resolved)');
    // The post-incident follow-up is an action item for the post-mortem, not a current action.
    expect(m).not.toContain('Alert on volume usage');
    for (const never of ['Nodes cannot reach each other', 'CoreDNS', 'Keycloak', 'PostgreSQL volume is full'])
      expect(m).not.toContain(never);
  });

  it('a Resolved update with no confirmed root cause says so instead of guessing', async () => {
    const m = await message('Resolved');
    expect(m).toContain('What We Know:\n- Root cause: not confirmed yet (it will be in the post-mortem)\n');
  });
});
