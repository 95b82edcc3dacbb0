/** The corpus format: realistic clusters, each with what an experienced SRE would conclude about it. */
import type { ClusterState, FakeKubeOptions } from '../support/fake-kube.js';

export type CauseId =
  | 'node-lost'
  | 'node-pressure'
  | 'control-plane'
  | 'database-down'
  | 'database-storage'
  | 'database-corruption'
  | 'database-oom'
  | 'database-replication'
  | 'database-credentials'
  | 'bad-deployment'
  | 'bad-config'
  | 'image-pull'
  | 'dns-failure'
  | 'keycloak-down'
  | 'certificate-expiry'
  | 'clock-skew'
  | 'gpu-oom'
  | 'model-serving-crash'
  | 'rate-limiting'
  | 'overload'
  | 'app-crash';

export type MitigationAction =
  | 'rollback'
  | 'restart'
  | 'failover'
  | 'cordon-drain'
  | 'scale-up'
  | 'grow-volume'
  | 'raise-memory'
  | 'rebuild-replica'
  | 'restart-keycloak'
  | 'renew-certificate'
  | 'fix-time-sync'
  | 'restart-vllm'
  | 'reduce-gpu-memory'
  | 'relieve-rate-limit'
  | 'control-plane-escalation'
  | 'fix-credentials'
  | 'revert-config';

export type RunbookId = 'platform-outage' | 'database-failure' | 'auth-failure' | 'inference-failures' | 'sev2-response' | 'sev1-response';

export interface BuiltCase {
  /** The control-plane cluster. */
  cluster: ClusterState;
  /** Server options, e.g. forbiddenNamespaces for RBAC 403, serverError for a broken control plane. `now` is always set. */
  options?: FakeKubeOptions;
  /** The workload (GPU) cluster, or 'unreachable' (point its kubeconfig at a closed port: see harness.ts closedPort). */
  workload?: ClusterState | 'unreachable';
  /**
   * Keycloak's HTTPS endpoint (/realms/bud/.well-known/openid-configuration). `status` (an addition to the
   * brief's format): what the ingress answers when Keycloak itself is down (503); default 200.
   */
  keycloak?: { certificate: 'valid' | 'expired'; skewSeconds?: number; status?: number };
  /** The platform API: GET /endpoints → [{ name, status }] with a bearer token; 429 carries Retry-After. */
  platformApi?: { status: number; endpoints?: Array<{ name: string; status: string }> };
}

export interface CorpusCase {
  id: string;
  description: string;
  class: 'healthy' | 'confounder' | 'failure';
  build(now: Date): BuiltCase;
  expect: {
    /** The runbook triage should name FIRST (null: nothing wrong). */
    runbook: RunbookId | null;
    /** Root causes that must be named (empty for healthy/confounders). */
    causes: CauseId[];
    /** Causes that would be a false accusation here. */
    notCauses?: CauseId[];
    /** Things that must be reported as "could not check" (e.g. 'workload', 'bud-data'). */
    unchecked?: string[];
    mitigationsAllowed: MitigationAction[];
    mitigationsForbidden: MitigationAction[];
  };
}

export const ALL_MITIGATIONS: readonly MitigationAction[] = [
  'rollback',
  'restart',
  'failover',
  'cordon-drain',
  'scale-up',
  'grow-volume',
  'raise-memory',
  'rebuild-replica',
  'restart-keycloak',
  'renew-certificate',
  'fix-time-sync',
  'restart-vllm',
  'reduce-gpu-memory',
  'relieve-rate-limit',
  'control-plane-escalation',
  'fix-credentials',
  'revert-config',
];

export const ALL_CAUSES: readonly CauseId[] = [
  'node-lost',
  'node-pressure',
  'control-plane',
  'database-down',
  'database-storage',
  'database-corruption',
  'database-oom',
  'database-replication',
  'database-credentials',
  'bad-deployment',
  'bad-config',
  'image-pull',
  'dns-failure',
  'keycloak-down',
  'certificate-expiry',
  'clock-skew',
  'gpu-oom',
  'model-serving-crash',
  'rate-limiting',
  'overload',
  'app-crash',
];

export const RUNBOOKS: readonly RunbookId[] = [
  'platform-outage',
  'database-failure',
  'auth-failure',
  'inference-failures',
  'sev2-response',
  'sev1-response',
];
