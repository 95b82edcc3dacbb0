/**
 * Triage: from what a read-only sweep of the cluster found, which runbooks match and what
 * severity the playbook's classification criteria suggest (§1.2). Pure: facts in, decision out.
 */

export type Severity = 'SEV1' | 'SEV2' | 'SEV3' | 'SEV4';

export interface PodCount {
  total: number;
  failing: number;
  /** One line per problem, naming pod, container, reason. */
  problems: string[];
}

export interface TriageFacts {
  platform: PodCount;
  postgres?: PodCount;
  keycloak?: PodCount;
  rollout?: { deployment: string; failing: boolean; recent: boolean; lines: string[] };
  nodesNotReady: string[];
  workload?: PodCount;
  endpoints?: { total: number; failing: string[] };
  warnings: string[];
}

export interface RunbookMatch {
  runbook: string;
  severity: Severity;
  reason: string;
  evidence: string[];
  /** Suggested --var values for the run. */
  vars?: Record<string, string>;
}

export interface TriageDecision {
  healthy: boolean;
  severity?: Severity;
  severityReason?: string;
  matches: RunbookMatch[];
}

const RANK: Record<Severity, number> = { SEV1: 1, SEV2: 2, SEV3: 3, SEV4: 4 };

export function decideTriage(f: TriageFacts): TriageDecision {
  const matches: RunbookMatch[] = [];
  const allPlatformDown = f.platform.total > 0 && f.platform.failing === f.platform.total;
  const postgresDown = f.postgres !== undefined && (f.postgres.total === 0 || f.postgres.failing === f.postgres.total);
  const keycloakDown = f.keycloak !== undefined && (f.keycloak.total === 0 || f.keycloak.failing === f.keycloak.total);

  if (allPlatformDown) {
    matches.push({
      runbook: 'platform-outage',
      severity: 'SEV1',
      reason: `every platform pod is failing (${f.platform.failing}/${f.platform.total}): platform completely unavailable`,
      evidence: f.platform.problems,
    });
  }
  if (postgresDown) {
    matches.push({
      runbook: 'database-failure',
      severity: f.platform.failing > 0 ? 'SEV1' : 'SEV2',
      reason: f.postgres!.total === 0 ? 'no PostgreSQL pod exists' : 'PostgreSQL is not ready',
      evidence: f.postgres!.problems,
    });
  }
  if (keycloakDown) {
    matches.push({
      runbook: 'auth-failure',
      severity: 'SEV2',
      reason: f.keycloak!.total === 0 ? 'no Keycloak pod exists: logins fail' : 'Keycloak is not ready: logins and token validation fail',
      evidence: f.keycloak!.problems,
    });
  }
  if (f.nodesNotReady.length) {
    matches.push({
      runbook: 'platform-outage',
      severity: allPlatformDown ? 'SEV1' : 'SEV2',
      reason: `${f.nodesNotReady.length} node(s) not ready: a network partition or node failure`,
      evidence: f.nodesNotReady,
    });
  }
  const inferenceFailing =
    (f.endpoints && f.endpoints.total > 0 ? f.endpoints.failing.length / f.endpoints.total : 0) ||
    (f.workload && f.workload.total > 0 ? f.workload.failing / f.workload.total : 0);
  if (inferenceFailing > 0) {
    const share = Math.round(inferenceFailing * 100);
    matches.push({
      runbook: 'inference-failures',
      severity: inferenceFailing >= 1 ? 'SEV1' : inferenceFailing > 0.5 ? 'SEV2' : 'SEV3',
      reason: `${share}% of inference ${f.endpoints?.failing.length ? 'endpoints' : 'model servers'} failing`,
      evidence: [...(f.endpoints?.failing ?? []), ...(f.workload?.problems ?? [])],
    });
  }
  if (f.rollout?.failing) {
    matches.push({
      runbook: allPlatformDown ? 'platform-outage' : 'sev2-response',
      severity: allPlatformDown ? 'SEV1' : 'SEV2',
      reason: `the newest rollout of ${f.rollout.deployment}${f.rollout.recent ? ' (recent)' : ''} is failing: a bad deployment`,
      evidence: f.rollout.lines,
      ...(allPlatformDown ? {} : { vars: { service: f.rollout.deployment } }),
    });
  }
  const partial = f.platform.failing > 0 && !allPlatformDown;
  const explained = matches.length > 0;
  if (partial && !explained) {
    const share = f.platform.failing / f.platform.total;
    const service = /\/([a-z0-9-]+?)-[a-z0-9]{8,10}-[a-z0-9]{5}\b/.exec(f.platform.problems[0] ?? '')?.[1];
    matches.push({
      runbook: 'sev2-response',
      severity: share >= 0.5 ? 'SEV2' : 'SEV3',
      reason: `${f.platform.failing} of ${f.platform.total} platform pods failing: ${share >= 0.5 ? 'a major feature degraded' : 'a single service or feature impacted'}`,
      evidence: f.platform.problems,
      ...(service ? { vars: { service } } : {}),
    });
  }
  // Deduplicate by runbook, keeping the most severe reason first.
  matches.sort((a, b) => RANK[a.severity] - RANK[b.severity]);
  const seen = new Set<string>();
  const unique = matches.filter((m) => (seen.has(m.runbook) ? false : (seen.add(m.runbook), true)));
  if (unique.length === 0) return { healthy: true, matches: [] };
  const top = unique[0]!;
  return { healthy: false, severity: top.severity, severityReason: top.reason, matches: unique };
}
