/**
 * The incident's decisions as pure functions of (policy, state, now): response deadline, due
 * escalations, next status update, post-mortem due date, phase, and severity from the criteria.
 * No clock is read here; callers pass "now".
 */
import { parseDuration } from '../duration.js';
import { ANSWER_NAMES, ANSWERS, isAnswerName, SEVERITIES } from './criteria.js';
import type { CriterionRule, PhaseId, Policy, SeverityId } from './policy.js';
import type { IncidentState } from './state.js';

const ms = (d: string | number | undefined) => (d === undefined ? undefined : parseDuration(d));

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
  const deadlineOf = (p: { at: string; to: SeverityId }, first: boolean) => {
    const responseTime = String(policy.severities[p.to].responseTime);
    const responseTimeMs = ms(responseTime) ?? 0;
    // The declared severity holds from detection; a change, from when it was made.
    const reached = first ? start : Math.max(start, Date.parse(p.at) || start);
    return { deadline: new Date(reached + responseTimeMs), severity: p.to, responseTime, responseTimeMs };
  };
  const [declared = { at: state.openedAt, to: state.severity }, ...changes] = state.severityHistory;
  let best = deadlineOf(declared, true);
  for (const p of changes) {
    const d = deadlineOf(p, false);
    if (d.deadline.getTime() < best.deadline.getTime()) best = d;
  }
  const ack = state.milestones.acknowledged?.at;
  return {
    ...best,
    ...(ack ? { acknowledgedAt: new Date(ack), met: new Date(ack).getTime() <= best.deadline.getTime() } : {}),
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

/** A level with a time it is due at. */
export type TimedLevel = EscalationLevel & { dueAt: Date };

export interface EscalationPlan {
  levels: EscalationLevel[];
  /** The levels this incident calls for, with when (in the matrix's order). */
  timed: TimedLevel[];
  /** Due now (at or before now). */
  due: TimedLevel[];
  /** The next level to fall due after now. */
  next?: TimedLevel;
}

export function escalationPlan(policy: Policy, state: IncidentState, now: Date): EscalationPlan {
  const start = incidentStart(state).getTime();
  const severity = state.severity;
  const done = new Map<string, Date>();
  for (const e of state.escalations) for (const l of e.levels) if (!done.has(l)) done.set(l, new Date(e.at));
  const levels = policy.escalation.map((row): EscalationLevel => {
    let best: { at: number; why: string } | undefined;
    for (const t of row.triggers) {
      let at: number | undefined;
      let why = '';
      const severities = t.severities;
      if (severities) {
        // The clock runs from the start, but a level is due only while the incident has a severity
        // that calls for it: the earliest moment in such a period at or after start + after.
        const after = ms(t.after ?? 0) ?? 0;
        const periods = state.severityHistory.length ? state.severityHistory : [{ at: new Date(start).toISOString(), to: severity }];
        periods.forEach((p, i) => {
          if (!severities.includes(p.to)) return;
          const from = new Date(p.at).getTime();
          const nextChange = periods[i + 1];
          const until = nextChange ? new Date(nextChange.at).getTime() : Infinity;
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
    const doneAt = done.get(row.level);
    return {
      level: row.level,
      who: row.who,
      contact: row.contact,
      ...(best ? { dueAt: new Date(best.at), why: best.why } : {}),
      ...(doneAt ? { doneAt } : {}),
    };
  });
  const timed = levels.filter((l): l is TimedLevel => l.dueAt !== undefined);
  const due = timed.filter((l) => l.dueAt.getTime() <= now.getTime());
  const next = timed.filter((l) => l.dueAt.getTime() > now.getTime()).sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime())[0];
  return { levels, timed, due, ...(next ? { next } : {}) };
}

/** When the next status update is due: as announced in the last one, else the cadence for the severity. */
export function nextUpdateDue(policy: Policy, state: IncidentState): Date | undefined {
  if (state.status === 'resolved') return undefined;
  const last = state.updates[state.updates.length - 1];
  if (last?.nextUpdateAt) return new Date(last.nextUpdateAt);
  const every = ms(policy.severities[state.severity].updateEvery);
  if (every === undefined) return undefined;
  const from = last ? new Date(last.at).getTime() : new Date(state.openedAt).getTime();
  return new Date(from + every);
}

export interface PostmortemRequirement {
  /** Only a post-mortem the policy requires (§8.2 "Yes"). */
  required: boolean;
  /** The playbook's word for it (§8.2 Yes / Optional / No), as every output shows it. */
  requirement: 'required' | 'optional' | 'not required';
  dueAt?: Date;
  within?: string;
}

export function postmortemRequirement(policy: Policy, severity: SeverityId, resolvedAt: Date | undefined): PostmortemRequirement {
  const rule = policy.postmortem[severity];
  const within = ms(rule.within);
  return {
    required: rule.required === true,
    requirement: rule.required === true ? 'required' : rule.required === 'optional' ? 'optional' : 'not required',
    ...(rule.within !== undefined ? { within: String(rule.within) } : {}),
    ...(resolvedAt && within !== undefined ? { dueAt: new Date(resolvedAt.getTime() + within) } : {}),
  };
}

/** The response phase (§2.1) the incident is in, from what the timeline shows (the policy names it: phaseNamed). */
export function phaseOf(state: IncidentState): PhaseId {
  if (state.status === 'resolved') return 'post-mortem';
  if (state.milestones.mitigated) return 'resolution';
  if (state.mitigations.length || [...state.runs.values()].some((r) => r.findings.length)) return 'mitigation';
  if (state.milestones.investigating || state.runs.size) return 'investigation';
  return 'triage';
}

/** A phase as the policy words it: its title and what it does (§2.1's bullets). */
export function phaseNamed(policy: Policy, id: PhaseId): { id: PhaseId; title: string; does: string[] } {
  const p = policy.phases.find((x) => x.id === id);
  return { id, title: p?.title ?? id, does: p?.does ?? [] };
}

/** The answers to the questions `classify` asks; the policy's criteria name them (policy.ts ANSWERS). */
export interface ClassificationAnswers {
  /** Is the platform completely unavailable? */
  platformDown: boolean;
  /** Share of inference requests failing, 0-100. */
  inferenceFailingPct: number;
  /** A data breach or security incident (§6: engages L4 at once)? */
  securityIncident: boolean;
  /** Data corruption or loss (no breach)? */
  dataLoss: boolean;
  /** How many users are affected. */
  users: 'all' | 'subset' | 'single' | 'none';
  /** A single endpoint or feature impacted? */
  singleFeature: boolean;
  /** A major feature (auth, deployments) unavailable? */
  majorFeatureDown: boolean;
  performance: 'significant' | 'slight' | 'none';
  /** Is a workaround available? */
  workaround: boolean;
  /** Only cosmetic? */
  cosmetic: boolean;
  /** Only documentation or informational? */
  informational: boolean;
}

export interface Classification {
  severity: SeverityId;
  /** The policy's words for the criteria that put it there. */
  reasons: string[];
}

/** Whether a policy criterion's `when` holds for the answers ('otherwise' is decided by the caller). */
function holds(when: Exclude<CriterionRule, string>['when'], a: ClassificationAnswers): boolean {
  if (typeof when === 'string') return when !== 'otherwise' && isAnswerName(when) && a[when] === true;
  const [entry] = Object.entries(when);
  if (!entry || !isAnswerName(entry[0])) return false;
  const [name, test] = entry;
  const value = a[name];
  if (typeof test === 'string') return value === test;
  if (typeof value !== 'number') return false;
  return (
    (test.above === undefined || value > test.above) &&
    (test.below === undefined || value < test.below) &&
    (test.atLeast === undefined || value >= test.atLeast)
  );
}

/**
 * §1.2 classification from the policy's criteria: the highest severity any criterion holds for,
 * with the criteria that put it there. A failing share no criterion covers (the playbook leaves
 * 10-50% open) is classified up to the severity of the nearest higher range, and said so. With
 * nothing met, the lowest severity, for its `otherwise` criterion.
 */
export function classify(policy: Policy, a: ClassificationAnswers): Classification {
  const rules = SEVERITIES.flatMap((severity) =>
    policy.severities[severity].criteria.flatMap((c) => (typeof c === 'string' ? [] : [{ severity, ...c }])),
  );
  // A share in no criterion's range counts for the nearest range above it.
  const gaps: Array<{ severity: SeverityId; reason: string }> = [];
  for (const name of ANSWER_NAMES) {
    const value = a[name];
    if (ANSWERS[name].kind !== 'percent' || typeof value !== 'number' || value <= 0) continue;
    // The criteria on this share, each with where its range starts.
    const ranges = rules.flatMap((r) => {
      const t = typeof r.when === 'object' ? r.when[name] : undefined;
      return typeof t === 'object' ? [{ rule: r, from: t.above ?? t.atLeast ?? -Infinity }] : [];
    });
    if (ranges.some((r) => holds(r.rule.when, a))) continue;
    const up = ranges.filter((r) => r.from >= value).sort((x, y) => x.from - y.from)[0]?.rule;
    if (up) gaps.push({ severity: up.severity, reason: `${value}% is in no criterion's range; classified up, not down, to "${up.text}"` });
  }
  for (const severity of SEVERITIES) {
    const met = [
      ...rules.filter((r) => r.severity === severity && holds(r.when, a)).map((r) => r.text),
      ...gaps.filter((g) => g.severity === severity).map((g) => g.reason),
    ];
    if (met.length) return { severity, reasons: met };
  }
  const lowest = SEVERITIES[3];
  const otherwise = rules.find((r) => r.when === 'otherwise');
  return {
    severity: otherwise?.severity ?? lowest,
    reasons: [otherwise?.text ?? 'no criterion of the policy is met'],
  };
}

/**
 * The criteria classify() cannot ask about (written as plain text in the policy) of the severities
 * above `recommended`: the responder judges them, since any one would raise the severity.
 */
export function unaskedCriteria(policy: Policy, recommended: SeverityId): Array<{ severity: SeverityId; text: string }> {
  return SEVERITIES.slice(0, SEVERITIES.indexOf(recommended)).flatMap((severity) =>
    policy.severities[severity].criteria.flatMap((k) => (typeof k === 'string' ? [{ severity, text: k }] : [])),
  );
}

/** `#incident-YYYY-MM-DD-brief-desc` from the policy's pattern. */
export function channelFor(policy: Policy, date: Date, slug: string): string {
  const pattern = policy.channels.incident?.name ?? '#incident-{date}-{slug}';
  return pattern.replace('{date}', date.toISOString().slice(0, 10)).replace('{slug}', slug);
}
