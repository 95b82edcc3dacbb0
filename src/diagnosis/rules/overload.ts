/**
 * Overload (the first of the rules on a workload): readiness timing out across most replicas with
 * nothing crashing and nothing else (a database down, failing DNS, a lost node) to explain it.
 */
import { eventLine } from '../evidence.js';
import { addCause, claim, podKey, type Sweep } from '../sweep.js';
import type { WorkloadView } from './workloads.js';

/** True when the workload is done with: it is overloaded, or none of its pods fails or is slow. */
export function overload(sw: Sweep, v: WorkloadView): boolean {
  const { now, events, databaseDown, dnsCause, lostNames } = sw;
  const { w, live, bad, wSubject, vars, has } = v;
  // Overload: readiness timing out across replicas with nothing crashing and no recent change.
  const unhealthy = (events.get(w.namespace) ?? []).filter(
    (e) => e.reason === 'Unhealthy' && /Readiness probe failed/.test(e.message) && live.some((h) => h.pod === e.name),
  );
  const slowPods = new Set(unhealthy.filter((e) => /deadline exceeded|timeout|timed out|503/i.test(e.message)).map((e) => e.name));
  const crashing = bad.filter((h) => !['not-ready', 'flapping'].includes(h.state));
  if (bad.length === 0 && slowPods.size < Math.max(2, Math.ceil(live.length / 2))) return true;
  // Overload only when nothing else explains the slowness: a database that is down, failing DNS
  // or a lost node make health checks time out too.
  const explainedElsewhere =
    databaseDown !== undefined || dnsCause !== undefined || lostNames.size > 0 || has('db-unreachable') || has('dns');
  if (slowPods.size >= Math.max(2, Math.ceil(live.length / 2)) && crashing.length === 0 && !explainedElsewhere) {
    const replicas = w.deployment?.spec?.replicas ?? live.length;
    const target = Math.max(replicas + 1, Math.ceil(replicas * 1.5));
    const c = addCause(sw, {
      id: 'overload',
      subject: wSubject,
      title: `${w.name} is overloaded: ${slowPods.size} of ${live.length} replicas time out on their readiness probe, nothing crashes`,
      evidence: unhealthy.slice(0, 4).map((e) => eventLine(e, now)),
      explains: [],
      runbook: 'sev2-response',
      ...(vars ? { vars } : {}),
      impact: 'performance',
      facts: { namespace: w.namespace, deployment: w.name, replicas: String(replicas), target: String(target) },
    });
    for (const h of bad) claim(sw, podKey(h), c);
    return true;
  }
  return false;
}
