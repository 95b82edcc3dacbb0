/**
 * Rule 3, PostgreSQL's own state: its logs and events say which trouble it has (a full or
 * unattachable volume, a corrupt write-ahead log, running out of memory, a replica not
 * replicating, or simply not serving). The primary goes first: a replica's trouble may be the
 * primary's. The primary's cause is kept (sw.databaseDown) for the applications that cannot reach it.
 *
 * Rule 4, the applications' side (databaseClients): those that cannot reach a database that is down
 * are explained by it; those refused by a PostgreSQL whose pods look fine still point at it; a
 * rejected password with PostgreSQL healthy is rotated credentials.
 */
import { STATE_WORDS, describePod, isProblem, type PodHealth } from '../pods.js';
import { evidenceOf, type LogSignal } from '../logs.js';
import { causeKey, type Cause } from '../model.js';
import { eventLine } from '../evidence.js';
import { addCause, claim, eventsFor, logsOf, podKey, type Sweep } from '../sweep.js';
import { keycloakDown } from './keycloak.js';
import { recentRevisionAlone } from './rollout.js';
import type { FailingWorkload } from './workloads.js';

export function postgres(sw: Sweep): void {
  const { now, roles: r, cp, unchecked, looked, claimed, allPods } = sw;
  const pgAll = (sw.pgAll = (allPods.get(r.data) ?? []).filter((h) =>
    /postgres|patroni|spilo|cnpg/i.test(
      `${h.labels.app ?? ''} ${h.labels['app.kubernetes.io/name'] ?? ''} ${h.labels['cnpg.io/cluster'] ?? ''} ${h.labels.application ?? ''} ${h.pod}`,
    ),
  ));
  const roleOf = (h: PodHealth): 'primary' | 'replica' => {
    const label = `${h.labels.role ?? ''}${h.labels['spilo-role'] ?? ''}${h.labels['cnpg.io/instanceRole'] ?? ''}${h.labels['app.kubernetes.io/component'] ?? ''}`;
    if (/primary|master/.test(label)) return 'primary';
    if (/replica|standby|read|slave/.test(label)) return 'replica';
    return /-0$/.test(h.pod) ? 'primary' : 'replica';
  };
  let databaseDown: Cause | undefined;
  const dataRead = cp.namespaces[r.data]?.pods;
  if (dataRead?.ok && pgAll.length === 0) {
    unchecked.push({
      what: `PostgreSQL in ${r.data}`,
      reason: `no pod in ${r.data} looks like PostgreSQL (labels app/app.kubernetes.io/name, names postgres*)`,
      fix: `if the database runs elsewhere, check it there; or set namespaces.data in the config`,
    });
  }
  const primary = pgAll.find((h) => roleOf(h) === 'primary');
  const replicas = pgAll.filter((h) => h !== primary);
  const healthyReplicas = replicas.filter((h) => !isProblem(h)).map((h) => h.pod);
  const pgCause = (h: PodHealth, asPrimary: boolean, primaryDown: Cause | undefined): Cause | undefined => {
    const hits = logsOf(cp, h);
    const has = (sig: LogSignal) => hits.some((x) => x.signal === sig);
    const evs = eventsFor(sw, h).filter((e) =>
      /FailedMount|FailedAttachVolume|VolumeResizeFailed|ProvisioningFailed|FailedScheduling|OOMKilling|Unhealthy|BackOff/.test(e.reason),
    );
    const attach = evs.filter((e) => /FailedMount|FailedAttachVolume/.test(e.reason));
    const unbound =
      h.state === 'unschedulable' && /PersistentVolumeClaim|volume/i.test(`${h.detail ?? ''} ${evs.map((e) => e.message).join(' ')}`);
    const evidence = [describePod(h), ...evs.slice(0, 3).map((e) => eventLine(e, now))];
    const common: Pick<Cause, 'subject' | 'explains' | 'runbook'> = {
      subject: `${h.namespace}/${h.pod}`,
      explains: [],
      runbook: 'database-failure',
    };
    const facts: Record<string, string> = {
      pod: h.pod,
      role: asPrimary ? 'primary' : 'replica',
      ...(asPrimary && healthyReplicas[0] ? { healthyReplica: healthyReplicas[0] } : {}),
    };
    const who = asPrimary ? `PostgreSQL ${h.pod}` : `replica ${h.pod}`;
    // Its own signature first, whichever its role: a replica killed for memory needs memory, not a rebuild.
    if (has('disk-full'))
      return {
        id: 'database-storage',
        ...common,
        title: `${who} cannot write: its volume is full`,
        evidence: [...evidence, ...evidenceOf(hits, 'disk-full')],
        impact: asPrimary ? 'major' : 'partial',
        facts: { ...facts, volumeFull: 'yes' },
      };
    if (attach.length || unbound)
      return {
        id: 'database-storage',
        ...common,
        title: `${who} cannot get its volume (${unbound ? 'its claim is not bound' : attach.some((e) => /Multi-Attach/.test(e.message)) ? 'it is still attached to another node' : 'it cannot be attached or mounted'})`,
        evidence,
        impact: asPrimary ? 'major' : 'partial',
        facts: { ...facts, volumeAttach: unbound ? 'unbound' : 'attach' },
      };
    if (has('wal-corruption'))
      return {
        id: 'database-corruption',
        ...common,
        title: `${who} cannot start: its write-ahead log or data files are corrupt`,
        evidence: [...evidence, ...evidenceOf(hits, 'wal-corruption')],
        impact: asPrimary ? 'data' : 'partial',
        facts,
      };
    if (h.state === 'oom' || has('oom') || evs.some((e) => e.reason === 'OOMKilling'))
      return {
        id: 'database-oom',
        ...common,
        title: `${who} is killed for running out of memory`,
        evidence: [...evidence, ...evidenceOf(hits, 'oom')],
        impact: asPrimary ? 'major' : 'partial',
        facts,
      };
    if (!asPrimary) {
      // A replica cannot stream from a primary that is down: that explains it.
      if (primaryDown && !has('replication')) return undefined;
      return {
        id: 'database-replication',
        ...common,
        title: `replica ${h.pod} is not replicating from the primary`,
        evidence: [...evidence, ...evidenceOf(hits, 'replication'), ...evidenceOf(hits, 'severe', 2)],
        impact: 'partial',
        facts,
      };
    }
    return {
      id: 'database-down',
      ...common,
      title: `PostgreSQL ${h.pod} is not serving (${STATE_WORDS[h.state]})`,
      evidence: [...evidence, ...evidenceOf(hits, 'severe', 3)],
      impact: 'major',
      facts,
    };
  };
  // The primary first: a replica's trouble may be the primary's.
  for (const h of [...pgAll.filter(isProblem)].sort((a, b) => (a === primary ? -1 : b === primary ? 1 : 0))) {
    const asPrimary = h === primary;
    const c = pgCause(h, asPrimary, databaseDown);
    const byNode = claimed.get(podKey(h));
    if (!c) {
      if (databaseDown && !byNode) claim(sw, podKey(h), databaseDown);
      continue;
    }
    if (byNode) c.explainedBy = causeKey(byNode.cause);
    const added = addCause(sw, c);
    if (!byNode) claim(sw, podKey(h), added);
    if (asPrimary) databaseDown = added;
  }
  sw.databaseDown = databaseDown;
  if (pgAll.length) looked.push(`PostgreSQL (${pgAll.map((h) => `${h.pod} ${isProblem(h) ? h.state : 'ok'}`).join(', ')})`);
}

/** Rule 4 for one workload's failing pods: true when the database explains them. */
export function databaseClients(sw: Sweep, v: FailingWorkload): boolean {
  const { roles: r, pgAll, databaseDown } = sw;
  const { w, live, bad, isKeycloak, wSubject, hits, has, firstBad, evidencePods } = v;
  // 4a. The apps cannot reach a database that is down: the database explains them.
  if (databaseDown && !databaseDown.explainedBy && (has('db-unreachable') || has('severe') || hits.length === 0)) {
    databaseDown.evidence.push(...evidenceOf(hits, 'db-unreachable', 2));
    for (const h of bad) claim(sw, podKey(h), databaseDown);
    if (!isKeycloak) return true;
  }
  // 4a'. PostgreSQL's pods look fine, but the apps say it refuses them: the database is still the
  // suspect (a Service, its endpoints, or PostgreSQL itself not listening) - unless only a new
  // revision fails while the old one, using the same database, serves.
  const dbLines = hits.filter((x) => x.signal === 'db-unreachable' && /postgres|psycopg|sqlalchemy|:5432|database|jdbc|pg_/i.test(x.line));
  if (!databaseDown && dbLines.length && !recentRevisionAlone(sw, w, bad)) {
    const c = addCause(sw, {
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
    for (const h of bad) claim(sw, podKey(h), c);
    return true;
  }
  // 4b. A rejected password with PostgreSQL healthy: the credentials changed.
  if (has('db-auth-failed') && !databaseDown) {
    const c = addCause(sw, {
      id: 'database-credentials',
      subject: wSubject,
      title: `${w.name} is refused by PostgreSQL: its database password no longer matches (rotated?)`,
      evidence: [...evidenceOf(hits, 'db-auth-failed'), ...evidencePods],
      explains: [],
      runbook: isKeycloak ? 'auth-failure' : 'database-failure',
      impact: isKeycloak ? 'major' : w.namespace === r.system && bad.length === live.length ? 'major' : 'partial',
      facts: { namespace: w.namespace, deployment: w.name, pod: firstBad.pod },
    });
    for (const h of bad) claim(sw, podKey(h), c);
    if (isKeycloak) keycloakDown(sw, w, bad, c);
    return true;
  }
  return false;
}
