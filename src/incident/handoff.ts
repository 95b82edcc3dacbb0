/**
 * The handoff summary (`handoff`): where the incident stands and what happened since the last
 * handoff, as lines. Pure: a function of the policy, the state, its events and the time of the handoff.
 */
import { elapsed, hhmm } from '../time-text.js';
import type { TimelineEvent } from '../timeline/event.js';
import { incidentStart } from './decisions.js';
import { findingLine, isEvidence, judgeFindings } from './findings.js';
import type { Policy } from './policy.js';
import type { IncidentState } from './state.js';
import { notVerified } from './status-update.js';
import { statusOf } from './status-of.js';

/**
 * The handoff summary: where the incident stands and what happened since the last handoff. Its
 * findings are judged as in `status` (findings.ts): those that stand or were fixed are findings;
 * refuted, could-not-check and drill ones are listed apart, labelled, never as facts.
 */
export function handoffSummary(policy: Policy, state: IncidentState, now: Date, events: TimelineEvent[]): string[] {
  const judged = judgeFindings(events);
  const s = statusOf(policy, state, now, judged);
  const last = state.handoffs[state.handoffs.length - 1];
  const since = last ? events.filter((e) => e.seq > last.seq) : events;
  const count = (t: string) => since.filter((e) => e.type === t).length;
  const newFindings = last ? judged.filter((f) => f.seq > last.seq) : judged;
  const evidence = newFindings.filter(isEvidence);
  const setAside = newFindings.filter((f) => !isEvidence(f));
  const lines = [
    `Handoff: ${state.id} — ${state.title}`,
    `Status: ${state.severity}, ${s.status}, phase ${s.phaseNamed.title}, ${elapsed(incidentStart(state), now)} since ${hhmm(incidentStart(state))} UTC`,
    `Roles: ${
      Object.entries(state.roles)
        .map(([r, p]) => `${r} ${p}`)
        .join(', ') || 'none assigned'
    }`,
    '',
    `Since ${last ? `the last handoff (${hhmm(new Date(last.at))} UTC, ${last.from} → ${last.to})` : 'the start'}: ${evidence.length} finding(s)${setAside.length ? ` (and ${setAside.length} set aside)` : ''}, ${count('mitigation.finished')} mitigation(s) run, ${count('status.update')} status update(s), ${count('severity.changed')} severity change(s), ${count('note.added')} note(s)`,
  ];
  for (const f of evidence.slice(-5)) lines.push(`  • finding: ${findingLine(f, 200)}`);
  for (const f of setAside.slice(-5)) lines.push(`  • set aside, not a fact about the system: ${findingLine(f, 200)}`);
  for (const e of since.filter((x) => x.type === 'note.added').slice(-5)) lines.push(`  • note: ${String(e.data.text).slice(0, 200)}`);
  for (const e of since.filter((x) => x.type === 'mitigation.finished')) {
    const m = state.mitigations.find((x) => x.seq === e.seq);
    const problem = m && m.status === 'passed' ? notVerified(m) : undefined;
    lines.push(
      `  • mitigation ${String(e.data.mitigationId)}: ${String(e.data.status)}${problem ? `, but did not verify: ${problem}` : ''}`,
    );
  }
  const open = [...state.actions.values()].filter((a) => !a.doneAt);
  lines.push(
    '',
    `Open actions (${open.length}):`,
    ...(open.length ? open.map((a) => `  • ${a.id} ${a.text} (${a.owner}${a.due ? `, due ${a.due}` : ''})`) : ['  none']),
  );
  const next: string[] = [];
  for (const l of s.escalation.due.filter((x) => !x.done))
    next.push(`escalate to ${l.level} ${l.who} (${l.contact}) — due since ${hhmm(new Date(l.dueAt))} UTC`);
  if (s.nextUpdate) next.push(`status update ${s.nextUpdate.overdue ? 'OVERDUE since' : 'due'} ${hhmm(new Date(s.nextUpdate.dueAt))} UTC`);
  if (s.escalation.next) next.push(`${s.escalation.next.level} ${s.escalation.next.who} at ${hhmm(new Date(s.escalation.next.at))} UTC`);
  const lastRun = [...state.runs.values()].at(-1);
  if (lastRun && lastRun.outcome === 'aborted') next.push(`finish the interrupted run: bud-incident run ${lastRun.runbook} --resume`);
  if (state.status === 'resolved') next.push('write the post-mortem: bud-incident postmortem generate');
  lines.push('', 'Next steps:', ...(next.length ? next.map((n) => `  • ${n}`) : ['  • keep monitoring']));
  return lines;
}
