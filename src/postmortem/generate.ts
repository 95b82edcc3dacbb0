/**
 * The post-mortem (§8.1 template), filled from the timeline. Pure and deterministic: the same
 * timeline gives the same document (no clock is read; "as of" is the last event).
 *
 * Just over 400 lines: one document, written top to bottom in the §8.1 template's order.
 */
import { incidentStart, phaseNamed, postmortemRequirement, responseDeadline } from '../incident/decisions.js';
import { isEvidence, type JudgedFinding } from '../incident/findings.js';
import type { PhaseId, Policy } from '../incident/policy.js';
import type { IncidentState } from '../incident/state.js';
import { notVerified } from '../incident/status-update.js';
import { recordLine, type TimelineEvent } from '../timeline/event.js';
import { describeEvent, happenedAt, scheduledOn, type DescribeOptions } from '../timeline/describe.js';
import { deviations, type Deviation } from './deviations.js';
import { block, cell, fenced, inline } from './markdown.js';
import { field, stringField } from '../guards.js';

export { isSignificant, SIGNIFICANT } from './significant.js';

/** One row of the post-mortem's timeline table. */
export interface TimelineRow {
  /** When it happened: `data.at` (backdated), an opening's `openedAt`, else when it was recorded. */
  at: string;
  seq: number;
  text: string;
  /** When it was written, set only when that is well after it happened (see RECORDED_LATE_MS). */
  recordedAt?: string;
  /** Set for untagged notes: long runs of them by one author are folded into one row. */
  noteBy?: string;
}

/** Runs longer than this of untagged notes by one author are folded (the full record stays in the timeline). */
const NOTE_RUN_LIMIT = 20;

/** Keeps the first notes of each long run of untagged notes by one author and folds the rest into one row. */
export function foldNoteRuns(rows: TimelineRow[]): TimelineRow[] {
  const out: TimelineRow[] = [];
  for (let i = 0; i < rows.length;) {
    const r = rows[i];
    if (!r) break; // i < rows.length
    let j = i;
    if (r.noteBy !== undefined) while (j + 1 < rows.length && rows[j + 1]?.noteBy === r.noteBy) j++;
    const run = j - i + 1;
    // A run longer than the limit has a fourth row and a last one.
    const fourth = rows[i + 3];
    const last = rows[j];
    if (run > NOTE_RUN_LIMIT && fourth && last) {
      out.push(...rows.slice(i, i + 3));
      out.push({
        at: fourth.at,
        seq: fourth.seq,
        text: `… ${run - 3} more notes by ${r.noteBy} until ${last.at.slice(11, 16)} UTC (all in the timeline: bud-incident timeline)`,
      });
    } else out.push(...rows.slice(i, j + 1));
    i = j + 1;
  }
  return out;
}

/** A row written more than this after the time it gives is marked "recorded later" (a backdated entry). */
export const RECORDED_LATE_MS = 5 * 60_000;

/** How the policy names the escalation levels, for rows that say who was engaged. */
export function describeOptions(policy: Policy): DescribeOptions {
  const who = new Map(policy.escalation.map((l) => [l.level, l.who]));
  return { escalationWho: (level) => who.get(level), detectionName: (source) => policy.detection[source] };
}

/** The row for a significant event (callers stream events through this instead of keeping them). */
export function timelineRow(e: TimelineEvent, opts: DescribeOptions = {}): TimelineRow {
  const d = e.data;
  const untaggedNote = e.type === 'note.added' && !(Array.isArray(d.tags) && d.tags.length);
  // When it happened: an incident declared with --at was opened then, whenever the command ran.
  const at = happenedAt(e);
  const late = Date.parse(e.ts) - Date.parse(at) > RECORDED_LATE_MS;
  return { at, seq: e.seq, text: eventText(e, opts), ...(late ? { recordedAt: e.ts } : {}), ...(untaggedNote ? { noteBy: e.actor } : {}) };
}

export interface PostmortemInput {
  policy: Policy;
  state: IncidentState;
  /** The rows of the significant events (see timelineRow), in any order. */
  rows: TimelineRow[];
  /** Every finding with its verdict (FindingLedger over the same timeline). */
  findings: JudgedFinding[];
  checklistGaps: Array<{ checklist: string; items: string[] }>;
  author?: string;
}

const toFill = (what: string) => `_To fill in: ${what} (not recorded in the timeline)_`;
const time = (iso: string) => iso.slice(0, 16).replace('T', ' ');
const hm = (iso: string) => iso.slice(11, 16);

/** hh:mm of a span; a negative one keeps its sign (a time before the start is shown, not hidden as 00:00). */
function duration(ms: number): string {
  const m = Math.round(Math.abs(ms) / 60_000);
  return `${ms < 0 && m ? '-' : ''}${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

function eventText(e: TimelineEvent, opts: DescribeOptions): string {
  const d = e.data;
  const text = describeEvent(e, opts);
  if (e.type === 'finding.raised') {
    const artifact = field(d.evidence, 'artifact');
    const path = stringField(artifact, 'path');
    const sha256 = stringField(artifact, 'sha256');
    return `${text}${path !== undefined && sha256 !== undefined ? ` (evidence \`${path}\`, sha256 \`${sha256.slice(0, 16)}…\`)` : ''}`;
  }
  return text;
}

/** What a finding's row adds when it is not simply a finding that stands. */
function verdictNote(f: JudgedFinding): string {
  if (f.verdict === 'stands') return '';
  if (f.verdict === 'fixed') return ` — ${f.why}`;
  const label = f.verdict === 'drill' ? 'a drill' : f.verdict === 'refuted' ? 'refuted' : 'could not check';
  return ` — not a cause (${label}): ${f.why}`;
}

/** "(recorded later, 11:12)", with the date when it was written on another day. */
function recordedLater(r: TimelineRow): string {
  if (!r.recordedAt) return '';
  return ` (recorded later, ${r.recordedAt.slice(0, 10) === r.at.slice(0, 10) ? hm(r.recordedAt) : time(r.recordedAt)})`;
}

/** Phases for the Mermaid diagram, from the milestones, named as the policy words them (§2.1). */
function phases(policy: Policy, state: IncidentState, start: string, end: string): Array<{ name: string; from: string; to: string }> {
  const m = state.milestones;
  const points: Array<[PhaseId, string | undefined]> = [
    ['triage', start],
    ['investigation', m.acknowledged?.at],
    ['mitigation', m.identified?.at ?? state.mitigations[0]?.at],
    ['resolution', m.mitigated?.at],
  ];
  // A Mermaid task name ends at a colon; "Triage (15 min)" is drawn as "Triage".
  const name = (id: PhaseId) =>
    phaseNamed(policy, id)
      .title.replace(/\s*\(.*\)\s*$/, '')
      .replace(/[:#;]/g, ' ')
      .trim() || id;
  const present = points
    .filter((p): p is [PhaseId, string] => Boolean(p[1]))
    .map(([id, at]): [string, string] => [name(id), new Date(at).toISOString()])
    .sort((a, b) => a[1].localeCompare(b[1]));
  return present.map(([n, from], i) => ({ name: n, from, to: present[i + 1]?.[1] ?? end })).filter((p) => p.to > p.from);
}

export interface Postmortem {
  markdown: string;
  data: Record<string, unknown>;
}

export function generatePostmortem(input: PostmortemInput): Postmortem {
  const { policy, state } = input;
  // Every clock in the document runs from this one start: detection (the earliest of detected and declared).
  const start = incidentStart(state).toISOString();
  const asOf = state.lastTs || state.openedAt;
  const end = state.resolvedAt ?? asOf;
  const resolved = state.status === 'resolved';
  const pm = postmortemRequirement(policy, state.severity, state.resolvedAt ? new Date(state.resolvedAt) : undefined);
  const author = input.author ?? state.roles.scribe ?? state.roles.commander ?? (state.openedBy || 'unknown');
  const devs: Deviation[] = deviations(policy, state, input.checklistGaps);
  const notesTagged = (tag: string) => state.notes.filter((n) => n.tags.includes(tag));
  const rootCauseNotes = notesTagged('root-cause');
  const missing: string[] = [];
  if (!resolved) missing.push('the incident is not resolved yet (bud-incident resolve)');
  if (!state.rootCause && !rootCauseNotes.length) missing.push('root cause');
  if (!state.usersAffected && !state.impact) missing.push('impact');
  const o: string[] = [];
  /** hh:mm on the day of the start, else the date too. */
  const sameDay = (iso: string) => (new Date(iso).toISOString().slice(0, 10) === start.slice(0, 10) ? hm(iso) : time(iso));

  o.push(`# Post-Mortem${state.drill ? ' (DRILL)' : ''}: ${inline(state.title)}`, '');
  o.push(`**Date:** ${start.slice(0, 10)}  `);
  o.push(
    `**Duration:** ${duration(new Date(end).getTime() - new Date(start).getTime())} (detection ${hm(start)} UTC → ${resolved ? `resolution ${sameDay(end)}` : `ongoing as of ${sameDay(asOf)}`} UTC)  `,
  );
  const how = state.detectedBy;
  o.push(
    `**Detected:** ${time(start)} UTC${how ? ` by ${inline(`${policy.detection[how.source] ?? how.source}${how.detail ? ` (${how.detail})` : ''}`)}` : `; how: ${toFill(`how it was detected (bud-incident milestone detected --by ${Object.keys(policy.detection).join('|')})`)}`}  `,
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
    `**Post-mortem:** ${pm.requirement} for ${state.severity}${pm.requirement === 'not required' ? '' : pm.dueAt ? `, due ${time(pm.dueAt.toISOString())} UTC` : pm.within ? ` (within ${pm.within} of resolution)` : ''}${state.postmortemScheduledOn ? `; scheduled for ${inline(scheduledOn(state.postmortemScheduledOn))}` : '; not scheduled yet (bud-incident postmortem schedule --on DATE)'}`,
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
  // From the recorded impact fields only: an organisation's own update template may have no "Impact" line at all.
  const impactSource = { declared: 'As declared', 'status-update': 'Reported in the status update of', updated: 'Updated at' };
  for (const i of state.impactHistory)
    o.push(`- ${impactSource[i.source]}${i.source === 'declared' ? '' : ` ${hm(i.at)} UTC`}: ${inline(i.impact)}`);
  for (const n of notesTagged('impact')) o.push(`- ${inline(n.text)}`);
  o.push('');

  o.push('## Milestones', '', `Times are measured from detection, ${time(start)} UTC.`, '');
  o.push('| Milestone | Time (UTC) | Since detection |', '|---|---|---|');
  const order = ['detected', 'declared', 'acknowledged', 'investigating', 'identified', 'mitigated', 'resolved'];
  const ms = Object.entries(state.milestones).sort(
    (a, b) => Date.parse(a[1].at) - Date.parse(b[1].at) || order.indexOf(a[0]) - order.indexOf(b[0]),
  );
  for (const [name, m] of ms)
    o.push(`| ${cell(name)} | ${time(m.at)} | ${duration(new Date(m.at).getTime() - new Date(start).getTime())} |`);
  o.push('');
  const rd = responseDeadline(policy, state);
  const since = (name: string) =>
    state.milestones[name] ? duration(new Date(state.milestones[name].at).getTime() - new Date(start).getTime()) : 'not reached';
  o.push(
    `- Time to acknowledge: ${since('acknowledged')} (response time for ${rd.severity}: ${rd.responseTime}${rd.severity !== state.severity ? `, the severity it had then` : ''})`,
  );
  o.push(`- Time to mitigate: ${since('mitigated')}`);
  o.push(`- Time to resolve: ${since('resolved')}`, '');

  o.push('## Timeline', '', '| Time (UTC) | Event |', '|---|---|');
  // In the order things happened (a backdated entry where it happened), in the order recorded when at the same time.
  input.rows.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.seq - b.seq);
  const judged = new Map(input.findings.map((f) => [f.seq, f]));
  const rows = foldNoteRuns(input.rows).map((r) => {
    const f = judged.get(r.seq);
    return f && r.text.startsWith('Finding') ? { ...r, text: r.text + verdictNote(f) } : r;
  });
  for (const r of rows) o.push(`| ${sameDay(r.at)} | ${cell(r.text + recordedLater(r))} |`);
  o.push('');
  const ph = phases(policy, state, start, end);
  if (ph.length) {
    o.push('```mermaid', 'gantt', `  title ${state.id} (UTC)`, '  dateFormat YYYY-MM-DDTHH:mm:ss', '  axisFormat %H:%M');
    o.push('  section Response');
    ph.forEach((p, i) => o.push(`  ${p.name} :p${i}, ${p.from.slice(0, 19)}, ${p.to.slice(0, 19)}`));
    o.push('```', '');
  }

  o.push('## Root Cause', '');
  // Only what the responders confirmed. A runbook's finding is evidence, not a cause. `resolve --root-cause` is THE
  // root cause: notes tagged root-cause before it were what people thought at the time (a hypothesis may have been
  // abandoned), shown apart with their times and authors. Without it, those notes are the confirmed root cause.
  if (state.rootCause) {
    o.push(...block(state.rootCause));
    if (rootCauseNotes.length)
      o.push(
        '',
        'Notes tagged root-cause during the incident (hypotheses at the time, not the confirmed cause):',
        '',
        ...rootCauseNotes.map((n) => `- ${sameDay(n.at)} UTC, ${inline(n.actor)}: ${inline(n.text)}`),
      );
  } else if (rootCauseNotes.length)
    o.push(
      'As the responders recorded it (notes tagged root-cause):',
      '',
      ...rootCauseNotes.map((n) => `- ${inline(n.text)} (${inline(n.actor)}, ${hm(n.at)})`),
    );
  else
    o.push(
      '**Not confirmed** — record it with `bud-incident resolve --root-cause "..."` or a note tagged root-cause (`bud-incident note "..." --tag root-cause`).',
    );
  o.push('');
  const findingLine = (f: JudgedFinding) =>
    `- ${f.simulated ? '[simulated] ' : ''}${inline(f.message)} (${inline(f.runbook || 'runbook')}${f.cause ? `, pointed to ${inline(f.cause)}` : ''}, ${hm(f.at)} UTC)`;
  const evidence = input.findings.filter(isEvidence);
  if (evidence.length)
    o.push(
      '',
      'What the runbooks found (evidence, not by itself the cause):',
      '',
      ...evidence.map((f) => findingLine(f) + (f.why ? ` — ${f.why}` : '')),
    );
  const notCauses = input.findings.filter((f) => f.verdict === 'refuted' || f.verdict === 'unchecked');
  if (notCauses.length) o.push('', 'Not causes:', '', ...notCauses.map((f) => `${findingLine(f)} — ${f.why}`));
  const drills = input.findings.filter((f) => f.verdict === 'drill').length;
  if (drills)
    o.push(
      '',
      `${drills} finding(s) from drills (\`--simulate\`) are left out: a rehearsal's replayed output says nothing about this incident.`,
    );
  o.push('');

  o.push('## Resolution', '');
  o.push(...(state.resolution ? block(state.resolution) : [toFill('resolution (bud-incident resolve --resolution)')]));
  const applied = state.mitigations.filter((m) => m.status === 'passed');
  if (applied.length)
    o.push(
      '',
      ...applied.map((m) => {
        const problem = notVerified(m);
        return `- Mitigation \`${m.mitigationId}\`${m.runbook ? ` (${m.runbook})` : ''} applied at ${hm(m.at)} UTC${problem ? ` — did not verify: ${problem}` : ''}`;
      }),
    );
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
      postmortem: {
        required: pm.required,
        requirement: pm.requirement,
        dueAt: pm.dueAt?.toISOString() ?? null,
        scheduledOn: state.postmortemScheduledOn ?? null,
      },
      milestones: Object.fromEntries(ms.map(([k, v]) => [k, v.at])),
      rootCause: state.rootCause ?? null,
      rootCauseNotes: rootCauseNotes.map((n) => ({ text: n.text, by: n.actor, at: n.at })),
      /** With `resolve --root-cause`, the tagged notes are hypotheses of their time; without it, they are the root cause. */
      rootCauseNotesAre: state.rootCause ? 'hypotheses' : 'the root cause',
      findings: input.findings
        .filter((f) => f.verdict !== 'drill')
        .map((f) => ({ message: f.message, runbook: f.runbook, cause: f.cause ?? null, at: f.at, verdict: f.verdict, why: f.why ?? null })),
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
