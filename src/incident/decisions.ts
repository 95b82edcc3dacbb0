/**
 * The incident's decisions as pure functions of (policy, state, now): response deadline, due
 * escalations, next status update, post-mortem due date, phase, and severity from the criteria.
 * No clock is read here; callers pass "now".
 */
import { parseDuration } from '../duration.js';
import type { Policy, SeverityId } from './policy.js';
import type { IncidentState } from './state.js';

const ms = (d: string | number | undefined) => (d === undefined ? undefined : parseDuration(d));
const asSeverity = (s: string): SeverityId => (['SEV1', 'SEV2', 'SEV3', 'SEV4'].includes(s) ? (s as SeverityId) : 'SEV2');

/**
 * When the incident started for the clocks: detection, the earliest of the detection recorded when
 * it was opened, a `milestone detected` recorded since, and the declaration.
 */
export function incidentStart(state: IncidentState): Date {
  const times = [state.detectedAt, state.openedAt, state.milestones.detected?.at]
    .filter((t): t is string => Boolean(t))
    .map((t) => new Date(t).getTime())
    .filter((t) => !Number.isNaN(t));
  return new Date(times.length ? Math.min(...times) : NaN);
}

export interface ResponseDeadline {
  deadline: Date;
  /** The severity whose response time sets the deadline, and that time. */
  severity: string;
  responseTime: string;
  responseTimeMs: number;
  acknowledgedAt?: Date;
  met?: boolean;
}

/**
 * When the incident had to be acknowledged. Each severity it had sets a deadline: its response
 * time from when the incident reached it (from detection for the first). The earliest binds, so a
 * SEV1 lowered to SEV2 after 30 minutes is still judged against SEV1's 15, and a SEV3 raised to
 * SEV1 unacknowledged must be answered within 15 minutes of the raise.
 */
export function responseDeadline(policy: Policy, state: IncidentState): ResponseDeadline {
  const start = incidentStart(state).getTime();
  const periods = state.severityHistory.length ? state.severityHistory : [{ at: state.openedAt, to: state.severity }];
  let best: Omit<ResponseDeadline, 'acknowledgedAt' | 'met'> | undefined;
  for (const [i, p] of periods.entries()) {
    const severity = asSeverity(p.to);
    const responseTime = String(policy.severities[severity].responseTime);
    const responseTimeMs = ms(responseTime) ?? 0;
    // The declared severity holds from detection; a change, from when it was made.
    const reached = i === 0 ? start : Math.max(start, Date.parse(p.at) || start);
    const deadline = new Date(reached + responseTimeMs);
    if (!best || deadline.getTime() < best.deadline.getTime()) best = { deadline, severity, responseTime, responseTimeMs };
  }
  const ack = state.milestones.acknowledged?.at;
  return {
    ...best!,
    ...(ack ? { acknowledgedAt: new Date(ack), met: new Date(ack).getTime() <= best!.deadline.getTime() } : {}),
  };
}

export interface EscalationLevel {
  level: string;
  who: string;
  contact: string;
  /** When this level must be engaged; undefined when no trigger applies to this incident. */
  dueAt?: Date;
  why?: string;
  /** When it was recorded as done, if it was. */
  doneAt?: Date;
}

export interface EscalationPlan {
  levels: EscalationLevel[];
  due: EscalationLevel[];
  next?: EscalationLevel;
}

export function escalationPlan(policy: Policy, state: IncidentState, now: Date): EscalationPlan {
  const start = incidentStart(state).getTime();
  const severity = asSeverity(state.severity);
  const done = new Map<string, Date>();
  for (const e of state.escalations) for (const l of e.levels) if (!done.has(l)) done.set(l, new Date(e.at));
  const levels = policy.escalation.map((row): EscalationLevel => {
    let best: { at: number; why: string } | undefined;
    for (const t of row.triggers) {
      let at: number | undefined;
      let why = '';
      if (t.severities) {
        // The clock runs from the start, but a level is due only while the incident has a severity
        // that calls for it: the earliest moment in such a period at or after start + after.
        const after = ms(t.after ?? 0) ?? 0;
        const periods = state.severityHistory.length ? state.severityHistory : [{ at: new Date(start).toISOString(), to: severity }];
        periods.forEach((p, i) => {
          if (!t.severities!.includes(p.to as SeverityId)) return;
          const from = new Date(p.at).getTime();
          const until = i + 1 < periods.length ? new Date(periods[i + 1]!.at).getTime() : Infinity;
          const candidate = Math.max(start + after, from);
          if (candidate < until && (at === undefined || candidate < at)) {
            at = candidate;
            why = after ? `${p.to} + ${t.after}` : `${p.to} immediately`;
          }
        });
      } else if (t.dataBreach && state.dataBreach) {
        at = start;
        why = 'data breach';
      } else if (t.majorIncident && state.major) {
        at = start;
        why = 'major incident';
      }
      if (at !== undefined && (!best || at < best.at)) best = { at, why };
    }
    return {
      level: row.level,
      who: row.who,
      contact: row.contact,
      ...(best ? { dueAt: new Date(best.at), why: best.why } : {}),
      ...(done.has(row.level) ? { doneAt: done.get(row.level)! } : {}),
    };
  });
  const due = levels.filter((l) => l.dueAt && l.dueAt.getTime() <= now.getTime());
  const next = levels
    .filter((l) => l.dueAt && l.dueAt.getTime() > now.getTime())
    .sort((a, b) => a.dueAt!.getTime() - b.dueAt!.getTime())[0];
  return { levels, due, ...(next ? { next } : {}) };
}

/** When the next status update is due: as announced in the last one, else the cadence for the severity. */
export function nextUpdateDue(policy: Policy, state: IncidentState): Date | undefined {
  if (state.status === 'resolved') return undefined;
  const last = state.updates[state.updates.length - 1];
  if (last?.nextUpdateAt) return new Date(last.nextUpdateAt);
  const every = ms(policy.severities[asSeverity(state.severity)].updateEvery);
  if (every === undefined) return undefined;
  const from = last ? new Date(last.at).getTime() : new Date(state.openedAt).getTime();
  return new Date(from + every);
}

export interface PostmortemRequirement {
  required: boolean;
  dueAt?: Date;
  within?: string;
}

export function postmortemRequirement(policy: Policy, severity: string, resolvedAt: Date | undefined): PostmortemRequirement {
  const rule = policy.postmortem[asSeverity(severity)];
  const within = ms(rule.within);
  return {
    required: rule.required,
    ...(rule.within !== undefined ? { within: String(rule.within) } : {}),
    ...(resolvedAt && within !== undefined ? { dueAt: new Date(resolvedAt.getTime() + within) } : {}),
  };
}

/** The response phase (§2.1) the incident is in, from what the timeline shows. */
export function phaseOf(state: IncidentState): string {
  if (state.status === 'resolved') return 'resolved (post-mortem)';
  if (state.milestones.mitigated) return 'resolution (verify and monitor)';
  if (state.mitigations.length || [...state.runs.values()].some((r) => r.findings.length)) return 'mitigation';
  if (state.milestones.investigating || state.runs.size) return 'investigation';
  return 'triage';
}

export interface ClassificationAnswers {
  /** Is the platform completely unavailable? */
  platformDown: boolean;
  /** Share of inference requests failing, 0-100. */
  inferenceFailingPct: number;
  /** Data breach, security incident, data corruption or loss? */
  dataBreachOrLoss: boolean;
  /** Who is affected. */
  users: 'all' | 'subset' | 'single' | 'none';
  /** A major feature (auth, deployments) unavailable? */
  majorFeatureDown: boolean;
  performance: 'significant' | 'slight' | 'none';
  /** Is a workaround available? */
  workaround: boolean;
  /** Only cosmetic / informational? */
  cosmetic: boolean;
}

export interface Classification {
  severity: SeverityId;
  reasons: string[];
}

/** §1.2 classification criteria: the highest severity any answer meets, with the criteria that put it there. */
export function classify(a: ClassificationAnswers): Classification {
  const sev1: string[] = [];
  if (a.platformDown) sev1.push('platform completely unavailable');
  if (a.inferenceFailingPct >= 100) sev1.push('all inference requests failing');
  if (a.dataBreachOrLoss) sev1.push('data breach, security incident, data corruption or loss');
  if (a.users === 'all') sev1.push('all users affected');
  if (sev1.length) return { severity: 'SEV1', reasons: sev1 };
  const sev2: string[] = [];
  if (a.majorFeatureDown) sev2.push('major feature unavailable');
  if (a.inferenceFailingPct > 50) sev2.push('more than 50% of inference requests failing');
  else if (a.inferenceFailingPct >= 10)
    sev2.push(`${a.inferenceFailingPct}% of inference requests failing (the playbook leaves 10-50% open; classified up, not down)`);
  if (a.performance === 'significant') sev2.push('significant performance degradation');
  if (a.users === 'subset') sev2.push('a subset of users affected');
  if (sev2.length) return { severity: 'SEV2', reasons: sev2 };
  const sev3: string[] = [];
  if (a.inferenceFailingPct > 0) sev3.push('less than 10% of requests affected');
  if (a.performance === 'slight') sev3.push('performance slightly degraded');
  if (a.workaround && !a.cosmetic) sev3.push('a workaround is available');
  if (a.users === 'single' && !a.cosmetic) sev3.push('a single endpoint, feature or user impacted');
  if (sev3.length && !a.cosmetic) return { severity: 'SEV3', reasons: sev3 };
  return { severity: 'SEV4', reasons: [a.cosmetic ? 'cosmetic or informational, no functional impact' : 'no functional impact found'] };
}

/** `#incident-YYYY-MM-DD-brief-desc` from the policy's pattern. */
export function channelFor(policy: Policy, date: Date, slug: string): string {
  const pattern = policy.channels.incident?.name ?? '#incident-{date}-{slug}';
  return pattern.replace('{date}', date.toISOString().slice(0, 10)).replace('{slug}', slug);
}
