/**
 * The `severity` view: the change, the response deadline that follows it and the escalation plan
 * under the new severity. A function of what it is given (no I/O).
 */
import type { ChalkInstance } from 'chalk';
import type { SeverityId } from '../incident/criteria.js';
import type { Policy } from '../incident/policy.js';
import type { IncidentState } from '../incident/state.js';
import { hhmm, relative } from '../time-text.js';
import { escalationLines } from './incident-lines.js';

export interface SeverityViewInput {
  id: string;
  /** The severity before the change. */
  from: SeverityId;
  /** The incident after the change (its severity is the new one). */
  state: IncidentState;
  reason: string;
  /** The response deadline under the new severity (responseDeadline). */
  deadline: Date;
}

export function severityView(c: ChalkInstance, policy: Policy, input: SeverityViewInput, now: Date): string[] {
  const { id, from, state, reason, deadline } = input;
  return [
    `${id}: ${from} → ${c.red.bold(state.severity)} (${reason})`,
    `  respond by ${hhmm(deadline)} UTC (${relative(deadline, now)})`,
    c.bold('  escalation now:'),
    ...escalationLines(c, policy, state, now),
  ];
}
