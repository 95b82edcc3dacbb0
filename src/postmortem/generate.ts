/**
 * The post-mortem (§8.1 template), filled from the timeline. Pure and deterministic: the same
 * timeline gives the same document (no clock is read; "as of" is the last event).
 */
import { incidentStart, postmortemRequirement } from '../incident/decisions.js';
import type { Policy } from '../incident/policy.js';
import type { IncidentState } from '../incident/state.js';
import { recordLine, type TimelineEvent } from '../timeline/event.js';
import { describeEvent, str } from '../timeline/describe.js';
import { deviations, type Deviation } from './deviations.js';
import { block, cell, fenced, inline } from './markdown.js';

/** Events that belong in the post-mortem's timeline table (not every step start). */
const SIGNIFICANT = new Set([
  'incident.opened',
  'severity.changed',
  'role.assigned',
  'finding.raised',
  'mitigation.approved',
  'mitigation.finished',
  'mitigation.declined',
  'status.update',
  'escalation.recorded',
  'note.added',
  'milestone.recorded',
  'handoff.completed',
  'incident.resolved',
  'incident.reopened',
  'run.started',
  'run.finished',
  'run.aborted',
  'triage.completed',
  'classification.recorded',
  'action.added',
  'action.done',
]);

/** One row of the post-mortem's timeline table. */
export interface TimelineRow {
  at: string;
  seq: number;
  text: string;
  /** Set for untagged notes: long runs of them by one author are folded into one row. */
  noteBy?: string;
}

/** Runs longer than this of untagged notes by one author are folded (the full record stays in the timeline). */
const NOTE_RUN_LIMIT = 20;

/** Keeps the first notes of each long run of untagged notes by one author and folds the rest into one row. */
export function foldNoteRuns(rows: TimelineRow[]): TimelineRow[] {
  const out: TimelineRow[] = [];
  for (let i = 0; i < rows.length;) {
    const r = rows[i]!;
    let j = i;
    if (r.noteBy !== undefined) while (j + 1 < rows.length && rows[j + 1]!.noteBy === r.noteBy) j++;
    const run = j - i + 1;
    if (run > NOTE_RUN_LIMIT) {
      out.push(...rows.slice(i, i + 3));
      const last = rows[j]!;
      out.push({
        at: rows[i + 3]!.at,
        seq: rows[i + 3]!.seq,
        text: `… ${run - 3} more notes by ${r.noteBy} until ${last.at.slice(11, 16)} UTC (all in the timeline: bud-incident timeline)`,
      });
    } else out.push(...rows.slice(i, j + 1));
    i = j + 1;
  }
  return out;
}

/** The row for a significant event (callers stream events through this instead of keeping them). */
export function timelineRow(e: TimelineEvent): TimelineRow {
  const d = e.data as { at?: unknown; tags?: unknown };
  const untaggedNote = e.type === 'note.added' && !(Array.isArray(d.tags) && d.tags.length);
  return { at: typeof d.at === 'string' ? d.at : e.ts, seq: e.seq, text: eventText(e), ...(untaggedNote ? { noteBy: e.actor } : {}) };
}

export interface PostmortemInput {
  policy: Policy;
  state: IncidentState;
  /** The rows of the significant events (see timelineRow), in any order. */
  rows: TimelineRow[];
  checklistGaps: Array<{ checklist: string; items: string[] }>;
  author?: string;
}

export function isSignificant(e: TimelineEvent): boolean {
  return SIGNIFICANT.has(e.type);
}

const toFill = (what: string) => `_To fill in: ${what} (not recorded in the timeline)_`;
const time = (iso: string) => iso.slice(0, 16).replace('T', ' ');
const hm = (iso: string) => iso.slice(11, 16);

function duration(ms: number): string {
  const m = Math.max(0, Math.round(ms / 60_000));
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

function eventText(e: TimelineEvent): string {
  const d = e.data;
  if (e.type === 'finding.raised') {
    const a = (d.evidence as { artifact?: { path: string; sha256: string } } | undefined)?.artifact;
    return `Finding: ${str(d.message)}${a ? ` (evidence \`${a.path}\`, sha256 \`${a.sha256.slice(0, 16)}…\`)` : ''}`;
  }
  if (e.type === 'status.update') return `Status update posted: ${str(d.status)}`;
  if (e.type === 'note.added')
    return `Note (${e.actor}): ${str(d.text)}${Array.isArray(d.tags) && d.tags.length ? ` [${(d.tags as string[]).join(', ')}]` : ''}`;
  if (e.type === 'role.assigned') return `${str(d.person)} is ${str(d.role)}${d.previous ? ` (was ${str(d.previous)})` : ''}`;
  if (e.type === 'escalation.recorded') return `Escalated: ${(d.levels as string[]).join(', ')}`;
  if (e.type === 'severity.changed') return `Severity ${str(d.from)} → ${str(d.to)}: ${str(d.reason ?? '')}`;
  if (e.type === 'incident.resolved') return `Resolved: ${str(d.resolution ?? '')}`;
  if (e.type === 'milestone.recorded') return `Milestone: ${str(d.name)}`;
  if (e.type === 'handoff.completed') return `Handoff ${str(d.from)} → ${str(d.to || '?')}`;
  if (e.type === 'action.added') return `Action ${str(d.id)} added: ${str(d.text)} (${str(d.owner)})`;
  if (e.type === 'triage.completed') {
    const m = (d.matches as Array<{ runbook: string; severity: string }> | undefined) ?? [];
    return `Triage: ${m.length ? m.map((x) => `${x.runbook} (${x.severity})`).join(', ') : 'nothing wrong'}`;
  }
  return describeEvent(e);
}

/** Phases for the Mermaid diagram, from the milestones. */
function phases(state: IncidentState, end: string): Array<{ name: string; from: string; to: string }> {
  const m = state.milestones;
  const start = state.detectedAt || state.openedAt;
  const points: Array<[string, string | undefined]> = [
    ['Triage', start],
    ['Investigation', m.acknowledged?.at],
    ['Mitigation', m.identified?.at ?? state.mitigations[0]?.at],
    ['Monitoring', m.mitigated?.at],
  ];
  const present = points.filter((p): p is [string, string] => Boolean(p[1])).sort((a, b) => a[1].localeCompare(b[1]));
  return present.map(([name, from], i) => ({ name, from, to: present[i + 1]?.[1] ?? end })).filter((p) => p.to > p.from);
}

export interface Postmortem {
  markdown: string;
  data: Record<string, unknown>;
}

export function generatePostmortem(input: PostmortemInput): Postmortem {
  const { policy, state } = input;
  const start = incidentStart(state).toISOString();
  const asOf = state.lastTs || state.openedAt;
  const end = state.resolvedAt ?? asOf;
  const resolved = state.status === 'resolved';
  const pm = postmortemRequirement(policy, state.severity, state.resolvedAt ? new Date(state.resolvedAt) : undefined);
  const author = input.author ?? state.roles.scribe ?? state.roles.commander ?? (state.openedBy || 'unknown');
  const devs: Deviation[] = deviations(policy, state, input.checklistGaps);
  const notesTagged = (tag: string) => state.notes.filter((n) => n.tags.includes(tag));
  const missing: string[] = [];
  if (!resolved) missing.push('the incident is not resolved yet (bud-incident resolve)');
  if (!state.rootCause) missing.push('root cause');
  if (!state.usersAffected && !state.impact) missing.push('impact');
  const o: string[] = [];

  o.push(`# Post-Mortem${state.drill ? ' (DRILL)' : ''}: ${inline(state.title)}`, '');
  o.push(`**Date:** ${start.slice(0, 10)}  `);
  o.push(
    `**Duration:** ${duration(new Date(end).getTime() - new Date(start).getTime())}${resolved ? '' : ` (ongoing as of ${time(asOf)} UTC)`}  `,
  );
  const sevChanges = state.severityHistory.slice(1);
  o.push(
    `**Severity:** ${state.severity}${sevChanges.length ? ` (${state.severityHistory.map((s) => `${s.to} from ${hm(s.at)}`).join(', ')})` : ''}  `,
  );
  o.push(`**Author:** ${inline(author)}  `);
  o.push(`**Status:** Draft  `);
  o.push(`**Incident:** \`${state.id}\` · ${state.channel}  `);
  // The head witness: \`bud-incident timeline verify --head <hash>\` checks the record still holds it.
  o.push(`**${recordLine(state.events, state.head).replace(': ', ':** ')}  `);
  o.push(
    `**Post-mortem:** ${pm.required ? 'required' : 'optional'} for ${state.severity}${pm.dueAt ? `, due ${time(pm.dueAt.toISOString())} UTC` : pm.within ? ` (within ${pm.within} of resolution)` : ''}`,
    '',
  );
  if (missing.length) o.push(`> **Draft — missing:** ${missing.join('; ')}.`, '');

  o.push('## Summary', '');
  o.push(
    `${inline(state.summary ?? state.title)}.${state.rootCause ? ` Root cause: ${inline(state.rootCause)}.` : ''}${state.resolution ? ` Resolved by: ${inline(state.resolution)}.` : ''}`.replace(
      /\.\./g,
      '.',
    ),
    '',
  );

  o.push('## Impact', '');
  o.push(
    `- Users affected: ${state.usersAffected !== undefined ? inline(state.usersAffected) : toFill('users affected (bud-incident resolve --users-affected N)')}`,
  );
  o.push(
    `- Requests failed: ${state.requestsFailed !== undefined ? inline(state.requestsFailed) : toFill('requests failed (bud-incident resolve --requests-failed N)')}`,
  );
  o.push(`- Revenue impact: ${toFill('revenue impact, if applicable')}`);
  const reported = state.updates
    .filter((u) => u.message)
    .map((u) => ({ at: u.at, impact: /Current Impact:\n([\s\S]*?)\n\n/.exec(u.message)?.[1]?.replace(/^- /gm, '').replace(/\n/g, '; ') }));
  if (state.impact && !reported.length) o.push(`- As declared: ${inline(state.impact)}`);
  for (const r of reported) if (r.impact) o.push(`- Reported at ${hm(r.at)} UTC: ${inline(r.impact)}`);
  for (const n of notesTagged('impact')) o.push(`- ${inline(n.text)}`);
  o.push('');

  o.push('## Milestones', '', '| Milestone | Time (UTC) | Since start |', '|---|---|---|');
  const order = ['detected', 'declared', 'acknowledged', 'investigating', 'identified', 'mitigated', 'resolved'];
  const ms = Object.entries(state.milestones).sort((a, b) => a[1].at.localeCompare(b[1].at) || order.indexOf(a[0]) - order.indexOf(b[0]));
  for (const [name, m] of ms)
    o.push(`| ${cell(name)} | ${time(m.at)} | ${duration(new Date(m.at).getTime() - new Date(start).getTime())} |`);
  o.push('');
  const since = (name: string) =>
    state.milestones[name] ? duration(new Date(state.milestones[name].at).getTime() - new Date(start).getTime()) : 'not reached';
  o.push(
    `- Time to acknowledge: ${since('acknowledged')} (response time for ${state.severity}: ${policy.severities[state.severity as 'SEV1']?.responseTime ?? '?'})`,
  );
  o.push(`- Time to mitigate: ${since('mitigated')}`);
  o.push(`- Time to resolve: ${since('resolved')}`, '');

  o.push('## Timeline', '', '| Time (UTC) | Event |', '|---|---|');
  input.rows.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.seq - b.seq));
  const rows = foldNoteRuns(input.rows);
  for (const r of rows) o.push(`| ${hm(r.at)} | ${cell(r.text)} |`);
  o.push('');
  const ph = phases(state, end);
  if (ph.length) {
    o.push('```mermaid', 'gantt', `  title ${state.id} (UTC)`, '  dateFormat YYYY-MM-DDTHH:mm:ss', '  axisFormat %H:%M');
    o.push('  section Response');
    ph.forEach((p, i) => o.push(`  ${p.name} :p${i}, ${p.from.slice(0, 19)}, ${p.to.slice(0, 19)}`));
    o.push('```', '');
  }

  o.push('## Root Cause', '');
  o.push(...(state.rootCause ? block(state.rootCause) : [toFill('root cause (bud-incident resolve --root-cause)')]));
  for (const n of notesTagged('root-cause')) o.push(`- ${inline(n.text)} (${inline(n.actor)}, ${hm(n.at)})`);
  const causes = [
    ...new Set([...state.runs.values()].flatMap((r) => r.findings.map((f) => f.cause).filter((c): c is string => Boolean(c)))),
  ];
  if (causes.length) o.push('', `Causes the runbooks pointed to: ${inline(causes.join(', '))}.`);
  o.push('');

  o.push('## Resolution', '');
  o.push(...(state.resolution ? block(state.resolution) : [toFill('resolution (bud-incident resolve --resolution)')]));
  const applied = state.mitigations.filter((m) => m.status === 'passed');
  if (applied.length)
    o.push('', ...applied.map((m) => `- Mitigation \`${m.mitigationId}\`${m.runbook ? ` (${m.runbook})` : ''} applied at ${hm(m.at)} UTC`));
  o.push('');

  o.push('## What Went Well', '');
  const well = [...notesTagged('went-well').map((n) => n.text), ...devs.filter((d) => d.good).map((d) => d.text)];
  o.push(...(well.length ? well.map((w) => `- ${inline(w)}`) : [`- ${toFill('what went well (bud-incident note --tag went-well)')}`]), '');

  o.push('## What Went Wrong', '');
  const wrong = [...notesTagged('went-wrong').map((n) => n.text), ...devs.filter((d) => !d.good).map((d) => d.text)];
  o.push(...(wrong.length ? wrong.map((w) => `- ${inline(w)}`) : ['- Nothing recorded']), '');

  o.push('## Action Items', '', '| Action | Owner | Due Date | State |', '|---|---|---|---|');
  const actions = [...state.actions.values()];
  for (const a of actions)
    o.push(
      `| ${cell(`${a.id}: ${a.text}`)} | ${cell(a.owner)} | ${cell(a.due ?? '—')} | ${a.doneAt ? `done ${a.doneAt.slice(0, 10)}` : 'open'} |`,
    );
  if (!actions.length) o.push(`| ${toFill('action items (bud-incident action add)')} | | | |`);
  o.push('');

  o.push('## Lessons Learned', '');
  const lessons = notesTagged('lesson');
  o.push(...(lessons.length ? lessons.map((n) => `- ${inline(n.text)}`) : [toFill('key takeaways (bud-incident note --tag lesson)')]), '');

  o.push('## Communications', '');
  if (!state.updates.length) o.push('No status updates were recorded.', '');
  for (const u of state.updates) o.push(`**${time(u.at)} UTC — ${inline(u.status)}** (${inline(u.actor)})`, '', ...fenced(u.message), '');

  const markdown =
    o
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trimEnd() + '\n';
  return {
    markdown,
    data: {
      incident: state.id,
      title: state.title,
      drill: state.drill,
      severity: state.severity,
      severityHistory: state.severityHistory.map((s) => ({ to: s.to, at: s.at, reason: s.reason ?? null })),
      status: 'Draft',
      resolved,
      missing,
      start,
      end,
      author,
      postmortem: { required: pm.required, dueAt: pm.dueAt?.toISOString() ?? null },
      milestones: Object.fromEntries(ms.map(([k, v]) => [k, v.at])),
      rootCause: state.rootCause ?? null,
      resolution: state.resolution ?? null,
      timeline: rows,
      wentWell: well,
      wentWrong: wrong,
      actions,
      lessons: lessons.map((n) => n.text),
      communications: state.updates.map((u) => ({ at: u.at, status: u.status, message: u.message })),
      record: { events: state.events, head: state.head },
    },
  };
}
