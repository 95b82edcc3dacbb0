/** Helpers shared by the incident commands: the policy, the incident to act on, times. */
import { UserError } from '../errors.js';
import { parseIsoDate, parseIsoTime } from '../time-input.js';
import { loadIncident } from '../incident/open.js';
import type { IncidentState } from '../incident/state.js';
import { home, type Context } from './context.js';

export { policyOf } from './docs.js';

export function incidentOf(ctx: Context): { id: string; state: IncidentState } {
  const h = home(ctx);
  const id = h.resolve(ctx.global.incident);
  return { id, state: loadIncident(h, id) };
}

export function requireOpen(state: IncidentState, what: string): void {
  if (state.status === 'resolved')
    throw new UserError(
      `incident ${state.id} is resolved; ${what} needs an open incident (reopen it with "bud-incident resolve --reopen")`,
    );
}

/** How far ahead of this machine's clock a "when did it happen" time may be (clocks and rounding differ a little). */
const FUTURE_SKEW_MS = 60_000;

/** Parses an ISO 8601 time for --at (strictly: see time-input.ts); refuses the future. */
export function parseAt(text: string, now: Date, flag = '--at'): Date {
  const parsed = parseIsoTime(text);
  if (!parsed.ok) throw new UserError(`${flag} "${text}": ${parsed.why}`);
  const d = parsed.value;
  if (d.getTime() > now.getTime() + FUTURE_SKEW_MS)
    throw new UserError(`${flag} "${text}" (${d.toISOString()}) is in the future (now is ${now.toISOString()})`);
  return d;
}

/** Parses a YYYY-MM-DD date for --due (strictly: 2026-11-31 is refused, not read as December 1st). */
export function parseDue(text: string, flag = '--due'): string {
  const parsed = parseIsoDate(text);
  if (!parsed.ok) throw new UserError(`${flag} "${text}": ${parsed.why}`);
  return parsed.value.toISOString().slice(0, 10);
}

export function parseSeverityArg(value: string): 'SEV1' | 'SEV2' | 'SEV3' | 'SEV4' {
  const s = value.toUpperCase();
  if (!/^SEV[1-4]$/.test(s)) throw new UserError(`unknown severity "${value}": use SEV1, SEV2, SEV3 or SEV4`);
  return s as 'SEV1';
}

export const hhmm = (d: Date) => d.toISOString().slice(11, 16);

/** "in 12m" / "3m ago" / "now". */
export function relative(d: Date, now: Date): string {
  const diff = Math.round((d.getTime() - now.getTime()) / 60_000);
  if (diff === 0) return 'now';
  const abs = Math.abs(diff);
  const text =
    abs < 120 ? `${abs}m` : abs < 2880 ? `${Math.floor(abs / 60)}h${String(abs % 60).padStart(2, '0')}m` : `${Math.floor(abs / 1440)}d`;
  return diff > 0 ? `in ${text}` : `${text} ago`;
}

export function elapsed(from: Date, now: Date): string {
  const m = Math.max(0, Math.round((now.getTime() - from.getTime()) / 60_000));
  return m < 120 ? `${m}m` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
