/**
 * Rule 5, revisions: a recent revision whose pods fail from the start while the previous
 * revision's pods still serve is a bad deployment (its nature: config, image or crash); an old
 * revision failing, or one that served for a while before failing, is not. What this rule learns
 * about a workload's revisions (RevisionView) is what rule 6 (leftovers.ts) words its cause with.
 */
import type { V1ReplicaSet } from '@kubernetes/client-node';
import { isProblem, type PodHealth } from '../pods.js';
import { evidenceOf } from '../logs.js';
import type { CauseId } from '../causes.js';
import { causeKey, type Impact } from '../model.js';
import { ago, configEvents, eventLine, iso, revisionOf, servedBeforeFailing } from '../evidence.js';
import { addCause, claim, podKey, rolloutRecent, type Sweep, type Workload } from '../sweep.js';
import { keycloakDown } from './keycloak.js';
import type { FailingWorkload } from './workloads.js';

/** A workload's revisions as the failing pods see them, and the nature and reach of the failure. */
export interface RevisionView {
  newest: V1ReplicaSet | undefined;
  previousRs: V1ReplicaSet | undefined;
  newPods: PodHealth[];
  newFailing: PodHealth[];
  previousPods: PodHealth[];
  previousHealthy: PodHealth[];
  nature: CauseId;
  natureEvidence: string[];
  impact: Impact;
  /** The previous revision is proven healthy by pods of it that still serve. */
  proven: boolean;
  recent: boolean;
  failedFromStart: boolean;
  /** How long the new revision served before failing, when it did. */
  ranFineFor: string | undefined;
}

export function revisionsOf(sw: Sweep, v: FailingWorkload): RevisionView {
  const { now, roles: r, events } = sw;
  const { w, live, bad, isKeycloak, hits, has, evidencePods } = v;
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
  const recent = rolloutRecent(sw, newest);
  // Did the new revision's pods fail from the start, or run fine for a while and then break (a
  // change made since: a ConfigMap, a Secret, a dependency)? Only the first blames the revision.
  const ranFine = newFailing.map((h) => servedBeforeFailing(h, now));
  const failedFromStart = ranFine.every((x) => x === undefined);
  const ranFineFor = failedFromStart ? undefined : ago(new Date(now.getTime() - Math.max(...ranFine.map((x) => x ?? 0))), now);
  return {
    newest,
    previousRs,
    newPods,
    newFailing,
    previousPods,
    previousHealthy,
    nature,
    natureEvidence,
    impact,
    proven,
    recent,
    failedFromStart,
    ranFineFor,
  };
}

/** Rule 5 for one workload: true when a bad revision explains its failing pods. */
export function badRevision(sw: Sweep, v: FailingWorkload, rv: RevisionView): boolean {
  const { now, roles: r } = sw;
  const { w, bad, isKeycloak, wSubject, vars } = v;
  const {
    newest,
    previousRs,
    newPods,
    newFailing,
    previousPods,
    previousHealthy,
    nature,
    natureEvidence,
    impact,
    proven,
    recent,
    failedFromStart,
  } = rv;
  if (newest && newFailing.length > 0 && newFailing.length === bad.length && failedFromStart && (recent || proven)) {
    const rev = revisionOf(newest);
    const prev = previousRs ? revisionOf(previousRs) : undefined;
    const age = ago(newest.metadata?.creationTimestamp, now);
    const root = addCause(sw, {
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
    for (const h of bad) claim(sw, podKey(h), root);
    if (nature === 'bad-config' || nature === 'image-pull')
      addCause(sw, {
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
    if (isKeycloak) keycloakDown(sw, w, bad, root);
    return true;
  }
  return false;
}

/** Only the newest, recent revision's pods fail while an older revision's pods all serve. */
export function recentRevisionAlone(sw: Sweep, w: Workload, bad: PodHealth[]): boolean {
  const byRevision = [...w.replicaSets].sort((a, b) => revisionOf(b) - revisionOf(a));
  const newest = byRevision[0];
  if (!newest || !rolloutRecent(sw, newest)) return false;
  const live = w.pods.filter((h) => h.state !== 'old-eviction');
  const older = live.filter((h) => h.owner?.name !== newest.metadata?.name);
  return bad.every((h) => h.owner?.name === newest.metadata?.name) && older.length > 0 && older.every((h) => !isProblem(h));
}
