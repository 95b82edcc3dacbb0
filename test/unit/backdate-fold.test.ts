/**
 * Folding a timeline recorded after the fact: events carry `data.at` (when it happened) besides
 * `ts` (when it was written), may be recorded in a different order than they happened, and the
 * derived milestones (acknowledged, investigating) are judged on the times given, never before
 * detection and never after a person's explicit later-phase milestone.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { incidentStart, responseDeadline } from '../../src/incident/decisions.js';
import { loadPolicy } from '../../src/incident/policy.js';
import { foldIncident } from '../../src/incident/state.js';
import type { TimelineEvent } from '../../src/timeline/event.js';
import { checkMilestoneOrder } from '../../src/incident/milestone-order.js';
import { ROOT } from '../support/cli.js';

const policy = loadPolicy(join(ROOT, 'runbooks', 'policy', 'policy.yaml'));
const T0 = '2026-11-28T10:00:00.000Z';
const at = (min: number) => new Date(Date.parse(T0) + min * 60_000).toISOString();
/** Written an hour after the incident began: everything is recorded after the fact. */
const LATER = at(60 * 5);
let seq = 0;
const ev = (type: string, data: Record<string, unknown>, ts = LATER): TimelineEvent => ({
  seq: ++seq,
  ts,
  actor: 'a',
  type,
  data,
  prev: '',
  hash: '',
});
const sev1 = (...extra: TimelineEvent[]) =>
  foldIncident('i', [ev('incident.opened', { title: 't', severity: 'SEV1', channel: '#c', openedAt: T0, detectedAt: T0 }, T0), ...extra]);

describe('acknowledgement from responder activity', () => {
  it('a note dated before detection (an old timeline) does not acknowledge the incident', () => {
    const s = sev1(ev('note.added', { text: 'x', at: at(-22 * 60) }));
    expect(s.milestones.acknowledged).toBeUndefined();
    expect(responseDeadline(policy, s).met).toBeUndefined();
  });

  it('the earliest activity at or after detection acknowledges it, whatever order it was recorded in', () => {
    const s = sev1(
      ev('note.added', { text: 'before', at: at(-60) }),
      ev('role.assigned', { role: 'commander', person: 'alice', at: at(20) }),
      ev('status.update', { status: 'Investigating', message: 'm', at: at(12) }),
    );
    expect(s.milestones.acknowledged).toMatchObject({ at: at(12), source: 'derived' });
    expect(responseDeadline(policy, s)).toMatchObject({ met: true, acknowledgedAt: new Date(at(12)) });
  });

  it('moving detection earlier (milestone detected --at) moves the clocks and lets earlier activity count', () => {
    const s = sev1(ev('note.added', { text: 'paged', at: at(-10) }), ev('milestone.recorded', { name: 'detected', at: at(-15) }));
    expect(incidentStart(s).toISOString()).toBe(at(-15));
    expect(s.milestones.acknowledged?.at).toBe(at(-10));
    expect(responseDeadline(policy, s).deadline.toISOString()).toBe(at(0));
  });
});

describe('a derived milestone never binds a person', () => {
  // The run was started (and so stamped "investigating") after the cause had been identified by hand.
  const s = sev1(ev('run.started', { runId: 'r1', runbook: 'rb', mode: 'live' }, at(30)));

  it('milestone identified earlier than the run that stamped "investigating" is in order', () => {
    expect(checkMilestoneOrder(s, 'identified', new Date(at(20)))).toBeUndefined();
  });

  it('is shown no later than the explicit milestone, saying which bounds it', () => {
    const withIdentified = sev1(
      ev('run.started', { runId: 'r1', runbook: 'rb', mode: 'live' }, at(30)),
      ev('milestone.recorded', { name: 'identified', at: at(20) }, at(31)),
    );
    expect(withIdentified.milestones.identified).toMatchObject({ at: at(20), source: 'explicit' });
    expect(withIdentified.milestones.investigating).toMatchObject({ at: at(20), source: 'derived', boundedBy: 'identified' });
    expect(withIdentified.milestones.acknowledged).toMatchObject({ at: at(20), boundedBy: 'identified' });
  });

  it('run --at dates the run start (data.at), so the derived milestones, not the run record', () => {
    const r = sev1(ev('run.started', { runId: 'r1', runbook: 'rb', mode: 'live', at: at(5) }, at(30)));
    expect(r.milestones.investigating?.at).toBe(at(5));
    expect(r.milestones.acknowledged?.at).toBe(at(5));
    expect(r.runs.get('r1')?.startedAt).toBe(at(30));
  });
});

describe('histories use the time given', () => {
  it('severity, roles, escalations, updates, handoffs and action items', () => {
    const s = sev1(
      ev('severity.changed', { from: 'SEV1', to: 'SEV2', reason: 'r', at: at(25) }),
      ev('role.assigned', { role: 'commander', person: 'alice', at: at(3) }),
      ev('escalation.recorded', { levels: ['L1'], at: at(4) }),
      ev('status.update', { status: 'Investigating', message: 'm', at: at(10) }),
      ev('handoff.completed', { from: 'alice', to: 'bob', at: at(40) }),
      ev('action.added', { id: 'A1', text: 't', owner: 'o', at: at(41) }),
      ev('action.done', { id: 'A1', at: at(42) }),
    );
    expect(s.severityHistory.map((h) => h.at)).toEqual([T0, at(25)]);
    expect(s.roleHistory[0]?.at).toBe(at(3));
    expect(s.escalations[0]?.at).toBe(at(4));
    expect(s.updates[0]?.at).toBe(at(10));
    expect(s.handoffs[0]?.at).toBe(at(40));
    expect(s.actions.get('A1')).toMatchObject({ createdAt: at(41), doneAt: at(42) });
  });
});
