/**
 * `status` and `incidents show`: where the incident stands, folded from its timeline.
 */
import { statusOf } from '../incident/status-of.js';
import { type IncidentState } from '../incident/state.js';
import { home, writeJson, type Context } from './context.js';
import { incidentWithFindings, policyOf } from './incident-common.js';
import { statusView } from '../render/status.js';

export function statusCommand(
  ctx: Context,
  opts: { json?: boolean },
  checklistProgress?: (state: IncidentState) => Array<{ name: string; done: number; total: number }>,
): number {
  const policy = policyOf(ctx);
  const { state, findings: judged } = incidentWithFindings(ctx);
  const now = ctx.clock.now();
  const s = statusOf(policy, state, now, judged);
  const checklists = checklistProgress?.(state) ?? [];
  const team = ctx.team?.lineFor(s.id);
  if (opts.json) {
    writeJson(ctx, { ...s, checklists, record: { events: state.events, head: state.head }, ...(team ? { team } : {}) });
    return 0;
  }
  const lines = statusView(
    ctx.term.color,
    policy,
    { state, status: s, judged, checklists, isCurrent: home(ctx).currentId() === s.id, ...(team ? { team } : {}) },
    now,
  );
  ctx.term.out.write(lines.join('\n') + '\n');
  return 0;
}

/**
 * `status --watch`: the status redrawn whenever the record changes and every 30 s (times move on).
 * On a terminal the screen is cleared first; into a pipe each redraw follows a dated rule.
 */
export async function watchStatus(
  ctx: Context,
  opts: { json?: boolean },
  checklistProgress?: (state: IncidentState) => Array<{ name: string; done: number; total: number }>,
): Promise<number> {
  const id = home(ctx).resolve(ctx.global.incident);
  ctx.global.incident = id;
  const draw = () => {
    if (ctx.term.out.isTTY && !opts.json) ctx.term.out.write('\x1b[2J\x1b[H');
    else if (!opts.json) ctx.term.out.write(`--- ${ctx.clock.now().toISOString().slice(0, 19).replace('T', ' ')} UTC ---\n`);
    statusCommand(ctx, opts, checklistProgress);
  };
  draw();
  const { watchIncident } = await import('./live.js');
  return watchIncident(ctx, id, draw, { everyMs: 30_000 });
}
