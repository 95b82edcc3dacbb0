/**
 * Lines several incident views share (declare, status, classify, severity): the drill note, the
 * escalation plan, what the policy says a severity looks like. Pure: colours come from the caller.
 */
import type { ChalkInstance } from 'chalk';
import { escalationPlan } from '../incident/decisions.js';
import type { SeverityId } from '../incident/criteria.js';
import type { Policy } from '../incident/policy.js';
import type { IncidentState } from '../incident/state.js';
import { hhmm, relative } from '../time-text.js';

/** Says an incident is a drill, and how to act on it when it is not current. */
export function drillNote(c: ChalkInstance, id: string, isCurrent: boolean): string {
  return `${c.magenta.bold('DRILL')} ${
    isCurrent
      ? 'a rehearsal, and the current incident'
      : `a rehearsal, not the current incident: act on it with --incident ${id}; end it with "bud-incident incidents close ${id} --reason TEXT"`
  }`;
}

/** The escalation levels with a due time: who, how, when, why, and whether they were engaged. */
export function escalationLines(c: ChalkInstance, policy: Policy, state: IncidentState, now: Date): string[] {
  const plan = escalationPlan(policy, state, now);
  return plan.levels.flatMap((l) => {
    const due = l.dueAt;
    if (!due) return [];
    const when = due.getTime() <= now.getTime() ? c.red('due now') : `at ${hhmm(due)} UTC (${relative(due, now)})`;
    const done = l.doneAt ? c.green(` ✔ escalated ${hhmm(l.doneAt)}`) : '';
    return [`  ${l.level.padEnd(9)} ${l.who} (${l.contact}) — ${when}${c.dim(` [${l.why}]`)}${done}`];
  });
}

/** What the policy says a severity looks like (§1.1 examples, §1.2 criteria), to check the choice against. */
export function severityLines(c: ChalkInstance, policy: Policy, sev: SeverityId): string[] {
  const level = policy.severities[sev];
  return [
    ...(level.examples.length ? [`  ${c.dim(`${sev} examples:`)} ${level.examples.join(', ')}`] : []),
    ...(level.criteria.length
      ? [`  ${c.dim(`${sev} criteria (any one):`)}`, ...level.criteria.map((k) => `    - ${typeof k === 'string' ? k : k.text}`)]
      : []),
  ];
}
