/** A diagnosis snapshot straight from recorded cluster objects: the pure judgement without a server. */
import type { ClusterState } from './fake-kube.js';
import { DEFAULT_SETTINGS, logKey, type ClusterRead, type Read, type Snapshot } from '../../src/diagnosis/snapshot.js';

const NAMESPACES = ['bud-system', 'bud-data', 'bud-auth', 'kube-system'];

export interface SnapshotOptions {
  /** Namespaces whose reads fail with this status (403 for RBAC). */
  failing?: Record<string, { code: number; reason: string }>;
  workload?: ClusterState;
}

function clusterRead(name: string, state: ClusterState, namespaces: string[], failing: SnapshotOptions['failing'] = {}): ClusterRead {
  const byNs = <T extends { metadata?: { namespace?: string } }>(items: T[], ns: string): Read<any[]> => {
    const f = failing[ns];
    return f ? { ok: false, reason: f.reason, code: f.code } : { ok: true, value: items.filter((o) => o.metadata?.namespace === ns) };
  };
  const logs: Record<string, string> = {};
  for (const [k, v] of Object.entries(state.logs ?? {})) {
    const parts = k.split('/');
    if (parts.length === 2) {
      // "ns/pod": the same text for every container, current and previous.
      const pod = state.pods.find((p) => `${p.metadata.namespace}/${p.metadata.name}` === k);
      for (const c of pod?.spec.containers ?? []) {
        logs[logKey(parts[0]!, parts[1]!, c.name)] ??= v;
        logs[logKey(parts[0]!, parts[1]!, c.name, true)] ??= v;
      }
    } else logs[k] = v;
  }
  return {
    name,
    nodes: { ok: true, value: state.nodes },
    namespaces: Object.fromEntries(
      namespaces.map((ns) => [
        ns,
        {
          pods: byNs(state.pods, ns),
          events: byNs(state.events, ns),
          deployments: byNs(state.deployments, ns),
          replicaSets: byNs(state.replicasets, ns),
        },
      ]),
    ),
    logs,
  };
}

export function snapshotOf(state: ClusterState, now: Date, options: SnapshotOptions = {}): Snapshot {
  return {
    now,
    roles: { system: 'bud-system', data: 'bud-data', auth: 'bud-auth', workloads: 'bud-workloads', dns: 'kube-system' },
    controlPlane: clusterRead('control-plane', state, NAMESPACES, options.failing),
    ...(options.workload ? { workload: clusterRead('gpu-east', options.workload, ['bud-workloads']) } : {}),
    probes: {},
    settings: DEFAULT_SETTINGS,
  };
}
