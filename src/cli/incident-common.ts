/** Helpers shared by the incident commands: the policy, the incident to act on, times, recording an event, the prompter. */
import { UserError } from '../errors.js';
import { parseIsoDate, parseIsoTime } from '../time-input.js';
import { incidentStart } from '../incident/decisions.js';
import { FindingLedger, type JudgedFinding } from '../incident/findings.js';
import { loadIncident } from '../incident/open.js';
import { applyEvent, emptyState, type IncidentState } from '../incident/state.js';
import { home, redactor, type Context } from './context.js';
import { InquirerPrompter, type Prompter } from '../adapters/prompter.js';
import { draft, type EventData, type EventType } from '../timeline/catalogue.js';
import { suggest } from '../suggest.js';
import type { Policy } from '../incident/policy.js';
import type { Detection } from '../incident/detection.js';
import { parseSeverity, SEVERITIES, type SeverityId } from '../incident/criteria.js';

export { policyOf } from './docs.js';

export function incidentOf(ctx: Context): { id: string; state: IncidentState } {
  const h = home(ctx);
  const id = h.resolve(ctx.global.incident);
  return { id, state: loadIncident(h, id) };
}

/**
 * The incident and its judged findings (findings.ts), from one read of its timeline: what `status`
 * and `update` say about findings is the judgement the post-mortem makes.
 */
export function incidentWithFindings(ctx: Context): { id: string; state: IncidentState; findings: JudgedFinding[] } {
  const h = home(ctx);
  const id = h.resolve(ctx.global.incident);
  const ledger = new FindingLedger();
  const state = emptyState(id);
  for (const e of h.events(id)) {
    applyEvent(state, e);
    ledger.add(e);
  }
  return { id, state, findings: ledger.list() };
}

/**
 * Refuses (exit 2) to record into an incident that was closed or discarded (`incidents close|discard`):
 * it ended without resolution, and its record stays as it was then.
 */
export function requireNotEnded(state: IncidentState, what: string): void {
  if (state.status !== 'closed' && state.status !== 'discarded') return;
  const how = state.ended ? ` at ${state.ended.at.slice(0, 16).replace('T', ' ')} UTC by ${state.ended.by} (${state.ended.reason})` : '';
  throw new UserError(
    `incident ${state.id} was ${state.status}${how}; ${what} needs an open incident. ` +
      (state.status === 'closed'
        ? `If it has to go on, reopen it: bud-incident resolve --reopen --incident ${state.id}`
        : 'A discarded incident was opened by mistake and stays so: declare a new one (bud-incident declare)'),
  );
}

export function requireOpen(state: IncidentState, what: string): void {
  requireNotEnded(state, what);
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
    throw new UserError(
      `${flag} "${text}" (${d.toISOString()}) is in the future (now is ${now.toISOString()}): give the time it happened, or leave ${flag} out to record it as now`,
    );
  return d;
}

/** A time a backdated event may not precede (besides detection): what it is, and when. */
export interface NotBefore {
  what: string;
  at: string;
}

/**
 * When something a person did happened: now, or the time `--at` gives, judged the same way by every
 * command that records (note, milestone, update, escalate, assign, severity, handoff, action,
 * resolve, run): strictly parsed, not in the future, not before the incident's detection (unless
 * `detection: false`: `milestone detected` moves it; lifecycle milestones are judged by their
 * order), and not before `after` (the last event of a history that must stay in time order).
 * A refusal is a UserError (exit 2) raised before anything is recorded.
 */
export function whenDone(
  state: IncidentState,
  text: string | undefined,
  now: Date,
  opts: { flag?: string; detection?: boolean; after?: Array<NotBefore | undefined> } = {},
): Date {
  if (text === undefined) return now;
  const flag = opts.flag ?? '--at';
  const at = parseAt(text, now, flag);
  const given = `${flag} "${text}" (${at.toISOString()})`;
  const detected = incidentStart(state);
  if (opts.detection !== false && at.getTime() < detected.getTime())
    throw new UserError(
      `${given} is before incident ${state.id} was detected (${detected.toISOString()}): give a time at or after detection, or move detection earlier first with "bud-incident milestone detected --at TIME"`,
    );
  for (const bound of opts.after ?? [])
    if (bound && at.getTime() < Date.parse(bound.at))
      throw new UserError(
        `${given} is before ${bound.what} (${bound.at}): record them in the order they happened, giving a time at or after ${bound.at}`,
      );
  return at;
}

/** Parses a YYYY-MM-DD date for --due (strictly: 2026-11-31 is refused, not read as December 1st). */
export function parseDue(text: string, flag = '--due'): string {
  const parsed = parseIsoDate(text);
  if (!parsed.ok) throw new UserError(`${flag} "${text}": ${parsed.why}`);
  return parsed.value.toISOString().slice(0, 10);
}

/** Line breaks and other control characters (a tab is allowed) that have no place in a one-line value. */
const NOT_ONE_LINE = /[\x00-\x08\x0a-\x1f\x7f\u0085\u2028\u2029]/;

/**
 * Why a value that must be one line (a title, a name, a status) is not, or undefined. Such values
 * become headings, table cells and channel names; a line break in one is a mistake or a forgery.
 */
export function oneLineProblem(what: string, value: string | undefined): string | undefined {
  const c = value === undefined ? undefined : NOT_ONE_LINE.exec(value)?.[0];
  if (c === undefined) return undefined;
  const kind = /[\n\r\u0085\u2028\u2029\x0b\x0c]/.test(c)
    ? 'a line break'
    : `a control character (U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')})`;
  return `${what} must be one line; it contains ${kind}`;
}

/** A value quoted in an error, cut to its first 80 characters (a pasted log must not fill the screen). */
export function cut(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text;
}

/** Refuses (exit 2) a value that must be one line but is not. */
export function requireOneLine(what: string, value: string | undefined): void {
  const problem = oneLineProblem(what, value);
  if (problem) throw new UserError(problem);
}

/** A severity typed on the command line (`sev1` is SEV1); anything else is refused (exit 2). */
export function parseSeverityArg(value: string): SeverityId {
  const s = parseSeverity(value);
  if (!s) throw new UserError(`unknown severity "${value}": use ${SEVERITIES.join(', ')}`);
  return s;
}

export { elapsed, hhmm, relative } from '../time-text.js';

/** A person's name (a commander, an assignee, who takes a handoff): one line with a letter or digit in it ("", " ", "-" name nobody). */
export function requirePerson(what: string, value: string | undefined): void {
  if (value === undefined) return;
  requireOneLine(what, value);
  if (!/[\p{L}\p{N}]/u.test(value)) throw new UserError(`${what} "${value}" names nobody: give the person's name or handle`);
}

export { detectionText, type Detection } from '../incident/detection.js';

/**
 * `--detected-by alert`, `--detected-by "user-report: ticket 4411"`: the source is one of the
 * policy's detection ids (§2.1 Monitoring Alert, User Report, Internal Discovery); a typo is refused
 * with the ids and the closest one.
 */
export function parseDetection(policy: Policy, flag: string, text: string): Detection {
  const colon = text.indexOf(':');
  const source = (colon < 0 ? text : text.slice(0, colon)).trim().toLowerCase();
  const detail = colon < 0 ? '' : text.slice(colon + 1).trim();
  const ids = Object.keys(policy.detection);
  if (!ids.includes(source))
    throw new UserError(
      `${flag} "${cut(text)}": how it was detected is one of ${ids.map((i) => `${i} (${policy.detection[i]})`).join(', ')}${suggest(source, ids)}; add a detail after a colon: ${flag} "alert: PagerDuty BudAPIDown"`,
    );
  requireOneLine(flag, detail);
  return { source, ...(detail ? { detail } : {}) };
}

/** The prompter when both ends are a terminal, else undefined (the command then needs its flags). */
export function prompterFor(ctx: Context): Prompter | undefined {
  return ctx.stdinIsTTY && ctx.term.out.isTTY ? new InquirerPrompter() : undefined;
}

/** Appends one event of the catalogue (timeline/catalogue.ts): its data is checked against its type. */
export function append<K extends EventType>(ctx: Context, id: string, type: K, data: EventData[K]) {
  const red = redactor(ctx);
  return home(ctx)
    .timeline(id)
    .appendOne(draft(type, red.redactValue(data)));
}
