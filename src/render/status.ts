/**
 * The `status` view (and `incidents show`): where the incident stands, as coloured lines. A
 * function of what it is given: the data is statusOf's (incident/status-of.ts), the same as
 * `status --json`.
 */
import type { ChalkInstance } from 'chalk';
import { incidentStart } from '../incident/decisions.js';
import { detectionText } from '../incident/detection.js';
import { findingLine, isEvidence, type JudgedFinding } from '../incident/findings.js';
import type { Policy } from '../incident/policy.js';
import type { IncidentState } from '../incident/state.js';
import type { IncidentStatus } from '../incident/status-of.js';
import { elapsed, hhmm, relative } from '../time-text.js';
import { recordLine } from '../timeline/event.js';
import { drillNote } from './incident-lines.js';

export interface StatusViewInput {
  state: IncidentState;
  status: IncidentStatus;
  judged: JudgedFinding[];
  checklists: Array<{ name: string; done: number; total: number }>;
  /** Whether the incident is the current one (a drill that is not says how to act on it). */
  isCurrent: boolean;
  /** Team mode: the store, and this laptop's events of the incident not yet shared (and why, when offline). */
  team?: { store: string; offline?: string; pending: number };
}

export function statusView(c: ChalkInstance, policy: Policy, input: StatusViewInput, now: Date): string[] {
  const { state, status: s, judged, checklists, isCurrent } = input;
  const o = [
    `${c.bold(s.id)} — ${s.title}`,
    ...(s.drill ? [`  ${drillNote(c, s.id, isCurrent)}`] : []),
    ...(s.ended
      ? [`  ${c.yellow.bold(s.status.toUpperCase())} ${hhmm(new Date(s.ended.at))} UTC by ${s.ended.by}: ${s.ended.reason}`]
      : []),
    `  ${c.red.bold(s.severity)} · ${s.status === 'resolved' ? c.green('resolved') : s.status} · phase: ${s.phaseNamed.title} · ${elapsed(incidentStart(state), state.resolvedAt ? new Date(state.resolvedAt) : now)} since ${hhmm(incidentStart(state))} UTC · ${s.channel}`,
    ...(s.phaseNamed.does.length ? [c.dim(`    this phase: ${s.phaseNamed.does.join(' · ')}`)] : []),
    `  response: ${
      s.response.acknowledgedAt
        ? `acknowledged ${hhmm(new Date(s.response.acknowledgedAt))} (deadline ${hhmm(new Date(s.response.deadline))}, ${s.response.responseTime} for ${s.response.severity}) ${s.response.met ? c.green('met') : c.red('missed')}`
        : s.response.overdue
          ? c.red(
              `NOT acknowledged — deadline ${hhmm(new Date(s.response.deadline))} UTC passed ${relative(new Date(s.response.deadline), now)}`,
            )
          : `not acknowledged yet — deadline ${hhmm(new Date(s.response.deadline))} UTC (${relative(new Date(s.response.deadline), now)})`
    }`,
    `  detected: ${hhmm(new Date(s.detectedAt))} UTC${s.detectedBy ? ` by ${detectionText(policy, s.detectedBy)}` : c.dim(` (how is not recorded: bud-incident milestone detected --by ${Object.keys(policy.detection).join('|')})`)}`,
    '  roles:',
    ...s.roleDuties.map(
      (r) => `    ${r.title}: ${r.person ?? c.yellow(`nobody (bud-incident assign ${r.role} NAME)`)} ${c.dim(`— ${r.responsibility}`)}`,
    ),
  ];
  const evidence = judged.filter(isEvidence);
  if (evidence.length) {
    o.push(`  findings (${evidence.length}${s.drill ? ', simulated in this drill' : ''}):`);
    for (const f of evidence.slice(-5)) o.push(`    • ${findingLine(f)}`);
  }
  const setAside = judged.filter((f) => !isEvidence(f));
  if (setAside.length) {
    o.push(c.dim(`  set aside, not facts about the system (${setAside.length}):`));
    for (const f of setAside.slice(-5)) o.push(c.dim(`    • ${findingLine(f)}`));
  }
  if (s.nextUpdate)
    o.push(
      `  next status update: ${s.nextUpdate.overdue ? c.red(`OVERDUE since ${hhmm(new Date(s.nextUpdate.dueAt))} UTC`) : `due ${hhmm(new Date(s.nextUpdate.dueAt))} UTC (${relative(new Date(s.nextUpdate.dueAt), now)})`} — bud-incident update`,
    );
  if (s.status === 'open') {
    const dueNotDone = s.escalation.due.filter((l) => !l.done);
    o.push(
      `  escalation due now: ${s.escalation.due.length ? s.escalation.due.map((l) => `${l.level} ${l.who}${l.done ? c.green(' ✔') : c.red(' (not yet)')}`).join(', ') : 'none'}`,
    );
    if (s.escalation.next)
      o.push(
        `  next escalation: ${s.escalation.next.level} ${s.escalation.next.who} at ${hhmm(new Date(s.escalation.next.at))} UTC (${relative(new Date(s.escalation.next.at), now)})`,
      );
    if (dueNotDone.length) o.push(c.red(`  → escalate now: bud-incident escalate`));
  }
  for (const cl of checklists) o.push(`  checklist ${cl.name}: ${cl.done}/${cl.total} done`);
  o.push(`  actions: ${s.actions.open} open of ${s.actions.total}`);
  o.push(c.dim(`  ${recordLine(state.events, state.head).replace('Record', 'record')}`));
  if (input.team) o.push(`  ${teamText(c, input.team)}`);
  o.push(
    `  post-mortem: ${s.postmortem.requirement}${s.postmortem.requirement === 'not required' ? '' : s.postmortem.dueAt ? `, due ${s.postmortem.dueAt.slice(0, 16).replace('T', ' ')} UTC` : s.postmortem.within ? `, within ${s.postmortem.within} of resolution` : ''}`,
  );
  return o;
}

/** The team store line: shared, or offline with what waits on this laptop. */
function teamText(c: ChalkInstance, team: NonNullable<StatusViewInput['team']>): string {
  const waiting = `${team.pending} event${team.pending === 1 ? '' : 's'} not yet shared`;
  if (team.offline !== undefined)
    return c.yellow(`offline: ${waiting} with ${team.store} (they are kept here and sent by the next command that reaches it)`);
  return team.pending > 0 ? c.yellow(`team store ${team.store}: ${waiting}`) : c.dim(`team store ${team.store}: shared`);
}
