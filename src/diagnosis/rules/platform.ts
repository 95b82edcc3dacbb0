/**
 * Whether the platform is down (sw.platformDown): the control plane's API is broken, or no
 * platform service (or the main one) has a pod serving. When it is, the causes that explain a
 * platform service's pods are platform-wide and lead to the SEV1 runbooks, not the single-service one.
 * Runs after every other rule: it rewrites the impact and runbook of the causes they named.
 */
import { isProblem } from '../pods.js';
import { causeKey } from '../model.js';
import type { Sweep, Workload } from '../sweep.js';

export function platform(sw: Sweep): void {
  const { settings: st, roles: r, cp, causes, workloads } = sw;
  const platformWorkloads = [...workloads.values()].filter((w) => w.namespace === r.system);
  // A pod restarting under its liveness probe but Ready between restarts still serves.
  const serving = (w: Workload) =>
    w.pods.some((h) => (!isProblem(h) && h.state !== 'old-eviction' && h.state !== 'starting') || (h.state === 'flapping' && h.ready));
  const main = workloads.get(`${r.system}/${st.mainDeployment}`);
  const platformDown = (sw.platformDown =
    causes.some((c) => c.id === 'control-plane' && c.subject === `cluster/${cp.name}`) ||
    (platformWorkloads.length > 0 && platformWorkloads.every((w) => !serving(w))) ||
    (main !== undefined && !serving(main)));
  if (platformDown)
    for (const c of causes) {
      if (c.explainedBy || !c.explains.some((k) => k.startsWith(`${r.system}/`))) continue;
      c.impact = 'platform';
      // The whole platform is down: the SEV1 runbooks, not the single-service one.
      if (c.runbook === 'sev2-response') {
        c.runbook = ['bad-deployment', 'bad-config', 'image-pull'].includes(c.id) ? 'platform-outage' : 'sev1-response';
        delete c.vars;
      }
      for (const x of causes)
        if (x.explainedBy === causeKey(c) && x.runbook === 'sev2-response') {
          x.runbook = c.runbook;
          delete x.vars;
        }
    }
}
