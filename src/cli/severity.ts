/**
 * `severity SEVn --reason`: changes the severity; the deadline and escalation follow it.
 */
import { UserError } from '../errors.js';
import { responseDeadline } from '../incident/decisions.js';
import { loadIncident } from '../incident/open.js';
import { statusOf } from '../incident/status-of.js';
import { home, writeJson, type Context } from './context.js';
import { append, incidentOf, parseSeverityArg, policyOf, requireOneLine, requireOpen, whenDone } from './incident-common.js';
import { severityView } from '../render/severity.js';

export function severityCommand(ctx: Context, sevArg: string, opts: { reason?: string; at?: string; json?: boolean }): number {
  const policy = policyOf(ctx);
  const sev = parseSeverityArg(sevArg);
  if (!opts.reason?.trim()) throw new UserError('severity: --reason is required (why the severity changes)');
  requireOneLine('--reason', opts.reason);
  const { id, state } = incidentOf(ctx);
  requireOpen(state, 'a severity change');
  if (state.severity === sev) throw new UserError(`incident ${id} is already ${sev}`);
  const now = ctx.clock.now();
  const lastSev = state.severityHistory.at(-1);
  const at = whenDone(state, opts.at, now, {
    after: [lastSev && { what: `the ${lastSev.from ? 'last severity change' : 'severity it was declared with'}`, at: lastSev.at }],
  });
  append(ctx, id, 'severity.changed', {
    from: state.severity,
    to: sev,
    reason: opts.reason,
    ...(opts.at !== undefined ? { at: at.toISOString() } : {}),
  });
  const updated = loadIncident(home(ctx), id);
  const deadline = responseDeadline(policy, updated);
  if (opts.json) {
    writeJson(ctx, {
      incident: id,
      from: state.severity,
      to: sev,
      responseDeadline: deadline.deadline.toISOString(),
      escalation: statusOf(policy, updated, now, []).escalation,
    });
    return 0;
  }
  const lines = severityView(
    ctx.term.color,
    policy,
    { id, from: state.severity, state: updated, reason: opts.reason, deadline: deadline.deadline },
    now,
  );
  ctx.term.out.write(lines.join('\n') + '\n');
  return 0;
}
