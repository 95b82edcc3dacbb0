/**
 * The incidents in the state directory as rows (`incidents list`): each folded from its timeline,
 * or, when its record is refused (written by a newer version, damaged) or does not verify, a
 * `broken` row that says why and what to run. One broken record never hides the others.
 */
import { UserError } from '../errors.js';
import { ChainError } from '../timeline/store.js';
import { loadIncident } from './open.js';
import type { IncidentState } from './state.js';
import type { IncidentHome } from './store.js';

export interface IncidentRow {
  id: string;
  title: string;
  /** The severity, or '?' for a broken record. */
  severity: string;
  /** The incident's status, or 'broken'. */
  status: string;
  drill: boolean | null;
  /** ISO time it was opened ('' for a broken record). */
  openedAt: string;
  current: boolean;
}

export function incidentRows(h: IncidentHome): IncidentRow[] {
  const current = h.currentId();
  return h.list().map((id) => {
    let s: IncidentState;
    try {
      s = loadIncident(h, id);
    } catch (error) {
      // One broken record must not hide the others: list it as such (the readers refuse it).
      if (!(error instanceof UserError) || error.exitCode !== 3) throw error;
      const title =
        error instanceof ChainError
          ? `record does not verify (line ${error.line}): bud-incident timeline verify --incident ${id}`
          : `refused: ${error.message}`;
      return { id, title, severity: '?', status: 'broken', drill: null, openedAt: '', current: id === current };
    }
    return { id, title: s.title, severity: s.severity, status: s.status, drill: s.drill, openedAt: s.openedAt, current: id === current };
  });
}
