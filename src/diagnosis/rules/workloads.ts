/**
 * The workloads of the control plane's own namespaces (system, auth, dns): their pods grouped by
 * the Deployment, StatefulSet... that owns them, each Deployment with its ReplicaSets (revisions).
 * Rules 4-6 judge the failing pods of each workload in turn, each seeing it through one view
 * (WorkloadView) taken when the workload's turn comes.
 */
import { describePod, isProblem, workloadOf, type PodHealth } from '../pods.js';
import type { LogHit, LogSignal } from '../logs.js';
import { logsOf, podKey, type Sweep, type Workload } from '../sweep.js';

/** Fills sw.workloads from the pods of the system, auth and dns namespaces. */
export function groupWorkloads(sw: Sweep): void {
  const { roles: r, cp, allPods } = sw;
  const workloads = sw.workloads;
  for (const ns of [r.system, r.auth, r.dns]) {
    const nsRead = cp.namespaces[ns];
    for (const h of allPods.get(ns) ?? []) {
      if (h.state === 'completed' || h.owner?.kind === 'Job') continue;
      const name = workloadOf(h);
      const k = `${ns}/${name}`;
      let w = workloads.get(k);
      if (!w) {
        const deployment = nsRead?.deployments.ok ? nsRead.deployments.value.find((d) => d.metadata?.name === name) : undefined;
        const uid = deployment?.metadata?.uid;
        const replicaSets =
          nsRead?.replicaSets.ok && deployment
            ? nsRead.replicaSets.value.filter((rs) => rs.metadata?.ownerReferences?.some((o) => o.uid === uid || o.name === name))
            : [];
        w = { namespace: ns, name, pods: [], ...(deployment ? { deployment } : {}), replicaSets };
        workloads.set(k, w);
      }
      w.pods.push(h);
    }
  }
}

/** One workload as rules 4-6 see it when its turn comes. */
export interface WorkloadView {
  w: Workload;
  /** Its pods that count (an evicted pod is gone: its replacement is the replica that counts). */
  live: PodHealth[];
  /** Its failing pods no earlier rule claimed. */
  bad: PodHealth[];
  isKeycloak: boolean;
  wSubject: string;
  /** The --var values of its runbook (a platform service names itself). */
  vars: { service: string } | undefined;
  /** What the logs of its failing pods say. */
  hits: LogHit[];
  has: (sig: LogSignal) => boolean;
}

/** A workload with at least one failing pod left to explain. */
export interface FailingWorkload extends WorkloadView {
  firstBad: PodHealth;
  evidencePods: string[];
}

export function viewOf(sw: Sweep, w: Workload): WorkloadView {
  const { roles: r, cp, claimed, hitsByPod } = sw;
  // An evicted pod is gone: its replacement is the replica that counts.
  const live = w.pods.filter((h) => h.state !== 'old-eviction' && h.state !== 'evicted');
  const bad = live.filter((h) => isProblem(h) && !claimed.has(podKey(h)));
  const hits = bad.flatMap((h) => hitsByPod.get(podKey(h)) ?? logsOf(cp, h));
  return {
    w,
    live,
    bad,
    isKeycloak: w.namespace === r.auth && /keycloak/i.test(`${w.name} ${live[0]?.labels.app ?? ''}`),
    wSubject: `${w.namespace}/${w.name}`,
    vars: w.namespace === r.system ? { service: w.name } : undefined,
    hits,
    has: (sig: LogSignal) => hits.some((x) => x.signal === sig),
  };
}

/** The workload's failing view, or nothing when none of its pods is left to explain. */
export function failing(v: WorkloadView): FailingWorkload | undefined {
  const firstBad = v.bad[0];
  if (!firstBad) return undefined;
  return { ...v, firstBad, evidencePods: v.bad.slice(0, 4).map(describePod) };
}
