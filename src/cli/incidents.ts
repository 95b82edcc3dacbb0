/**
 * `incidents list|switch|close|discard`: the incidents in the state directory, which one is current,
 * and ending one without a resolution.
 */
import { UserError } from '../errors.js';
import { loadIncident } from '../incident/open.js';
import { type IncidentState } from '../incident/state.js';
import { home, writeJson, type Context } from './context.js';
import { append, hhmm, requireOneLine } from './incident-common.js';
import { ChainError } from '../timeline/store.js';

export function incidentsList(ctx: Context, opts: { json?: boolean }): number {
  const h = home(ctx);
  const current = h.currentId();
  const rows = h.list().map((id) => {
    let s: IncidentState;
    try {
      s = loadIncident(h, id);
    } catch (error) {
      // One broken record must not hide the others: list it as such (the readers refuse it).
      if (!(error instanceof UserError) || error.exitCode !== 3) throw error;
      if (!(error instanceof ChainError))
        return {
          id,
          title: `refused: ${error.message}`,
          severity: '?',
          status: 'broken',
          drill: null,
          openedAt: '',
          current: id === current,
        };
      return {
        id,
        title: `record does not verify (line ${error.line}): bud-incident timeline verify --incident ${id}`,
        severity: '?',
        status: 'broken',
        drill: null,
        openedAt: '',
        current: id === current,
      };
    }
    return { id, title: s.title, severity: s.severity, status: s.status, drill: s.drill, openedAt: s.openedAt, current: id === current };
  });
  if (opts.json) {
    writeJson(ctx, rows);
    return 0;
  }
  if (!rows.length) ctx.term.out.write('no incidents yet (bud-incident declare, or bud-incident run <runbook>)\n');
  // Columns as wide as the longest id (a drill's ids are long), so DRILL and the times line up.
  const idWidth = Math.max(0, ...rows.map((r) => r.id.length));
  for (const r of rows)
    ctx.term.out.write(
      `${r.current ? '*' : ' '} ${r.id.padEnd(idWidth)}  ${r.severity.padEnd(4)}  ${r.status.padEnd(9)} ${r.drill ? 'DRILL ' : '      '}${r.openedAt.slice(0, 16).replace('T', ' ')}  ${r.title}\n`,
    );
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
