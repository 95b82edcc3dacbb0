/**
 * Native Kubernetes checks: judge API objects directly instead of parsing kubectl's text. Pure
 * functions from objects (and "now") to report lines; one line per problem, naming the pod,
 * container, reason and time, so a finding can quote exactly what is wrong. Reason words
 * (CrashLoopBackOff, OOMKilled, ImagePullBackOff, Pending, Evicted, NotReady, HighRestarts,
 * NoPods, RolloutFailing, RecentRollout) stand alone so expectations can match them.
 */
import type { V1Deployment, CoreV1Event, V1Node, V1Pod, V1ReplicaSet } from '@kubernetes/client-node';

export interface PodProblem {
  namespace: string;
  pod: string;
  container?: string;
  reason: string;
  detail?: string;
  restarts: number;
  node?: string;
  since?: string;
}

const iso = (d: Date | string | undefined) => (d === undefined ? undefined : new Date(d).toISOString().replace(/\.\d{3}Z$/, 'Z'));

function ago(from: Date | string | undefined, now: Date): string {
  if (!from) return '';
  const s = Math.max(0, Math.round((now.getTime() - new Date(from).getTime()) / 1000));
  if (s < 120) return `${s}s ago`;
  if (s < 7200) return `${Math.round(s / 60)}m ago`;
  if (s < 172800) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86400)}d ago`;
}

/** Every problem of every pod: what kubectl's STATUS hides (OOMKilled behind CrashLoopBackOff, restarts, readiness). */
export function podProblems(pods: readonly V1Pod[], maxRestarts = 5): PodProblem[] {
  const out: PodProblem[] = [];
  for (const p of pods) {
    const namespace = p.metadata?.namespace ?? '';
    const pod = p.metadata?.name ?? '?';
    const node = p.spec?.nodeName;
    const base = { namespace, pod, ...(node ? { node } : {}) };
    const statuses = p.status?.containerStatuses ?? [];
    const restarts = statuses.reduce((n, c) => n + (c.restartCount ?? 0), 0);
    if (p.metadata?.deletionTimestamp) {
      out.push({
        ...base,
        reason: 'Terminating',
        restarts,
        since: iso(p.metadata.deletionTimestamp),
        detail: 'stuck deleting: its node may be unreachable',
      });
      continue;
    }
    if (p.status?.reason === 'Evicted') {
      out.push({ ...base, reason: 'Evicted', restarts, detail: p.status.message });
      continue;
    }
    if (
      p.status?.phase === 'Pending' &&
      statuses.every((c) => !c.state?.waiting?.reason || c.state.waiting.reason === 'ContainerCreating')
    ) {
      const cond = p.status.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
      out.push({
        ...base,
        reason: 'Pending',
        restarts,
        since: iso(p.metadata?.creationTimestamp),
        detail: cond?.message ?? 'not scheduled or not started yet',
      });
      continue;
    }
    if (p.status?.phase === 'Succeeded') continue;
    if (p.status?.phase === 'Failed') {
      out.push({ ...base, reason: 'Failed', restarts, detail: p.status.message });
      continue;
    }
    let reported = false;
    for (const c of statuses) {
      const waiting = c.state?.waiting?.reason;
      const last = c.lastState?.terminated;
      if (waiting && waiting !== 'ContainerCreating' && waiting !== 'PodInitializing') {
        const lastInfo = last?.reason
          ? `, last terminated ${last.reason}${last.exitCode !== undefined ? ` (exit ${last.exitCode})` : ''}${last.finishedAt ? ` at ${iso(last.finishedAt)}` : ''}`
          : '';
        out.push({
          ...base,
          container: c.name,
          reason: waiting,
          restarts: c.restartCount ?? 0,
          ...(last?.finishedAt ? { since: iso(last.finishedAt) } : {}),
          detail: `${c.state?.waiting?.message ?? ''}${lastInfo}`.replace(/^, /, ''),
        });
        if (last?.reason === 'OOMKilled')
          out.push({
            ...base,
            container: c.name,
            reason: 'OOMKilled',
            restarts: c.restartCount ?? 0,
            ...(last.finishedAt ? { since: iso(last.finishedAt) } : {}),
            detail: 'the container ran out of memory',
          });
        reported = true;
      } else if (c.state?.terminated?.reason && c.state.terminated.reason !== 'Completed') {
        out.push({
          ...base,
          container: c.name,
          reason: c.state.terminated.reason,
          restarts: c.restartCount ?? 0,
          since: iso(c.state.terminated.finishedAt),
        });
        reported = true;
      } else if ((c.restartCount ?? 0) > maxRestarts) {
        out.push({
          ...base,
          container: c.name,
          reason: 'HighRestarts',
          restarts: c.restartCount ?? 0,
          detail: `${c.restartCount} restarts${last?.reason ? `, last terminated ${last.reason}` : ''}`,
        });
        reported = true;
      }
    }
    const ready = p.status?.conditions?.find((c) => c.type === 'Ready');
    if (!reported && ready?.status !== 'True') {
      const notReady = statuses.filter((c) => !c.ready).map((c) => c.name);
      out.push({
        ...base,
        ...(notReady[0] ? { container: notReady.join(',') } : {}),
        reason: 'NotReady',
        restarts,
        since: iso(ready?.lastTransitionTime),
        detail: 'running but failing its readiness probe',
      });
    }
  }
  return out;
}

export function formatPodProblem(p: PodProblem, now: Date): string {
  const where = p.container ? `${p.pod}/${p.container}` : p.pod;
  const extras = [
    p.restarts ? `restarts ${p.restarts}` : '',
    p.node ? `on ${p.node}` : '',
    p.since ? `since ${p.since} (${ago(p.since, now)})` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return `${p.namespace}/${where}: ${p.reason}${extras ? ` (${extras})` : ''}${p.detail ? ` — ${p.detail}` : ''}`;
}

export function podsReport(
  pods: readonly V1Pod[],
  namespace: string,
  selector: string | undefined,
  now: Date,
  maxRestarts?: number,
): string {
  const problems = podProblems(pods, maxRestarts);
  const ready = pods.length - new Set(problems.map((p) => p.pod)).size;
  const scope = `${namespace}${selector ? ` (${selector})` : ''}`;
  const lines = pods.length === 0 ? [`${scope}: NoPods — no pod matches`] : [`pods in ${scope}: ${pods.length} total, ${ready} healthy`];
  for (const p of problems) lines.push(formatPodProblem(p, now));
  return lines.join('\n') + '\n';
}

export function warningEventsReport(events: readonly CoreV1Event[], namespace: string, sinceMs: number, now: Date): string {
  const cutoff = now.getTime() - sinceMs;
  const recent = events
    .filter((e) => e.type === 'Warning')
    .map((e) => ({ e, at: new Date(e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp ?? 0) }))
    .filter(({ at }) => at.getTime() >= cutoff)
    .sort((a, b) => b.at.getTime() - a.at.getTime());
  const lines = [`warning events in ${namespace} in the last ${Math.round(sinceMs / 60000)}m: ${recent.length}`];
  for (const { e, at } of recent.slice(0, 50)) {
    lines.push(
      `${iso(at)} ${e.involvedObject?.kind ?? ''}/${e.involvedObject?.name ?? ''} ${e.reason ?? ''}: ${e.message ?? ''}${e.count && e.count > 1 ? ` (x${e.count})` : ''}`,
    );
  }
  return lines.join('\n') + '\n';
}

export function nodesReport(nodes: readonly V1Node[], now: Date): string {
  const lines = [`nodes: ${nodes.length}`];
  for (const n of nodes) {
    const ready = n.status?.conditions?.find((c) => c.type === 'Ready');
    if (ready?.status !== 'True')
      lines.push(
        `${n.metadata?.name}: NotReady (${ready?.reason ?? 'no status'}${ready?.lastTransitionTime ? `, since ${iso(ready.lastTransitionTime)} (${ago(ready.lastTransitionTime, now)})` : ''})`,
      );
    for (const c of n.status?.conditions ?? []) {
      if (['MemoryPressure', 'DiskPressure', 'PIDPressure'].includes(c.type) && c.status === 'True')
        lines.push(`${n.metadata?.name}: ${c.type}`);
    }
  }
  return lines.join('\n') + '\n';
}

const revisionOf = (o: { metadata?: { annotations?: Record<string, string> } }) =>
  Number(o.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? 0);

/** The deployment's rollout: its ReplicaSets by revision, which is new, when it rolled out, whether its pods fail. */
export function rolloutReport(
  deployment: V1Deployment,
  replicaSets: readonly V1ReplicaSet[],
  pods: readonly V1Pod[],
  now: Date,
  recentMs = 3_600_000,
): string {
  const name = deployment.metadata?.name ?? '?';
  const uid = deployment.metadata?.uid;
  const owned = replicaSets
    .filter((rs) => !uid || rs.metadata?.ownerReferences?.some((o) => o.uid === uid))
    .sort((a, b) => revisionOf(b) - revisionOf(a));
  const st = deployment.status;
  const lines = [
    `deployment/${name} revision ${revisionOf(deployment)}: ${st?.readyReplicas ?? 0}/${deployment.spec?.replicas ?? 0} ready, ${st?.updatedReplicas ?? 0} updated, ${st?.availableReplicas ?? 0} available`,
  ];
  const [current, previous] = owned;
  if (current) {
    const created = current.metadata?.creationTimestamp;
    const cause = current.metadata?.annotations?.['kubernetes.io/change-cause'];
    lines.push(
      `new ReplicaSet ${current.metadata?.name} (revision ${revisionOf(current)}, created ${iso(created)}, ${ago(created, now)})${cause ? `: ${cause}` : ''}`,
    );
    if (created && now.getTime() - new Date(created).getTime() < recentMs)
      lines.push(`RecentRollout: revision ${revisionOf(current)} rolled out ${ago(created, now)}`);
    const hash = current.metadata?.labels?.['pod-template-hash'];
    const mine = pods.filter(
      (p) =>
        (hash && p.metadata?.labels?.['pod-template-hash'] === hash) ||
        p.metadata?.ownerReferences?.some((o) => o.name === current.metadata?.name),
    );
    const failing = podProblems(mine);
    if (failing.length)
      lines.push(
        `RolloutFailing: pods of the new ReplicaSet ${current.metadata?.name} fail: ${failing.map((f) => formatPodProblem(f, now)).join('; ')}`,
      );
  }
  if (previous)
    lines.push(
      `previous ReplicaSet ${previous.metadata?.name} (revision ${revisionOf(previous)})${previous.metadata?.annotations?.['kubernetes.io/change-cause'] ? `: ${previous.metadata.annotations['kubernetes.io/change-cause']}` : ''}`,
    );
  return lines.join('\n') + '\n';
}

/** The certificate's dates against now: CertificateExpired, CertificateExpiringSoon, CertificateNotYetValid, CertificateUntrusted. */
export function certificateReport(
  url: string,
  cert: import('../adapters/probe.js').CertificateInfo,
  now: Date,
  warnWithinMs: number,
): string {
  const to = new Date(cert.validTo);
  const from = new Date(cert.validFrom);
  const daysLeft = (to.getTime() - now.getTime()) / 86_400_000;
  const lines = [`certificate of ${url}: subject ${cert.subject || '?'}, issuer ${cert.issuer || '?'}, valid ${iso(from)} to ${iso(to)}`];
  if (to.getTime() <= now.getTime()) lines.push(`CertificateExpired: expired ${iso(to)} (${ago(to, now)})`);
  else if (to.getTime() - now.getTime() < warnWithinMs)
    lines.push(
      `CertificateExpiringSoon: expires ${iso(to)} (in ${daysLeft < 1 ? `${Math.round(daysLeft * 24)}h` : `${Math.floor(daysLeft)}d`})`,
    );
  if (from.getTime() > now.getTime())
    lines.push(`CertificateNotYetValid: valid only from ${iso(from)} (local clock behind, or a bad certificate)`);
  if (!cert.authorized && cert.authorizationError && !/CERT_HAS_EXPIRED/.test(cert.authorizationError))
    lines.push(`CertificateUntrusted: ${cert.authorizationError}`);
  return lines.join('\n') + '\n';
}

/** The server's clock against ours: ClockSkew when they differ by more than maxSkewMs (beyond half the round trip). */
export function clockReport(url: string, clock: import('../adapters/probe.js').ServerClock, maxSkewMs: number): string {
  // The Date header has one-second resolution; allow for it and for half the round trip.
  const skew = new Date(clock.serverDate).getTime() - new Date(clock.localMid).getTime();
  const tolerance = maxSkewMs + 1000 + clock.roundTripMs / 2;
  const lines = [`clock of ${url}: server ${clock.serverDate}, local ${clock.localMid}, difference ${(skew / 1000).toFixed(1)}s`];
  if (Math.abs(skew) > tolerance)
    lines.push(
      `ClockSkew: the server is ${Math.abs(Math.round(skew / 1000))}s ${skew > 0 ? 'ahead of' : 'behind'} this machine (tokens may be rejected as not yet valid or expired)`,
    );
  return lines.join('\n') + '\n';
}
