/**
 * The `declare` view: the incident just opened, its channel, how it was detected, the response
 * deadline, the message to post, the escalation plan, what the policy says the severity looks like,
 * and the commands to go on with. A function of what it is given (no I/O).
 */
import type { ChalkInstance } from 'chalk';
import type { SeverityId } from '../incident/criteria.js';
import { detectionText } from '../incident/detection.js';
import type { Policy } from '../incident/policy.js';
import type { IncidentState } from '../incident/state.js';
import { hhmm, relative } from '../time-text.js';
import { drillNote, escalationLines, severityLines } from './incident-lines.js';

export interface DeclaredViewInput {
  id: string;
  title: string;
  severity: SeverityId;
  state: IncidentState;
  channel: string;
  /** Whether the incident is now the current one (a drill is not, unless asked). */
  isCurrent: boolean;
  /** When the response is due (responseDeadline). */
  deadline: Date;
  /** The initial message, with its DRILL banner and record line. */
  message: string;
  /** The commands to go on with, joined. */
  next: string;
}

export function declaredView(c: ChalkInstance, policy: Policy, input: DeclaredViewInput, now: Date): string[] {
  const { id, title, severity: sev, state, channel, isCurrent, deadline, message, next } = input;
  return [
    `${c.bold(state.drill ? 'Drill declared:' : 'Incident declared:')} ${id} — ${title} (${c.red.bold(sev)}: ${policy.severities[sev].definition})`,
    ...(state.drill ? [`  ${drillNote(c, id, isCurrent)}`] : []),
    `  channel: ${c.bold(channel)}   (create it and invite the responders)`,
    `  detected: ${state.detectedBy ? detectionText(policy, state.detectedBy) : c.yellow(`how is not recorded — bud-incident milestone detected --by ${Object.keys(policy.detection).join('|')}`)}`,
    `  respond by: ${c.bold(`${hhmm(deadline)} UTC`)} (${policy.severities[sev].responseTime} response time, ${relative(deadline, now)})`,
    '',
    c.bold('Initial message (post it in the channel):'),
    ...message.split('\n').map((l) => `  ${l}`),
    '',
    c.bold('Escalation plan:'),
    ...escalationLines(c, policy, state, now),
    '',
    c.bold(`Is it ${sev}? What the policy says:`),
    ...severityLines(c, policy, sev),
    '',
    c.dim(`Next: ${next}`),
  ];
}
