/**
 * `status` and `incidents show`: where the incident stands, folded from its timeline.
 */
import { incidentStart } from '../incident/decisions.js';
import { findingLine, isEvidence } from '../incident/findings.js';
import { statusOf } from '../incident/status-of.js';
import { type IncidentState } from '../incident/state.js';
import { home, writeJson, type Context } from './context.js';
import { detectionText, elapsed, hhmm, incidentWithFindings, policyOf, relative } from './incident-common.js';
import { recordLine } from '../timeline/event.js';

import { drillNote } from '../render/incident-lines.js';

export async function statusCommand(
  ctx: Context,
  opts: { json?: boolean },
  checklistProgress?: (state: IncidentState) => Array<{ name: string; done: number; total: number }>,
): Promise<number> {
  const policy = policyOf(ctx);
  const { state, findings: judged } = incidentWithFindings(ctx);
  const now = ctx.clock.now();
  const s = statusOf(policy, state, now, judged);
  const checklists = checklistProgress?.(state) ?? [];
  if (opts.json) {
    writeJson(ctx, { ...s, checklists, record: { events: state.events, head: state.head } });
    return 0;
  }
  const c = ctx.term.color;
  const o = [
    `${c.bold(`${s.id}`)} — ${s.title}`,
    ...(s.drill ? [`  ${drillNote(ctx.term.color, s.id, home(ctx).currentId() === s.id)}`] : []),
    ...(s.ended
      ? [`  ${c.yellow.bold(s.status.toUpperCase())} ${hhmm(new Date(s.ended.at))} UTC by ${s.ended.by}: ${s.ended.reason}`]
      : []),
    `  ${c.red.bold(s.severity)} · ${s.status === 'resolved' ? c.green('resolved') : s.status} · phase: ${s.phaseNamed.title} · ${elapsed(incidentStart(state), state.resolvedAt ? new Date(state.resolvedAt) : now)} since ${hhmm(incidentStart(state))} UTC · ${s.channel}`,
    ...(s.phaseNamed.does.length ? [c.dim(`    this phase: ${s.phaseNamed.does.join(' · ')}`)] : []),
    `  response: ${
      s.response.acknowledgedAt
        ? `acknowledged ${hhmm(new Date(s.response.acknowledgedAt))} (deadline ${hhmm(new Date(s.response.deadline))}, ${s.response.responseTime} for ${s.response.severity}) ${s.response.met ? c.green('met') : c.red('missed')}`
        : s.response.overdue
          ? c.red(
              `NOT acknowledged — deadline ${hhmm(new Date(s.response.deadline))} UTC passed ${relative(new Date(s.response.deadline), now)}`,
            )
          : `not acknowledged yet — deadline ${hhmm(new Date(s.response.deadline))} UTC (${relative(new Date(s.response.deadline), now)})`
    }`,
    `  detected: ${hhmm(new Date(s.detectedAt))} UTC${s.detectedBy ? ` by ${detectionText(policy, s.detectedBy)}` : c.dim(` (how is not recorded: bud-incident milestone detected --by ${Object.keys(policy.detection).join('|')})`)}`,
    '  roles:',
    ...s.roleDuties.map(
      (r) => `    ${r.title}: ${r.person ?? c.yellow(`nobody (bud-incident assign ${r.role} NAME)`)} ${c.dim(`— ${r.responsibility}`)}`,
    ),
  ];
  const evidence = judged.filter(isEvidence);
  if (evidence.length) {
    o.push(`  findings (${evidence.length}${s.drill ? ', simulated in this drill' : ''}):`);
    for (const f of evidence.slice(-5)) o.push(`    • ${findingLine(f)}`);
  }
  const setAside = judged.filter((f) => !isEvidence(f));
  if (setAside.length) {
    o.push(c.dim(`  set aside, not facts about the system (${setAside.length}):`));
    for (const f of setAside.slice(-5)) o.push(c.dim(`    • ${findingLine(f)}`));
  }
  if (s.nextUpdate)
    o.push(
      `  next status update: ${s.nextUpdate.overdue ? c.red(`OVERDUE since ${hhmm(new Date(s.nextUpdate.dueAt))} UTC`) : `due ${hhmm(new Date(s.nextUpdate.dueAt))} UTC (${relative(new Date(s.nextUpdate.dueAt), now)})`} — bud-incident update`,
    );
  if (s.status === 'open') {
    const dueNotDone = s.escalation.due.filter((l) => !l.done);
    o.push(
      `  escalation due now: ${s.escalation.due.length ? s.escalation.due.map((l) => `${l.level} ${l.who}${l.done ? c.green(' ✔') : c.red(' (not yet)')}`).join(', ') : 'none'}`,
    );
    if (s.escalation.next)
      o.push(
        `  next escalation: ${s.escalation.next.level} ${s.escalation.next.who} at ${hhmm(new Date(s.escalation.next.at))} UTC (${relative(new Date(s.escalation.next.at), now)})`,
      );
    if (dueNotDone.length) o.push(c.red(`  → escalate now: bud-incident escalate`));
  }
  for (const cl of checklists) o.push(`  checklist ${cl.name}: ${cl.done}/${cl.total} done`);
  o.push(`  actions: ${s.actions.open} open of ${s.actions.total}`);
  o.push(c.dim(`  ${recordLine(state.events, state.head).replace('Record', 'record')}`));
  o.push(
    `  post-mortem: ${s.postmortem.requirement}${s.postmortem.requirement === 'not required' ? '' : s.postmortem.dueAt ? `, due ${s.postmortem.dueAt.slice(0, 16).replace('T', ' ')} UTC` : s.postmortem.within ? `, within ${s.postmortem.within} of resolution` : ''}`,
  );
  ctx.term.out.write(o.join('\n') + '\n');
  return 0;
}
