/** The incident's decisions at their boundaries, from tables, with time fixed. */
import { NO_ANSWERS } from '../support/answers.js';
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import {
  classify,
  escalationPlan,
  nextUpdateDue,
  postmortemRequirement,
  responseDeadline,
  type ClassificationAnswers,
} from '../../src/incident/decisions.js';
import { loadPolicy, type SeverityId } from '../../src/incident/policy.js';
import { foldIncident } from '../../src/incident/state.js';
import type { TimelineEvent } from '../../src/timeline/event.js';
import { checkMilestoneOrder } from '../../src/incident/milestone-order.js';
import { ROOT } from '../support/cli.js';

const policy = loadPolicy(join(ROOT, 'runbooks', 'policy', 'policy.yaml'));
const T0 = '2026-11-28T04:00:00.000Z';
const at = (min: number, sec = 0) => new Date(Date.parse(T0) + min * 60_000 + sec * 1000);
let seq = 0;
const ev = (type: string, data: Record<string, unknown>, ts = T0): TimelineEvent => ({
  seq: ++seq,
  ts,
  actor: 'a',
  type,
  data,
  prev: '',
  hash: '',
});
const incident = (severity: string, extra: TimelineEvent[] = [], opened: Record<string, unknown> = {}) =>
  foldIncident('i', [ev('incident.opened', { title: 't', severity, channel: '#c', openedAt: T0, ...opened }), ...extra]);

describe('escalation matrix', () => {
  it.each([
    ['SEV1', 0, ['L1', 'L2'], 'L3'],
    ['SEV1', 29.99, ['L1', 'L2'], 'L3'],
    ['SEV1', 30, ['L1', 'L2', 'L3'], 'L4'],
    ['SEV1', 59.99, ['L1', 'L2', 'L3'], 'L4'],
    ['SEV1', 60, ['L1', 'L2', 'L3', 'L4'], undefined],
    ['SEV2', 0, ['L1'], 'L2'],
    ['SEV2', 14.99, ['L1'], 'L2'],
    ['SEV2', 15, ['L1', 'L2'], undefined],
    ['SEV3', 600, ['L1'], undefined],
  ])('%s at %sm: due %j, next %s', (sev, minutes, due, next) => {
    const plan = escalationPlan(policy, incident(sev), at(0, minutes * 60));
    expect(plan.due.map((l) => l.level)).toEqual(due);
    expect(plan.next?.level).toBe(next);
  });

  it('a data breach at SEV2 engages L4 at once', () => {
    const plan = escalationPlan(policy, incident('SEV2', [], { dataBreach: true }), at(1));
    expect(plan.due.map((l) => l.level)).toEqual(['L1', 'L4']);
  });

  it('a major incident engages the executive level', () => {
    const plan = escalationPlan(policy, incident('SEV2', [ev('incident.updated', { major: true })]), at(1));
    expect(plan.due.map((l) => l.level)).toContain('Executive');
  });

  it('a severity change mid-incident: deadlines follow the new severity, never before it was reached', () => {
    const s = incident('SEV2', [ev('severity.changed', { from: 'SEV2', to: 'SEV1', reason: 'x' }, at(20).toISOString())]);
    const plan = escalationPlan(policy, s, at(21));
    expect(plan.due.map((l) => [l.level, l.dueAt?.toISOString()])).toEqual([
      ['L1', at(0).toISOString()],
      ['L2', at(15).toISOString()],
    ]);
    expect(plan.next).toMatchObject({ level: 'L3', dueAt: at(30) });
    // SEV2 from detection (30m) binds before SEV1 from the raise (20 + 15); the old rule judged SEV1 from the start, before it was reached.
    expect(responseDeadline(policy, s)).toMatchObject({ deadline: at(30), severity: 'SEV2' });
  });

  it('marks levels already escalated', () => {
    const plan = escalationPlan(
      policy,
      incident('SEV1', [ev('escalation.recorded', { levels: ['L1', 'L2'] }, at(2).toISOString())]),
      at(3),
    );
    expect(plan.due.map((l) => Boolean(l.doneAt))).toEqual([true, true]);
  });
});

describe('response deadline, next update, post-mortem due', () => {
  it.each([
    ['SEV1', 15],
    ['SEV2', 30],
    ['SEV3', 240],
    ['SEV4', 1440],
  ])('%s must be answered within %s minutes', (sev, minutes) => {
    expect(responseDeadline(policy, incident(sev)).deadline).toEqual(at(minutes));
  });

  it("a severity lowered later does not loosen the deadline: a SEV1 lowered to SEV2 at 30:00 and acknowledged at 20:00 missed SEV1's 15 minutes", () => {
    const s = incident('SEV1', [
      ev('milestone.recorded', { name: 'acknowledged', at: at(20).toISOString() }),
      ev('severity.changed', { to: 'SEV2', at: at(30).toISOString() }),
    ]);
    expect(s.severity).toBe('SEV2');
    expect(responseDeadline(policy, s)).toMatchObject({ deadline: at(15), severity: 'SEV1', met: false });
  });

  it('a severity raised before anyone answered sets its own deadline from the raise', () => {
    const s = incident('SEV3', [ev('severity.changed', { to: 'SEV1', at: at(60).toISOString() })]);
    expect(responseDeadline(policy, s)).toMatchObject({ deadline: at(75), severity: 'SEV1' });
  });

  it('response met at 15:00, missed at 15:01 (SEV1)', () => {
    expect(
      responseDeadline(policy, incident('SEV1', [ev('milestone.recorded', { name: 'acknowledged', at: at(15).toISOString() })])).met,
    ).toBe(true);
    expect(
      responseDeadline(policy, incident('SEV1', [ev('milestone.recorded', { name: 'acknowledged', at: at(15, 1).toISOString() })])).met,
    ).toBe(false);
  });

  it('next update: the cadence from the start, then what the last update announced', () => {
    expect(nextUpdateDue(policy, incident('SEV1'))).toEqual(at(30));
    expect(nextUpdateDue(policy, incident('SEV2'))).toEqual(at(60));
    expect(
      nextUpdateDue(
        policy,
        incident('SEV1', [ev('status.update', { status: 'x', message: 'm', nextUpdateAt: at(45).toISOString() }, at(10).toISOString())]),
      ),
    ).toEqual(at(45));
  });

  it.each([
    ['SEV1', true, '2026-11-30T04:00:00.000Z'],
    ['SEV2', true, '2026-12-05T04:00:00.000Z'],
    ['SEV3', false, '2026-12-12T04:00:00.000Z'],
    ['SEV4', false, undefined],
  ])('post-mortem for %s: required %s, due %s', (sev, required, due) => {
    const r = postmortemRequirement(policy, sev as SeverityId, at(0));
    expect(r.required).toBe(required);
    expect(r.dueAt?.toISOString()).toBe(due);
  });
});

const none = NO_ANSWERS;
describe('classification criteria', () => {
  it.each([
    [{ platformDown: true }, 'SEV1'],
    [{ inferenceFailingPct: 100 }, 'SEV1'],
    [{ securityIncident: true, users: 'single' }, 'SEV1'],
    [{ dataLoss: true }, 'SEV1'],
    [{ users: 'all' }, 'SEV1'],
    [{ inferenceFailingPct: 51 }, 'SEV2'],
    [{ inferenceFailingPct: 50 }, 'SEV2'],
    [{ majorFeatureDown: true }, 'SEV2'],
    [{ users: 'subset' }, 'SEV2'],
    [{ performance: 'significant' }, 'SEV2'],
    [{ inferenceFailingPct: 9 }, 'SEV3'],
    [{ performance: 'slight', workaround: true }, 'SEV3'],
    [{ singleFeature: true }, 'SEV3'],
    [{ inferenceFailingPct: 30, performance: 'slight' }, 'SEV2'],
    [{ users: 'single' }, 'SEV4'],
    [{ cosmetic: true, users: 'single' }, 'SEV4'],
    [{}, 'SEV4'],
  ] as Array<[Partial<ClassificationAnswers>, string]>)('%j → %s', (answers, severity) => {
    expect(classify(policy, { ...none, ...answers }).severity).toBe(severity);
  });
});

describe('milestone order', () => {
  const s = incident('SEV1', [ev('milestone.recorded', { name: 'mitigated', at: at(30).toISOString() }, at(31).toISOString())]);
  it.each([
    ['acknowledged', at(5), undefined],
    ['acknowledged', at(35), 'after mitigated'],
    ['resolved', at(20), 'before mitigated'],
  ])('%s at %s', (name, when, problem) => {
    const r = checkMilestoneOrder(s, name, when);
    if (problem) expect(r).toContain(problem);
    else expect(r).toBeUndefined();
  });
});

describe('a severity the tool never writes', () => {
  it('is refused where it is recorded (exit 3, the event named), never read as SEV2', () => {
    expect(() => incident('SEV5')).toThrow(
      /records severity "SEV5" at event #\d+ \(incident\.opened\), which is not one of SEV1, SEV2, SEV3, SEV4/,
    );
    expect(() => incident('SEV2', [ev('severity.changed', { from: 'SEV2', to: 'sev1' })])).toThrow(
      /records severity "sev1" at event #\d+ \(severity\.changed\)/,
    );
    const thrown = (() => {
      try {
        incident('P1');
        return undefined;
      } catch (error) {
        return error;
      }
    })();
    expect(thrown).toMatchObject({ exitCode: 3 });
  });
});
