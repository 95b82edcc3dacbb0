/**
 * The read-only sweep behind a diagnosis: every list at once (nodes; pods, events, deployments
 * and ReplicaSets of each namespace; the workload cluster's model servers; the probes), then the
 * logs of the pods in trouble (current and previous container), a bounded number at a time.
 * Nothing here judges: it returns what it saw and, for each read that failed, why.
 */
import type { KubeReader, KubeTarget } from '../adapters/kube.js';
import type { Prober } from '../adapters/probe.js';
import type { V1Pod } from '@kubernetes/client-node';
import { errorCode } from '../errors.js';
import { field, stringField } from '../guards.js';
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

/**
 * Reads one cluster: every list at once, and, as soon as a namespace's pods arrive, the logs of
 * its pods in trouble (so the slowest chain is one list and one log read, not all lists and then
 * all logs).
 */
async function readCluster(
  kube: KubeReader,
  name: string,
  target: KubeTarget,
  namespaces: readonly string[],
  withWorkloadObjects: boolean,
  logs: { now: Date; settings: DiagnosisSettings; concurrency: number; max: number },
): Promise<ClusterRead> {
  const cluster: ClusterRead = { name, nodes: { ok: true, value: [] }, namespaces: {}, logs: {} };
  const waiting: Array<() => void> = [];
  const budget = { left: logs.max, inFlight: 0, waiting };
  // A bounded number of log reads in flight across the namespaces.
  const slot = async () => {
    while (budget.inFlight >= logs.concurrency) await new Promise<void>((r) => budget.waiting.push(r));
    budget.inFlight++;
  };
  const release = () => {
    budget.inFlight--;
    budget.waiting.shift()?.();
  };
  const [nodes] = await Promise.all([
    kube.nodes(target),
    ...namespaces.map(async (ns) => {
      const podsRead = kube.pods(target, ns);
      const logsRead = podsRead.then(async (pods) => {
        if (!pods.ok) return;
        const wanted = logsWanted(ns, pods.value, logs.now, logs.settings).slice(0, Math.max(0, budget.left));
        budget.left -= wanted.length;
        await Promise.all(
          wanted.map(async (item) => {
            await slot();
            try {
              const r = await kube.logs(target, ns, item.pod, { container: item.container, previous: item.previous, tailLines: TAIL });
              // A missing previous log or a container that never started is simply no evidence.
              if (r.ok && r.value) cluster.logs[logKey(ns, item.pod, item.container, item.previous)] = r.value;
            } finally {
              release();
            }
          }),
        );
      });
      const [pods, events, deployments, replicaSets] = await Promise.all([
        podsRead,
        kube.events(target, ns),
        withWorkloadObjects ? kube.deployments(target, ns) : Promise.resolve({ ok: true as const, value: [] }),
        withWorkloadObjects ? kube.replicaSets(target, ns) : Promise.resolve({ ok: true as const, value: [] }),
        logsRead,
      ]);
      cluster.namespaces[ns] = { pods, events, deployments, replicaSets };
    }),
  ]);
  cluster.nodes = nodes;
  return cluster;
}

/** The log reads worth making in a namespace: every failing pod's containers (a few per workload), previous instance too. */
function logsWanted(ns: string, pods: readonly V1Pod[], now: Date, settings: DiagnosisSettings) {
  const wanted: Array<{ pod: string; container: string; previous: boolean }> = [];
  const perWorkload = new Map<string, number>();
  for (const p of pods) {
    const h = podHealth(p, now, {
      restartWindowMs: settings.restartWindowMs,
      startGraceMs: settings.startGraceMs,
      evictionWindowMs: settings.eventWindowMs * 2,
    });
    if (!isProblem(h) || ['unschedulable', 'evicted', 'terminating', 'image-pull', 'config-error'].includes(h.state)) continue;
    // Every failing pod of a workload up to a few; beyond that its siblings say the same.
    const w = workloadOf(h);
    const n = perWorkload.get(w) ?? 0;
    if (n >= 6) continue;
    perWorkload.set(w, n + 1);
    for (const c of h.containers) {
      if (c.previous) wanted.push({ pod: h.pod, container: c.name, previous: true });
      wanted.push({ pod: h.pod, container: c.name, previous: false });
    }
  }
  return wanted;
}

async function endpoints(api: { url: string; token: string }, timeoutMs: number, f: typeof fetch): Promise<Read<EndpointsAnswer>> {
  try {
    const res = await f(`${api.url.replace(/\/+$/, '')}/endpoints`, {
      headers: { Authorization: `Bearer ${api.token}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
    const retryAfter = res.headers.get('retry-after') ?? undefined;
    if (!res.ok) return { ok: true, value: { status: res.status, ...(retryAfter ? { retryAfter } : {}) } };
    const body: unknown = await res.json();
    const list = Array.isArray(body) ? body.map(endpointOf) : undefined;
    return { ok: true, value: { status: res.status, ...(list ? { list } : {}) } };
  } catch (error) {
    const why = errorCode(field(error, 'cause')) ?? stringField(error, 'message') ?? String(error);
    return { ok: false, reason: `the platform API did not answer: ${why}` };
  }
}

/**
 * One entry of the platform API's endpoint list. A status that is not a word or a number is left
 * out: the judge counts an entry without a healthy status as failing, as it did such a value.
 */
function endpointOf(item: unknown): { name?: string; status?: string } {
  const name = stringField(item, 'name');
  const status = field(item, 'status');
  const text = typeof status === 'string' || typeof status === 'number' || typeof status === 'boolean' ? String(status) : undefined;
  return { ...(name !== undefined ? { name } : {}), ...(text !== undefined ? { status: text } : {}) };
}

/** One sweep: lists everywhere at once, then the logs of what is failing. */
export async function sweep(req: SweepRequest): Promise<Snapshot> {
  const now = req.now();
  const roles = req.roles;
  const cpNamespaces = [...new Set([roles.system, roles.data, roles.auth, roles.dns])];
  const probes: ProbeReads = {};
  const logs = { now, settings: req.settings, concurrency: req.logConcurrency ?? 16, max: req.maxLogs ?? 60 };
  const [controlPlane, workload] = await Promise.all([
    readCluster(req.kube, req.controlPlane.name, req.controlPlane.target, cpNamespaces, true, logs),
    req.workload ? readCluster(req.kube, req.workload.name, req.workload.target, [roles.workloads], false, logs) : undefined,
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
  return { now, roles, controlPlane, ...(workload ? { workload } : {}), probes, settings: req.settings };
}
