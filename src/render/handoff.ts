/**
 * The `handoff` view: the handoff summary (incident/handoff.ts) as recorded, then where it was
 * recorded and the checklist to go through. A function of what it is given (no I/O).
 */
import type { ChalkInstance } from 'chalk';

export interface HandoffViewInput {
  /** The summary lines handoffSummary made (and the event recorded). */
  summary: readonly string[];
  /** The handoff.completed event's sequence number. */
  seq: number;
}

export function handoffView(c: ChalkInstance, input: HandoffViewInput): string[] {
  return [...input.summary, '', c.dim(`Recorded (#${input.seq}). The handoff checklist: bud-incident checklist handoff`)];
}
