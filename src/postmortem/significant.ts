/**
 * Which timeline events the post-mortem's timeline table shows: the incident's decisions and what
 * the runbooks found and did, not every step start or line of output. Kept as a table over the
 * event catalogue's types, apart from the document (generate.ts), so a new event type has to be
 * decided here before it compiles.
 */
import type { EventType } from '../timeline/catalogue.js';
import type { TimelineEvent } from '../timeline/event.js';

/**
 * Which events belong in the post-mortem's timeline table (not every step start). A `Record` over
 * the catalogue's `EventType`: adding a type to the catalogue fails to compile until it is decided
 * here whether the post-mortem shows it.
 */
const IN_TIMELINE_TABLE: Record<EventType, boolean> = {
  // The incident's own record.
  'incident.opened': true,
  'incident.updated': false,
  'incident.resolved': true,
  'incident.reopened': true,
  'incident.closed': true,
  'incident.discarded': true,
  'severity.changed': true,
  'classification.recorded': true,
  'role.assigned': true,
  'status.update': true,
  'note.added': true,
  'action.added': true,
  'action.done': true,
  'milestone.recorded': true,
  'escalation.recorded': true,
  'handoff.completed': true,
  'checklist.item': false,
  'postmortem.scheduled': true,
  'postmortem.generated': false,
  'triage.completed': true,
  // The runbook engine's: what it found and what was done about it, not every step.
  'run.started': true,
  'run.resumed': false,
  'group.started': false,
  'step.started': false,
  'step.output': false,
  'step.output.truncated': false,
  'step.process': false,
  'step.finished': false,
  'step.skipped': false,
  'evidence.preserved': false,
  'finding.raised': true,
  'manual.confirmed': false,
  'manual.skipped': false,
  'prompt.answered': false,
  'mitigation.proposed': false,
  'mitigation.declined': true,
  'mitigation.approved': true,
  'mitigation.finished': true,
  'mitigation.verified': true,
  'run.interrupted': false,
  'run.finished': true,
  'run.aborted': true,
};

/** The event types of the post-mortem's timeline table. */
export const SIGNIFICANT: ReadonlySet<string> = new Set<string>(
  Object.entries(IN_TIMELINE_TABLE).flatMap(([type, shown]) => (shown ? [type] : [])),
);

export function isSignificant(e: TimelineEvent): boolean {
  return SIGNIFICANT.has(e.type);
}
