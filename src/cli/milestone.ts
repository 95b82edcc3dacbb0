/**
 * `milestone NAME`: records a lifecycle milestone, in the order the lifecycle keeps.
 */
import { UserError } from '../errors.js';
import { checkMilestoneOrder, LIFECYCLE } from '../incident/milestone-order.js';
import { suggest } from '../suggest.js';
import { writeJson, type Context } from './context.js';
import { milestoneView } from '../render/milestone.js';
import { append, incidentOf, parseDetection, policyOf, requireNotEnded, whenDone } from './incident-common.js';

export function milestoneCommand(ctx: Context, name: string, opts: { at?: string; by?: string; json?: boolean }): number {
  const { id, state } = incidentOf(ctx);
  requireNotEnded(state, 'a milestone');
  const now = ctx.clock.now();
  if (opts.by !== undefined && name !== 'detected')
    throw new UserError(`--by says how the incident was detected: it goes with "milestone detected", not "${name}"`);
  const by = opts.by !== undefined ? parseDetection(policyOf(ctx), '--by', opts.by) : undefined;
  // Lifecycle milestones are judged against detection by their order (below); 'detected' moves it.
  // "detected --by alert" without --at says how, and keeps when.
  const at =
    by && opts.at === undefined ? new Date(state.detectedAt) : whenDone(state, opts.at, now, { detection: !LIFECYCLE.includes(name) });
  const known = [...LIFECYCLE, 'escalated', 'communicated', 'monitoring'];
  if (!known.includes(name)) throw new UserError(`unknown milestone "${name}"${suggest(name, known)}: use ${known.join(', ')}`);
  if (name === 'resolved')
    throw new UserError('use "bud-incident resolve" to mark the incident resolved (it records root cause and resolution)');
  const problem = checkMilestoneOrder(state, name, at);
  if (problem) throw new UserError(`refused: ${problem}; milestones must be in order (${LIFECYCLE.join(' → ')})`);
  if (name === 'detected' && at.getTime() > new Date(state.openedAt).getTime())
    throw new UserError(`refused: detected at ${at.toISOString()} would come after the incident was declared (${state.openedAt})`);
  append(ctx, id, 'milestone.recorded', { name, at: at.toISOString(), ...(by ? { by } : {}) });
  if (opts.json) writeJson(ctx, { incident: id, name, at: at.toISOString(), ...(by ? { by } : {}) });
  else ctx.term.out.write(milestoneView(policyOf(ctx), { id, name, at, by }).join('\n') + '\n');
  return 0;
}
