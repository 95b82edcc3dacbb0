/**
 * The judgement: from what a sweep saw (nodes, pods, events, revisions, logs, probes) to the
 * causes that explain it, ranked by what explains what, each with its evidence, and the things
 * that could not be checked. Pure: a snapshot in, a diagnosis out; no I/O, no clock.
 *
 * The rules, in the order they claim the failing pods:
 *   1. the control plane answering with server errors explains everything it cannot show;
 *   2. a lost node explains the pods on it and the replacements that cannot be scheduled;
 *      a node under pressure explains the pods it evicted and those that do not fit;
 *   3. PostgreSQL's own state (its logs say which: disk full, corrupt WAL, OOM, replication)
 *      explains the applications that cannot reach it;
 *   4. a rejected database password (apps' logs, with PostgreSQL healthy) explains those apps;
 *      failing cluster DNS explains the name-resolution errors;
 *   5. a recent revision whose pods fail while the previous revision's still serve is a bad
 *      deployment (its nature: config, image or crash); an old revision failing is not;
 *   6. what is left is named for what it is (bad config, image pull, overload, a crash of
 *      unknown cause), scoped to one replica when the others serve.
 *
 * This file is the entry point and the rules; each shared idea has its own room: model.ts (what a
 * diagnosis says), evidence.ts (event and node views, evidence lines, why a read failed), rank.ts
 * (what explains what), pods.ts and logs.ts (a pod's health, its logs' signals).
 * Over 400 lines (~960) because diagnose() is one function: its rules claim the failing pods in
 * order through one shared claim map and cause list, and later rules read earlier ones' causes
 * (the database down, the DNS cause, the lost nodes). The next cut is each rule into its own file
 * taking that state as an object (not done in this round).
 */
import type { V1ReplicaSet } from '@kubernetes/client-node';
import { describePod, isProblem, type PodHealth } from './pods.js';
import { evidenceOf, type LogSignal } from './logs.js';
import type { Snapshot } from './snapshot.js';
import type { CauseId } from './causes.js';
import { causeKey, type Cause, type Diagnosis, type Impact } from './model.js';
import { ago, configEvents, eventLine, imagePullWhy, iso, ms, revisionOf, servedBeforeFailing } from './evidence.js';
import { rank } from './rank.js';
import { addCause, claim as claimPod, logsOf, openSweep, podKey, type Workload } from './sweep.js';
import { controlPlane } from './rules/control-plane.js';
import { nodeRules } from './rules/nodes.js';
import { postgres } from './rules/database.js';
import { groupWorkloads } from './rules/workloads.js';
import { clusterDns, networkPlugin } from './rules/dns.js';
import { inference } from './rules/inference.js';
import { probes } from './rules/probes.js';
import { platform } from './rules/platform.js';

export { CAUSE_IDS, type CauseId } from './causes.js';
export { causeKey, type Cause, type Diagnosis, type Impact, type Unchecked } from './model.js';
export { ago, uncheckedOf } from './evidence.js';
export { rank } from './rank.js';

/** The diagnosis of a snapshot. */
export function diagnose(s: Snapshot): Diagnosis {
  const sw = openSweep(s);
  const { now, settings: st, roles: r, cp, causes, unchecked, looked, claimed, allPods, events, lostNames } = sw;
  const add = (c: Cause): Cause => addCause(sw, c);
  const claim = (pod: string, cause: Cause) => claimPod(sw, pod, cause);
  const key = podKey;

  controlPlane(sw);

  nodeRules(sw);

  postgres(sw);
  const { pgAll, databaseDown } = sw;

  groupWorkloads(sw);
  networkPlugin(sw);
  clusterDns(sw);
  const { workloads, dnsCause, hitsByPod } = sw;

  const rolloutRecent = (rs: V1ReplicaSet | undefined) =>
    rs?.metadata?.creationTimestamp !== undefined && now.getTime() - (ms(rs.metadata.creationTimestamp) ?? 0) < st.recentRolloutMs;

  for (const w of workloads.values()) {
    if (w.namespace === r.dns) continue;
    // An evicted pod is gone: its replacement is the replica that counts.
    const live = w.pods.filter((h) => h.state !== 'old-eviction' && h.state !== 'evicted');
    const bad = live.filter((h) => isProblem(h) && !claimed.has(key(h)));
    const isKeycloak = w.namespace === r.auth && /keycloak/i.test(`${w.name} ${live[0]?.labels.app ?? ''}`);
    const wSubject = `${w.namespace}/${w.name}`;
    const vars = w.namespace === r.system ? { service: w.name } : undefined;
    // Overload: readiness timing out across replicas with nothing crashing and no recent change.
    const unhealthy = (events.get(w.namespace) ?? []).filter(
      (e) => e.reason === 'Unhealthy' && /Readiness probe failed/.test(e.message) && live.some((h) => h.pod === e.name),
    );
    const slowPods = new Set(unhealthy.filter((e) => /deadline exceeded|timeout|timed out|503/i.test(e.message)).map((e) => e.name));
    const crashing = bad.filter((h) => !['not-ready', 'flapping'].includes(h.state));
    if (bad.length === 0 && slowPods.size < Math.max(2, Math.ceil(live.length / 2))) continue;
    const hits = bad.flatMap((h) => hitsByPod.get(key(h)) ?? logsOf(cp, h));
    const has = (sig: LogSignal) => hits.some((x) => x.signal === sig);
    // Overload only when nothing else explains the slowness: a database that is down, failing DNS
    // or a lost node make health checks time out too.
    const explainedElsewhere =
      databaseDown !== undefined || dnsCause !== undefined || lostNames.size > 0 || has('db-unreachable') || has('dns');
    if (slowPods.size >= Math.max(2, Math.ceil(live.length / 2)) && crashing.length === 0 && !explainedElsewhere) {
      const replicas = w.deployment?.spec?.replicas ?? live.length;
      const target = Math.max(replicas + 1, Math.ceil(replicas * 1.5));
      const c = add({
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
      for (const h of bad) claim(key(h), c);
      continue;
    }
    const firstBad = bad[0];
    if (!firstBad) continue;

    const evidencePods = bad.slice(0, 4).map(describePod);

    // 4a. The apps cannot reach a database that is down: the database explains them.
    if (databaseDown && !databaseDown.explainedBy && (has('db-unreachable') || has('severe') || hits.length === 0)) {
      databaseDown.evidence.push(...evidenceOf(hits, 'db-unreachable', 2));
      for (const h of bad) claim(key(h), databaseDown);
      if (!isKeycloak) continue;
    }
    // 4a'. PostgreSQL's pods look fine, but the apps say it refuses them: the database is still the
    // suspect (a Service, its endpoints, or PostgreSQL itself not listening) - unless only a new
    // revision fails while the old one, using the same database, serves.
    const dbLines = hits.filter(
      (x) => x.signal === 'db-unreachable' && /postgres|psycopg|sqlalchemy|:5432|database|jdbc|pg_/i.test(x.line),
    );
    if (!databaseDown && dbLines.length && !recentRevisionAlone(w, bad)) {
      const c = add({
        id: 'database-down',
        subject: `${r.data}/postgresql`,
        title: dbLines.some((x) => /too many (clients|connections)/i.test(x.line))
          ? 'PostgreSQL refuses new connections: too many clients (max_connections exhausted); its pods report ready'
          : dbLines.some((x) => /starting up|shutting down|recovery mode/i.test(x.line))
            ? 'PostgreSQL is not accepting connections yet (starting up or in recovery)'
            : 'the services cannot connect to PostgreSQL (connection refused), although its pods report ready',
        evidence: [...dbLines.slice(0, 3).map((x) => `log ${x.source}: ${x.line}`), ...pgAll.slice(0, 2).map(describePod)],
        explains: [],
        runbook: 'database-failure',
        impact: 'major',
        facts: {},
      });
      for (const h of bad) claim(key(h), c);
      continue;
    }
    // 4b. A rejected password with PostgreSQL healthy: the credentials changed.
    if (has('db-auth-failed') && !databaseDown) {
      const c = add({
        id: 'database-credentials',
        subject: wSubject,
        title: `${w.name} is refused by PostgreSQL: its database password no longer matches (rotated?)`,
        evidence: [...evidenceOf(hits, 'db-auth-failed'), ...evidencePods],
        explains: [],
        runbook: isKeycloak ? 'auth-failure' : 'database-failure',
        impact: isKeycloak ? 'major' : w.namespace === r.system && bad.length === live.length ? 'major' : 'partial',
        facts: { namespace: w.namespace, deployment: w.name, pod: firstBad.pod },
      });
      for (const h of bad) claim(key(h), c);
      if (isKeycloak) keycloakDown(w, bad, c);
      continue;
    }
    // 4c. Name resolution.
    if (dnsCause && has('dns')) {
      for (const h of bad) claim(key(h), dnsCause);
      continue;
    }
    if (isKeycloak && databaseDown && bad.every((h) => claimed.has(key(h)))) {
      keycloakDown(w, bad, databaseDown);
      continue;
    }

    // 5. Revisions: a recent one failing while the previous one serves.
    const byRevision = [...w.replicaSets].sort((a, b) => revisionOf(b) - revisionOf(a));
    const newest = byRevision[0];
    const podsOfRs = (rs: V1ReplicaSet | undefined) => (rs ? live.filter((h) => h.owner?.name === rs.metadata?.name) : []);
    const newPods = podsOfRs(newest);
    const previousRs = byRevision.slice(1).find((rs) => podsOfRs(rs).length > 0) ?? byRevision[1];
    const previousPods = podsOfRs(previousRs);
    const newFailing = newPods.filter((h) => bad.includes(h));
    const previousHealthy = previousPods.filter((h) => !isProblem(h));
    const nature: CauseId =
      bad.some((h) => h.state === 'config-error') || has('config-error') || configEvents(events.get(w.namespace) ?? [], bad).length
        ? 'bad-config'
        : bad.some((h) => h.state === 'image-pull')
          ? 'image-pull'
          : bad.some((h) => h.state === 'oom') || has('oom')
            ? 'app-oom'
            : 'app-crash';
    const natureEvidence = [
      ...evidencePods,
      ...configEvents(events.get(w.namespace) ?? [], bad)
        .slice(0, 2)
        .map((e) => eventLine(e, now)),
      ...evidenceOf(hits, 'config-error'),
      ...(nature === 'app-crash' || nature === 'app-oom'
        ? [...evidenceOf(hits, 'oom', 1), ...evidenceOf(hits, 'db-unreachable', 1), ...evidenceOf(hits, 'severe', 3)]
        : []),
    ];
    const impact: Impact =
      bad.length === live.length
        ? w.namespace === r.system
          ? 'major'
          : isKeycloak
            ? 'major'
            : 'partial'
        : bad.length > live.length / 2
          ? 'major'
          : 'partial';
    // The previous revision is proven healthy only by pods of it that still serve.
    const proven = previousRs !== undefined && previousHealthy.length > 0 && previousHealthy.length === previousPods.length;
    const recent = rolloutRecent(newest);
    // Did the new revision's pods fail from the start, or run fine for a while and then break (a
    // change made since: a ConfigMap, a Secret, a dependency)? Only the first blames the revision.
    const ranFine = newFailing.map((h) => servedBeforeFailing(h, now));
    const failedFromStart = ranFine.every((x) => x === undefined);
    const ranFineFor = failedFromStart ? undefined : ago(new Date(now.getTime() - Math.max(...ranFine.map((x) => x ?? 0))), now);
    if (newest && newFailing.length > 0 && newFailing.length === bad.length && failedFromStart && (recent || proven)) {
      const rev = revisionOf(newest);
      const prev = previousRs ? revisionOf(previousRs) : undefined;
      const age = ago(newest.metadata?.creationTimestamp, now);
      const root = add({
        id: 'bad-deployment',
        subject: wSubject,
        title: !recent
          ? `revision ${rev} of ${w.name} (rolled out ${age} ago) has failed since it rolled out while revision ${prev} still serves; it is older than the rollback window, so no rollback is offered automatically`
          : proven
            ? `revision ${rev} of ${w.name} (rolled out ${age} ago) fails while revision ${prev} still serves`
            : `revision ${rev} of ${w.name} (rolled out ${age} ago) fails; no pod of an earlier revision is left serving to prove a rollback safe${prev ? ` (check revision ${prev} before rolling back by hand)` : ''}`,
        evidence: [
          `${wSubject}: revision ${rev} (ReplicaSet ${newest.metadata?.name}, created ${iso(newest.metadata?.creationTimestamp)}${newest.metadata?.annotations?.['kubernetes.io/change-cause'] ? `: ${newest.metadata.annotations['kubernetes.io/change-cause']}` : ''}): ${newFailing.length}/${newPods.length} pods failing`,
          previousRs
            ? `${wSubject}: revision ${prev} (ReplicaSet ${previousRs.metadata?.name}): ${previousHealthy.length}/${previousPods.length} pods healthy`
            : `${wSubject}: no earlier revision`,
          ...natureEvidence,
        ],
        explains: [],
        runbook: w.namespace === r.system ? 'sev2-response' : isKeycloak ? 'auth-failure' : 'sev2-response',
        ...(vars ? { vars } : {}),
        impact,
        facts: {
          namespace: w.namespace,
          deployment: w.name,
          revision: String(rev),
          // Only a proven previous revision, within the window, is a rollback target.
          ...(proven && recent && prev !== undefined ? { previousRevision: String(prev) } : {}),
        },
      });
      for (const h of bad) claim(key(h), root);
      if (nature === 'bad-config' || nature === 'image-pull')
        add({
          id: nature,
          subject: wSubject,
          title:
            nature === 'bad-config'
              ? `revision ${rev} of ${w.name} has a broken configuration`
              : `revision ${rev} of ${w.name} names an image that cannot be pulled`,
          evidence: natureEvidence,
          explains: [],
          explainedBy: causeKey(root),
          runbook: root.runbook,
          ...(vars ? { vars } : {}),
          impact,
          facts: root.facts,
        });
      if (isKeycloak) keycloakDown(w, bad, root);
      continue;
    }
    const recentNote =
      ranFineFor && newest
        ? [
            `${wSubject}: revision ${revisionOf(newest)} served for ${ranFineFor} before its pods began to fail: something changed since, not the revision`,
          ]
        : newest && rolloutRecent(newest)
          ? [
              `${wSubject}: revision ${revisionOf(newest)} rolled out ${ago(newest.metadata?.creationTimestamp, now)} ago, but no earlier revision is seen serving: a rollback's safety is not proven`,
            ]
          : newest
            ? [`${wSubject}: revision ${revisionOf(newest)} is ${ago(newest.metadata?.creationTimestamp, now)} old: not a new deployment`]
            : [];
    const single = bad.length < live.length && bad.length <= Math.max(1, Math.floor(live.length / 3));
    // A restart clears a hang or a wedged state, not a cause the logs name, not a new revision's bug,
    // not a memory limit: only with nothing in the logs and no recent revision is it worth offering.
    const telling = hits.filter((x) => x.signal !== 'severe' || /Traceback|Exception|Error\b|FATAL|PANIC|CRITICAL|panic:/.test(x.line));
    const restartFixable =
      nature === 'app-crash' &&
      bad.every((h) => ['not-ready', 'flapping', 'crashloop'].includes(h.state)) &&
      telling.length === 0 &&
      !(newest && rolloutRecent(newest) && failedFromStart);
    const firstLine = telling[0] ? `: ${telling[0].line.slice(0, 160)}` : '';
    if (isKeycloak && !single && (nature === 'app-crash' || nature === 'app-oom')) {
      // Keycloak down with nothing stronger to blame is the cause itself (§5.3 "Keycloak down").
      const kc = add({
        id: 'keycloak-down',
        subject: wSubject,
        title: `Keycloak is down (${bad.length}/${live.length} pods failing): logins and token validation fail`,
        evidence: [...natureEvidence, ...recentNote],
        explains: [],
        runbook: 'auth-failure',
        impact: 'major',
        facts: { namespace: w.namespace, deployment: w.name, pod: firstBad.pod, ...(restartFixable ? { restartFixable: 'yes' } : {}) },
      });
      for (const h of bad) claim(key(h), kc);
      continue;
    }
    const c = add({
      id: nature,
      subject: single ? `${w.namespace}/${bad.map((h) => h.pod).join(',')}` : wSubject,
      title:
        nature === 'bad-config'
          ? `${w.name} rejects its configuration${(newest && !rolloutRecent(newest)) || ranFineFor ? ' (changed in place, not by a new revision)' : ''}`
          : nature === 'image-pull'
            ? `${w.name} cannot pull the image of its ${bad.find((h) => h.state === 'image-pull')?.container ?? ''} container${imagePullWhy(bad)}`
            : nature === 'app-oom'
              ? `${w.name} is killed for running out of memory (${bad.length}/${live.length} pods): its limit is too low for its load`
              : single
                ? `${bad.length} of ${live.length} ${w.name} replicas fail while the others serve (same revision): a bad replica, not a bad deployment${firstLine}`
                : firstLine
                  ? `${w.name} is failing (${bad.length}/${live.length} pods)${firstLine}`
                  : `${w.name} is failing (${bad.length}/${live.length} pods) and no cause shows in its state, logs or events`,
      evidence: [...natureEvidence, ...recentNote],
      explains: [],
      runbook: isKeycloak ? 'auth-failure' : 'sev2-response',
      ...(vars ? { vars } : {}),
      impact: single ? 'partial' : impact,
      facts: {
        namespace: w.namespace,
        deployment: w.name,
        failing: String(bad.length),
        total: String(live.length),
        pod: firstBad.pod,
        ...(restartFixable && !single ? { restartFixable: 'yes' } : {}),
        ...(single ? { replica: 'single' } : {}),
      },
    });
    for (const h of bad) claim(key(h), c);
    if (isKeycloak && !single) keycloakDown(w, bad, c);
  }

  /** Only the newest, recent revision's pods fail while an older revision's pods all serve. */
  function recentRevisionAlone(w: Workload, bad: PodHealth[]): boolean {
    const byRevision = [...w.replicaSets].sort((a, b) => revisionOf(b) - revisionOf(a));
    const newest = byRevision[0];
    if (!newest || !rolloutRecent(newest)) return false;
    const live = w.pods.filter((h) => h.state !== 'old-eviction');
    const older = live.filter((h) => h.owner?.name !== newest.metadata?.name);
    return bad.every((h) => h.owner?.name === newest.metadata?.name) && older.length > 0 && older.every((h) => !isProblem(h));
  }

  /** `because` is the cause already naming these pods, if any (none: Keycloak down is the root). */
  function keycloakDown(w: Workload, bad: PodHealth[], because: Cause | undefined) {
    const live = w.pods.filter((h) => h.state !== 'old-eviction');
    const first = bad[0];
    if (!first || bad.length < live.length) return;
    add({
      id: 'keycloak-down',
      subject: `${w.namespace}/${w.name}`,
      title: `Keycloak is down (${bad.length}/${live.length} pods failing): logins and token validation fail`,
      evidence: bad.slice(0, 3).map(describePod),
      explains: bad.map(key),
      ...(because && because.id !== 'keycloak-down' ? { explainedBy: causeKey(because) } : {}),
      runbook: 'auth-failure',
      impact: 'major',
      facts: { namespace: w.namespace, deployment: w.name, pod: first.pod },
    });
  }
  // Keycloak down for reasons already named elsewhere (a node, the database) still gets its own line.
  for (const w of workloads.values()) {
    if (w.namespace !== r.auth || !/keycloak/i.test(w.name)) continue;
    const live = w.pods.filter((h) => h.state !== 'old-eviction');
    const bad = live.filter(isProblem);
    const first = bad[0];
    if (first && bad.length === live.length && !causes.some((c) => c.id === 'keycloak-down')) {
      keycloakDown(w, bad, claimed.get(key(first))?.cause);
    }
  }

  inference(sw);
  probes(sw);
  platform(sw);
  const { inferenceFailingPct, platformDown } = sw;
  const unexplained = [...allPods.values()]
    .flat()
    .filter((h) => isProblem(h) && !claimed.has(key(h)))
    .map(describePod);
  return {
    causes: rank(causes),
    unexplained,
    unchecked,
    looked,
    platformDown,
    ...(inferenceFailingPct !== undefined ? { inferenceFailingPct } : {}),
  };
}
