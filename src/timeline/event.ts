/**
 * The timeline's event record. One JSON object per line of `timeline.jsonl`:
 *
 *     {"seq":1,"ts":"2026-11-28T03:57:51.123Z","actor":"alice","type":"incident.opened","data":{...},"prev":"000…","hash":"9f2…"}
 *
 * `hash` is SHA-256 over the previous event's hash and this event's content, so any edit,
 * deletion or reordering of an earlier line breaks every hash after it (`timeline verify`).
 */
import { createHash } from 'node:crypto';
import { isRecord } from '../guards.js';

export const GENESIS_HASH = '0'.repeat(64);

export interface TimelineEvent<D = Record<string, unknown>> {
  seq: number;
  /** When the event was written (UTC, ISO 8601). */
  ts: string;
  actor: string;
  type: string;
  data: D;
  prev: string;
  hash: string;
  /**
   * In a team store's copy only: the id the event's writer gave it, when it differs from `hash`
   * (the event was re-chained after teammates' events on the way to the server). Not hashed: it
   * identifies the event for an idempotent append, it is not part of what happened.
   */
  id?: string;
}

/** What a writer supplies; the store assigns seq, ts, prev and hash under the lock. */
export interface EventDraft {
  type: string;
  data: Record<string, unknown>;
  actor?: string;
}

export function hashEvent(prev: string, seq: number, ts: string, actor: string, type: string, data: unknown): string {
  return createHash('sha256')
    .update(prev)
    .update('\n')
    .update(JSON.stringify([seq, ts, actor, type, data]))
    .digest('hex');
}

/** Serialises an event as its timeline line (with the trailing newline). Field order is fixed. */
export function eventLine(event: TimelineEvent): string {
  const { seq, ts, actor, type, data, prev, hash, id } = event;
  return (
    JSON.stringify(
      id !== undefined && id !== hash ? { seq, ts, actor, type, data, prev, hash, id } : { seq, ts, actor, type, data, prev, hash },
    ) + '\n'
  );
}

/** The id that makes an event's append to a team store idempotent: the writer's id, or its own hash. */
export function eventId(event: TimelineEvent): string {
  return event.id ?? event.hash;
}

export function isTimelineEvent(value: unknown): value is TimelineEvent {
  if (!isRecord(value)) return false;
  const v = value;
  return (
    typeof v.seq === 'number' &&
    typeof v.ts === 'string' &&
    typeof v.actor === 'string' &&
    typeof v.type === 'string' &&
    typeof v.data === 'object' &&
    v.data !== null &&
    typeof v.prev === 'string' &&
    typeof v.hash === 'string' &&
    (v.id === undefined || typeof v.id === 'string')
  );
}

/**
 * The head witness quoted in status updates and the post-mortem: the event count and the head
 * hash at that moment. `timeline verify --head <hash>` checks it is still an event of the chain,
 * so a record cut short before it, or rewritten since, is caught.
 */
export function recordLine(events: number, head: string): string {
  return `Record: ${events} event${events === 1 ? '' : 's'}, head sha256:${head.slice(0, 16)}…`;
}
