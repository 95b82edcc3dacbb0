/**
 * The `resolve` views: the incident resolved (when, how long after it started, root cause,
 * resolution, whether a post-mortem is required and by when), and `resolve --reopen`. Functions of
 * what they are given (no I/O).
 */
import type { ChalkInstance } from 'chalk';
import { incidentStart, type PostmortemRequirement } from '../incident/decisions.js';
import type { IncidentState } from '../incident/state.js';
import { elapsed } from '../time-text.js';

export interface ResolvedViewInput {
  id: string;
  /** The incident as it was before the resolution was recorded (its start is measured from). */
  state: IncidentState;
  at: Date;
  rootCause: string;
  resolution: string;
  postmortem: PostmortemRequirement;
}

export function resolvedView(c: ChalkInstance, input: ResolvedViewInput): string[] {
  const { id, state, at, rootCause, resolution, postmortem: pm } = input;
  const due = pm.dueAt?.toISOString().slice(0, 16).replace('T', ' ');
  return [
    `${c.green.bold('Resolved:')} ${id} at ${at.toISOString()} (${elapsed(incidentStart(state), at)} after it started)`,
    `  root cause: ${rootCause}`,
    `  resolution: ${resolution}`,
    `  post-mortem: ${pm.required ? c.bold(`required, due ${due} UTC`) : `${pm.requirement}${pm.requirement === 'optional' && pm.dueAt ? ` (within ${pm.within})` : ''}`} — bud-incident postmortem generate`,
  ];
}

/** `resolve --reopen`: the incident goes on (at the time given with --at, if one was). */
export function reopenedView(id: string, at: Date | undefined): string[] {
  return [`${id} reopened${at ? ` at ${at.toISOString()}` : ''}`];
}
