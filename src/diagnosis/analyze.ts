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
import { STATE_WORDS, describePod, isProblem, type PodHealth } from './pods.js';
import { evidenceOf, type LogSignal } from './logs.js';
import type { ClusterRead, Snapshot } from './snapshot.js';
import type { CauseId } from './causes.js';
import { causeKey, type Cause, type Diagnosis, type Impact } from './model.js';
import { ago, configEvents, eventLine, eventsOf, imagePullWhy, iso, ms, nodeViews, revisionOf, servedBeforeFailing } from './evidence.js';
import { rank } from './rank.js';
import { addCause, claim as claimPod, logsOf, openSweep, podKey, podsOf as podsOfCluster, type Workload } from './sweep.js';
import { controlPlane } from './rules/control-plane.js';
import { nodeRules } from './rules/nodes.js';
import { postgres } from './rules/database.js';
import { groupWorkloads } from './rules/workloads.js';
import { clusterDns, networkPlugin } from './rules/dns.js';

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
  const podsOf = (c: ClusterRead, ns: string): PodHealth[] => podsOfCluster(sw, c, ns);
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

  // The workload cluster: model servers.
  let inferenceFailingPct: number | undefined;
  if (s.workload) {
    const wc = s.workload;
    const ns = r.workloads;
    const pods = podsOf(wc, ns).filter((h) => h.state !== 'completed' && h.state !== 'old-eviction');
    const wNodes = wc.nodes.ok ? nodeViews(wc.nodes.value, now) : [];
    if (wc.namespaces[ns]?.pods.ok) {
      looked.push(`${pods.length} model-server pods in ${wc.name}/${ns}`);
      const badPods = pods.filter(isProblem);
      inferenceFailingPct = pods.length ? Math.round((badPods.length / pods.length) * 100) : 0;
      for (const n of wNodes.filter((x) => x.lost)) {
        const mine = badPods.filter((h) => h.node === n.name);
        const c = add({
          id: 'node-lost',
          subject: `node/${n.name}`,
          title: `GPU node ${n.name} of ${wc.name} stopped reporting`,
          evidence: [...n.evidence, ...mine.slice(0, 3).map(describePod)],
          explains: mine.map(key),
          runbook: 'inference-failures',
          impact: 'inference',
          facts: { node: n.name, cluster: wc.name },
        });
        for (const h of mine) claim(key(h), c);
      }
      const wEvents = wc.namespaces[ns]?.events;
      const wEventsOk = wEvents?.ok ? eventsOf(wEvents.value, now, st.eventWindowMs) : [];
      for (const h of badPods.filter((x) => !claimed.has(key(x)))) {
        const hits = logsOf(wc, h);
        if (h.state === 'unschedulable') {
          // A model server that cannot be placed: GPU capacity, not a crash (a restart makes another pending pod).
          const msg = `${h.detail ?? ''} ${wEventsOk
            .filter((e) => e.name === h.pod && e.reason === 'FailedScheduling')
            .map((e) => e.message)
            .join(' ')}`;
          const c = add({
            id: 'node-pressure',
            subject: `cluster/${wc.name}`,
            title: /nvidia\.com\/gpu|gpu/i.test(msg)
              ? `no GPU is free for model server ${h.pod} on ${wc.name} (Insufficient nvidia.com/gpu): something else holds the GPUs, or the cluster needs more`
              : `model server ${h.pod} cannot be scheduled on ${wc.name}`,
            evidence: [describePod(h), ...(msg.trim() ? [`scheduler: ${msg.trim().slice(0, 300)}`] : [])],
            explains: [],
            runbook: 'inference-failures',
            impact: 'inference',
            facts: { cluster: wc.name, pod: h.pod },
          });
          claim(key(h), c);
          continue;
        }
        const gpu = h.state === 'oom' || hits.some((x) => x.signal === 'gpu-oom');
        // A GPU fault (an illegal memory access, Xid, ECC) is not cleared by recreating the pod; nor is a
        // server that is Ready between restarts helped by being deleted.
        const hardware = hits.some((x) => /illegal memory access|Xid|ECC error|fallen off the bus|uncorrectable/i.test(x.line));
        const restartFixable = !gpu && !hardware && h.state === 'crashloop' && !h.ready;
        const c = add({
          id: gpu ? 'gpu-oom' : 'model-serving-crash',
          subject: `${ns}/${h.pod}`,
          title: gpu
            ? `model server ${h.pod} runs out of GPU memory`
            : hardware
              ? `model server ${h.pod} crashes on a GPU fault (${h.state}): suspect the GPU or its node, not the server`
              : `model server ${h.pod} crashes (${STATE_WORDS[h.state]})`,
          evidence: [describePod(h), ...evidenceOf(hits, gpu ? 'gpu-oom' : 'engine-dead'), ...evidenceOf(hits, 'severe', 2)],
          explains: [],
          runbook: 'inference-failures',
          vars: { vllmPod: h.pod },
          impact: 'inference',
          facts: {
            namespace: ns,
            pod: h.pod,
            cluster: wc.name,
            ...(restartFixable ? { restartFixable: 'yes' } : {}),
            ...(hardware ? { gpuFault: 'yes' } : {}),
          },
        });
        claim(key(h), c);
      }
    }
  }

  // Probes: certificate, clock, the platform API.
  const p = s.probes;
  if (p.tls) {
    if (p.tls.result.ok) {
      const cert = p.tls.result.value;
      if (new Date(cert.validTo).getTime() <= now.getTime())
        add({
          id: 'certificate-expiry',
          subject: p.tls.url,
          title: `the certificate of ${p.tls.url} expired ${ago(cert.validTo, now)} ago: clients refuse to connect`,
          evidence: [
            `certificate ${cert.subject || '?'} issued by ${cert.issuer || '?'}: valid ${iso(cert.validFrom)} to ${iso(cert.validTo)}`,
          ],
          explains: [],
          runbook: 'auth-failure',
          impact: 'major',
          facts: { url: p.tls.url },
        });
      else if (!cert.authorized && cert.authorizationError)
        unchecked.push({
          what: `certificate of ${p.tls.url}`,
          reason: `its chain is not trusted here (${cert.authorizationError}); its dates are fine`,
          fix: 'add the issuing CA to NODE_EXTRA_CA_CERTS to check the chain too',
        });
    } else
      unchecked.push({
        what: `certificate of ${p.tls.url}`,
        reason: p.tls.result.reason,
        fix: 'check keycloakUrl in the config and that it is reachable from here',
      });
  }
  if (p.clock) {
    if (p.clock.result.ok) {
      const c = p.clock.result.value;
      const skew = new Date(c.serverDate).getTime() - new Date(c.localMid).getTime();
      if (Math.abs(skew) > st.maxClockSkewMs + 1000 + c.roundTripMs / 2)
        add({
          id: 'clock-skew',
          subject: p.clock.url,
          title: `${p.clock.url}'s clock is ${Math.round(Math.abs(skew) / 1000)}s ${skew > 0 ? 'ahead of' : 'behind'} this machine: tokens are rejected as not yet valid or expired`,
          evidence: [`Date header ${c.serverDate}, local ${c.localMid} (round trip ${c.roundTripMs} ms)`],
          explains: [],
          runbook: 'auth-failure',
          impact: 'major',
          facts: { url: p.clock.url, skewSeconds: String(Math.round(skew / 1000)) },
        });
    } else
      unchecked.push({
        what: `clock of ${p.clock.url}`,
        reason: p.clock.result.reason,
        fix: 'check keycloakUrl in the config and that it is reachable from here',
      });
  }
  if (p.endpoints) {
    const e = p.endpoints.result;
    if (e.ok && e.value.status === 429)
      add({
        id: 'rate-limiting',
        subject: p.endpoints.url,
        title: `the platform API rate-limits requests (HTTP 429${e.value.retryAfter ? `, Retry-After ${e.value.retryAfter}` : ''})`,
        evidence: [`GET ${p.endpoints.url}/endpoints → 429 Too Many Requests`],
        explains: [],
        runbook: 'inference-failures',
        impact: 'inference',
        facts: {},
      });
    else if (e.ok && e.value.status >= 500) {
      // Users see it: evidence of impact. A cause found in the cluster explains it; only with none
      // found is the failing API a problem of its own.
      const line = `GET ${p.endpoints.url}/endpoints → HTTP ${e.value.status}`;
      const top = rank(causes).find((c) => !c.explainedBy);
      if (top) top.evidence.push(`the platform API answers: ${line}`);
      else
        add({
          id: 'app-crash',
          subject: p.endpoints.url,
          title: `the platform API answers HTTP ${e.value.status} and nothing in the cluster shows why`,
          evidence: [line],
          explains: [],
          runbook: 'sev1-response',
          impact: 'major',
          facts: {},
        });
    } else if (e.ok && e.value.status >= 400)
      unchecked.push({
        what: 'the platform API',
        reason: `it answered HTTP ${e.value.status} to our request${e.value.status === 401 || e.value.status === 403 ? ' (our token is not accepted)' : ''}`,
        fix: 'set $TOKEN to a valid platform API token',
      });
    else if (e.ok && e.value.list) {
      const healthy = /^(running|healthy|ready|active|deployed|serving)$/i;
      const bad = e.value.list.filter((x) => !healthy.test(String(x.status)));
      if (e.value.list.length && bad.length)
        inferenceFailingPct = Math.max(inferenceFailingPct ?? 0, Math.round((bad.length / e.value.list.length) * 100));
    } else if (!e.ok)
      unchecked.push({ what: 'the platform API', reason: e.reason, fix: 'check apiUrl in the config and that it is reachable from here' });
  }

  // The platform is down when no platform service has a healthy pod (or its cluster's API is broken).
  const platformWorkloads = [...workloads.values()].filter((w) => w.namespace === r.system);
  // A pod restarting under its liveness probe but Ready between restarts still serves.
  const serving = (w: Workload) =>
    w.pods.some((h) => (!isProblem(h) && h.state !== 'old-eviction' && h.state !== 'starting') || (h.state === 'flapping' && h.ready));
  const main = workloads.get(`${r.system}/${st.mainDeployment}`);
  const platformDown =
    causes.some((c) => c.id === 'control-plane' && c.subject === `cluster/${cp.name}`) ||
    (platformWorkloads.length > 0 && platformWorkloads.every((w) => !serving(w))) ||
    (main !== undefined && !serving(main));
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
