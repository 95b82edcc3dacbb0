/**
 * The state the rules of the diagnosis share while they judge one snapshot (a `Sweep`): what was
 * read, seen through the views the rules need (nodes, pods, events by namespace), the causes named
 * so far, which failing pod each cause has claimed, and the findings later rules read from earlier
 * ones (the database down, the DNS cause, the workloads and their log hits...).
 *
 * The rules (rules/*.ts) run in a fixed order (analyze.ts) and pass this one object along, so
 * what a rule depends on is a field here, not a variable of a long function. A pod is claimed
 * once: the first rule to explain it keeps it.
 */
import type { V1Deployment, V1ReplicaSet } from '@kubernetes/client-node';
import { podHealth, type PodHealth } from './pods.js';
import { scanLog, type LogHit } from './logs.js';
import { logKey, type ClusterRead, type DiagnosisSettings, type NamespaceRoles, type Snapshot } from './snapshot.js';
import { causeKey, type Cause, type Unchecked } from './model.js';
import { eventsOf, ms, nodeViews, type EventView, type NodeView } from './evidence.js';

/** The pods of one workload (a Deployment, StatefulSet...), with its revisions when it is a Deployment. */
export interface Workload {
  namespace: string;
  name: string;
  pods: PodHealth[];
  deployment?: V1Deployment;
  replicaSets: V1ReplicaSet[];
}

export interface Claim {
  cause: Cause;
}

export interface Sweep {
  readonly snapshot: Snapshot;
  readonly now: Date;
  readonly settings: DiagnosisSettings;
  readonly roles: NamespaceRoles;
  /** The control-plane cluster (the workload cluster is only read by rules/inference.ts). */
  readonly cp: ClusterRead;
  /** The causes named so far, in the order they were first named (ranked at the end). */
  readonly causes: Cause[];
  readonly unchecked: Unchecked[];
  readonly looked: string[];
  /** Failing pods ("ns/pod") and the cause that explains each: the first rule to claim one keeps it. */
  readonly claimed: Map<string, Claim>;
  readonly nodes: NodeView[];
  /** Names of the control-plane nodes that are lost (NotReady or not reporting). */
  readonly lostNames: Set<string>;
  /** The control plane's pods by namespace (a Job's pods left out). */
  readonly allPods: Map<string, PodHealth[]>;
  /** The control plane's recent warning events by namespace. */
  readonly events: Map<string, EventView[]>;

  // Found by one rule, read by later ones.
  /** The PostgreSQL pods of the data namespace (rules/database.ts). */
  pgAll: PodHealth[];
  /** The primary's own cause when it is not serving (rules/database.ts). */
  databaseDown: Cause | undefined;
  /** Workloads of the system, auth and dns namespaces by "ns/name" (rules/workloads.ts). */
  workloads: Map<string, Workload>;
  /** Cluster DNS failing (rules/dns.ts). */
  dnsCause: Cause | undefined;
  /** Log hits of the failing application pods, by "ns/pod" (rules/dns.ts reads them first). */
  hitsByPod: Map<string, LogHit[]>;
  /** Share of model servers failing (rules/inference.ts, rules/probes.ts). */
  inferenceFailingPct: number | undefined;
  /** No platform service serves, or the control plane's API is broken (rules/platform.ts). */
  platformDown: boolean;
}

/** A pod's key in `claimed` and in a cause's `explains`. */
export const podKey = (h: PodHealth) => `${h.namespace}/${h.pod}`;

/** The health of the pods of a namespace of a cluster (none when the read failed). */
export function podsOf(sw: Pick<Sweep, 'now' | 'settings'>, c: ClusterRead, ns: string): PodHealth[] {
  const r = c.namespaces[ns]?.pods;
  if (!r?.ok) return [];
  const st = sw.settings;
  return r.value.map((p) =>
    podHealth(p, sw.now, { restartWindowMs: st.restartWindowMs, startGraceMs: st.startGraceMs, evictionWindowMs: st.eventWindowMs * 2 }),
  );
}

/** What the logs of a pod's containers (previous instance first) say. */
export function logsOf(c: ClusterRead, h: PodHealth): LogHit[] {
  const hits: LogHit[] = [];
  for (const ct of h.containers) {
    for (const previous of [true, false]) {
      const text = c.logs[logKey(h.namespace, h.pod, ct.name, previous)];
      if (text) hits.push(...scanLog(text, `${h.namespace}/${h.pod}/${ct.name}${previous ? ' (previous)' : ''}`));
    }
  }
  return hits;
}

/** The state of a sweep before any rule ran: the views of the control plane, nothing claimed. */
export function openSweep(s: Snapshot): Sweep {
  const now = s.now;
  const st = s.settings;
  const cp = s.controlPlane;
  const looked: string[] = [];
  const base = { now, settings: st };
  const nodes = cp.nodes.ok ? nodeViews(cp.nodes.value, now) : [];
  if (cp.nodes.ok) looked.push(`${nodes.length} nodes`);
  const allPods = new Map<string, PodHealth[]>();
  for (const ns of Object.keys(cp.namespaces)) {
    // A Job's pods run to an end: a failed run is the job's business, not the platform's health.
    const pods = podsOf(base, cp, ns).filter((h) => h.owner?.kind !== 'Job');
    allPods.set(ns, pods);
    if (cp.namespaces[ns]?.pods.ok) looked.push(`${pods.length} pods in ${ns}`);
  }
  const events = new Map<string, EventView[]>();
  for (const ns of Object.keys(cp.namespaces)) {
    const r = cp.namespaces[ns]?.events;
    events.set(ns, r?.ok ? eventsOf(r.value, now, st.eventWindowMs) : []);
  }
  return {
    snapshot: s,
    now,
    settings: st,
    roles: s.roles,
    cp,
    causes: [],
    unchecked: [],
    looked,
    claimed: new Map(),
    nodes,
    lostNames: new Set(nodes.filter((x) => x.lost).map((x) => x.name)),
    allPods,
    events,
    pgAll: [],
    databaseDown: undefined,
    workloads: new Map(),
    dnsCause: undefined,
    hitsByPod: new Map(),
    inferenceFailingPct: undefined,
    platformDown: false,
  };
}

/** Names a cause; one already named (same id and subject) gains the new evidence and pods instead. */
export function addCause(sw: Sweep, c: Cause): Cause {
  const existing = sw.causes.find((x) => causeKey(x) === causeKey(c));
  if (existing) {
    for (const e of c.evidence) if (!existing.evidence.includes(e)) existing.evidence.push(e);
    for (const p of c.explains) if (!existing.explains.includes(p)) existing.explains.push(p);
    return existing;
  }
  sw.causes.push(c);
  return c;
}

/** The cause explains the pod, unless an earlier rule already claimed it. */
export function claim(sw: Sweep, pod: string, cause: Cause): void {
  if (!sw.claimed.has(pod)) {
    sw.claimed.set(pod, { cause });
    if (!cause.explains.includes(pod)) cause.explains.push(pod);
  }
}

/** The control plane's recent warning events about one pod. */
export const eventsFor = (sw: Sweep, h: PodHealth) =>
  (sw.events.get(h.namespace) ?? []).filter((e) => e.kind === 'Pod' && e.name === h.pod);

/** A revision created within the rollback window. */
export const rolloutRecent = (sw: Sweep, rs: V1ReplicaSet | undefined) =>
  rs?.metadata?.creationTimestamp !== undefined &&
  sw.now.getTime() - (ms(rs.metadata.creationTimestamp) ?? 0) < sw.settings.recentRolloutMs;
