/**
 * The catalogue of timeline events: every event type the CLI writes, and the shape of its data.
 * Writers go through `draft()` (or a store's typed `append`), so a misspelt type or a missing or
 * mistyped field is a compile error, not a record that the fold silently skips. The runbook
 * engine's events (run.*, step.*, finding.*, mitigation.*, ...) are typed where the engine emits
 * them (src/engine/events.ts) and enter the catalogue from there, minus their `type`.
 *
 * Reading stays defensive: a timeline on disk may have been written by an older version (fields
 * added since are optional) or edited by hand (`timeline verify` catches that), so the fold
 * checks each field it reads. `TIMELINE_VERSION` is recorded in each incident's first event; a
 * timeline without it is version 1 (everything written before the catalogue) and reads the same.
 */
import type { EngineEvent } from '../engine/events.js';

/** The version of the event catalogue the writer follows (recorded on incident.opened). */
export const TIMELINE_VERSION = 2;

/** A time given by the responder (`--at`): when it happened, if not when it was written. */
type Dated = { at?: string };

/** How the incident was detected (§2.1). */
export type DetectionData = { source: string; detail?: string };

/** The events the incident commands write (declare, update, assign, ...). */
export interface IncidentEventData {
  'incident.opened': {
    id: string;
    title: string;
    severity: string;
    channel: string;
    openedAt: string;
    detectedAt: string;
    source: 'run' | 'declare';
    /** The catalogue version the writer followed (absent: 1). */
    version?: number;
    runbook?: string;
    drill?: boolean;
    commander?: string;
    summary?: string;
    impact?: string;
    dataBreach?: boolean;
    dataLoss?: boolean;
    major?: boolean;
    detectedBy?: DetectionData;
  };
  'incident.updated': Dated & {
    summary?: string;
    impact?: string;
    usersAffected?: string;
    requestsFailed?: string;
    title?: string;
    dataBreach?: boolean;
    dataLoss?: boolean;
    major?: boolean;
  };
  'incident.resolved': Dated & {
    rootCause: string;
    resolution: string;
    postmortemRequired: boolean;
    postmortemDue: string | null;
  };
  'incident.reopened': Dated & { from: string };
  'incident.closed': Dated & { reason: string; previousStatus: string };
  'incident.discarded': Dated & { reason: string; previousStatus: string };
  'severity.changed': Dated & { from: string; to: string; reason: string };
  'classification.recorded': Dated & { answers: object; severity: string; reasons: string[] };
  'role.assigned': Dated & { role: string; person: string; previous?: string };
  'status.update': Dated & {
    status: string;
    impact: string;
    message: string;
    usersAffected?: string;
    requestsFailed?: string;
    nextUpdateAt?: string;
  };
  'note.added': Dated & { text: string; tags?: string[] };
  'action.added': Dated & { id: string; text: string; owner: string; due?: string };
  'action.done': Dated & { id: string };
  'milestone.recorded': Dated & { name: string; by?: DetectionData };
  'escalation.recorded': Dated & { levels: string[]; severity: string };
  'handoff.completed': Dated & { from: string; to: string; summary: string; role?: string };
  'checklist.item': Dated & { checklist: string; item: string; done: boolean };
  'postmortem.scheduled': { on: string; dueAt?: string };
  'postmortem.generated': { path: string; format: string; sha256: string; draft: boolean };
  'triage.completed': {
    healthy: boolean;
    complete: boolean;
    severity: string | null;
    matches: Array<{ runbook?: string; severity: string; reason: string; cause: string; evidence: string[] }>;
    unchecked: unknown[];
  };
}

/** The engine's recorded events, by type, without the `type` field (the timeline keeps it apart). */
export type EngineEventData = {
  [E in EngineEvent as E['type']]: Omit<E, 'type'> & { at?: string };
};

export type EventData = IncidentEventData & EngineEventData;
export type EventType = keyof EventData;

/** A draft of a known event: its type and the data that type carries. */
export type TypedDraft = { [K in EventType]: { type: K; data: EventData[K]; actor?: string } }[EventType];

/** A typed draft (the compiler checks `data` against `type`). */
export function draft<K extends EventType>(type: K, data: EventData[K], actor?: string): TypedDraft {
  // TypeScript cannot relate `type` to `data` across the union for a generic K (no correlated
  // unions); the signature above is what checks them, so this assertion only restates it.
  return { type, data, ...(actor ? { actor } : {}) } as TypedDraft;
}

/** The incident event types, for tests that check every one is folded or described. */
export const INCIDENT_EVENT_TYPES = [
  'incident.opened',
  'incident.updated',
  'incident.resolved',
  'incident.reopened',
  'incident.closed',
  'incident.discarded',
  'severity.changed',
  'classification.recorded',
  'role.assigned',
  'status.update',
  'note.added',
  'action.added',
  'action.done',
  'milestone.recorded',
  'escalation.recorded',
  'handoff.completed',
  'checklist.item',
  'postmortem.scheduled',
  'postmortem.generated',
  'triage.completed',
] as const satisfies ReadonlyArray<keyof IncidentEventData>;

// Every incident event type is listed above (a type added to the interface but not the list fails to compile).
type Missing = Exclude<keyof IncidentEventData, (typeof INCIDENT_EVENT_TYPES)[number]>;
const _everyTypeListed: [Missing] extends [never] ? true : Missing = true;
