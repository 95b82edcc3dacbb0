/**
 * One-line, human descriptions of timeline events, for `timeline` and the post-mortem. Each says
 * what happened, not only its type: which milestone, the severity it changed from and to, who was
 * assigned to which role, which levels were escalated (to whom, when the policy is given), how a
 * mitigation ended, the status of an update.
 */
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

export function describeEvent(e: TimelineEvent, opts: DescribeOptions = {}): string {
  const d = e.data;
  switch (e.type) {
    case 'incident.opened':
      return `${d.drill === true ? 'Drill' : 'Incident'} opened: ${str(d.title)} (${str(d.severity)}), channel ${str(d.channel)}${suffix(', commander ', d.commander)}${detectedBy(d.detectedBy, opts, ', detected by ')}`;
    case 'incident.resolved':
      return `Incident resolved${suffix(': ', d.resolution)}${suffix(' (root cause: ', d.rootCause)}${d.rootCause ? ')' : ''}`;
    case 'checklist.item':
      return `Checklist ${str(d.checklist)}: ${str(d.item)} ${d.done === false ? 'unticked' : 'ticked'} by hand`;
    case 'incident.closed':
      return `Incident closed without resolution: ${str(d.reason)}`;
    case 'incident.discarded':
      return `Incident discarded (opened by mistake): ${str(d.reason)}`;
    case 'incident.reopened':
      return 'Incident reopened';
    case 'incident.updated': {
      const fields = ['impact', 'usersAffected', 'requestsFailed', 'summary', 'title'].filter((k) => typeof d[k] === 'string');
      const flags = [d.dataBreach === true ? 'data breach' : '', d.major === true ? 'major incident' : ''].filter(Boolean);
      return `Incident updated: ${[...fields.map((k) => `${k} ${str(d[k])}`), ...flags].join('; ')}`;
    }
    case 'severity.changed':
      return `Severity changed from ${str(d.from) || '?'} to ${str(d.to)}${suffix(': ', d.reason)}`;
    case 'role.assigned':
      return `${str(d.person)} assigned as ${str(d.role)}${suffix(' (was ', d.previous)}${d.previous ? ')' : ''}`;
    case 'escalation.recorded': {
      const levels = list(d.levels).map((l) => {
        const who = opts.escalationWho?.(l);
        return who ? `${l} (${who})` : l;
      });
      return `Escalated to ${levels.join(', ') || 'nobody'}${suffix(' at ', d.severity)}`;
    }
    case 'status.update':
      return `Status update posted: ${str(d.status)}${suffix('; impact: ', d.impact)}${
        d.status === 'Resolved'
          ? '; the last update'
          : suffix('; next due ', typeof d.nextUpdateAt === 'string' ? `${d.nextUpdateAt.slice(11, 16)} UTC` : '')
      }`;
    case 'note.added':
      return `Note (${e.actor}): ${str(d.text)}${list(d.tags).length ? ` [${list(d.tags).join(', ')}]` : ''}`;
    case 'milestone.recorded':
      return `Milestone: ${str(d.name)}${detectedBy(d.by, opts, ' by ')}`;
    case 'handoff.completed':
      return `Handoff from ${str(d.from) || '?'} to ${str(d.to) || 'nobody named'}`;
    case 'action.added':
      return `Action ${str(d.id)} added: ${str(d.text)} (owner ${str(d.owner)}${suffix(', due ', d.due)})`;
    case 'action.done':
      return `Action ${str(d.id)} done`;
    case 'classification.recorded':
      return `Classified as ${str(d.severity)}${list(d.reasons).length ? `: ${list(d.reasons).join('; ')}` : ''}`;
    case 'triage.completed': {
      const m = Array.isArray(d.matches) ? d.matches.map((x: unknown) => `${str(field(x, 'runbook'))} (${str(field(x, 'severity'))})`) : [];
      return `Triage: ${m.length ? m.join(', ') : d.complete === false ? 'nothing found, but not everything could be checked' : 'nothing wrong'}`;
    }
    case 'run.started':
      return `Runbook ${str(d.runbook)} started${d.mode === 'simulate' ? ` (drill, simulated: ${str(d.scenario)})` : ''}`;
    case 'run.resumed':
      return `Runbook ${str(d.runbook)} resumed`;
    case 'step.started':
      return `${str(d.title)} started${d.command ? `: ${str(d.command)}` : ''}`;
    case 'step.process':
      return `${str(d.stepId)}: started pid ${str(d.pid)} (group ${str(d.pgid)}): ${str(d.command)}`;
    case 'step.finished':
      return `${str(d.title)}: ${str(d.status)}${d.reason ? ` (${str(d.reason)})` : ''}`;
    case 'step.skipped':
      return `${str(d.title)}: skipped (${str(d.reason)})`;
    case 'finding.raised':
      return `Finding: ${str(d.message)}`;
    case 'manual.confirmed':
      return `${str(d.title)}: confirmed${d.observation ? ` — ${str(d.observation)}` : ''}`;
    case 'manual.skipped':
      return `${str(d.title)}: not confirmed (${str(d.reason)})`;
    case 'prompt.answered':
      return `${str(d.input)} = ${str(d.value)} (${str(d.source)})`;
    case 'mitigation.proposed':
      return `Mitigation proposed: ${str(d.title)}${d.command ? ` — ${str(d.command)}` : ''}`;
    case 'mitigation.approved':
      return `Mitigation ${str(d.mitigationId)} approved by ${e.actor} (${d.how === 'typed-yes' ? 'typed yes' : str(d.how)})`;
    case 'mitigation.declined':
      // The engine's reasons may already start with "not run:".
      return `Mitigation ${str(d.mitigationId)} not run: ${str(d.reason).replace(/^not run:\s*/, '')}`;
    case 'mitigation.finished':
      return `Mitigation ${str(d.mitigationId)} ${str(d.status)}${d.manual === true ? ' (done by hand)' : ''}${suffix(': ', d.reason)}`;
    case 'evidence.preserved':
      return `Evidence preserved unaltered: ${str(d.path)} (${str(d.bytes)} bytes, sha256 ${str(d.sha256)})`;
    case 'mitigation.verified':
      return `Mitigation ${str(d.mitigationId)} verified by ${str(d.stepId)}: ${str(d.status)}`;
    case 'postmortem.scheduled':
      return `Post-mortem scheduled on ${scheduledOn(str(d.on))}`;
    case 'run.interrupted':
      return `Run interrupted (${list(d.stepIds).join(', ')}): ${str(d.choice)}`;
    case 'run.finished': {
      const unchecked = list(d.uncheckedSteps).length;
      return `Runbook ${str(d.runbook)} finished: ${str(d.outcome)}, ${str(d.findings)} finding(s)${unchecked ? `, ${unchecked} check(s) could not see the system` : ''}`;
    }
    case 'run.aborted':
      return `Runbook ${str(d.runbook)} aborted: ${str(d.reason)}`;
    case 'timeline.torn_line_set_aside':
      return `An incomplete timeline line (${str(d.bytes)} bytes) was moved to ${str(d.movedTo)}`;
    default: {
      const text = d.text ?? d.message ?? d.title;
      return text !== undefined ? `${e.type}: ${str(text)}` : e.type;
    }
  }
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
