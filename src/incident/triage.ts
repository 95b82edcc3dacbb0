/**
 * Triage: from a diagnosis to what to do first. Each root cause names its runbook with the
 * evidence, in the order the diagnosis ranked them (what explains most first); the severity
 * comes from the policy's classification criteria (§1.2) through the same `classify` as the
 * `classify` command, so the two never disagree. Pure: a diagnosis in, a decision out.
 */
import type { Cause, Diagnosis, Unchecked } from '../diagnosis/analyze.js';
import { classify, type ClassificationAnswers } from './decisions.js';
import type { Policy } from './policy.js';

export type Severity = 'SEV1' | 'SEV2' | 'SEV3' | 'SEV4';

export interface RunbookMatch {
  runbook: string;
  severity: Severity;
  /** The root cause, in one line. */
  reason: string;
  cause: string;
  subject: string;
  evidence: string[];
  /** Suggested --var values for the run. */
  vars?: Record<string, string>;
  /** Causes this root explains ("id subject: title"). */
  explains: string[];
}

export interface TriageDecision {
  /** Nothing wrong found AND everything could be checked. */
  healthy: boolean;
  /** Every read worked. */
  complete: boolean;
  severity?: Severity;
  severityReasons?: string[];
  matches: RunbookMatch[];
  unchecked: Unchecked[];
  unexplained: string[];
  /** Runbooks that look where this sweep could not (a cluster it could not reach, a namespace it may not read). */
  followUps: Array<{ runbook: string; reason: string }>;
}

/** Where to look further when part of the system could not be checked from here. */
export function followUpsFor(
  unchecked: readonly Unchecked[],
  roles: { data: string; auth: string; system: string },
): TriageDecision['followUps'] {
  const out: TriageDecision['followUps'] = [];
  const add = (runbook: string, reason: string) => {
    if (!out.some((f) => f.runbook === runbook)) out.push({ runbook, reason });
  };
  for (const u of unchecked) {
    // No runbook sees past a refused permission or rejected credentials: those are fixed, not followed.
    if (/\b40[13]\b|Forbidden|Unauthorized|credentials/i.test(u.reason)) continue;
    if (/platform API/.test(u.what) || (/\(/.test(u.what) && !/\(control-plane\)/.test(u.what)))
      add('inference-failures', `${u.what} could not be checked; the runbook asks the platform API and the workload cluster`);
    else if (u.what.includes(roles.data) || /PostgreSQL/.test(u.what)) add('database-failure', `${u.what} could not be checked`);
    else if (u.what.includes(roles.auth) || /certificate|clock/.test(u.what)) add('auth-failure', `${u.what} could not be checked`);
    else if (u.what.includes(roles.system) || /^nodes/.test(u.what)) add('platform-outage', `${u.what} could not be checked`);
  }
  return out;
}

/** The §1.2 answers a set of causes implies. */
export function classificationAnswers(
  causes: readonly Cause[],
  d: Pick<Diagnosis, 'platformDown' | 'inferenceFailingPct'>,
): ClassificationAnswers {
  const has = (impact: Cause['impact']) => causes.some((c) => c.impact === impact);
  const rateLimited = causes.some((c) => c.id === 'rate-limiting');
  return {
    platformDown: d.platformDown && has('platform'),
    inferenceFailingPct: causes.some((c) => c.impact === 'inference') ? (d.inferenceFailingPct ?? 0) : 0,
    // A diagnosis sees data stores fail, never a breach: that is the responder's answer to give.
    securityIncident: false,
    dataLoss: has('data'),
    users: d.platformDown && has('platform') ? 'all' : rateLimited ? 'subset' : 'none',
    singleFeature: has('partial'),
    majorFeatureDown: has('major') || (has('platform') && !d.platformDown),
    performance: causes.some((c) => c.id === 'overload') ? 'significant' : has('performance') ? 'slight' : 'none',
    workaround: false,
    cosmetic: false,
    informational: false,
  };
}

export function decideTriage(
  d: Diagnosis,
  policy: Policy,
  roles: { data: string; auth: string; system: string } = { data: 'bud-data', auth: 'bud-auth', system: 'bud-system' },
): TriageDecision {
  const followUps = followUpsFor(d.unchecked, roles);
  const roots = d.causes.filter((c) => !c.explainedBy);
  const matches: RunbookMatch[] = roots.map((root) => {
    const explained = d.causes.filter((c) => c.explainedBy === `${root.id} ${root.subject}`);
    const sev = classify(policy, classificationAnswers([root, ...explained], d));
    return {
      runbook: root.runbook,
      severity: sev.severity,
      reason: root.title,
      cause: root.id,
      subject: root.subject,
      evidence: root.evidence,
      ...(root.vars ? { vars: root.vars } : {}),
      explains: [...explained.map((c) => `${c.id} ${c.subject}: ${c.title}`), ...root.explains.map((p) => `pod ${p}`)],
    };
  });
  const complete = d.unchecked.length === 0;
  if (roots.length === 0 && d.unexplained.length === 0)
    return { healthy: complete, complete, matches: [], unchecked: d.unchecked, unexplained: [], followUps };
  // What the roots explain counts too: a lost node that takes the database down is a database outage.
  const overall = classify(policy, classificationAnswers(d.causes, d));
  return {
    healthy: false,
    complete,
    severity: overall.severity,
    severityReasons: overall.reasons,
    matches,
    unchecked: d.unchecked,
    unexplained: d.unexplained,
    followUps,
  };
}
