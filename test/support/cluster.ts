/** Recorded API objects for the fake cluster: a healthy Bud platform and broken variants. */
import type { ClusterState } from './fake-kube.js';

type Obj = Record<string, any>;
const CREATED = '2026-11-25T04:00:00Z';

export interface PodSpec {
  namespace: string;
  name: string;
  labels?: Record<string, string>;
  node?: string;
  containers?: string[];
  /** Overall: running and ready (default), or a failure. */
  state?:
    'ready' | 'CrashLoopBackOff' | 'OOMKilled' | 'ImagePullBackOff' | 'CreateContainerConfigError' | 'Pending' | 'Evicted' | 'NotReady';
  restarts?: number;
  ownerRS?: string;
}

export function pod(spec: PodSpec): Obj {
  const containers = spec.containers ?? [spec.labels?.app ?? spec.name.split('-')[0]!];
  const state = spec.state ?? 'ready';
  const cs = containers.map((c, i) => {
    const main = i === 0;
    const base = {
      name: c,
      image: `registry.bud.example/${c}:3.19.0`,
      restartCount: main ? (spec.restarts ?? 0) : 0,
      ready: true,
      started: true,
      state: { running: { startedAt: CREATED } } as Obj,
    };
    if (!main || state === 'ready') return base;
    if (state === 'CrashLoopBackOff')
      return {
        ...base,
        ready: false,
        state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off 5m0s restarting failed container=${c}` } },
        lastState: { terminated: { reason: 'Error', exitCode: 1, finishedAt: '2026-11-28T03:59:00Z' } },
      };
    if (state === 'OOMKilled')
      return {
        ...base,
        ready: false,
        state: { waiting: { reason: 'CrashLoopBackOff' } },
        lastState: { terminated: { reason: 'OOMKilled', exitCode: 137, finishedAt: '2026-11-28T03:58:00Z' } },
      };
    if (state === 'ImagePullBackOff' || state === 'CreateContainerConfigError')
      return {
        ...base,
        ready: false,
        started: false,
        state: {
          waiting: {
            reason: state,
            message: state === 'CreateContainerConfigError' ? 'configmap "budapp-config-v42" not found' : 'Back-off pulling image',
          },
        },
      };
    if (state === 'NotReady') return { ...base, ready: false };
    return base;
  });
  const phase = state === 'Pending' ? 'Pending' : state === 'Evicted' ? 'Failed' : 'Running';
  return {
    metadata: {
      name: spec.name,
      namespace: spec.namespace,
      uid: `uid-${spec.name}`,
      labels: spec.labels ?? {},
      creationTimestamp: CREATED,
      ...(spec.ownerRS
        ? {
            ownerReferences: [
              { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: spec.ownerRS, uid: `uid-${spec.ownerRS}`, controller: true },
            ],
          }
        : {}),
    },
    spec: {
      nodeName: state === 'Pending' ? undefined : (spec.node ?? 'worker-1'),
      containers: containers.map((c) => ({ name: c, image: `registry.bud.example/${c}:3.19.0` })),
    },
    status: {
      phase,
      ...(state === 'Evicted' ? { reason: 'Evicted', message: 'The node was low on resource: memory.' } : {}),
      podIP: state === 'Pending' ? undefined : '10.42.1.15',
      startTime: CREATED,
      conditions: [{ type: 'Ready', status: state === 'ready' ? 'True' : 'False', lastTransitionTime: CREATED }],
      ...(state === 'Pending' ? {} : { containerStatuses: cs }),
    },
  };
}

export function node(name: string, ready = true, role?: string): Obj {
  return {
    metadata: {
      name,
      uid: `uid-${name}`,
      labels: role ? { [`node-role.kubernetes.io/${role}`]: '' } : {},
      creationTimestamp: '2026-10-18T04:00:00Z',
    },
    spec: {},
    status: {
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'Unknown', reason: ready ? 'KubeletReady' : 'NodeStatusUnknown' }],
      nodeInfo: { kubeletVersion: 'v1.32.4' },
    },
  };
}

export function event(
  namespace: string,
  kind: string,
  name: string,
  type: 'Normal' | 'Warning',
  reason: string,
  message: string,
  lastTimestamp = new Date(Date.now() - 120_000).toISOString(),
): Obj {
  return {
    metadata: { name: `${name}.${reason.toLowerCase()}`, namespace, uid: `uid-ev-${name}-${reason}` },
    involvedObject: { kind, name, namespace, uid: `uid-${name}` },
    type,
    reason,
    message,
    firstTimestamp: lastTimestamp,
    lastTimestamp,
    count: 3,
    source: { component: 'kubelet' },
  };
}

export function deployment(namespace: string, name: string, replicas: number, ready: number, revision = 42): Obj {
  return {
    metadata: {
      name,
      namespace,
      uid: `uid-${name}`,
      labels: { app: name },
      annotations: { 'deployment.kubernetes.io/revision': String(revision) },
      creationTimestamp: CREATED,
      generation: revision,
    },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: `registry.bud.example/${name}:3.19.0` }] } },
    },
    status: {
      observedGeneration: revision,
      replicas,
      updatedReplicas: replicas,
      readyReplicas: ready,
      availableReplicas: ready,
      conditions: [{ type: 'Available', status: ready === replicas ? 'True' : 'False' }],
    },
  };
}

export function replicaset(
  namespace: string,
  deploymentName: string,
  hash: string,
  revision: number,
  replicas: number,
  changeCause: string,
): Obj {
  return {
    metadata: {
      name: `${deploymentName}-${hash}`,
      namespace,
      uid: `uid-${deploymentName}-${hash}`,
      labels: { app: deploymentName, 'pod-template-hash': hash },
      annotations: { 'deployment.kubernetes.io/revision': String(revision), 'kubernetes.io/change-cause': changeCause },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'Deployment', name: deploymentName, uid: `uid-${deploymentName}`, controller: true },
      ],
      creationTimestamp: revision === 42 ? '2026-11-28T03:50:00Z' : CREATED,
    },
    spec: {
      replicas,
      selector: { matchLabels: { app: deploymentName, 'pod-template-hash': hash } },
      template: {
        metadata: { labels: { app: deploymentName, 'pod-template-hash': hash } },
        spec: { containers: [{ name: deploymentName, image: 'x' }] },
      },
    },
    status: { replicas, readyReplicas: replicas },
  };
}

/** The same pods, with those that `match` replaced by a failing copy (same name, labels, containers, node, owner). */
function breakPods(c: ClusterState, match: (p: Obj) => boolean, state: PodSpec['state'], restarts = 0): void {
  c.pods = c.pods.map((p) =>
    match(p)
      ? pod({
          namespace: p.metadata.namespace,
          name: p.metadata.name,
          labels: p.metadata.labels,
          containers: p.spec.containers.map((x: { name: string }) => x.name),
          node: p.spec.nodeName,
          state,
          restarts,
          ...(p.metadata.ownerReferences ? { ownerRS: p.metadata.ownerReferences[0].name } : {}),
        })
      : p,
  );
}

const PG_OK = () => ({ stdout: '/var/run/postgresql:5432 - accepting connections\n' });
/** budapp's own database check (python -c "from budapp.db import engine; print('OK')"). */
const APP_DB_OK = (cmd: string[]) => (cmd[0] === 'python' ? { stdout: 'OK\n' } : { stderr: `${cmd[0]}: not found\n`, exitCode: 127 });

/** A healthy platform: budapp and friends running, PostgreSQL accepting connections, Keycloak up. */
export function healthyCluster(): ClusterState {
  const sys = 'bud-system';
  return {
    nodes: [node('cp-1', true, 'control-plane'), node('worker-1'), node('worker-2'), node('worker-3')],
    pods: [
      pod({
        namespace: sys,
        name: 'budapp-7d9f8c6b5-x2k4p',
        labels: { app: 'budapp', 'pod-template-hash': '7d9f8c6b5' },
        containers: ['budapp', 'daprd'],
        ownerRS: 'budapp-7d9f8c6b5',
      }),
      pod({
        namespace: sys,
        name: 'budapp-7d9f8c6b5-m8n2q',
        labels: { app: 'budapp', 'pod-template-hash': '7d9f8c6b5' },
        containers: ['budapp', 'daprd'],
        node: 'worker-2',
        ownerRS: 'budapp-7d9f8c6b5',
      }),
      pod({
        namespace: sys,
        name: 'budgateway-5c8d7f9b4-h7j2m',
        labels: { app: 'budgateway' },
        containers: ['budgateway', 'daprd'],
        node: 'worker-2',
      }),
      pod({ namespace: 'bud-data', name: 'postgresql-0', labels: { app: 'postgresql' }, containers: ['postgresql'], node: 'worker-3' }),
      pod({ namespace: 'bud-auth', name: 'keycloak-0', labels: { app: 'keycloak' }, containers: ['keycloak'] }),
    ],
    events: [event(sys, 'Pod', 'budapp-7d9f8c6b5-x2k4p', 'Normal', 'Pulled', 'Container image already present on machine')],
    deployments: [deployment(sys, 'budapp', 2, 2), deployment(sys, 'budgateway', 1, 1), deployment('bud-auth', 'keycloak', 1, 1)],
    replicasets: [
      replicaset(sys, 'budapp', '6c5b4a3f2', 41, 0, 'helm upgrade bud 3.18.0'),
      replicaset(sys, 'budapp', '7d9f8c6b5', 42, 2, 'helm upgrade bud 3.19.0'),
    ],
    logs: { 'bud-system/budapp-7d9f8c6b5-x2k4p': '2026-11-28 03:40:00 INFO budapp: serving on :9082\n' },
    exec: {
      'bud-data/postgresql-0': (cmd) =>
        cmd[0] === 'pg_isready'
          ? PG_OK()
          : cmd[0] === 'psql'
            ? { stdout: 'postgresql-1|streaming|0.012\n' }
            : { stderr: `sh: ${cmd[0]}: not found\n`, exitCode: 127 },
      'bud-system/budapp-7d9f8c6b5-x2k4p': APP_DB_OK,
      'bud-system/budapp-7d9f8c6b5-m8n2q': APP_DB_OK,
    },
  };
}

/** PostgreSQL does not answer; budapp crash-loops on connection errors. */
export function databaseDownCluster(): ClusterState {
  const c = healthyCluster();
  breakPods(c, (p) => p.metadata.name.startsWith('budapp-'), 'CrashLoopBackOff', 7);

  c.exec = {
    ...c.exec,
    'bud-data/postgresql-0': () => ({ stdout: '/var/run/postgresql:5432 - no response\n', exitCode: 2 }),
    'bud-system/budapp-7d9f8c6b5-x2k4p': () => ({ stderr: 'sqlalchemy.exc.OperationalError: connection refused\n', exitCode: 1 }),
    'bud-system/budapp-7d9f8c6b5-m8n2q': () => ({ stderr: 'sqlalchemy.exc.OperationalError: connection refused\n', exitCode: 1 }),
  };
  c.logs = {
    'bud-system/budapp-7d9f8c6b5-x2k4p':
      '2026-11-28 03:41:07 INFO budapp: starting\n2026-11-28 03:41:07 ERROR budapp.db: sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) connection to server at "postgresql.bud-data.svc" (10.43.12.7), port 5432 failed: Connection refused\n',
  };
  c.events.push(event('bud-system', 'Pod', 'budapp-7d9f8c6b5-x2k4p', 'Warning', 'BackOff', 'Back-off restarting failed container budapp'));
  return c;
}

/** A config push referenced a ConfigMap that does not exist. */
export function badConfigCluster(): ClusterState {
  const c = healthyCluster();
  breakPods(c, (p) => p.metadata.name.startsWith('budapp-'), 'CreateContainerConfigError');

  c.events.push(
    event('bud-system', 'Pod', 'budapp-7d9f8c6b5-x2k4p', 'Warning', 'Failed', 'Error: configmap "budapp-config-v42" not found'),
  );
  return c;
}

/** Only PostgreSQL is down (its pod crash-loops on a full disk); the platform pods still run. */
export function postgresDownCluster(): ClusterState {
  const c = healthyCluster();
  c.exec = { ...c.exec, 'bud-data/postgresql-0': () => ({ stdout: '/var/run/postgresql:5432 - no response\n', exitCode: 2 }) };
  c.logs = {
    ...c.logs,
    'bud-data/postgresql-0':
      '2026-11-28 03:57:59.120 UTC [1] PANIC:  could not write to file "pg_wal/xlogtemp.1": No space left on device\n',
  };
  breakPods(c, (p) => p.metadata.name === 'postgresql-0', 'CrashLoopBackOff', 6);

  return c;
}

/** Keycloak crash-loops: logins fail. */
export function keycloakDownCluster(): ClusterState {
  const c = healthyCluster();
  breakPods(c, (p) => p.metadata.name === 'keycloak-0', 'CrashLoopBackOff', 9);

  return c;
}

/** Every platform pod is failing. */
export function platformDownCluster(): ClusterState {
  const c = databaseDownCluster();
  breakPods(c, (p) => p.metadata.namespace === 'bud-system', 'CrashLoopBackOff', 7);

  return c;
}

/** The workload (GPU) cluster: two vLLM model servers; `broken` makes one OOM-crash. */
export function workloadCluster(broken = false): ClusterState {
  const ns = 'bud-workloads';
  const labels = (n: string) => ({ 'app.kubernetes.io/name': 'vllm', model: n });
  const llama = pod({
    namespace: ns,
    name: 'vllm-llama-3-70b-6c9f7d8b5-abc12',
    labels: labels('llama'),
    containers: ['vllm'],
    node: 'gpu-node-1',
  });
  if (broken) {
    llama.status.containerStatuses[0] = {
      name: 'vllm',
      ready: false,
      restartCount: 4,
      state: { waiting: { reason: 'CrashLoopBackOff' } },
      lastState: { terminated: { reason: 'OOMKilled', exitCode: 137, finishedAt: new Date(Date.now() - 90_000).toISOString() } },
    };
    llama.status.conditions = [{ type: 'Ready', status: 'False' }];
  }
  return {
    nodes: [node('gpu-node-1'), node('gpu-node-2')],
    pods: [
      llama,
      pod({ namespace: ns, name: 'vllm-qwen-2-7b-5d8e6c7a4-def34', labels: labels('qwen'), containers: ['vllm'], node: 'gpu-node-2' }),
    ],
    events: [],
    deployments: [deployment(ns, 'vllm', 2, broken ? 1 : 2)],
    replicasets: [],
    logs: {
      [`${ns}/vllm-llama-3-70b-6c9f7d8b5-abc12`]: broken
        ? 'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB.\n'
        : 'INFO: Started server process\n',
    },
    exec: {
      [`${ns}/vllm-llama-3-70b-6c9f7d8b5-abc12`]: () => ({ stdout: '0, NVIDIA H100 80GB HBM3, 71850 MiB, 81559 MiB, 63 %\n' }),
    },
  };
}
