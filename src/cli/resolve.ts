/**
 * `resolve`: closes the incident with root cause and resolution (and `resolve --reopen`).
 */
import { UserError } from '../errors.js';
import { postmortemRequirement } from '../incident/decisions.js';
import { checkMilestoneOrder, LIFECYCLE } from '../incident/milestone-order.js';
import { writeJson, type Context } from './context.js';
import { reopenedView, resolvedView } from '../render/resolve.js';
import { append, incidentOf, policyOf, requireOpen, whenDone } from './incident-common.js';

export function resolveCommand(
  ctx: Context,
  opts: {
    rootCause?: string;
    resolution?: string;
    at?: string;
    reopen?: boolean;
    json?: boolean;
    usersAffected?: string;
    requestsFailed?: string;
  },
): number {
  const policy = policyOf(ctx);
  const { id, state } = incidentOf(ctx);
  const now = ctx.clock.now();
  if (opts.reopen) {
    // A closed incident may go on (a duplicate that was not one); a discarded one was opened by mistake and stays so.
    if (state.status === 'discarded')
      throw new UserError(
        `incident ${id} was discarded (opened by mistake) and cannot be reopened: declare a new one (bud-incident declare)`,
      );
    if (state.status !== 'resolved' && state.status !== 'closed') throw new UserError(`incident ${id} is not resolved or closed`);
    const reopenedAt = whenDone(state, opts.at, now, {
      after: [state.resolvedAt ? { what: 'its resolution', at: state.resolvedAt } : undefined],
    });
    append(ctx, id, 'incident.reopened', { from: state.status, ...(opts.at !== undefined ? { at: reopenedAt.toISOString() } : {}) });
    ctx.term.out.write(reopenedView(id, opts.at !== undefined ? reopenedAt : undefined).join('\n') + '\n');
    return 0;
  }
  requireOpen(state, 'resolve');
  if (!opts.rootCause?.trim() || !opts.resolution?.trim())
    throw new UserError('resolve needs --root-cause T and --resolution T (what broke, and how it was fixed)');
  const at = whenDone(state, opts.at, now);
  const order = checkMilestoneOrder(state, 'resolved', at);
  if (order) throw new UserError(`refused: ${order}; milestones must be in order (${LIFECYCLE.join(' → ')}): give a later --at`);
  const pm = postmortemRequirement(policy, state.severity, at);
  // The impact figures the post-mortem asks for, when the responder has them.
  if (opts.usersAffected || opts.requestsFailed) {
    append(ctx, id, 'incident.updated', {
      ...(opts.usersAffected ? { usersAffected: opts.usersAffected } : {}),
      ...(opts.requestsFailed ? { requestsFailed: opts.requestsFailed } : {}),
    });
  }
  append(ctx, id, 'incident.resolved', {
    rootCause: opts.rootCause,
    resolution: opts.resolution,
    at: at.toISOString(),
    postmortemRequired: pm.required,
    postmortemDue: pm.dueAt?.toISOString() ?? null,
  });
  if (opts.json) {
    writeJson(ctx, {
      incident: id,
      resolvedAt: at.toISOString(),
      postmortem: { required: pm.required, requirement: pm.requirement, dueAt: pm.dueAt?.toISOString() ?? null },
    });
    return 0;
  }
  const lines = resolvedView(ctx.term.color, {
    id,
    state,
    at,
    rootCause: opts.rootCause,
    resolution: opts.resolution,
    postmortem: pm,
  });
  ctx.term.out.write(lines.join('\n') + '\n');
  return 0;
}
