/**
 * `escalate`: who must be engaged now per the escalation matrix, and records that they were.
 */
import { escalationPlan } from '../incident/decisions.js';
import { loadIncident } from '../incident/open.js';
import { escalationView } from '../render/escalate.js';
import { home, writeJson, type Context } from './context.js';
import { append, incidentOf, policyOf, requireOpen, whenDone } from './incident-common.js';

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
        ? { level: plan.next.level, who: plan.next.who, contact: plan.next.contact, at: plan.next.dueAt.toISOString() }
        : null,
    });
    return 0;
  }
  const lines = escalationView(
    ctx.term.color,
    { id, state, plan, toRecord, dryRun: Boolean(opts.dryRun), backdated: opts.at !== undefined },
    now,
  );
  ctx.term.out.write(lines.join('\n') + '\n');
  return 0;
}
