/**
 * `handoff`: the handoff summary from the timeline, recorded, then the handoff checklist.
 */
import { handoffSummary } from '../incident/handoff.js';
import { foldIncident } from '../incident/state.js';
import { home, writeJson, type Context } from './context.js';
import { append, incidentOf, policyOf, requireNotEnded, requirePerson, whenDone } from './incident-common.js';
import { happenedAt } from '../timeline/describe.js';
import { handoffView } from '../render/handoff.js';

export async function handoffCommand(
  ctx: Context,
  opts: { to?: string; from?: string; at?: string; json?: boolean },
  afterSummary?: (id: string) => Promise<void>,
): Promise<number> {
  requirePerson('--to', opts.to);
  requirePerson('--from', opts.from);
  const policy = policyOf(ctx);
  const { id, state } = incidentOf(ctx);
  requireNotEnded(state, 'a handoff');
  const lastHandoff = state.handoffs.at(-1);
  const now = whenDone(state, opts.at, ctx.clock.now(), { after: [lastHandoff && { what: 'the last handoff', at: lastHandoff.at }] });
  // With --at, the summary is as of that time: only what had happened by then (recorded before or after).
  const all = [...home(ctx).events(id)];
  const events =
    opts.at === undefined ? all : all.filter((e) => e.type === 'incident.opened' || Date.parse(happenedAt(e)) <= now.getTime());
  const then = opts.at === undefined ? state : foldIncident(id, events);
  const lines = handoffSummary(policy, then, now, events);
  const from = opts.from ?? then.roles.commander ?? events.at(-1)?.actor ?? 'unknown';
  const to = opts.to;
  const e = append(ctx, id, 'handoff.completed', {
    from,
    to: to ?? '',
    summary: lines.join('\n'),
    ...(opts.at !== undefined ? { at: now.toISOString() } : {}),
  });
  if (opts.json) writeJson(ctx, { incident: id, from, to: to ?? null, summary: lines, seq: e.seq });
  else {
    ctx.term.out.write(handoffView(ctx.term.color, { summary: lines, seq: e.seq }).join('\n') + '\n');
    await afterSummary?.(id);
  }
  return 0;
}
