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
import type { IncidentRow } from '../../src/incident/list.js';
import { emptyState, type IncidentState } from '../../src/incident/state.js';

/** No colour: the lines as a pipe or NO_COLOR shows them. */
const plain = new Chalk({ level: 0 });
/** Colour forced (FORCE_COLOR): the same words, with styles around them. */
const coloured = new Chalk({ level: 1 });

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
