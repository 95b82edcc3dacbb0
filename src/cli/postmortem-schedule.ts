/**
 * `bud-incident postmortem schedule --on DATE`: records the date a person set for the post-mortem
 * meeting (`postmortem.scheduled`). `resolve` only computes when the post-mortem is due (§8.2);
 * that is a deadline, not a schedule, so it ticks nothing. This event is what proves the SEV1
 * checklist's "Post-mortem scheduled".
 */
import { UserError } from '../errors.js';
import { incidentStart, postmortemRequirement } from '../incident/decisions.js';
import { parseIsoDate, parseIsoTime } from '../time-input.js';
import { scheduledOn } from '../timeline/describe.js';
import { redactor, home, writeJson, type Context } from './context.js';
import { incidentOf, policyOf, requireNotEnded } from './incident-common.js';

export interface ScheduleOptions {
  on?: string;
  json?: boolean;
}

/** A date (YYYY-MM-DD) or a time (ISO 8601): the normalised text and the moment it starts. */
function parseOn(text: string): { on: string; start: Date } {
  const time = parseIsoTime(text);
  if (time.ok) return { on: time.value.toISOString(), start: time.value };
  const date = parseIsoDate(text);
  if (date.ok) return { on: date.value.toISOString().slice(0, 10), start: date.value };
  const why = /^\s*\d{4}-\d\d-\d\d\s*$/.test(text) ? date.why : /\d{4}-\d\d-\d\d[T ]/.test(text) ? time.why : undefined;
  throw new UserError(
    `--on "${text}": ${why ?? 'expected a date such as 2026-12-01 or a time such as 2026-12-01T14:00Z (UTC unless it has an offset)'}`,
  );
}

export function postmortemSchedule(ctx: Context, opts: ScheduleOptions): number {
  if (opts.on === undefined) throw new UserError('postmortem schedule needs --on DATE (the day, or time, of the post-mortem meeting)');
  const { on, start } = parseOn(opts.on);
  const { id, state } = incidentOf(ctx);
  requireNotEnded(state, 'scheduling its post-mortem');
  const begun = incidentStart(state);
  const dayBegun = Date.UTC(begun.getUTCFullYear(), begun.getUTCMonth(), begun.getUTCDate());
  if (start.getTime() < (on.length === 10 ? dayBegun : begun.getTime()))
    throw new UserError(`--on ${on} is before the incident started (${begun.toISOString()})`);
  const pm = postmortemRequirement(policyOf(ctx), state.severity, state.resolvedAt ? new Date(state.resolvedAt) : undefined);
  const late = pm.dueAt ? start.getTime() > pm.dueAt.getTime() : undefined;
  const e = home(ctx)
    .timeline(id)
    .appendOne({
      type: 'postmortem.scheduled',
      data: redactor(ctx).redactValue({ on, ...(pm.dueAt ? { dueAt: pm.dueAt.toISOString() } : {}) }),
    });
  if (opts.json) {
    writeJson(ctx, { incident: id, on, dueAt: pm.dueAt?.toISOString() ?? null, afterDue: late ?? null, seq: e.seq });
    return 0;
  }
  const due = pm.dueAt
    ? `; due ${pm.dueAt.toISOString().slice(0, 16).replace('T', ' ')} UTC (${state.severity}: within ${pm.within} of resolution)${late ? ctx.term.color.red(' — scheduled AFTER it is due') : ''}`
    : pm.within
      ? `; due within ${pm.within} of resolution`
      : '';
  ctx.term.out.write(`Post-mortem for ${id} scheduled on ${scheduledOn(on)} (#${e.seq})${due}\n`);
  return 0;
}
