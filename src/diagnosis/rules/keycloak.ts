/**
 * Keycloak down (every pod of it failing) gets a line of its own, since logins and token
 * validation fail whatever the reason: explained by the cause that took its pods (a node, the
 * database, a bad revision), or the root itself when nothing stronger is found (rules/leftovers.ts).
 */
import { describePod, isProblem, type PodHealth } from '../pods.js';
import { causeKey, type Cause } from '../model.js';
import { addCause, podKey, type Sweep, type Workload } from '../sweep.js';
import type { FailingWorkload } from './workloads.js';

/** `because` is the cause already naming these pods, if any (none: Keycloak down is the root). */
export function keycloakDown(sw: Sweep, w: Workload, bad: PodHealth[], because: Cause | undefined): void {
  const live = w.pods.filter((h) => h.state !== 'old-eviction');
  const first = bad[0];
  if (!first || bad.length < live.length) return;
  addCause(sw, {
    id: 'keycloak-down',
    subject: `${w.namespace}/${w.name}`,
    title: `Keycloak is down (${bad.length}/${live.length} pods failing): logins and token validation fail`,
    evidence: bad.slice(0, 3).map(describePod),
    explains: bad.map(podKey),
    ...(because && because.id !== 'keycloak-down' ? { explainedBy: causeKey(because) } : {}),
    runbook: 'auth-failure',
    impact: 'major',
    facts: { namespace: w.namespace, deployment: w.name, pod: first.pod },
  });
}

/** Keycloak's pods all claimed by a database that is down. */
export function keycloakBehindDatabase(sw: Sweep, v: FailingWorkload): boolean {
  const { claimed, databaseDown } = sw;
  const { w, bad, isKeycloak } = v;
  if (isKeycloak && databaseDown && bad.every((h) => claimed.has(podKey(h)))) {
    keycloakDown(sw, w, bad, databaseDown);
    return true;
  }
  return false;
}

/** Keycloak down for reasons already named elsewhere (a node, the database) still gets its own line. */
export function keycloakAfterAll(sw: Sweep): void {
  const { roles: r, causes, claimed, workloads } = sw;
  // Keycloak down for reasons already named elsewhere (a node, the database) still gets its own line.
  for (const w of workloads.values()) {
    if (w.namespace !== r.auth || !/keycloak/i.test(w.name)) continue;
    const live = w.pods.filter((h) => h.state !== 'old-eviction');
    const bad = live.filter(isProblem);
    const first = bad[0];
    if (first && bad.length === live.length && !causes.some((c) => c.id === 'keycloak-down')) {
      keycloakDown(sw, w, bad, claimed.get(podKey(first))?.cause);
    }
  }
}
