/**
 * describeEvent: one sentence per event type, pinned for every type the catalogue has (the
 * sentences were those of the switch the table replaced), the store's torn-line event, and types
 * this version does not know (a newer writer's), which fall back to their text or their type.
 */
import { describe, expect, it } from 'vitest';
import { INCIDENT_EVENT_TYPES } from '../../src/timeline/catalogue.js';
import { describeEvent, type DescribeOptions } from '../../src/timeline/describe.js';

/** An event of each type, with the fields its description reads, and its description. */
const CASES: Array<[string, Record<string, unknown>, string]> = [
  [
    'incident.opened',
    { title: 'API down', severity: 'SEV1', channel: '#inc-1', commander: 'alice', detectedBy: { source: 'alert', detail: 'PD 42' } },
    'Incident opened: API down (SEV1), channel #inc-1, commander alice, detected by Monitoring alert (PD 42)',
  ],
  ['incident.opened', { title: 'Drill', severity: 'SEV3', channel: '#inc-2', drill: true }, 'Drill opened: Drill (SEV3), channel #inc-2'],
  [
    'incident.updated',
    { impact: 'all users', title: 'New title', dataBreach: true, major: true },
    'Incident updated: impact all users; title New title; data breach; major incident',
  ],
  ['incident.resolved', { resolution: 'rolled back', rootCause: 'bad deploy' }, 'Incident resolved: rolled back (root cause: bad deploy)'],
  ['incident.reopened', { from: 'resolved' }, 'Incident reopened'],
  ['incident.closed', { reason: 'duplicate' }, 'Incident closed without resolution: duplicate'],
  ['incident.discarded', { reason: 'mistake' }, 'Incident discarded (opened by mistake): mistake'],
  ['severity.changed', { from: 'SEV2', to: 'SEV1', reason: 'worse' }, 'Severity changed from SEV2 to SEV1: worse'],
  ['classification.recorded', { severity: 'SEV2', reasons: ['one', 'two'] }, 'Classified as SEV2: one; two'],
  ['role.assigned', { person: 'bob', role: 'scribe', previous: 'carol' }, 'bob assigned as scribe (was carol)'],
  [
    'status.update',
    { status: 'Investigating', impact: 'slow', nextUpdateAt: '2026-11-28T04:30:00.000Z' },
    'Status update posted: Investigating; impact: slow; next due 04:30 UTC',
  ],
  ['status.update', { status: 'Resolved', impact: 'none' }, 'Status update posted: Resolved; impact: none; the last update'],
  ['note.added', { text: 'looked at logs', tags: ['finding'] }, 'Note (tester): looked at logs [finding]'],
  [
    'action.added',
    { id: 'A1', text: 'add alert', owner: 'dave', due: '2026-12-01' },
    'Action A1 added: add alert (owner dave, due 2026-12-01)',
  ],
  ['action.done', { id: 'A1' }, 'Action A1 done'],
  ['milestone.recorded', { name: 'detected', by: { source: 'user-report' } }, 'Milestone: detected by user-report'],
  ['escalation.recorded', { levels: ['L1', 'L3'], severity: 'SEV1' }, 'Escalated to L1, L3 (Engineering manager) at SEV1'],
  ['handoff.completed', { from: 'alice', to: 'bob', summary: 's' }, 'Handoff from alice to bob'],
  ['checklist.item', { checklist: 'sev1', item: 'channel', done: false }, 'Checklist sev1: channel unticked by hand'],
  ['postmortem.scheduled', { on: '2026-11-30T10:00:00.000Z' }, 'Post-mortem scheduled on 2026-11-30 10:00 UTC'],
  ['postmortem.generated', { path: 'pm.md', format: 'md', sha256: 'x', draft: true }, 'postmortem.generated'],
  ['triage.completed', { matches: [{ runbook: 'platform-outage', severity: 'SEV1' }], complete: true }, 'Triage: platform-outage (SEV1)'],
  ['triage.completed', { matches: [], complete: false }, 'Triage: nothing found, but not everything could be checked'],
  [
    'run.started',
    { runbook: 'platform-outage', mode: 'simulate', scenario: 'control-plane' },
    'Runbook platform-outage started (drill, simulated: control-plane)',
  ],
  ['run.resumed', { runbook: 'platform-outage' }, 'Runbook platform-outage resumed'],
  ['group.started', { stepIds: ['a', 'b'] }, 'group.started'],
  ['step.started', { title: 'Nodes', command: 'kubectl get nodes' }, 'Nodes started: kubectl get nodes'],
  ['step.output', { stepId: 'a', stream: 'stdout', text: 'NAME READY' }, 'step.output: NAME READY'],
  ['step.output.truncated', { stepId: 'a', stream: 'stdout', shownBytes: 1, totalBytes: 2 }, 'step.output.truncated'],
  ['step.process', { stepId: 'a', pid: 10, pgid: 10, command: 'kubectl get nodes' }, 'a: started pid 10 (group 10): kubectl get nodes'],
  ['step.finished', { title: 'Nodes', status: 'failed', reason: 'timeout' }, 'Nodes: failed (timeout)'],
  ['step.skipped', { title: 'Pods', reason: 'when not met' }, 'Pods: skipped (when not met)'],
  ['evidence.preserved', { path: 'e.txt', bytes: 12, sha256: 'abc' }, 'Evidence preserved unaltered: e.txt (12 bytes, sha256 abc)'],
  ['finding.raised', { message: 'node NotReady' }, 'Finding: node NotReady'],
  ['manual.confirmed', { title: 'Thread', observation: 'done' }, 'Thread: confirmed — done'],
  ['manual.skipped', { title: 'Thread', reason: 'no time' }, 'Thread: not confirmed (no time)'],
  ['prompt.answered', { input: 'feature', value: 'login', source: 'prompt' }, 'feature = login (prompt)'],
  ['mitigation.proposed', { title: 'Roll back', command: 'kubectl rollout undo' }, 'Mitigation proposed: Roll back — kubectl rollout undo'],
  ['mitigation.approved', { mitigationId: 'rollback', how: 'typed-yes' }, 'Mitigation rollback approved by tester (typed yes)'],
  ['mitigation.declined', { mitigationId: 'rollback', reason: 'not run: declined' }, 'Mitigation rollback not run: declined'],
  [
    'mitigation.finished',
    { mitigationId: 'rollback', status: 'passed', manual: true, reason: 'ok' },
    'Mitigation rollback passed (done by hand): ok',
  ],
  ['mitigation.verified', { mitigationId: 'rollback', stepId: 'pods', status: 'passed' }, 'Mitigation rollback verified by pods: passed'],
  ['run.interrupted', { stepIds: ['a'], choice: 'skip' }, 'Run interrupted (a): skip'],
  [
    'run.finished',
    { runbook: 'platform-outage', outcome: 'findings', findings: 2, uncheckedSteps: ['x'] },
    'Runbook platform-outage finished: findings, 2 finding(s), 1 check(s) could not see the system',
  ],
  ['run.aborted', { runbook: 'platform-outage', reason: 'interrupted' }, 'Runbook platform-outage aborted: interrupted'],
  ['timeline.torn_line_set_aside', { bytes: 40, movedTo: 'torn.jsonl' }, 'An incomplete timeline line (40 bytes) was moved to torn.jsonl'],
  ['future.event', { message: 'from a newer writer' }, 'future.event: from a newer writer'],
  ['future.bare', {}, 'future.bare'],
];

const opts: DescribeOptions = {
  escalationWho: (l) => (l === 'L3' ? 'Engineering manager' : undefined),
  detectionName: (s) => (s === 'alert' ? 'Monitoring alert' : undefined),
};

describe('describeEvent', () => {
  it.each(CASES)('%s is described as before', (type, data, expected) => {
    const e = { seq: 1, ts: '2026-11-28T03:57:51.123Z', actor: 'tester', type, data, prev: '', hash: '' };
    expect(describeEvent(e, opts)).toBe(expected);
  });

  it('every incident event type of the catalogue has a case here', () => {
    const covered = new Set(CASES.map(([type]) => type));
    expect(INCIDENT_EVENT_TYPES.filter((t) => !covered.has(t))).toEqual([]);
  });
});
