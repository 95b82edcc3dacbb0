/**
 * The workloads of the control plane's own namespaces (system, auth, dns): their pods grouped by
 * the Deployment, StatefulSet... that owns them, each Deployment with its ReplicaSets (revisions).
 * Rules 4-6 judge the failing pods of each workload in turn.
 */
import { workloadOf } from '../pods.js';
import type { Sweep } from '../sweep.js';

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
