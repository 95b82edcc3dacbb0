/**
 * The evidence helpers of the diagnosis: what the sweep read, turned into views the rules judge
 * (warning events in a window, nodes lost or under pressure) and into the lines a responder reads
 * ("node/worker-2: Ready=Unknown … (5m ago)"), plus why a read failed and how to fix it, and what a
 * pod's own record says about how long it served. Pure: "now" is always passed in.
 */
import type { CoreV1Event, V1Node } from '@kubernetes/client-node';
import type { PodHealth } from './pods.js';
import type { Read } from './snapshot.js';
import type { Unchecked } from './model.js';

export const ms = (d: string | Date | undefined) => (d === undefined ? undefined : new Date(d).getTime());
export const iso = (d: string | Date | undefined) => (d === undefined ? '?' : new Date(d).toISOString().replace(/\.\d{3}Z$/, 'Z'));

export function ago(from: string | Date | undefined, now: Date): string {
  if (from === undefined) return '?';
  const s = Math.max(0, Math.round((now.getTime() - new Date(from).getTime()) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86400)}d`;
}

export const revisionOf = (o: { metadata?: { annotations?: Record<string, string> } }) =>
  Number(o.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? 0);

/** Why a read failed, and what the responder can do about it. */
export function uncheckedOf(what: string, r: { reason: string; code?: number }, clusterName: string): Unchecked {
  const fix =
    r.code === 403
      ? `ask for read access (get/list) there, or use the on-call role's context: kubectl auth can-i list pods -n ${/ in (\S+)/.exec(what)?.[1] ?? 'NAMESPACE'}`
      : r.code === 401
        ? `refresh your credentials for "${clusterName}" (log in again, or renew the token in your kubeconfig)`
        : /cannot be reached|did not answer|timed out|ECONN|EHOST|ENOTFOUND/i.test(r.reason)
          ? `check that "${clusterName}" is reachable from here (VPN, the server in your kubeconfig, clusters.${clusterName} in the config)`
          : /context|kubeconfig/i.test(r.reason)
            ? `fix clusters.${clusterName} in the config (kubeconfig, context)`
            : 'run the same read with kubectl to see the full error';
  return { what, reason: r.reason, fix };
}

export const isServerError = (r: Read<unknown>) => !r.ok && (r.code ?? 0) >= 500;

export interface EventView {
  reason: string;
  message: string;
  kind: string;
  name: string;
  namespace: string;
  at: number;
  count: number;
}

export function eventsOf(events: readonly CoreV1Event[], now: Date, windowMs: number): EventView[] {
  const cutoff = now.getTime() - windowMs;
  const out: EventView[] = [];
  for (const e of events) {
    if (e.type !== 'Warning') continue;
    const at =
      ms(e.series?.lastObservedTime) ??
      ms(e.lastTimestamp) ??
      ms(e.eventTime) ??
      ms(e.firstTimestamp) ??
      ms(e.metadata?.creationTimestamp) ??
      0;
    if (at < cutoff) continue;
    out.push({
      reason: e.reason ?? '',
      message: (e.message ?? '').replace(/\s+/g, ' ').trim(),
      kind: e.involvedObject?.kind ?? '',
      name: e.involvedObject?.name ?? '',
      namespace: e.involvedObject?.namespace ?? e.metadata?.namespace ?? '',
      at,
      count: e.series?.count ?? e.count ?? 1,
    });
  }
  return out.sort((a, b) => b.at - a.at);
}

export const eventLine = (e: EventView, now: Date) =>
  `event ${e.kind}/${e.name} ${e.reason}: ${e.message.length > 200 ? e.message.slice(0, 200) + '…' : e.message}${e.count > 1 ? ` (x${e.count})` : ''} (${ago(new Date(e.at), now)} ago)`;

export interface NodeView {
  name: string;
  lost: boolean;
  /** Ready, but NetworkUnavailable (its CNI route is missing). */
  networkDown: boolean;
  /** Why it is not Ready, in its own words. */
  why: string;
  /** Stopped reporting at all (Ready=Unknown), rather than reporting NotReady. */
  unknown: boolean;
  pressure: string[];
  evidence: string[];
}

export function nodeViews(nodes: readonly V1Node[], now: Date): NodeView[] {
  return nodes.map((n) => {
    const name = n.metadata?.name ?? '?';
    const conds = n.status?.conditions ?? [];
    const ready = conds.find((c) => c.type === 'Ready');
    const netDown = conds.find((c) => c.type === 'NetworkUnavailable' && c.status === 'True');
    // Lost: its kubelet does not report Ready. A node that reports Ready but whose network is not
    // set up is another problem (its pods stay where they are).
    const lost = ready?.status !== 'True';
    const pressure = conds.filter((c) => ['MemoryPressure', 'DiskPressure', 'PIDPressure'].includes(c.type) && c.status === 'True');
    const evidence: string[] = [];
    if (ready && ready.status !== 'True')
      evidence.push(
        `node/${name}: Ready=${ready.status} (${ready.reason ?? '?'}${ready.message ? `: ${ready.message}` : ''}) since ${iso(ready.lastTransitionTime)} (${ago(ready.lastTransitionTime, now)} ago)`,
      );
    else if (!ready) evidence.push(`node/${name}: reports no Ready condition`);
    if (netDown) evidence.push(`node/${name}: NetworkUnavailable=True (${netDown.reason ?? ''})`);
    for (const c of pressure) evidence.push(`node/${name}: ${c.type}=True (${c.message ?? c.reason ?? ''})`);
    const taints = (n.spec?.taints ?? []).filter((t) => /unreachable|not-ready|pressure/.test(t.key));
    if (taints.length) evidence.push(`node/${name}: taints ${taints.map((t) => `${t.key}:${t.effect}`).join(', ')}`);
    return {
      name,
      lost,
      networkDown: netDown !== undefined && !lost,
      why: ready && ready.status !== 'True' ? `${ready.reason ?? ready.status}${ready.message ? `: ${ready.message}` : ''}` : '',
      unknown: ready?.status === 'Unknown' || !ready,
      pressure: pressure.map((c) => c.type),
      evidence,
    };
  });
}

/** Seconds the kubelet waits before restart n of a crash-looping container (10 s doubling, at most 5 min). */
function backoffSpanMs(restarts: number): number {
  let t = 0;
  for (let i = 0; i < restarts; i++) t += Math.min(10 * 2 ** i, 300);
  return t * 1000;
}

/**
 * How long a failing pod served before it began to fail, when its own record shows it did (ms), else
 * undefined. A crash-looping container with n restarts has been failing for about the kubelet's
 * back-off over n restarts; a pod much older than that ran fine first. A pod that never started (a
 * config or image error) never served.
 */
export function servedBeforeFailing(h: PodHealth, now: Date): number | undefined {
  const created = ms(h.created);
  if (created === undefined) return undefined;
  const age = now.getTime() - created;
  let failing: number | undefined;
  if (h.state === 'crashloop' || h.state === 'oom' || h.state === 'flapping') failing = backoffSpanMs(h.restarts) + 5 * 60_000;
  else if (h.state === 'not-ready') failing = h.unreadySince ? now.getTime() - (ms(h.unreadySince) ?? now.getTime()) : undefined;
  if (failing === undefined) return undefined;
  const served = age - failing;
  return served > 15 * 60_000 ? served : undefined;
}

/** Why an image cannot be pulled, from the kubelet's message (a registry limit, a missing tag, no credentials). */
export function imagePullWhy(bad: readonly PodHealth[]): string {
  const d = bad.find((h) => h.state === 'image-pull')?.detail ?? '';
  if (/toomanyrequests|rate limit|429/i.test(d)) return ' (the registry rate-limits pulls)';
  if (/not found|manifest unknown/i.test(d)) return ' (the image or tag does not exist)';
  if (/unauthorized|denied|authentication/i.test(d)) return ' (the registry refuses the credentials)';
  return '';
}

export function configEvents(events: readonly EventView[], pods: readonly PodHealth[]): EventView[] {
  const names = new Set(pods.map((h) => h.pod));
  return events.filter(
    (e) =>
      names.has(e.name) &&
      /(configmap|secret) "?[^"\s]+"? not found|couldn't find key|Error: (configmap|secret)|invalid (config|env)/i.test(e.message),
  );
}
