/**
 * The command views of src/render/ (incidents list, handoff, resolve, update, classify, severity,
 * assign, milestone, action list) as a responder reads them: plain lines from the data each is
 * given, with an edge case each (nothing yet, nobody assigned, a broken record, ...).
 */
import { describe, expect, it } from 'vitest';
import { Chalk } from 'chalk';
import { incidentsListView } from '../../src/render/incidents-list.js';
import { handoffView } from '../../src/render/handoff.js';
import { reopenedView, resolvedView } from '../../src/render/resolve.js';
import { updateView } from '../../src/render/update.js';
import { classifyView } from '../../src/render/classify.js';
import { severityView } from '../../src/render/severity.js';
import { alreadyAssignedView, assignedView } from '../../src/render/assign.js';
import { milestoneView } from '../../src/render/milestone.js';
import { actionListView } from '../../src/render/action-list.js';
import type { IncidentRow } from '../../src/incident/list.js';
import { unaskedCriteria } from '../../src/incident/decisions.js';
import { loadPolicy, type Policy } from '../../src/incident/policy.js';
import { join } from 'node:path';
import { ROOT } from '../support/cli.js';
import { emptyState, type IncidentState } from '../../src/incident/state.js';

/** No colour: the lines as a pipe or NO_COLOR shows them. */
const plain = new Chalk({ level: 0 });
/** Colour forced (FORCE_COLOR): the same words, with styles around them. */
const coloured = new Chalk({ level: 1 });

const policy = loadPolicy(join(ROOT, 'runbooks', 'policy', 'policy.yaml'));

/** An incident detected at 10:00 and declared at 10:02. */
const incident = (over: Partial<IncidentState> = {}): IncidentState => ({
  ...emptyState('2026-03-01-checkout'),
  title: 'Checkout is failing',
  severity: 'SEV2',
  detectedAt: '2026-03-01T10:00:00.000Z',
  openedAt: '2026-03-01T10:02:00.000Z',
  ...over,
});

const row = (over: Partial<IncidentRow>): IncidentRow => ({
  id: '2026-03-01-checkout',
  title: 'Checkout is failing',
  severity: 'SEV2',
  status: 'open',
  drill: false,
  openedAt: '2026-03-01T10:02:00.000Z',
  current: false,
  ...over,
});

describe('incidents list view', () => {
  it('says how to start when there is no incident', () => {
    expect(incidentsListView([])).toEqual(['no incidents yet (bud-incident declare, or bud-incident run <runbook>)']);
  });

  it('marks the current incident and drills, columns lined up to the longest id', () => {
    const lines = incidentsListView([
      row({ current: true }),
      row({ id: '2026-03-01-drill-game-day', title: 'Game day', severity: 'SEV4', drill: true, openedAt: '2026-03-01T10:28:00.000Z' }),
    ]);
    expect(lines).toEqual([
      '* 2026-03-01-checkout        SEV2  open            2026-03-01 10:02  Checkout is failing',
      '  2026-03-01-drill-game-day  SEV4  open      DRILL 2026-03-01 10:28  Game day',
    ]);
  });

  it('lists a refused record as broken with why, beside the others', () => {
    const lines = incidentsListView([
      row({}),
      row({
        id: '2026-03-01-future',
        title: 'refused: written by a newer bud-incident',
        severity: '?',
        status: 'broken',
        drill: null,
        openedAt: '',
      }),
    ]);
    expect(lines[1]).toBe('  2026-03-01-future    ?     broken            refused: written by a newer bud-incident');
  });
});

describe('handoff view', () => {
  it('shows the summary as recorded, then where it was recorded and the checklist to go through', () => {
    expect(handoffView(plain, { summary: ['Handoff: X — t', 'Roles: commander carol'], seq: 13 })).toEqual([
      'Handoff: X — t',
      'Roles: commander carol',
      '',
      'Recorded (#13). The handoff checklist: bud-incident checklist handoff',
    ]);
  });

  it('with an empty summary still says it was recorded', () => {
    expect(handoffView(plain, { summary: [], seq: 2 })).toEqual([
      '',
      'Recorded (#2). The handoff checklist: bud-incident checklist handoff',
    ]);
  });
});

describe('resolve view', () => {
  const at = new Date('2026-03-01T10:24:00.000Z');
  const base = { id: '2026-03-01-checkout', state: incident(), at, rootCause: 'bad deploy', resolution: 'rolled back' };

  it('says when, how long after the start, what broke, how it was fixed, and the post-mortem due', () => {
    const lines = resolvedView(plain, {
      ...base,
      postmortem: { required: true, requirement: 'required', dueAt: new Date('2026-03-03T10:24:00.000Z'), within: '48h' },
    });
    expect(lines).toEqual([
      'Resolved: 2026-03-01-checkout at 2026-03-01T10:24:00.000Z (24m after it started)',
      '  root cause: bad deploy',
      '  resolution: rolled back',
      '  post-mortem: required, due 2026-03-03 10:24 UTC — bud-incident postmortem generate',
    ]);
  });

  it('an optional post-mortem says within how long; one not required says so', () => {
    const optional = resolvedView(plain, {
      ...base,
      postmortem: { required: false, requirement: 'optional', dueAt: new Date('2026-03-08T10:24:00.000Z'), within: '1w' },
    });
    expect(optional[3]).toBe('  post-mortem: optional (within 1w) — bud-incident postmortem generate');
    const none = resolvedView(plain, { ...base, postmortem: { required: false, requirement: 'not required' } });
    expect(none[3]).toBe('  post-mortem: not required — bud-incident postmortem generate');
  });

  it('reopened: with the time only when one was given', () => {
    expect(reopenedView('X', undefined)).toEqual(['X reopened']);
    expect(reopenedView('X', new Date('2026-03-01T10:26:30.000Z'))).toEqual(['X reopened at 2026-03-01T10:26:30.000Z']);
  });
});

describe('update view', () => {
  const postTo = [
    { channel: '#incident-x', what: 'this update, as it is' },
    { channel: 'Status page', what: 'the same summary for customers' },
  ];

  it('shows the message, when the next update is due and every place to post it', () => {
    const lines = updateView(plain, {
      message: '=== SEV2 INCIDENT UPDATE ===\nStatus: Investigating',
      seq: 11,
      nextAt: new Date('2026-03-01T14:18:00Z'),
      postTo,
    });
    expect(lines.join('\n')).toBe(
      [
        '=== SEV2 INCIDENT UPDATE ===',
        'Status: Investigating',
        '',
        'Recorded in the timeline (#11); next update due 14:18 UTC.',
        'Post it in:',
        '  #incident-x — this update, as it is',
        '  Status page — the same summary for customers',
      ].join('\n'),
    );
  });

  it('after the Resolved update no further update is due', () => {
    const lines = updateView(plain, { message: 'm', seq: 19, nextAt: undefined, postTo: postTo.slice(0, 1) });
    expect(lines[2]).toBe('Recorded in the timeline (#19); no further update is due.');
  });

  it('with colour forced, the words are the same', () => {
    const lines = updateView(coloured, { message: 'm', seq: 3, nextAt: undefined, postTo: postTo.slice(0, 1) });
    expect(lines[3]).not.toBe('Post it in:');
    expect(lines[3]).toContain('Post it in:');
  });
});

describe('classify view', () => {
  it('recommends a severity with its reasons and what the policy says it looks like, and how to apply it', () => {
    const lines = classifyView(plain, policy, {
      result: { severity: 'SEV2', reasons: ['Subset of users affected'] },
      unasked: [],
      appliedTo: undefined,
    });
    expect(lines[0]).toBe(
      `Recommended severity: SEV2 — ${policy.severities.SEV2.definition} (respond within ${policy.severities.SEV2.responseTime})`,
    );
    expect(lines[1]).toBe('  because: Subset of users affected');
    expect(lines).toContain('  SEV2 criteria (any one):');
    expect(lines.at(-1)).toBe('Apply it to the current incident with --apply, or: bud-incident severity SEV2 --reason "..."');
    expect(lines.join('\n')).not.toContain('Not asked');
  });

  it('lists the plain-text criteria above the recommendation as not asked, and says where it was applied', () => {
    // A policy with a SEV1 criterion written as text: classify() cannot ask it.
    const withText: Policy = {
      ...policy,
      severities: {
        ...policy.severities,
        SEV1: { ...policy.severities.SEV1, criteria: [...policy.severities.SEV1.criteria, 'Regulator asks'] },
      },
    };
    const unasked = unaskedCriteria(withText, 'SEV3');
    expect(unasked).toEqual([{ severity: 'SEV1', text: 'Regulator asks' }]);
    expect(unaskedCriteria(withText, 'SEV1')).toEqual([]);
    const lines = classifyView(plain, withText, {
      result: { severity: 'SEV3', reasons: ['Workaround available'] },
      unasked,
      appliedTo: 'X',
    });
    expect(lines.slice(-3)).toEqual([
      'Not asked (the policy gives these no question; judge them yourself):',
      '  SEV1: Regulator asks',
      'Applied to incident X.',
    ]);
  });
});

describe('severity view', () => {
  it('shows the change, the new deadline and the escalation plan under the new severity', () => {
    const now = new Date('2026-03-01T10:07:00.000Z');
    const state = incident({ severity: 'SEV3' });
    const lines = severityView(
      plain,
      policy,
      { id: 'X', from: 'SEV2', state, reason: 'fewer users', deadline: new Date('2026-03-01T10:32:00.000Z') },
      now,
    );
    expect(lines.slice(0, 3)).toEqual(['X: SEV2 → SEV3 (fewer users)', '  respond by 10:32 UTC (in 25m)', '  escalation now:']);
    expect(lines[3]).toMatch(/^ {2}L1 +On-call engineer/);
  });

  it('a deadline already passed reads as ago', () => {
    const now = new Date('2026-03-01T11:00:00.000Z');
    const lines = severityView(
      plain,
      policy,
      { id: 'X', from: 'SEV3', state: incident({ severity: 'SEV1' }), reason: 'worse', deadline: new Date('2026-03-01T10:15:00.000Z') },
      now,
    );
    expect(lines[1]).toBe('  respond by 10:15 UTC (45m ago)');
  });
});

describe('assign view', () => {
  const role = { title: 'Incident Commander', responsibility: 'Coordinates response, makes decisions' };
  it('says who holds the role from when, and what it is responsible for', () => {
    expect(assignedView({ role, person: 'alice', previous: undefined, at: new Date('2026-03-01T10:08:00Z') })).toEqual([
      'Incident Commander: alice at 10:08 UTC',
      '  responsible for: Coordinates response, makes decisions',
    ]);
  });
  it('a handover names who held it before; the same person again is said to hold it already', () => {
    expect(assignedView({ role, person: 'carol', previous: 'alice', at: new Date('2026-03-01T10:11:00Z') })[0]).toBe(
      'Incident Commander: carol (handed over from alice) at 10:11 UTC',
    );
    expect(alreadyAssignedView('alice', role)).toEqual(['alice is already Incident Commander']);
  });
});

describe('milestone view', () => {
  const at = new Date('2026-03-01T10:12:00.000Z');
  it('says the milestone and when', () => {
    expect(milestoneView(policy, { id: 'X', name: 'acknowledged', at, by: undefined })).toEqual([
      'X: acknowledged at 2026-03-01T10:12:00.000Z',
    ]);
  });
  it('detected --by says how, in the policy words, with the detail', () => {
    expect(milestoneView(policy, { id: 'X', name: 'detected', at, by: { source: 'alert', detail: 'PagerDuty' } })).toEqual([
      'X: detected at 2026-03-01T10:12:00.000Z (Monitoring alert (PagerDuty))',
    ]);
  });
});

describe('action list view', () => {
  it('says how to add one when there is none', () => {
    expect(actionListView(plain, [])).toEqual(['no action items (add one: bud-incident action add "TEXT" --owner NAME --due DATE)']);
  });
  it('marks done and open items, with owner, due date and when done', () => {
    const lines = actionListView(plain, [
      {
        id: 'A1',
        text: 'roll back',
        owner: 'alice',
        due: '2026-03-05',
        createdAt: '2026-03-01T10:14:00Z',
        doneAt: '2026-03-01T10:16:00.000Z',
      },
      { id: 'A2', text: 'write runbook', owner: 'bob', createdAt: '2026-03-01T10:15:00Z' },
    ]);
    expect(lines).toEqual(['✔ A1  roll back  owner alice, due 2026-03-05, done 2026-03-01T10:16', '○ A2  write runbook  owner bob']);
  });
});
