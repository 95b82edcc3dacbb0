/**
 * What a read-only sweep saw: the objects of each cluster and namespace it was asked about, the
 * logs of the pods in trouble, and the network probes. Every read is a value that says whether
 * it worked and, when it did not, why: a failed read is "could not check", never "healthy" and
 * never a problem of the cluster.
 */
import type { CoreV1Event, V1Deployment, V1Node, V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import type { CertificateInfo, ServerClock } from '../adapters/probe.js';

export type Read<T> = { ok: true; value: T } | { ok: false; reason: string; code?: number };

export interface NamespaceRead {
  pods: Read<V1Pod[]>;
  events: Read<CoreV1Event[]>;
  deployments: Read<V1Deployment[]>;
  replicaSets: Read<V1ReplicaSet[]>;
}

export interface ClusterRead {
  /** The cluster's name in the config ("control-plane", or a workload cluster's name). */
  name: string;
  nodes: Read<V1Node[]>;
  namespaces: Record<string, NamespaceRead>;
  /** Logs by "ns/pod/container", and "ns/pod/container#previous" for the last terminated instance. */
  logs: Record<string, string>;
}

/** What the platform API's endpoint list answered. */
export interface EndpointsAnswer {
  status: number;
  retryAfter?: string;
  list?: Array<{ name?: string; status?: string }>;
}

export interface ProbeReads {
  tls?: { url: string; result: Read<CertificateInfo> };
  clock?: { url: string; result: Read<ServerClock> };
  endpoints?: { url: string; result: Read<EndpointsAnswer> };
}

/** Which namespace plays which part (from the config). */
export interface NamespaceRoles {
  system: string;
  data: string;
  auth: string;
  workloads: string;
  dns: string;
}

/** Thresholds of the judgement; the config can change each. */
export interface DiagnosisSettings {
  /** A revision younger than this is "recent": a candidate for rollback. */
  recentRolloutMs: number;
  /** Warning events older than this are history. */
  eventWindowMs: number;
  restartWindowMs: number;
  startGraceMs: number;
  /** A clock further off than this is skewed. */
  maxClockSkewMs: number;
  /** The platform's main application: with none of its pods serving, the platform is down. */
  mainDeployment: string;
}

export const DEFAULT_SETTINGS: DiagnosisSettings = {
  recentRolloutMs: 2 * 3_600_000,
  eventWindowMs: 30 * 60_000,
  restartWindowMs: 3_600_000,
  startGraceMs: 5 * 60_000,
  maxClockSkewMs: 30_000,
  mainDeployment: 'budapp',
};

export interface Snapshot {
  now: Date;
  roles: NamespaceRoles;
  controlPlane: ClusterRead;
  /** The workload cluster, when one is configured and was asked. */
  workload?: ClusterRead;
  probes: ProbeReads;
  settings: DiagnosisSettings;
}

/** The log keys of a pod's container (current and previous instance). */
export const logKey = (ns: string, pod: string, container: string, previous = false) =>
  `${ns}/${pod}/${container}${previous ? '#previous' : ''}`;
