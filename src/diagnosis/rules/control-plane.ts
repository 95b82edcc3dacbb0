/**
 * Rule 1: the Kubernetes API answering with server errors. Its cluster's control plane is broken
 * (evidence, not "could not check"), which explains everything it cannot show; every read that
 * failed is also listed as not checked, with what to do about it.
 */
import type { Read } from '../snapshot.js';
import { isServerError, uncheckedOf } from '../evidence.js';
import { addCause, type Sweep } from '../sweep.js';

export function controlPlane(sw: Sweep): void {
  const s = sw.snapshot;
  const clusters = [s.controlPlane, ...(s.workload ? [s.workload] : [])];
  // Server errors from the API: the control plane is broken (evidence), not "could not check".
  for (const c of clusters) {
    const reads: Array<[string, Read<unknown>]> = [['nodes', c.nodes]];
    for (const [ns, r] of Object.entries(c.namespaces)) reads.push([`pods in ${ns}`, r.pods], [`events in ${ns}`, r.events]);
    const errors = reads.filter(([, r]) => isServerError(r));
    if (errors.length) {
      addCause(sw, {
        id: 'control-plane',
        subject: `cluster/${c.name}`,
        title: `the Kubernetes API of "${c.name}" answers with server errors: nothing can be scheduled or changed reliably`,
        evidence: errors.slice(0, 5).map(([what, r]) => `${what}: ${r.ok ? '' : r.reason}`),
        explains: [],
        runbook: c === s.controlPlane ? 'platform-outage' : 'inference-failures',
        impact: c === s.controlPlane ? 'platform' : 'inference',
        facts: { cluster: c.name },
      });
    }
    for (const [what, r] of reads) {
      if (r.ok) continue;
      // A read the API answered with a server error could not be checked either: its objects are unknown.
      if (isServerError(r))
        sw.unchecked.push({
          what: `${what} (${c.name})`,
          reason: r.reason,
          fix: `the API server of "${c.name}" is failing itself: look at it from the provider's console or the control-plane nodes`,
        });
      else sw.unchecked.push(uncheckedOf(`${what} (${c.name})`, r, c.name));
    }
  }
}
