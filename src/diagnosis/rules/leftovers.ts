/**
 * Rule 6, what is left: a failing workload nothing earlier explains is named for what it is (bad
 * config, image pull, out of memory, a crash with its first telling log line, or a crash of
 * unknown cause), scoped to one replica when the others serve, and marked restart-fixable only
 * when nothing in its logs or revisions names a cause a restart would not clear. Keycloak failing
 * with nothing stronger to blame is Keycloak down itself.
 */
import { ago, imagePullWhy, revisionOf } from '../evidence.js';
import { addCause, claim, podKey, rolloutRecent, type Sweep } from '../sweep.js';
import { keycloakDown } from './keycloak.js';
import type { RevisionView } from './rollout.js';
import type { FailingWorkload } from './workloads.js';

export function leftover(sw: Sweep, v: FailingWorkload, rv: RevisionView): void {
  const { now } = sw;
  const { w, live, bad, isKeycloak, wSubject, vars, hits, firstBad } = v;
  const { newest, nature, natureEvidence, impact, failedFromStart, ranFineFor } = rv;
  const recentNote =
    ranFineFor && newest
      ? [
          `${wSubject}: revision ${revisionOf(newest)} served for ${ranFineFor} before its pods began to fail: something changed since, not the revision`,
        ]
      : newest && rolloutRecent(sw, newest)
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
    !(newest && rolloutRecent(sw, newest) && failedFromStart);
  const firstLine = telling[0] ? `: ${telling[0].line.slice(0, 160)}` : '';
  if (isKeycloak && !single && (nature === 'app-crash' || nature === 'app-oom')) {
    // Keycloak down with nothing stronger to blame is the cause itself (§5.3 "Keycloak down").
    const kc = addCause(sw, {
      id: 'keycloak-down',
      subject: wSubject,
      title: `Keycloak is down (${bad.length}/${live.length} pods failing): logins and token validation fail`,
      evidence: [...natureEvidence, ...recentNote],
      explains: [],
      runbook: 'auth-failure',
      impact: 'major',
      facts: { namespace: w.namespace, deployment: w.name, pod: firstBad.pod, ...(restartFixable ? { restartFixable: 'yes' } : {}) },
    });
    for (const h of bad) claim(sw, podKey(h), kc);
    return;
  }
  const c = addCause(sw, {
    id: nature,
    subject: single ? `${w.namespace}/${bad.map((h) => h.pod).join(',')}` : wSubject,
    title:
      nature === 'bad-config'
        ? `${w.name} rejects its configuration${(newest && !rolloutRecent(sw, newest)) || ranFineFor ? ' (changed in place, not by a new revision)' : ''}`
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
  for (const h of bad) claim(sw, podKey(h), c);
  if (isKeycloak && !single) keycloakDown(sw, w, bad, c);
}
