/**
 * The read-only sweep behind a diagnosis: every list at once (nodes; pods, events, deployments
 * and ReplicaSets of each namespace; the workload cluster's model servers; the probes), then the
 * logs of the pods in trouble (current and previous container), a bounded number at a time.
 * Nothing here judges: it returns what it saw and, for each read that failed, why.
 */
import type { KubeReader, KubeTarget } from '../adapters/kube.js';
import type { Prober } from '../adapters/probe.js';
import { isProblem, podHealth, workloadOf } from './pods.js';
import {
  logKey,
  type ClusterRead,
  type EndpointsAnswer,
  type NamespaceRoles,
  type ProbeReads,
  type Read,
  type Snapshot,
  type DiagnosisSettings,
} from './snapshot.js';

export interface SweepRequest {
  kube: KubeReader;
  controlPlane: { name: string; target: KubeTarget };
  workload?: { name: string; target: KubeTarget };
  roles: NamespaceRoles;
  settings: DiagnosisSettings;
  now: () => Date;
  probe?: Prober;
  keycloakUrl?: string;
  api?: { url: string; token: string };
  /** Per-request timeout. */
  timeoutMs: number;
  /** At most this many log reads in flight (default 16) and in all (default 60). */
  logConcurrency?: number;
  maxLogs?: number;
  fetch?: typeof fetch;
}

const TAIL = 200;

async function readCluster(
  kube: KubeReader,
  name: string,
  target: KubeTarget,
  namespaces: readonly string[],
  withWorkloadObjects: boolean,
): Promise<ClusterRead> {
  const [nodes, ...perNs] = await Promise.all([
    kube.nodes(target),
    ...namespaces.map(async (ns) => {
      const [pods, events, deployments, replicaSets] = await Promise.all([
        kube.pods(target, ns),
        kube.events(target, ns),
        withWorkloadObjects ? kube.deployments(target, ns) : Promise.resolve({ ok: true as const, value: [] }),
        withWorkloadObjects ? kube.replicaSets(target, ns) : Promise.resolve({ ok: true as const, value: [] }),
      ]);
      return [ns, { pods, events, deployments, replicaSets }] as const;
    }),
  ]);
  return { name, nodes, namespaces: Object.fromEntries(perNs), logs: {} };
}

/** Reads the logs of the pods in trouble: every failing pod's containers, previous instance first. */
async function readLogs(
  kube: KubeReader,
  cluster: ClusterRead,
  target: KubeTarget,
  now: Date,
  settings: DiagnosisSettings,
  concurrency: number,
  max: number,
): Promise<void> {
  const wanted: Array<{ ns: string; pod: string; container: string; previous: boolean }> = [];
  const perWorkload = new Map<string, number>();
  for (const [ns, r] of Object.entries(cluster.namespaces)) {
    if (!r.pods.ok) continue;
    for (const p of r.pods.value) {
      const h = podHealth(p, now, {
        restartWindowMs: settings.restartWindowMs,
        startGraceMs: settings.startGraceMs,
        evictionWindowMs: settings.eventWindowMs * 2,
      });
      if (!isProblem(h) || ['unschedulable', 'evicted', 'terminating', 'image-pull', 'config-error'].includes(h.state)) continue;
      // Every failing pod of a workload up to a few; beyond that its siblings say the same.
      const w = `${ns}/${workloadOf(h)}`;
      const n = perWorkload.get(w) ?? 0;
      if (n >= 6) continue;
      perWorkload.set(w, n + 1);
      for (const c of h.containers) {
        if (c.previous) wanted.push({ ns, pod: h.pod, container: c.name, previous: true });
        wanted.push({ ns, pod: h.pod, container: c.name, previous: false });
      }
    }
  }
  const queue = wanted.slice(0, max);
  const worker = async () => {
    for (let item = queue.shift(); item; item = queue.shift()) {
      const r = await kube.logs(target, item.ns, item.pod, { container: item.container, previous: item.previous, tailLines: TAIL });
      // A missing previous log or a container that never started is simply no evidence.
      if (r.ok && r.value) cluster.logs[logKey(item.ns, item.pod, item.container, item.previous)] = r.value;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
}

async function endpoints(api: { url: string; token: string }, timeoutMs: number, f: typeof fetch): Promise<Read<EndpointsAnswer>> {
  try {
    const res = await f(`${api.url.replace(/\/+$/, '')}/endpoints`, {
      headers: { Authorization: `Bearer ${api.token}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
    const retryAfter = res.headers.get('retry-after') ?? undefined;
    if (!res.ok) return { ok: true, value: { status: res.status, ...(retryAfter ? { retryAfter } : {}) } };
    const body = await res.json();
    const list = Array.isArray(body) ? (body as Array<{ name?: string; status?: string }>) : undefined;
    return { ok: true, value: { status: res.status, ...(list ? { list } : {}) } };
  } catch (error) {
    const e = error as { message?: string; cause?: { code?: string } };
    return { ok: false, reason: `the platform API did not answer: ${e.cause?.code ?? e.message ?? String(error)}` };
  }
}

/** One sweep: lists everywhere at once, then the logs of what is failing. */
export async function sweep(req: SweepRequest): Promise<Snapshot> {
  const now = req.now();
  const roles = req.roles;
  const cpNamespaces = [...new Set([roles.system, roles.data, roles.auth, roles.dns])];
  const probes: ProbeReads = {};
  const [controlPlane, workload] = await Promise.all([
    readCluster(req.kube, req.controlPlane.name, req.controlPlane.target, cpNamespaces, true),
    req.workload ? readCluster(req.kube, req.workload.name, req.workload.target, [roles.workloads], false) : undefined,
    (async () => {
      if (req.keycloakUrl && req.probe && /^https:/i.test(req.keycloakUrl)) {
        const [tls, clock] = await Promise.all([
          req.probe.certificate(req.keycloakUrl, req.timeoutMs),
          req.probe.clock(req.keycloakUrl, req.timeoutMs),
        ]);
        probes.tls = { url: req.keycloakUrl, result: tls };
        probes.clock = { url: req.keycloakUrl, result: clock };
      }
    })(),
    (async () => {
      if (req.api) probes.endpoints = { url: req.api.url, result: await endpoints(req.api, req.timeoutMs, req.fetch ?? fetch) };
    })(),
  ]);
  const concurrency = req.logConcurrency ?? 16;
  const max = req.maxLogs ?? 60;
  await Promise.all([
    readLogs(req.kube, controlPlane, req.controlPlane.target, now, req.settings, concurrency, max),
    workload && req.workload ? readLogs(req.kube, workload, req.workload.target, now, req.settings, concurrency, max) : undefined,
  ]);
  return { now, roles, controlPlane, ...(workload ? { workload } : {}), probes, settings: req.settings };
}
