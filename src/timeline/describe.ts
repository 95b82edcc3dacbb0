/**
 * One-line, human descriptions of timeline events, for `timeline` and the post-mortem. Each says
 * what happened, not only its type: which milestone, the severity it changed from and to, who was
 * assigned to which role, which levels were escalated (to whom, when the policy is given), how a
 * mitigation ended, the status of an update.
 *
 * The descriptions are a table over the event catalogue's types (`Record<EventType, ...>`), so a
 * new event type does not compile until it is described here.
 */
import type { EventType } from './catalogue.js';
import type { TimelineEvent } from './event.js';
import { field, isRecord } from '../guards.js';

export function str(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

export interface DescribeOptions {
  /** Who an escalation level is (from the policy's escalation matrix): "L3" → "Engineering manager". */
  escalationWho?: (level: string) => string | undefined;
  /** How the policy names a detection source (§2.1): "alert" → "Monitoring alert". */
  detectionName?: (source: string) => string | undefined;
}

/** ", detected by Monitoring alert (PagerDuty BudAPIDown)" for a recorded detection, else "". */
function detectedBy(v: unknown, opts: DescribeOptions, lead: string): string {
  if (!isRecord(v)) return '';
  const { source, detail } = v;
  if (typeof source !== 'string') return '';
  return `${lead}${opts.detectionName?.(source) ?? source}${typeof detail === 'string' && detail ? ` (${detail})` : ''}`;
}

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(str) : []);
/** "text" or "" when there is nothing to add after a colon. */
const suffix = (sep: string, v: unknown) => (str(v) ? `${sep}${str(v)}` : '');

/** How one event type is described; `d` is the event's data as read from disk (checked as it is read). */
type Describer = (d: Record<string, unknown>, e: TimelineEvent, opts: DescribeOptions) => string;

/** The text, message or title an event carries, after its type; else just its type. */
const generic: Describer = (d, e) => {
  const text = d.text ?? d.message ?? d.title;
  return text !== undefined ? `${e.type}: ${str(text)}` : e.type;
};

/**
 * Every event type of the catalogue, described. A `Record` over `EventType`: adding a type to the
 * catalogue fails to compile until it is given a sentence here (or `generic`, on purpose).
 */
const DESCRIBE: Record<EventType, Describer> = {
  'incident.opened': (d, _e, opts) =>
    `${d.drill === true ? 'Drill' : 'Incident'} opened: ${str(d.title)} (${str(d.severity)}), channel ${str(d.channel)}${suffix(', commander ', d.commander)}${detectedBy(d.detectedBy, opts, ', detected by ')}`,
  'incident.resolved': (d) =>
    `Incident resolved${suffix(': ', d.resolution)}${suffix(' (root cause: ', d.rootCause)}${d.rootCause ? ')' : ''}`,
  'checklist.item': (d) => `Checklist ${str(d.checklist)}: ${str(d.item)} ${d.done === false ? 'unticked' : 'ticked'} by hand`,
  'incident.closed': (d) => `Incident closed without resolution: ${str(d.reason)}`,
  'incident.discarded': (d) => `Incident discarded (opened by mistake): ${str(d.reason)}`,
  'incident.reopened': () => 'Incident reopened',
  'incident.updated': (d) => {
    const fields = ['impact', 'usersAffected', 'requestsFailed', 'summary', 'title'].filter((k) => typeof d[k] === 'string');
    const flags = [d.dataBreach === true ? 'data breach' : '', d.major === true ? 'major incident' : ''].filter(Boolean);
    return `Incident updated: ${[...fields.map((k) => `${k} ${str(d[k])}`), ...flags].join('; ')}`;
  },
  'severity.changed': (d) => `Severity changed from ${str(d.from) || '?'} to ${str(d.to)}${suffix(': ', d.reason)}`,
  'role.assigned': (d) => `${str(d.person)} assigned as ${str(d.role)}${suffix(' (was ', d.previous)}${d.previous ? ')' : ''}`,
  'escalation.recorded': (d, _e, opts) => {
    const levels = list(d.levels).map((l) => {
      const who = opts.escalationWho?.(l);
      return who ? `${l} (${who})` : l;
    });
    return `Escalated to ${levels.join(', ') || 'nobody'}${suffix(' at ', d.severity)}`;
  },
  'status.update': (d) =>
    `Status update posted: ${str(d.status)}${suffix('; impact: ', d.impact)}${
      d.status === 'Resolved'
        ? '; the last update'
        : suffix('; next due ', typeof d.nextUpdateAt === 'string' ? `${d.nextUpdateAt.slice(11, 16)} UTC` : '')
    }`,
  'note.added': (d, e) => `Note (${e.actor}): ${str(d.text)}${list(d.tags).length ? ` [${list(d.tags).join(', ')}]` : ''}`,
  'milestone.recorded': (d, _e, opts) => `Milestone: ${str(d.name)}${detectedBy(d.by, opts, ' by ')}`,
  'handoff.completed': (d) => `Handoff from ${str(d.from) || '?'} to ${str(d.to) || 'nobody named'}`,
  'action.added': (d) => `Action ${str(d.id)} added: ${str(d.text)} (owner ${str(d.owner)}${suffix(', due ', d.due)})`,
  'action.done': (d) => `Action ${str(d.id)} done`,
  'classification.recorded': (d) => `Classified as ${str(d.severity)}${list(d.reasons).length ? `: ${list(d.reasons).join('; ')}` : ''}`,
  'triage.completed': (d) => {
    const m = Array.isArray(d.matches) ? d.matches.map((x: unknown) => `${str(field(x, 'runbook'))} (${str(field(x, 'severity'))})`) : [];
    return `Triage: ${m.length ? m.join(', ') : d.complete === false ? 'nothing found, but not everything could be checked' : 'nothing wrong'}`;
  },
  'postmortem.scheduled': (d) => `Post-mortem scheduled on ${scheduledOn(str(d.on))}`,
  'postmortem.generated': generic,
  'run.started': (d) => `Runbook ${str(d.runbook)} started${d.mode === 'simulate' ? ` (drill, simulated: ${str(d.scenario)})` : ''}`,
  'run.resumed': (d) => `Runbook ${str(d.runbook)} resumed`,
  'group.started': generic,
  'step.started': (d) => `${str(d.title)} started${d.command ? `: ${str(d.command)}` : ''}`,
  'step.output': generic,
  'step.output.truncated': generic,
  'step.process': (d) => `${str(d.stepId)}: started pid ${str(d.pid)} (group ${str(d.pgid)}): ${str(d.command)}`,
  'step.finished': (d) => `${str(d.title)}: ${str(d.status)}${d.reason ? ` (${str(d.reason)})` : ''}`,
  'step.skipped': (d) => `${str(d.title)}: skipped (${str(d.reason)})`,
  'evidence.preserved': (d) => `Evidence preserved unaltered: ${str(d.path)} (${str(d.bytes)} bytes, sha256 ${str(d.sha256)})`,
  'finding.raised': (d) => `Finding: ${str(d.message)}`,
  'manual.confirmed': (d) => `${str(d.title)}: confirmed${d.observation ? ` — ${str(d.observation)}` : ''}`,
  'manual.skipped': (d) => `${str(d.title)}: not confirmed (${str(d.reason)})`,
  'prompt.answered': (d) => `${str(d.input)} = ${str(d.value)} (${str(d.source)})`,
  'mitigation.proposed': (d) => `Mitigation proposed: ${str(d.title)}${d.command ? ` — ${str(d.command)}` : ''}`,
  // The engine's reasons may already start with "not run:".
  'mitigation.declined': (d) => `Mitigation ${str(d.mitigationId)} not run: ${str(d.reason).replace(/^not run:\s*/, '')}`,
  'mitigation.approved': (d, e) =>
    `Mitigation ${str(d.mitigationId)} approved by ${e.actor} (${d.how === 'typed-yes' ? 'typed yes' : str(d.how)})`,
  'mitigation.finished': (d) =>
    `Mitigation ${str(d.mitigationId)} ${str(d.status)}${d.manual === true ? ' (done by hand)' : ''}${suffix(': ', d.reason)}`,
  'mitigation.verified': (d) => `Mitigation ${str(d.mitigationId)} verified by ${str(d.stepId)}: ${str(d.status)}`,
  'run.interrupted': (d) => `Run interrupted (${list(d.stepIds).join(', ')}): ${str(d.choice)}`,
  'run.finished': (d) => {
    const unchecked = list(d.uncheckedSteps).length;
    return `Runbook ${str(d.runbook)} finished: ${str(d.outcome)}, ${str(d.findings)} finding(s)${unchecked ? `, ${unchecked} check(s) could not see the system` : ''}`;
  },
  'run.aborted': (d) => `Runbook ${str(d.runbook)} aborted: ${str(d.reason)}`,
};

/** Types the store writes outside the catalogue (store.ts sets a torn line aside). */
const BY_TYPE = new Map<string, Describer>([
  ...Object.entries(DESCRIBE),
  ['timeline.torn_line_set_aside', (d) => `An incomplete timeline line (${str(d.bytes)} bytes) was moved to ${str(d.movedTo)}`],
]);

/** One line saying what happened; a type this version does not know (a newer writer's) by its text, else its type. */
export function describeEvent(e: TimelineEvent, opts: DescribeOptions = {}): string {
  return (BY_TYPE.get(e.type) ?? generic)(e.data, e, opts);
}

/**
 * When an event happened: `data.at` (`--at`), a declaration's `data.openedAt`, else when it was
 * written (`ts`).
 */
export function happenedAt(e: TimelineEvent): string {
  const d = e.data;
  if (e.type === 'incident.opened' && typeof d.openedAt === 'string') return d.openedAt;
  return typeof d.at === 'string' ? d.at : e.ts;
}

/**
 * When an event recorded after the fact happened (`--at`: data.at; a backdated declaration:
 * data.openedAt), or undefined when it happened as it was written (within a minute of `ts`).
 */
export function happenedEarlier(e: TimelineEvent): string | undefined {
  const given = typeof e.data.at === 'string' ? e.data.at : e.type === 'incident.opened' ? e.data.openedAt : undefined;
  if (typeof given !== 'string') return undefined;
  const t = Date.parse(given);
  return Number.isNaN(t) || Math.abs(Date.parse(e.ts) - t) < 60_000 ? undefined : given;
}

/** A post-mortem's scheduled day (YYYY-MM-DD) or time (ISO 8601) as people read it. */
export function scheduledOn(on: string): string {
  return /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(on) ? `${on.slice(0, 16).replace('T', ' ')} UTC` : on;
}
