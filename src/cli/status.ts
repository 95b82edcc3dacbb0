/**
 * `status` and `incidents show`: where the incident stands, folded from its timeline.
 */
import { statusOf } from '../incident/status-of.js';
import { type IncidentState } from '../incident/state.js';
import { home, writeJson, type Context } from './context.js';
import { incidentWithFindings, policyOf } from './incident-common.js';
import { statusView } from '../render/status.js';
import { teamLine } from './team.js';

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
  const team = teamLine(ctx.team, s.id);
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
