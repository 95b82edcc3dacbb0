/**
 * The `incidents list` view: one line per incident (current marked `*`, drills marked DRILL, broken
 * records with why), or how to start when there is none. A function of the rows it is given (no I/O).
 */
import type { IncidentRow } from '../incident/list.js';

export function incidentsListView(rows: readonly IncidentRow[]): string[] {
  if (!rows.length) return ['no incidents yet (bud-incident declare, or bud-incident run <runbook>)'];
  // Columns as wide as the longest id (a drill's ids are long), so DRILL and the times line up.
  const idWidth = Math.max(0, ...rows.map((r) => r.id.length));
  return rows.map(
    (r) =>
      `${r.current ? '*' : ' '} ${r.id.padEnd(idWidth)}  ${r.severity.padEnd(4)}  ${r.status.padEnd(9)} ${r.drill ? 'DRILL ' : '      '}${r.openedAt.slice(0, 16).replace('T', ' ')}  ${r.title}`,
  );
}
