/**
 * The health of one pod, judged from its structured status: container states and last
 * terminations, readiness, scheduling, deletion and eviction. Pure: objects and "now" in, a
 * verdict out. What counts as a problem is time-aware: restarts that stopped long ago, a pod that
 * started seconds ago, an eviction from days ago and a finished job are not problems.
 */
import type { V1Pod, V1ContainerStatus } from '@kubernetes/client-node';

/** How a pod is doing. `ok` states are not problems. */
export type PodState =
  | 'healthy'
  | 'starting'
  | 'deleting'
  | 'completed'
  | 'old-eviction'
  | 'crashloop'
  | 'oom'
  | 'config-error'
  | 'image-pull'
  | 'unschedulable'
  | 'stuck-creating'
  | 'not-ready'
  | 'terminating'
  | 'evicted'
  | 'failed'
  | 'flapping';

/** States that are not a problem now. */
export const OK_STATES: ReadonlySet<PodState> = new Set(['healthy', 'starting', 'deleting', 'completed', 'old-eviction']);

export interface Termination {
  reason: string;
  exitCode?: number;
  at?: string;
}

export interface PodHealth {
  namespace: string;
  pod: string;
  node?: string;
  /** The controlling owner (ReplicaSet, StatefulSet, Job...). */
  owner?: { kind: string; name: string };
  labels: Record<string, string>;
  state: PodState;
  /** The container the state is about, when one is. */
  container?: string;
  /** Containers that have run (for logs): name and whether a previous instance exists. */
  containers: Array<{ name: string; previous: boolean }>;
  restarts: number;
  lastTermination?: Termination;
  /** Kubernetes' own words (waiting message, scheduling condition, eviction message). */
  detail?: string;
  /** When the state began, ISO. */
  since?: string;
  created?: string;
  /** Ready right now (a flapping pod may be, between restarts). */
  ready: boolean;
  /** When it last stopped being Ready (its Ready condition's transition to False), ISO. */
  unreadySince?: string;
}

/** Time thresholds for judging pods; all can be changed in the config. */
export interface PodThresholds {
  /** A container that last terminated longer ago than this, and is ready now, is fine. */
  restartWindowMs: number;
  /** A pod younger than this may still be starting. */
  startGraceMs: number;
  /** An eviction older than this is history, not a current problem. */
  evictionWindowMs: number;
}

export const DEFAULT_POD_THRESHOLDS: PodThresholds = {
  restartWindowMs: 60 * 60_000,
  startGraceMs: 5 * 60_000,
  evictionWindowMs: 60 * 60_000,
};

const ms = (iso: string | Date | undefined) => (iso === undefined ? undefined : new Date(iso).getTime());
const isoOf = (d: string | Date | undefined) => (d === undefined ? undefined : new Date(d).toISOString().replace(/\.\d{3}Z$/, 'Z'));

function lastTerminationOf(c: V1ContainerStatus): Termination | undefined {
  const t = c.state?.terminated ?? c.lastState?.terminated;
  if (!t) return undefined;
  return {
    reason: t.reason ?? (t.exitCode === 0 ? 'Completed' : 'Error'),
    ...(t.exitCode !== undefined ? { exitCode: t.exitCode } : {}),
    ...(t.finishedAt ? { at: isoOf(t.finishedAt) } : {}),
  };
}

const CONFIG_WAITING = new Set(['CreateContainerConfigError', 'CreateContainerError', 'RunContainerError']);
const IMAGE_WAITING = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull']);

/** Judges one pod at `now`. */
export function podHealth(p: V1Pod, now: Date, t: PodThresholds = DEFAULT_POD_THRESHOLDS): PodHealth {
  const nowMs = now.getTime();
  const controller = p.metadata?.ownerReferences?.find((o) => o.controller) ?? p.metadata?.ownerReferences?.[0];
  const statuses = [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])];
  const readyCond = p.status?.conditions?.find((c) => c.type === 'Ready');
  const base = {
    namespace: p.metadata?.namespace ?? '',
    pod: p.metadata?.name ?? '?',
    ...(p.spec?.nodeName ? { node: p.spec.nodeName } : {}),
    ...(controller ? { owner: { kind: controller.kind, name: controller.name } } : {}),
    labels: p.metadata?.labels ?? {},
    containers: (p.status?.containerStatuses ?? []).map((c) => ({
      name: c.name,
      previous: (c.restartCount ?? 0) > 0 || c.lastState?.terminated !== undefined,
    })),
    restarts: statuses.reduce((n, c) => n + (c.restartCount ?? 0), 0),
    ...(p.metadata?.creationTimestamp ? { created: isoOf(p.metadata.creationTimestamp) } : {}),
    ready: readyCond?.status === 'True',
    ...(readyCond && readyCond.status !== 'True' && readyCond.lastTransitionTime
      ? { unreadySince: isoOf(readyCond.lastTransitionTime) }
      : {}),
  };
  const created = ms(p.metadata?.creationTimestamp) ?? 0;
  const young = nowMs - created < t.startGraceMs;
  const make = (state: PodState, extra: Partial<PodHealth> = {}): PodHealth => ({ ...base, state, ...extra });

  if (p.status?.reason === 'Evicted') {
    // An evicted pod stays listed until it is garbage-collected; its replacement carries the present.
    const at = ms(p.status.startTime) ?? created;
    const since = isoOf(p.status.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime) ?? isoOf(new Date(at));
    const recent = nowMs - (ms(since) ?? at) < t.evictionWindowMs;
    return make(recent ? 'evicted' : 'old-eviction', {
      ...(p.status.message ? { detail: p.status.message } : {}),
      ...(since ? { since } : {}),
    });
  }
  if (p.status?.phase === 'Succeeded') return make('completed');
  if (p.metadata?.deletionTimestamp) {
    const grace = (p.metadata.deletionGracePeriodSeconds ?? 30) * 1000;
    // deletionTimestamp is when the grace period ends; a pod still here well after it (5 minutes
    // more: the kubelet's confirmation, a slow preStop hook) is stuck.
    const overdue = nowMs - (ms(p.metadata.deletionTimestamp) ?? nowMs) > grace + 5 * 60_000;
    if (overdue)
      return make('terminating', { since: isoOf(p.metadata.deletionTimestamp), detail: 'still deleting after its grace period' });
    // Going away on purpose (a rollout, a scale-down): not ready is what it should be.
    return make('deleting');
  }
  if (p.status?.phase === 'Failed') return make('failed', { ...(p.status.message ? { detail: p.status.message } : {}) });

  // Containers first: the worst container state names the pod's problem.
  for (const c of statuses) {
    const waiting = c.state?.waiting;
    const last = lastTerminationOf(c);
    const lastAt = ms(last?.at);
    if (waiting?.reason && IMAGE_WAITING.has(waiting.reason))
      return make('image-pull', { container: c.name, detail: `${waiting.reason}: ${waiting.message ?? ''}`.trim() });
    if (waiting?.reason && CONFIG_WAITING.has(waiting.reason))
      return make('config-error', { container: c.name, detail: `${waiting.reason}: ${waiting.message ?? ''}`.trim() });
    if (waiting?.reason === 'CrashLoopBackOff' || (c.state?.terminated && c.state.terminated.exitCode !== 0 && !c.ready)) {
      const state: PodState = last?.reason === 'OOMKilled' ? 'oom' : 'crashloop';
      return make(state, {
        container: c.name,
        ...(last ? { lastTermination: last } : {}),
        ...(last?.at ? { since: last.at } : {}),
        detail: waiting?.message ?? `last terminated ${last?.reason ?? 'with an error'}`,
      });
    }
    // A container running now that restarted recently and often is flapping, even if Ready this second.
    if (c.state?.running && (c.restartCount ?? 0) >= 3 && lastAt !== undefined && nowMs - lastAt < t.restartWindowMs) {
      return make(last?.reason === 'OOMKilled' ? 'oom' : 'flapping', {
        container: c.name,
        ...(last ? { lastTermination: last } : {}),
        since: last?.at,
        detail: `${c.restartCount} restarts, the last ${last?.reason ?? ''} at ${last?.at ?? '?'}`,
      });
    }
  }
  if (p.status?.phase === 'Pending') {
    const sched = p.status.conditions?.find((c) => c.type === 'PodScheduled');
    if (sched?.status === 'False' && !young)
      return make('unschedulable', { detail: sched.message ?? sched.reason ?? 'not scheduled', since: isoOf(sched.lastTransitionTime) });
    if (sched?.status === 'False')
      return make('unschedulable', { detail: sched.message ?? sched.reason ?? 'not scheduled', since: isoOf(sched.lastTransitionTime) });
    if (young) return make('starting');
    return make('stuck-creating', { detail: 'scheduled but its containers have not started', since: isoOf(p.metadata?.creationTimestamp) });
  }
  const ready = p.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready && ready.status !== 'True') {
    const since = ms(ready.lastTransitionTime) ?? created;
    if (young || nowMs - since < 60_000) return make('starting');
    const notReady = (p.status?.containerStatuses ?? []).filter((c) => !c.ready).map((c) => c.name);
    return make('not-ready', {
      ...(notReady[0] ? { container: notReady.join(',') } : {}),
      since: isoOf(new Date(since)),
      detail:
        ready.reason === 'PodCompleted'
          ? 'completed'
          : 'running but not ready (failing its readiness probe, or its node stopped reporting)',
    });
  }
  return make('healthy');
}

export const isProblem = (h: PodHealth) => !OK_STATES.has(h.state);

/** The workload a pod belongs to: its Deployment name (from the ReplicaSet's name), StatefulSet, or the pod itself. */
export function workloadOf(h: PodHealth): string {
  if (h.owner?.kind === 'ReplicaSet') {
    const hash = h.labels['pod-template-hash'];
    return hash && h.owner.name.endsWith(`-${hash}`)
      ? h.owner.name.slice(0, -hash.length - 1)
      : h.owner.name.replace(/-[a-z0-9]{5,10}$/, '');
  }
  if (h.owner) return h.owner.name;
  return h.labels['app.kubernetes.io/name'] ?? h.labels.app ?? h.pod;
}

/** One line about a pod, for evidence. */
export function describePod(h: PodHealth): string {
  const where = h.container ? `${h.pod}/${h.container}` : h.pod;
  const parts = [
    h.restarts ? `restarts ${h.restarts}` : '',
    h.lastTermination
      ? `last terminated ${h.lastTermination.reason}${h.lastTermination.exitCode !== undefined ? ` (exit ${h.lastTermination.exitCode})` : ''}${h.lastTermination.at ? ` at ${h.lastTermination.at}` : ''}`
      : '',
    h.node ? `on ${h.node}` : '',
  ].filter(Boolean);
  return `${h.namespace}/${where}: ${STATE_WORDS[h.state]}${parts.length ? ` (${parts.join(', ')})` : ''}${h.detail ? ` — ${h.detail}` : ''}`;
}

/** Kubernetes' own words for each state, so evidence reads as kubectl would say it. */
export const STATE_WORDS: Record<PodState, string> = {
  healthy: 'Running',
  starting: 'Starting',
  deleting: 'Terminating',
  completed: 'Completed',
  'old-eviction': 'Evicted (long ago)',
  crashloop: 'CrashLoopBackOff',
  oom: 'OOMKilled',
  'config-error': 'CreateContainerConfigError',
  'image-pull': 'ImagePullBackOff',
  unschedulable: 'Pending (unschedulable)',
  'stuck-creating': 'Pending (containers not started)',
  'not-ready': 'NotReady',
  terminating: 'Terminating',
  evicted: 'Evicted',
  failed: 'Failed',
  flapping: 'Restarting',
};
