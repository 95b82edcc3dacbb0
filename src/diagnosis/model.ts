/**
 * What a diagnosis says: the causes (each with its evidence, the pods it explains, its impact and
 * runbook), the failing pods no cause explains, what could not be checked. Shared by the rules
 * (rules/, run in order by analyze.ts), the ranking (rank.ts) and those who read a diagnosis (triage, judge).
 */
import type { CauseId } from './causes.js';

/** Who is hurt, for the severity (§1.2). */
export type Impact = 'platform' | 'major' | 'inference' | 'performance' | 'partial' | 'data';

export interface Cause {
  id: CauseId;
  /** What it is about: "node/worker-2", "bud-system/budapp", "bud-data/postgresql-0". */
  subject: string;
  title: string;
  evidence: string[];
  /** Pods (ns/name) this cause explains. */
  explains: string[];
  /** The root cause that explains this one ("id subject"), when there is one. */
  explainedBy?: string;
  /** Runbook to follow for it. */
  runbook: string;
  /** --var values for that runbook. */
  vars?: Record<string, string>;
  impact: Impact;
  /** Structured facts for mitigation preconditions (replicas, revisions, the healthy replica...). */
  facts: Record<string, string>;
}

export interface Unchecked {
  /** What could not be checked ("pods in bud-data", "workload cluster gpu-1"). */
  what: string;
  reason: string;
  fix: string;
}

export interface Diagnosis {
  /** Root causes first (by what they explain), then the causes they explain. */
  causes: Cause[];
  /** Failing pods no cause explains (shown, never silently dropped). */
  unexplained: string[];
  unchecked: Unchecked[];
  /** What was looked at, for the "healthy" summary. */
  looked: string[];
  /** Share of model servers failing (0-100), when the workload cluster was read. */
  inferenceFailingPct?: number;
  /** Every platform service (in the system namespace) has no healthy pod, or its API is broken. */
  platformDown: boolean;
}

export const causeKey = (c: Pick<Cause, 'id' | 'subject'>) => `${c.id} ${c.subject}`;
