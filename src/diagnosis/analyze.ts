/**
 * The judgement: from what a sweep saw (nodes, pods, events, revisions, logs, probes) to the
 * causes that explain it, ranked by what explains what, each with its evidence, and the things
 * that could not be checked. Pure: a snapshot in, a diagnosis out; no I/O, no clock.
 *
 * The rules, in the order they claim the failing pods (each in its own file under rules/):
 *   1. the control plane answering with server errors explains everything it cannot show
 *      (control-plane.ts);
 *   2. a lost node explains the pods on it and the replacements that cannot be scheduled;
 *      a node under pressure explains the pods it evicted and those that do not fit (nodes.ts);
 *   3. PostgreSQL's own state (its logs say which: disk full, corrupt WAL, OOM, replication)
 *      explains the applications that cannot reach it (database.ts);
 *   then the network plugin and cluster DNS (dns.ts), and for each workload of the system, auth
 *   and dns namespaces (workloads.ts), the first of these to explain its failing pods:
 *      overload: readiness timing out with nothing crashing (overload.ts);
 *   4. a database that is down or refusing, a rejected database password (apps' logs, with
 *      PostgreSQL healthy) (database.ts); failing cluster DNS for name-resolution errors (dns.ts);
 *   5. a recent revision whose pods fail while the previous revision's still serve is a bad
 *      deployment (its nature: config, image or crash); an old revision failing is not (rollout.ts);
 *   6. what is left is named for what it is (bad config, image pull, out of memory, a crash of
 *      unknown cause), scoped to one replica when the others serve (leftovers.ts);
 *   then Keycloak down (keycloak.ts), the model servers of the workload cluster (inference.ts),
 *   the network probes (probes.ts), and whether the platform is down (platform.ts).
 *
 * The rules share one state, the Sweep (sweep.ts): the snapshot's views, the claim map, the causes
 * so far and what later rules read from earlier ones. Each shared idea has its own room: model.ts
 * (what a diagnosis says), evidence.ts (event and node views, evidence lines, why a read failed),
 * rank.ts (what explains what), pods.ts and logs.ts (a pod's health, its logs' signals).
 */
import { describePod, isProblem } from './pods.js';
import type { Snapshot } from './snapshot.js';
import type { Diagnosis } from './model.js';
import { rank } from './rank.js';
import { openSweep, podKey } from './sweep.js';
import { controlPlane } from './rules/control-plane.js';
import { nodeRules } from './rules/nodes.js';
import { databaseClients, postgres } from './rules/database.js';
import { failing, groupWorkloads, viewOf } from './rules/workloads.js';
import { clusterDns, dnsClients, networkPlugin } from './rules/dns.js';
import { overload } from './rules/overload.js';
import { keycloakAfterAll, keycloakBehindDatabase } from './rules/keycloak.js';
import { badRevision, revisionsOf } from './rules/rollout.js';
import { leftover } from './rules/leftovers.js';
import { inference } from './rules/inference.js';
import { probes } from './rules/probes.js';
import { platform } from './rules/platform.js';

export { CAUSE_IDS, type CauseId } from './causes.js';
export { causeKey, type Cause, type Diagnosis, type Impact, type Unchecked } from './model.js';
export { ago, uncheckedOf } from './evidence.js';
export { rank } from './rank.js';

/** The diagnosis of a snapshot: the rules in their order, then the ranking. */
export function diagnose(s: Snapshot): Diagnosis {
  const sw = openSweep(s);
  controlPlane(sw);
  nodeRules(sw);
  postgres(sw);
  groupWorkloads(sw);
  networkPlugin(sw);
  clusterDns(sw);
  // Rules 4-6, one workload at a time: the first rule to explain its failing pods ends its turn.
  for (const w of sw.workloads.values()) {
    if (w.namespace === sw.roles.dns) continue;
    const v = viewOf(sw, w);
    if (overload(sw, v)) continue;
    const f = failing(v);
    if (!f) continue;
    if (databaseClients(sw, f) || dnsClients(sw, f) || keycloakBehindDatabase(sw, f)) continue;
    const rv = revisionsOf(sw, f);
    if (badRevision(sw, f, rv)) continue;
    leftover(sw, f, rv);
  }
  keycloakAfterAll(sw);
  inference(sw);
  probes(sw);
  platform(sw);

  const unexplained = [...sw.allPods.values()]
    .flat()
    .filter((h) => isProblem(h) && !sw.claimed.has(podKey(h)))
    .map(describePod);
  return {
    causes: rank(sw.causes),
    unexplained,
    unchecked: sw.unchecked,
    looked: sw.looked,
    platformDown: sw.platformDown,
    ...(sw.inferenceFailingPct !== undefined ? { inferenceFailingPct: sw.inferenceFailingPct } : {}),
  };
}
