/**
 * `incidents list|switch|close|discard`: the incidents in the state directory, which one is current,
 * and ending one without a resolution.
 */
import { UserError } from '../errors.js';
import { loadIncident } from '../incident/open.js';
import { incidentRows } from '../incident/list.js';
import { home, writeJson, type Context } from './context.js';
import { append, hhmm, requireOneLine } from './incident-common.js';
import { incidentsListView } from '../render/incidents-list.js';

export function incidentsList(ctx: Context, opts: { json?: boolean }): number {
  const rows = incidentRows(home(ctx));
  if (opts.json) {
    writeJson(ctx, rows);
    return 0;
  }
  ctx.term.out.write(incidentsListView(rows).join('\n') + '\n');
  return 0;
}

export function incidentsSwitch(ctx: Context, id: string): number {
  const h = home(ctx);
  const resolved = h.resolve(id);
  h.setCurrent(resolved);
  ctx.term.out.write(`current incident: ${resolved}\n`);
  return 0;
}

/**
 * `incidents close|discard [ID] --reason TEXT`: ends an incident that will not be resolved (close: a
 * finished drill, a duplicate; discard: opened by mistake). Recorded as an event, never deleted; the
 * incident stops being current, and recording commands refuse it from then on.
 */
export function incidentsEnd(
  ctx: Context,
  how: 'close' | 'discard',
  explicit: string | undefined,
  opts: { reason?: string; json?: boolean },
): number {
  if (!opts.reason?.trim())
    throw new UserError(
      `incidents ${how}: --reason is required (${how === 'close' ? 'why it ends without resolution, e.g. "drill finished" or "duplicate of ID"' : 'what the mistake was'})`,
    );
  requireOneLine('--reason', opts.reason);
  const h = home(ctx);
  const id = h.resolve(explicit ?? ctx.global.incident);
  const state = loadIncident(h, id);
  const status = how === 'close' ? 'closed' : 'discarded';
  if (state.status === status) throw new UserError(`incident ${id} is already ${status} (${state.ended?.reason ?? ''})`);
  if (state.status === 'discarded') throw new UserError(`incident ${id} was discarded (opened by mistake); it stays so`);
  // A resolved incident ended with a resolution: it is not closed without one (discarding it, if it was opened by mistake, is allowed).
  if (how === 'close' && state.status === 'resolved')
    throw new UserError(
      `incident ${id} is resolved: it already ended, with a resolution. Use "incidents discard" if it was opened by mistake`,
    );
  const now = ctx.clock.now();
  const e = append(ctx, id, `incident.${status}`, { reason: opts.reason, at: now.toISOString(), previousStatus: state.status });
  const wasCurrent = h.currentId() === id;
  if (wasCurrent) h.clearCurrent(id);
  if (opts.json)
    writeJson(ctx, { incident: id, status, reason: opts.reason, at: now.toISOString(), drill: state.drill, seq: e.seq, wasCurrent });
  else
    ctx.term.out.write(
      `${id}${state.drill ? ' (drill)' : ''} ${status} at ${hhmm(now)} UTC: ${opts.reason} (#${e.seq})` +
        (wasCurrent ? '\n  no current incident now: bud-incident incidents switch ID, or declare one' : '') +
        '\n',
    );
  return 0;
}
