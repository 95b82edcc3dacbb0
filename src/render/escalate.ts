/**
 * The `escalate` view: who must be engaged now, who next, and what was recorded. A function of the
 * escalation plan it is given (no I/O).
 */
import type { ChalkInstance } from 'chalk';
import { DRILL_BANNER } from '../incident/declared.js';
import { incidentStart, type EscalationPlan } from '../incident/decisions.js';
import type { IncidentState } from '../incident/state.js';
import { elapsed, hhmm, relative } from '../time-text.js';

export interface EscalationViewInput {
  id: string;
  state: IncidentState;
  plan: EscalationPlan;
  /** The levels recorded as escalated now (or that would be, in a dry run). */
  toRecord: string[];
  dryRun: boolean;
  /** Judged as of an earlier time (--at): the heading says so. */
  backdated: boolean;
}

export function escalationView(c: ChalkInstance, input: EscalationViewInput, now: Date): string[] {
  const { id, state, plan, toRecord, dryRun, backdated } = input;
  const asOf = backdated ? `, as of ${hhmm(now)} UTC` : '';
  const o = [
    ...(state.drill ? [c.yellow(DRILL_BANNER)] : []),
    c.bold(`Escalation for ${id} (${state.severity}, ${elapsed(incidentStart(state), now)} in${asOf}):`),
  ];
  for (const l of plan.due)
    o.push(
      `  ${c.red('engage now')} ${l.level} ${l.who} via ${l.contact} ${c.dim(`[${l.why}]`)}${l.doneAt ? c.green(` — already escalated ${hhmm(l.doneAt)} UTC`) : ''}`,
    );
  if (!plan.due.length) o.push('  nobody is due yet');
  const next = plan.next;
  if (next?.dueAt) o.push(`  next: ${next.level} ${next.who} at ${hhmm(next.dueAt)} UTC (${relative(next.dueAt, now)})`);
  o.push(
    toRecord.length
      ? dryRun
        ? c.dim('  (dry run: not recorded)')
        : c.dim(`  recorded: ${toRecord.join(', ')} escalated at ${hhmm(now)} UTC`)
      : '',
  );
  return o.filter(Boolean);
}
