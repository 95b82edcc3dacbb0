/**
 * `escalate`: who must be engaged now per the escalation matrix, and records that they were.
 */
import { escalationPlan, incidentStart } from '../incident/decisions.js';
import { loadIncident } from '../incident/open.js';
import { DRILL_BANNER } from '../incident/declared.js';
import { home, writeJson, type Context } from './context.js';
import { append, elapsed, hhmm, incidentOf, policyOf, relative, requireOpen, whenDone } from './incident-common.js';

export function escalateCommand(
  ctx: Context,
  opts: { json?: boolean; dryRun?: boolean; major?: boolean; dataBreach?: boolean; at?: string },
): number {
  const policy = policyOf(ctx);
  const found = incidentOf(ctx);
  const id = found.id;
  let state = found.state;
  requireOpen(state, 'escalation');
  const lastEsc = state.escalations.at(-1);
  // With --at, what was due is judged at that time, and that is when it is recorded as done.
  const now = whenDone(state, opts.at, ctx.clock.now(), { after: [lastEsc && { what: 'the last escalation', at: lastEsc.at }] });
  if ((opts.major && !state.major) || (opts.dataBreach && !state.dataBreach)) {
    append(ctx, id, 'incident.updated', { ...(opts.major ? { major: true } : {}), ...(opts.dataBreach ? { dataBreach: true } : {}) });
    state = loadIncident(home(ctx), id);
  }
  const plan = escalationPlan(policy, state, now);
  const toRecord = plan.due.filter((l) => !l.doneAt).map((l) => l.level);
  if (toRecord.length && !opts.dryRun)
    append(ctx, id, 'escalation.recorded', {
      levels: toRecord,
      severity: state.severity,
      ...(opts.at !== undefined ? { at: now.toISOString() } : {}),
    });
  const view = (l: (typeof plan.levels)[number]) => ({
    level: l.level,
    who: l.who,
    contact: l.contact,
    dueAt: l.dueAt?.toISOString() ?? null,
    why: l.why ?? null,
    alreadyEscalatedAt: l.doneAt?.toISOString() ?? null,
  });
  if (opts.json) {
    writeJson(ctx, {
      incident: id,
      severity: state.severity,
      due: plan.due.map(view),
      recorded: opts.dryRun ? [] : toRecord,
      next: plan.next
        ? { level: plan.next.level, who: plan.next.who, contact: plan.next.contact, at: plan.next.dueAt!.toISOString() }
        : null,
    });
    return 0;
  }
  const c = ctx.term.color;
  const asOf = opts.at !== undefined ? `, as of ${hhmm(now)} UTC` : '';
  const o = [
    ...(state.drill ? [c.yellow(DRILL_BANNER)] : []),
    c.bold(`Escalation for ${id} (${state.severity}, ${elapsed(incidentStart(state), now)} in${asOf}):`),
  ];
  for (const l of plan.due)
    o.push(
      `  ${c.red('engage now')} ${l.level} ${l.who} via ${l.contact} ${c.dim(`[${l.why}]`)}${l.doneAt ? c.green(` — already escalated ${hhmm(l.doneAt)} UTC`) : ''}`,
    );
  if (!plan.due.length) o.push('  nobody is due yet');
  if (plan.next)
    o.push(`  next: ${plan.next.level} ${plan.next.who} at ${hhmm(plan.next.dueAt!)} UTC (${relative(plan.next.dueAt!, now)})`);
  o.push(
    toRecord.length
      ? opts.dryRun
        ? c.dim('  (dry run: not recorded)')
        : c.dim(`  recorded: ${toRecord.join(', ')} escalated at ${hhmm(now)} UTC`)
      : '',
  );
  ctx.term.out.write(o.filter(Boolean).join('\n') + '\n');
  return 0;
}
