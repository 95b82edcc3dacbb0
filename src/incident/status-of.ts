/**
 * Where an incident stands, as data (`status --json`, and what the status view and the handoff
 * summary show): a pure function of the policy, the folded state, the judged findings and now.
 */
import { escalationPlan, incidentStart, nextUpdateDue, phaseNamed, phaseOf, postmortemRequirement, responseDeadline } from './decisions.js';
import { isEvidence, type JudgedFinding } from './findings.js';
import type { Policy } from './policy.js';
import type { IncidentState } from './state.js';

/** A judged finding as `status --json` gives it. */
const shownFinding = (f: JudgedFinding) => ({
  runbook: f.runbook,
  findingId: f.findingId,
  message: f.message,
  at: f.at,
  verdict: f.verdict,
  ...(f.simulated ? { simulated: true } : {}),
  ...(f.why ? { why: f.why } : {}),
});

/**
 * Everything `status` shows, as data. `judged` is `judgeFindings` over the incident's timeline: the
 * findings are those that stand or were fixed (the same judgement as status updates and the
 * post-mortem); refuted, could-not-check and drill ones are in `findingsSetAside`, never as findings.
 */
export function statusOf(policy: Policy, state: IncidentState, now: Date, judged: JudgedFinding[]) {
  const deadline = responseDeadline(policy, state);
  const plan = escalationPlan(policy, state, now);
  const next = nextUpdateDue(policy, state);
  const pm = postmortemRequirement(policy, state.severity, state.resolvedAt ? new Date(state.resolvedAt) : undefined);
  const findings = judged.filter(isEvidence).map(shownFinding);
  const findingsSetAside = judged.filter((f) => !isEvidence(f)).map(shownFinding);
  const openActions = [...state.actions.values()].filter((a) => !a.doneAt);
  return {
    id: state.id,
    title: state.title,
    severity: state.severity,
    status: state.status,
    drill: state.drill,
    dataBreach: state.dataBreach,
    dataLoss: state.dataLoss,
    ended: state.ended ?? null,
    phase: phaseOf(state),
    // How the policy words the phase (§2.1): its title and what it does.
    phaseNamed: phaseNamed(policy, phaseOf(state)),
    channel: state.channel,
    openedAt: state.openedAt,
    detectedAt: state.detectedAt,
    detectedBy: state.detectedBy ?? null,
    elapsedMinutes: Math.round(((state.resolvedAt ? new Date(state.resolvedAt) : now).getTime() - incidentStart(state).getTime()) / 60_000),
    response: {
      deadline: deadline.deadline.toISOString(),
      // The severity whose response time sets the deadline (see responseDeadline).
      severity: deadline.severity,
      responseTime: deadline.responseTime,
      acknowledgedAt: deadline.acknowledgedAt?.toISOString() ?? null,
      met: deadline.met ?? null,
      overdue: !deadline.acknowledgedAt && now.getTime() > deadline.deadline.getTime(),
    },
    roles: state.roles,
    // Every role the policy names, who holds it, and what it is responsible for (§2.2).
    roleDuties: Object.entries(policy.roles).map(([role, r]) => ({
      role,
      title: r.title,
      responsibility: r.responsibility,
      person: state.roles[role] ?? null,
    })),
    findings,
    findingsSetAside,
    nextUpdate: next ? { dueAt: next.toISOString(), overdue: next.getTime() < now.getTime() } : null,
    escalation: {
      due: plan.due.map((l) => ({
        level: l.level,
        who: l.who,
        contact: l.contact,
        dueAt: l.dueAt.toISOString(),
        done: Boolean(l.doneAt),
      })),
      next: plan.next ? { level: plan.next.level, who: plan.next.who, at: plan.next.dueAt.toISOString() } : null,
    },
    milestones: Object.fromEntries(Object.entries(state.milestones).map(([k, v]) => [k, v.at])),
    actions: { open: openActions.length, total: state.actions.size },
    postmortem: { required: pm.required, requirement: pm.requirement, dueAt: pm.dueAt?.toISOString() ?? null, within: pm.within ?? null },
    updates: state.updates.length,
    rootCause: state.rootCause ?? null,
    resolution: state.resolution ?? null,
  };
}

export type IncidentStatus = ReturnType<typeof statusOf>;
