/**
 * The Bud platform as a cluster: a builder that assembles nodes, Deployments with their ReplicaSets and
 * pods, StatefulSets (PostgreSQL, Keycloak), CoreDNS, events, logs and exec answers, and a default
 * healthy platform that each case changes where its story needs.
 */
import type { ClusterState, ExecResult } from '../support/fake-kube.js';
import {
  type ContainerDef,
  type EventInput,
  type ExecHandler,
  type NodeInput,
  type Obj,
  type Run,
  DAY,
  HOUR,
  K8S_VERSION,
  MIN,
  SEC,
  after,
  before,
  event,
  hex,
  imageID,
  iso,
  node,
  nodeIP,
  pod,
  resourceVersion,
  safe,
  shell,
  templateHash,
  uid,
} from './k8s.js';
import { type LogCtx, daprd, corednsHealthy, gateway, keycloakHealthy, pgHealthy, pyHealthy, rng } from './logs.js';

export class Cluster {
  nodes: Obj[] = [];
  pods: Obj[] = [];
  events: Obj[] = [];
  deployments: Obj[] = [];
  replicasets: Obj[] = [];
  statefulsets: Obj[] = [];
  jobs: Obj[] = [];
  configmaps: Obj[] = [];
  pvcs: Obj[] = [];
  logs: Record<string, string> = {};
  exec: Record<string, ExecHandler> = {};
  namespaces: string[] = [];
  /** Nodes whose clock runs ahead (seconds): their pods' log timestamps and `date` show it. */
  clockAhead: Record<string, number> = {};
  private nextIP = new Map<string, number>();

  constructor(public readonly now: Date) {}

  ago(ms: number): Date {
    return before(this.now, ms);
  }

  addNode(n: Omit<NodeInput, 'now'>): Obj {
    const o = node({ ...n, now: this.now });
    this.nodes.push(o);
    this.nextIP.set(n.name, 9 + ((n.index * 7) % 11));
    return o;
  }

  node(name: string): Obj {
    const n = this.nodes.find((x) => x.metadata.name === name);
    if (!n) throw new Error(`no node ${name}`);
    return n;
  }

  nodeIP(name: string): string {
    return nodeIP(this.node(name));
  }

  /** The node's cni0 address (where kubelet probes come from). */
  probeIP(name: string): string {
    return this.node(name).spec.podCIDR.replace('.0/24', '.1') as string;
  }

  /** The next pod IP on a node's podCIDR. */
  podIP(nodeName: string): string {
    const n = (this.nextIP.get(nodeName) ?? 10) + 1;
    this.nextIP.set(nodeName, n);
    return (this.node(nodeName).spec.podCIDR as string).replace('.0/24', `.${n}`);
  }

  event(e: EventInput): Obj {
    const o = event(e);
    this.events.push(o);
    return o;
  }

  pod(namespace: string, name: string): Obj {
    const p = this.pods.find((x) => x.metadata.namespace === namespace && x.metadata.name === name);
    if (!p) throw new Error(`no pod ${namespace}/${name}`);
    return p;
  }

  podsOf(namespace: string, prefix: string): Obj[] {
    return this.pods.filter((x) => x.metadata.namespace === namespace && x.metadata.name.startsWith(prefix));
  }

  state(): ClusterState {
    const namespaces = [
      ...new Set([
        'default',
        'kube-system',
        'kube-public',
        'kube-node-lease',
        ...this.namespaces,
        ...this.pods.map((p) => p.metadata.namespace as string),
        ...this.deployments.map((p) => p.metadata.namespace as string),
      ]),
    ];
    return {
      version: K8S_VERSION,
      nodes: this.nodes,
      pods: this.pods,
      events: this.events.sort((a, b) => eventTime(a) - eventTime(b)),
      deployments: this.deployments,
      replicasets: this.replicasets,
      statefulsets: this.statefulsets,
      jobs: this.jobs,
      configmaps: this.configmaps,
      persistentvolumeclaims: this.pvcs,
      namespaces,
      logs: this.logs,
      exec: this.exec,
      realKubelet: true,
    };
  }
}

function eventTime(e: Obj): number {
  return new Date(e.lastTimestamp ?? e.series?.lastObservedTime ?? e.eventTime ?? 0).getTime();
}

// ---------------------------------------------------------------------------------------------
// Applications

export interface AppDef {
  namespace: string;
  name: string;
  component: string;
  image: string;
  port: number;
  portName?: string;
  readinessPath: string;
  livenessPath: string;
  /** Has a daprd sidecar (all bud-system services but the admin UI). */
  dapr: boolean;
  resources: Obj;
  created: Date;
  replicas: number;
  strategy?: { maxSurge: number | string; maxUnavailable: number | string };
  labels?: Record<string, string>;
  args?: string[];
  env?: Obj[];
  serviceAccount?: string;
  /** ConfigMap mounted at /etc/bud (default `${name}-config`; null: none). */
  configMap?: string | null;
  priorityClassName?: string;
  /** The healthy log of the main container. */
  log: (ctx: LogCtx) => string;
  /** The main container's shell. */
  shell?: (ctx: LogCtx) => ExecHandler;
  tolerations?: Obj[];
  nodeSelector?: Record<string, string>;
  volumes?: Obj[];
  volumeMounts?: Obj[];
  readinessProbe?: Obj;
  livenessProbe?: Obj;
  startupProbe?: Obj;
}

export interface PodPlan {
  /** Scheduled to this node; undefined with `unschedulable` for a Pending pod. */
  node?: string;
  created?: Date;
  /** The main container; a function gets the pod's name (for crash-loop messages). Default: running and ready since creation. */
  main?: Run | ((pod: string) => Run);
  sidecar?: Run | ((pod: string) => Run);
  unschedulable?: { message: string; since: Date };
  deletion?: { at: Date; graceSeconds?: number };
  markedNotReadyAt?: Date;
  readyTransition?: Date;
  phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  reason?: string;
  message?: string;
  extraConditions?: Obj[];
  /** Logs by container name, "<container>#previous" for the previous instance. Running containers without one get a healthy log. */
  logs?: Record<string, string>;
  /** Called with the pod's name and IP to make its logs (instead of `logs`). */
  makeLogs?: (pod: string, ctx: LogCtx) => Record<string, string>;
  exec?: ExecHandler;
  /** Makes the main container's shell from its log context (instead of `exec`). */
  makeExec?: (ctx: LogCtx) => ExecHandler;
  name?: string;
  /** Skew of the node's clock, for log timestamps. */
  clockAheadSeconds?: number;
}

export interface RevisionPlan {
  revision: number;
  created: Date;
  tag: string;
  /** Extra envFrom ConfigMap (a new revision referencing one that does not exist). */
  envConfigMap?: string;
  /** RS spec.replicas (default: its active pods). */
  replicas?: number;
  /** Pod template annotations (checksum/config). */
  checksum?: string;
  pods: PodPlan[];
}

export const DAPR_IMAGE = 'docker.io/daprio/daprd:1.14.4';

function daprContainer(def: AppDef): ContainerDef {
  return {
    name: 'daprd',
    image: DAPR_IMAGE,
    args: [
      '/daprd',
      '--dapr-http-port=3500',
      '--dapr-grpc-port=50001',
      '--dapr-internal-grpc-port=50002',
      '--dapr-listen-addresses=[::1],127.0.0.1',
      '--dapr-public-port=3501',
      `--app-id=${def.name}`,
      `--app-port=${def.port}`,
      '--app-protocol=http',
      '--control-plane-namespace=dapr-system',
      '--control-plane-trust-domain=cluster.local',
      '--mode=kubernetes',
      '--config=appconfig',
      '--log-level=info',
      '--enable-metrics=true',
      '--metrics-port=9090',
    ],
    env: [
      { name: 'NAMESPACE', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } } },
      { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
      { name: 'DAPR_CONTROLPLANE_NAMESPACE', value: 'dapr-system' },
    ],
    ports: [
      { containerPort: 3500, name: 'dapr-http', protocol: 'TCP' },
      { containerPort: 50001, name: 'dapr-grpc', protocol: 'TCP' },
      { containerPort: 50002, name: 'dapr-internal', protocol: 'TCP' },
      { containerPort: 9090, name: 'dapr-metrics', protocol: 'TCP' },
    ],
    readinessProbe: {
      httpGet: { path: '/v1.0/healthz', port: 3501, scheme: 'HTTP' },
      initialDelaySeconds: 3,
      periodSeconds: 6,
      timeoutSeconds: 3,
      successThreshold: 1,
      failureThreshold: 3,
    },
    livenessProbe: {
      httpGet: { path: '/v1.0/healthz', port: 3501, scheme: 'HTTP' },
      initialDelaySeconds: 3,
      periodSeconds: 6,
      timeoutSeconds: 3,
      successThreshold: 1,
      failureThreshold: 3,
    },
    resources: { limits: { memory: '512Mi' }, requests: { cpu: '100m', memory: '250Mi' } },
    securityContext: {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    },
  };
}

function mainContainer(def: AppDef, rev: RevisionPlan): ContainerDef {
  const probe = (path: string, failureThreshold: number, timeoutSeconds = 3) => ({
    httpGet: { path, port: def.port, scheme: 'HTTP' },
    initialDelaySeconds: 5,
    periodSeconds: 10,
    timeoutSeconds,
    successThreshold: 1,
    failureThreshold,
  });
  const configMap = def.configMap === undefined ? `${def.name}-config` : def.configMap;
  return {
    name: def.name,
    image: `${def.image}:${rev.tag}`,
    ...(def.args ? { args: def.args } : {}),
    ports: [{ containerPort: def.port, name: def.portName ?? 'http', protocol: 'TCP' }],
    env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } }, ...(def.env ?? [])],
    ...(def.dapr || rev.envConfigMap
      ? {
          envFrom: [
            ...(rev.envConfigMap ? [{ configMapRef: { name: rev.envConfigMap } }] : []),
            ...(def.dapr ? [{ secretRef: { name: `${def.name}-secrets` } }] : []),
          ],
        }
      : {}),
    resources: def.resources,
    readinessProbe: def.readinessProbe ?? probe(def.readinessPath, 3),
    livenessProbe: def.livenessProbe ?? probe(def.livenessPath, 6, 5),
    ...(def.startupProbe ? { startupProbe: def.startupProbe } : {}),
    volumeMounts: [...(configMap ? [{ name: 'config', mountPath: '/etc/bud', readOnly: true }] : []), ...(def.volumeMounts ?? [])],
  };
}

function appLabels(def: AppDef): Record<string, string> {
  return {
    app: def.name,
    'app.kubernetes.io/name': def.name,
    'app.kubernetes.io/instance': 'bud',
    'app.kubernetes.io/component': def.component,
    ...def.labels,
  };
}

function selectorLabels(def: AppDef): Record<string, string> {
  return { 'app.kubernetes.io/name': def.name, 'app.kubernetes.io/instance': 'bud' };
}

function podAnnotations(def: AppDef, rev: RevisionPlan): Record<string, string> {
  return {
    'checksum/config': rev.checksum ?? hex(`checksum:${def.name}:${rev.revision}`, 64),
    'kubectl.kubernetes.io/default-container': def.name,
    ...(def.dapr
      ? {
          'dapr.io/enabled': 'true',
          'dapr.io/app-id': def.name,
          'dapr.io/app-port': String(def.port),
          'dapr.io/config': 'appconfig',
          'dapr.io/log-level': 'info',
        }
      : {}),
  };
}

function volumesFor(def: AppDef): Obj[] {
  const configMap = def.configMap === undefined ? `${def.name}-config` : def.configMap;
  return [...(configMap ? [{ name: 'config', configMap: { name: configMap, defaultMode: 420 } }] : []), ...(def.volumes ?? [])];
}

interface BuiltPod {
  obj: Obj;
  ready: boolean;
  active: boolean;
}

/** One pod of an app, with its logs and exec answers registered in the cluster. */
function buildPod(
  c: Cluster,
  def: AppDef,
  rev: RevisionPlan,
  plan: PodPlan,
  name: string,
  created: Date,
  owner: Obj,
  extraLabels: Record<string, string>,
  extra: { hostname?: string; subdomain?: string } = {},
): BuiltPod {
  const main = typeof plan.main === 'function' ? plan.main(name) : (plan.main ?? { state: 'running', startedAt: after(created, 7 * SEC) });
  const containers: Array<ContainerDef & { run: Run }> = [{ ...mainContainer(def, rev), run: main }];
  if (def.dapr) {
    const side =
      typeof plan.sidecar === 'function' ? plan.sidecar(name) : (plan.sidecar ?? { state: 'running', startedAt: after(created, 6 * SEC) });
    containers.push({ ...daprContainer(def), run: side });
  }
  const ip = plan.node ? c.podIP(plan.node) : undefined;
  const clockAhead = plan.clockAheadSeconds ?? (plan.node ? c.clockAhead[plan.node] : undefined);
  const obj = pod({
    namespace: def.namespace,
    name,
    labels: { ...appLabels(def), ...extraLabels },
    annotations: podAnnotations(def, rev),
    owner: owner as { apiVersion: string; kind: string; name: string; uid: string },
    created,
    ...(plan.node ? { node: plan.node, nodeIP: c.nodeIP(plan.node) } : {}),
    ...(ip ? { podIP: ip } : {}),
    containers,
    volumes: volumesFor(def),
    serviceAccountName: def.serviceAccount ?? def.name,
    ...(def.priorityClassName ? { priorityClassName: def.priorityClassName, priority: 100000 } : {}),
    ...(def.tolerations ? { tolerations: def.tolerations } : {}),
    ...(def.nodeSelector ? { nodeSelector: def.nodeSelector } : {}),
    ...(plan.unschedulable ? { unschedulable: plan.unschedulable } : {}),
    ...(plan.deletion ? { deletion: plan.deletion } : {}),
    ...(plan.markedNotReadyAt ? { markedNotReadyAt: plan.markedNotReadyAt } : {}),
    ...(plan.readyTransition ? { readyTransition: plan.readyTransition } : {}),
    ...(plan.phase ? { phase: plan.phase } : {}),
    ...(plan.reason ? { reason: plan.reason } : {}),
    ...(plan.message ? { message: plan.message } : {}),
    ...(plan.extraConditions ? { extraConditions: plan.extraConditions } : {}),
    ...extra,
  });
  c.pods.push(obj);
  const key = `${def.namespace}/${name}`;
  const ctx = (run: Run): LogCtx | undefined => {
    if (!plan.node) return undefined;
    const startedAt = run.state === 'running' ? run.startedAt : run.state === 'terminated' ? run.term.startedAt : run.last?.startedAt;
    if (!startedAt) return undefined;
    return {
      pod: name,
      namespace: def.namespace,
      node: plan.node,
      probeIP: c.probeIP(plan.node),
      podIP: ip ?? '',
      startedAt,
      ...(run.state === 'terminated'
        ? { endedAt: run.term.finishedAt }
        : run.state === 'waiting' && run.last
          ? { endedAt: run.last.finishedAt }
          : {}),
      now: c.now,
      version: rev.tag,
      revision: rev.revision,
      ...(clockAhead ? { clockAheadSeconds: clockAhead } : {}),
    };
  };
  const mainCtx = ctx(main);
  const given = plan.makeLogs && mainCtx ? plan.makeLogs(name, mainCtx) : (plan.logs ?? {});
  for (const [k, v] of Object.entries(given)) c.logs[`${key}/${k}`] = v;
  for (const cont of containers) {
    const cx = ctx(cont.run);
    if (!cx || c.logs[`${key}/${cont.name}`] !== undefined) continue;
    if (cont.run.state !== 'running' && cont.run.state !== 'terminated') continue;
    c.logs[`${key}/${cont.name}`] = cont.name === 'daprd' ? daprd(cx, def.name, def.port) : def.log(cx);
  }
  if (mainCtx && main.state === 'running') {
    if (plan.exec) c.exec[key] = plan.exec;
    else if (plan.makeExec) c.exec[key] = plan.makeExec(mainCtx);
    else if (def.shell) c.exec[key] = def.shell(mainCtx);
  }
  const ready = obj.status.conditions.some((x: Obj) => x.type === 'Ready' && x.status === 'True');
  const active = !plan.deletion && obj.status.phase !== 'Failed' && obj.status.phase !== 'Succeeded';
  return { obj, ready, active };
}

function percentOf(v: number | string, replicas: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  const pct = Number(v.replace('%', '')) / 100;
  return roundUp ? Math.ceil(pct * replicas) : Math.floor(pct * replicas);
}

/** A Deployment with its ReplicaSets (one per revision, oldest first) and their pods. */
export function deploy(c: Cluster, def: AppDef, revisions: RevisionPlan[]): { deployment: Obj; pods: Obj[][]; replicasets: Obj[] } {
  const depUid = uid(`Deployment:${def.namespace}/${def.name}`);
  const strategy = def.strategy ?? { maxSurge: '25%', maxUnavailable: '25%' };
  const latest = revisions[revisions.length - 1]!;
  const allPods: BuiltPod[][] = [];
  const rsObjs: Obj[] = [];
  for (const rev of revisions) {
    const hash = templateHash(`${def.namespace}/${def.name}/${rev.revision}`);
    const rsName = `${def.name}-${hash}`;
    const rsUid = uid(`ReplicaSet:${def.namespace}/${rsName}`);
    const owner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rsName, uid: rsUid };
    const built = rev.pods.map((plan, i) => {
      const name = plan.name ?? `${rsName}-${safe(`${rsName}/${i}`, 5)}`;
      const created = plan.created ?? after(rev.created, (2 + i * 23) * SEC);
      return buildPod(c, def, rev, plan, name, created, owner, { 'pod-template-hash': hash });
    });
    allPods.push(built);
    const active = built.filter((b) => b.active);
    const readyCount = active.filter((b) => b.ready).length;
    const replicas = rev.replicas ?? active.length;
    const rs = {
      metadata: {
        name: rsName,
        namespace: def.namespace,
        uid: rsUid,
        resourceVersion: resourceVersion(),
        generation: replicas === 0 ? 3 : 1 + (rev === latest ? 0 : 2),
        creationTimestamp: iso(rev.created),
        labels: { ...appLabels(def), 'pod-template-hash': hash },
        annotations: {
          'deployment.kubernetes.io/desired-replicas': String(def.replicas),
          'deployment.kubernetes.io/max-replicas': String(def.replicas + percentOf(strategy.maxSurge, def.replicas, true)),
          'deployment.kubernetes.io/revision': String(rev.revision),
          'meta.helm.sh/release-name': 'bud',
          'meta.helm.sh/release-namespace': def.namespace,
        },
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'Deployment', name: def.name, uid: depUid, controller: true, blockOwnerDeletion: true },
        ],
      },
      spec: {
        replicas,
        selector: { matchLabels: { ...selectorLabels(def), 'pod-template-hash': hash } },
        template: {
          metadata: { labels: { ...appLabels(def), 'pod-template-hash': hash }, annotations: podAnnotations(def, rev) },
          spec: {
            containers: [mainContainer(def, rev)],
            serviceAccountName: def.serviceAccount ?? def.name,
            volumes: volumesFor(def),
          },
        },
      },
      status: {
        replicas: active.length,
        fullyLabeledReplicas: active.length,
        ...(readyCount ? { readyReplicas: readyCount, availableReplicas: readyCount } : {}),
        observedGeneration: replicas === 0 ? 3 : 1 + (rev === latest ? 0 : 2),
      },
    };
    rsObjs.push(rs);
    c.replicasets.push(rs);
  }
  const flat = allPods.flat().filter((b) => b.active);
  const updated = allPods[allPods.length - 1]!.filter((b) => b.active);
  const readyAll = flat.filter((b) => b.ready).length;
  const available = readyAll;
  const maxUnavailable = percentOf(strategy.maxUnavailable, def.replicas, false);
  const minAvailable = def.replicas - maxUnavailable;
  // A rollout is over once no older ReplicaSet has pods and the new one has them all; pods failing
  // afterwards (a crash, a lost node) leave Progressing as it was.
  const olderActive = allPods
    .slice(0, -1)
    .flat()
    .filter((b) => b.active).length;
  const rolledOut = olderActive === 0 && updated.length >= def.replicas;
  const complete = rolledOut && (available === def.replicas || c.now.getTime() - latest.created.getTime() > 600 * SEC);
  const latestRs = rsObjs[rsObjs.length - 1]!.metadata.name as string;
  const sinceRollout = c.now.getTime() - latest.created.getTime();
  const generation = latest.revision + 6;
  const lastPodReady = Math.max(
    latest.created.getTime(),
    ...updated.map((b) => new Date(b.obj.status.conditions.find((x: Obj) => x.type === 'Ready')?.lastTransitionTime ?? 0).getTime()),
  );
  const progressing = complete
    ? {
        type: 'Progressing',
        status: 'True',
        reason: 'NewReplicaSetAvailable',
        message: `ReplicaSet "${latestRs}" has successfully progressed.`,
        lastUpdateTime: iso(
          available === def.replicas ? new Date(lastPodReady) : after(latest.created, (40 + 23 * (def.replicas - 1)) * SEC),
        ),
        lastTransitionTime: iso(def.created),
      }
    : sinceRollout > 600 * SEC && updated.some((b) => !b.ready)
      ? {
          type: 'Progressing',
          status: 'False',
          reason: 'ProgressDeadlineExceeded',
          message: `ReplicaSet "${latestRs}" has timed out progressing.`,
          lastUpdateTime: iso(after(latest.created, 600 * SEC)),
          lastTransitionTime: iso(after(latest.created, 600 * SEC)),
        }
      : {
          type: 'Progressing',
          status: 'True',
          reason: 'ReplicaSetUpdated',
          message: `ReplicaSet "${latestRs}" is progressing.`,
          lastUpdateTime: iso(new Date(Math.max(latest.created.getTime(), lastPodReady))),
          lastTransitionTime: iso(def.created),
        };
  const availableSince = new Date(
    Math.min(
      ...flat
        .filter((b) => b.ready)
        .map((b) => new Date(b.obj.status.conditions.find((x: Obj) => x.type === 'Ready').lastTransitionTime).getTime()),
      c.now.getTime(),
    ),
  );
  const availableCond =
    available >= minAvailable
      ? {
          type: 'Available',
          status: 'True',
          reason: 'MinimumReplicasAvailable',
          message: 'Deployment has minimum availability.',
          lastUpdateTime: iso(availableSince),
          lastTransitionTime: iso(availableSince),
        }
      : {
          type: 'Available',
          status: 'False',
          reason: 'MinimumReplicasUnavailable',
          message: 'Deployment does not have minimum availability.',
          lastUpdateTime: iso(lastUnavailable(flat, c.now)),
          lastTransitionTime: iso(lastUnavailable(flat, c.now)),
        };
  const deployment = {
    metadata: {
      name: def.name,
      namespace: def.namespace,
      uid: depUid,
      resourceVersion: resourceVersion(),
      generation,
      creationTimestamp: iso(def.created),
      labels: { ...appLabels(def), 'app.kubernetes.io/managed-by': 'Helm', 'helm.sh/chart': `bud-${chartVersion(latest.tag)}` },
      annotations: {
        'deployment.kubernetes.io/revision': String(latest.revision),
        'meta.helm.sh/release-name': 'bud',
        'meta.helm.sh/release-namespace': def.namespace,
      },
    },
    spec: {
      replicas: def.replicas,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      selector: { matchLabels: selectorLabels(def) },
      strategy: { type: 'RollingUpdate', rollingUpdate: strategy },
      template: rsObjs[rsObjs.length - 1]!.spec.template,
    },
    status: {
      observedGeneration: generation,
      replicas: flat.length,
      updatedReplicas: updated.length,
      ...(readyAll ? { readyReplicas: readyAll, availableReplicas: available } : {}),
      ...(Math.max(flat.length, def.replicas) - available > 0
        ? { unavailableReplicas: Math.max(flat.length, def.replicas) - available }
        : {}),
      conditions: [availableCond, progressing],
    },
  };
  c.deployments.push(deployment);
  return { deployment, pods: allPods.map((b) => b.map((x) => x.obj)), replicasets: rsObjs };
}

function lastUnavailable(pods: BuiltPod[], now: Date): Date {
  const times = pods
    .filter((b) => !b.ready)
    .map((b) =>
      new Date(
        b.obj.status.conditions.find((x: Obj) => x.type === 'Ready')?.lastTransitionTime ?? b.obj.metadata.creationTimestamp,
      ).getTime(),
    );
  return times.length ? new Date(Math.min(...times)) : now;
}

function chartVersion(tag: string): string {
  const m = /^(\d+\.\d+\.\d+)/.exec(tag);
  return m ? m[1]! : '3.19.0';
}

/** A StatefulSet and its pods (`<name>-<i>`), each given by a plan. */
export function statefulSet(
  c: Cluster,
  def: AppDef,
  plans: PodPlan[],
  o: {
    tag: string;
    revisionCreated: Date;
    serviceName: string;
    pvc?: { size: string; storageClass: string; created: Date };
    extraLabels?: (i: number) => Record<string, string>;
  },
): { statefulset: Obj; pods: Obj[] } {
  const stsUid = uid(`StatefulSet:${def.namespace}/${def.name}`);
  const revHash = `${def.name}-${templateHash(`sts:${def.namespace}/${def.name}/${o.tag}`).slice(0, 10)}`;
  const owner = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: def.name, uid: stsUid };
  const rev: RevisionPlan = { revision: 1, created: o.revisionCreated, tag: o.tag, pods: plans };
  const built = plans.map((plan, i) => {
    const name = `${def.name}-${i}`;
    const created = plan.created ?? after(o.revisionCreated, i * 70 * SEC);
    const b = buildPod(
      c,
      def,
      rev,
      plan,
      name,
      created,
      owner,
      {
        'controller-revision-hash': revHash,
        'statefulset.kubernetes.io/pod-name': name,
        'apps.kubernetes.io/pod-index': String(i),
        ...o.extraLabels?.(i),
      },
      { hostname: name, subdomain: o.serviceName },
    );
    if (o.pvc) {
      b.obj.spec.volumes.unshift({ name: 'data', persistentVolumeClaim: { claimName: `data-${name}` } });
      b.obj.spec.containers[0].volumeMounts.unshift({ name: 'data', mountPath: '/bitnami/postgresql' });
      c.pvcs.push(pvc(def, `data-${name}`, o.pvc.size, o.pvc.storageClass, o.pvc.created));
    }
    return b;
  });
  const ready = built.filter((b) => b.ready).length;
  const statefulset = {
    metadata: {
      name: def.name,
      namespace: def.namespace,
      uid: stsUid,
      resourceVersion: resourceVersion(),
      generation: 4,
      creationTimestamp: iso(def.created),
      labels: { ...appLabels(def), 'app.kubernetes.io/managed-by': 'Helm' },
      annotations: { 'meta.helm.sh/release-name': 'bud', 'meta.helm.sh/release-namespace': def.namespace },
    },
    spec: {
      replicas: def.replicas,
      serviceName: o.serviceName,
      podManagementPolicy: 'OrderedReady',
      selector: { matchLabels: selectorLabels(def) },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      template: {
        metadata: { labels: appLabels(def) },
        spec: { containers: [mainContainer(def, rev)], serviceAccountName: def.serviceAccount ?? def.name },
      },
      ...(o.pvc
        ? {
            volumeClaimTemplates: [
              {
                apiVersion: 'v1',
                kind: 'PersistentVolumeClaim',
                metadata: { name: 'data' },
                spec: {
                  accessModes: ['ReadWriteOnce'],
                  resources: { requests: { storage: o.pvc.size } },
                  storageClassName: o.pvc.storageClass,
                  volumeMode: 'Filesystem',
                },
              },
            ],
          }
        : {}),
    },
    status: {
      observedGeneration: 4,
      replicas: built.filter((b) => b.active).length,
      readyReplicas: ready,
      currentReplicas: def.replicas,
      updatedReplicas: def.replicas,
      availableReplicas: ready,
      currentRevision: revHash,
      updateRevision: revHash,
      collisionCount: 0,
    },
  };
  c.statefulsets.push(statefulset);
  return { statefulset, pods: built.map((b) => b.obj) };
}

function pvc(def: AppDef, name: string, size: string, storageClass: string, created: Date): Obj {
  const volume = `pvc-${uid(`pvc:${def.namespace}/${name}`)}`;
  return {
    metadata: {
      name,
      namespace: def.namespace,
      uid: volume.slice(4),
      resourceVersion: resourceVersion(),
      creationTimestamp: iso(created),
      labels: { 'app.kubernetes.io/name': def.name, 'app.kubernetes.io/instance': 'bud', 'app.kubernetes.io/component': def.component },
      annotations: {
        'pv.kubernetes.io/bind-completed': 'yes',
        'pv.kubernetes.io/bound-by-controller': 'yes',
        'volume.beta.kubernetes.io/storage-provisioner': 'driver.longhorn.io',
        'volume.kubernetes.io/storage-provisioner': 'driver.longhorn.io',
      },
      finalizers: ['kubernetes.io/pvc-protection'],
    },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: size } },
      storageClassName: storageClass,
      volumeMode: 'Filesystem',
      volumeName: volume,
    },
    status: { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: size } },
  };
}

// ---------------------------------------------------------------------------------------------
// Shells

/** budapp's container: python, curl against its own port, getent/nslookup for DNS. */
export function pythonShell(
  port: number,
  db: () => ExecResult = () => ({ stdout: 'OK\n' }),
  dns: 'ok' | 'fail' = 'ok',
  health = '{"status":"ok","database":"ok","dapr":"ok"}',
  clockAheadSeconds = 0,
): ExecHandler {
  return shell((line) => {
    if (/^python/.test(line)) {
      if (/engine|database|db|psycopg|sqlalchemy/i.test(line)) return db();
      return { stdout: '' };
    }
    if (/^(curl|wget)/.test(line)) {
      if (line.includes(`:${port}`) || line.includes('localhost')) return { stdout: `${health}\n` };
      if (dns === 'fail')
        return { stderr: `curl: (6) Could not resolve host: ${/https?:\/\/([^/:\s]+)/.exec(line)?.[1] ?? 'host'}\n`, exitCode: 6 };
      return { stdout: '' };
    }
    if (/^(getent|nslookup|host|dig)/.test(line)) {
      const name = line.split(/\s+/).pop() ?? '';
      if (dns === 'fail')
        return line.startsWith('nslookup')
          ? { stdout: `;; connection timed out; no servers could be reached\n\n`, exitCode: 1 }
          : { exitCode: 2, stdout: '' };
      const addr = name.includes('postgresql') ? '10.43.12.7' : name.includes('keycloak') ? '10.43.88.140' : '10.43.0.1';
      return line.startsWith('nslookup')
        ? { stdout: `Server:\t\t10.43.0.10\nAddress:\t10.43.0.10#53\n\nName:\t${name}.cluster.local\nAddress: ${addr}\n` }
        : { stdout: `${addr}      ${name}.cluster.local\n` };
    }
    if (/^cat \/etc\/resolv.conf/.test(line))
      return { stdout: 'search bud-system.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.43.0.10\noptions ndots:5\n' };
    if (/^(ps|env|ls|cat|echo|id|hostname|uname)/.test(line)) return { stdout: '' };
    return undefined;
  }, clockAheadSeconds);
}

export interface PgShellState {
  role: 'primary' | 'replica';
  /** Replicas streaming from this primary: name, state, replay lag. */
  replicas?:
    | Array<{ name: string; ip: string; state: string; lag: string }>
    | (() => Array<{ name: string; ip: string; state: string; lag: string }>);
  dataUsedPct?: number;
  size?: string;
  /** The replica's WAL receiver status (null: not streaming). */
  receiver?: 'streaming' | null;
  /** Refuse logins for these users (a rotated password). */
  authFails?: string[];
}

/** PostgreSQL's container: pg_isready, psql with the queries an SRE runs, df of the data volume. */
export function postgresShell(s: PgShellState): ExecHandler {
  return shell((line) => {
    if (line.startsWith('pg_isready')) return { stdout: '/tmp:5432 - accepting connections\n' };
    if (line.startsWith('psql')) {
      const user = /-U\s*(\S+)/.exec(line)?.[1] ?? 'postgres';
      if (s.authFails?.includes(user))
        return {
          stderr: `psql: error: connection to server on socket "/tmp/.s.PGSQL.5432" failed: FATAL:  password authentication failed for user "${user}"\n`,
          exitCode: 2,
        };
      const q = line.toLowerCase();
      const tuplesOnly = /\s-(t|at|ta|qat|atq)\b|--tuples-only|-A/.test(line);
      if (q.includes('pg_is_in_recovery'))
        return {
          stdout: tuplesOnly
            ? `${s.role === 'replica' ? 't' : 'f'}\n`
            : ` pg_is_in_recovery \n-------------------\n ${s.role === 'replica' ? 't' : 'f'}\n(1 row)\n\n`,
        };
      if (q.includes('pg_stat_replication')) {
        const rows = (typeof s.replicas === 'function' ? s.replicas() : s.replicas) ?? [];
        if (tuplesOnly) return { stdout: rows.map((r) => `${r.name}|${r.state}|${r.lag}`).join('\n') + (rows.length ? '\n' : '') };
        return {
          stdout:
            ` application_name | client_addr |   state   | replay_lag \n------------------+-------------+-----------+------------\n` +
            rows.map((r) => ` ${r.name.padEnd(16)} | ${r.ip.padEnd(11)} | ${r.state.padEnd(9)} | ${r.lag}\n`).join('') +
            `(${rows.length} row${rows.length === 1 ? '' : 's'})\n\n`,
        };
      }
      if (q.includes('pg_stat_wal_receiver'))
        return s.receiver
          ? {
              stdout: tuplesOnly
                ? 'streaming|postgresql-0.postgresql-hl.bud-data.svc.cluster.local\n'
                : '  status   |              sender_host\n-----------+----------------------------------------------------\n streaming | postgresql-0.postgresql-hl.bud-data.svc.cluster.local\n(1 row)\n\n',
            }
          : { stdout: tuplesOnly ? '' : ' status | sender_host \n--------+-------------\n(0 rows)\n\n' };
      if (q.includes('pg_database_size') || q.includes('pg_size_pretty'))
        return { stdout: tuplesOnly ? `${s.size ?? '18 GB'}\n` : ` pg_size_pretty \n----------------\n ${s.size ?? '18 GB'}\n(1 row)\n\n` };
      if (q.includes('pg_stat_activity') && q.includes('count'))
        return { stdout: tuplesOnly ? '37\n' : ' count \n-------\n    37\n(1 row)\n\n' };
      if (q.includes('select 1')) return { stdout: tuplesOnly ? '1\n' : ' ?column? \n----------\n        1\n(1 row)\n\n' };
      if (q.includes('version()'))
        return { stdout: 'PostgreSQL 16.4 on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14) 12.2.0, 64-bit\n' };
      return { stdout: tuplesOnly ? '' : '(0 rows)\n\n' };
    }
    if (line.startsWith('df')) {
      const pct = s.dataUsedPct ?? 37;
      const size = 51290592;
      const used = Math.round((size * pct) / 100);
      return {
        stdout: `Filesystem     1K-blocks     Used Available Use% Mounted on\n/dev/longhorn/pvc-3b5e 51290592 ${used} ${size - used} ${pct}% /bitnami/postgresql\n`,
      };
    }
    if (line.startsWith('du')) return { stdout: `${s.size ?? '18G'}\t/bitnami/postgresql/data\n` };
    if (/^(ls|cat|echo|id|hostname|ps|env)/.test(line)) return { stdout: '' };
    return undefined;
  });
}

// ---------------------------------------------------------------------------------------------
// The platform

export const REGISTRY = 'registry.bud.example/bud';

export interface PlatformOptions {
  /** Override the default plan of one app (return its revisions), or skip it with null. */
  apps?: Partial<Record<string, ((def: AppDef) => RevisionPlan[]) | null>>;
  /** Replace the app definitions' fields (replicas, strategy, created). */
  defs?: Partial<Record<string, Partial<AppDef>>>;
  postgres?: PostgresPlan;
  keycloak?: { pods?: PodPlan[] };
  coredns?: (def: AppDef) => RevisionPlan[];
  nodes?: Partial<Record<string, Partial<Omit<NodeInput, 'now' | 'name'>>>>;
  extraNodes?: Array<Omit<NodeInput, 'now'>>;
  /** budapp's running revision and its age (default 42, 6 days). */
  budapp?: { revision?: number; age?: number; tag?: string; nodes?: string[]; restarts?: number };
  /** budapp's DB check from inside the pod (pythonShell's db answer). */
  budappDb?: () => ExecResult;
  /** The configmap budapp-config's data and last edit. */
  budappConfig?: { data?: string; editedAt?: Date };
  corefile?: { data: string; editedAt?: Date };
  /** Nodes whose clock runs ahead, in seconds. */
  clockAhead?: Record<string, number>;
}

export interface PostgresPlan {
  primary?: PodPlan;
  /** A streaming replica postgresql-1. */
  replica?: PodPlan | true;
  primaryShell?: Partial<PgShellState>;
  memoryLimit?: string;
}

export const APP_PORTS: Record<string, number> = {
  budapp: 9082,
  budcluster: 9083,
  budmodel: 9084,
  budmetrics: 9086,
  budnotify: 9087,
  budgateway: 3000,
  budadmin: 3000,
};

/** The bud-system app definitions, as the Helm chart deploys them. */
export function appDefs(c: Cluster, options: PlatformOptions = {}): Record<string, AppDef> {
  const installed = c.ago(214 * DAY + 3 * HOUR);
  const py = (name: string, component: string, replicas: number, mem: string, cpu: string): AppDef => ({
    namespace: 'bud-system',
    name,
    component,
    image: `${REGISTRY}/${name}`,
    port: APP_PORTS[name]!,
    readinessPath: '/health',
    livenessPath: '/health/live',
    dapr: true,
    resources: { limits: { memory: mem }, requests: { cpu, memory: mem === '4Gi' ? '1Gi' : '512Mi' } },
    created: installed,
    replicas,
    strategy: { maxSurge: 1, maxUnavailable: 1 },
    env: [
      { name: 'PSQL_HOST', value: 'postgresql.bud-data.svc' },
      { name: 'PSQL_PORT', value: '5432' },
      { name: 'PSQL_DB_NAME', value: name },
      { name: 'PSQL_USER', valueFrom: { secretKeyRef: { name: `${name}-db`, key: 'username' } } },
      { name: 'PSQL_PASSWORD', valueFrom: { secretKeyRef: { name: `${name}-db`, key: 'password' } } },
      { name: 'KEYCLOAK_SERVER_URL', value: 'https://keycloak.bud.example' },
      { name: 'KEYCLOAK_REALM_NAME', value: 'bud' },
    ],
    priorityClassName: 'bud-critical',
    log: (ctx) => pyHealthy(ctx, name, APP_PORTS[name]!),
    shell: (ctx) =>
      pythonShell(
        APP_PORTS[name]!,
        name === 'budapp' && options.budappDb ? options.budappDb : undefined,
        'ok',
        undefined,
        ctx.clockAheadSeconds,
      ),
  });
  const defs: Record<string, AppDef> = {
    budapp: py('budapp', 'api', 2, '4Gi', '500m'),
    budcluster: py('budcluster', 'cluster-manager', 1, '1Gi', '200m'),
    budmodel: py('budmodel', 'model-registry', 1, '1Gi', '200m'),
    budmetrics: py('budmetrics', 'metrics', 1, '1Gi', '200m'),
    budnotify: py('budnotify', 'notifications', 1, '512Mi', '100m'),
    budgateway: {
      namespace: 'bud-system',
      name: 'budgateway',
      component: 'gateway',
      image: `${REGISTRY}/budgateway`,
      port: 3000,
      readinessPath: '/health',
      livenessPath: '/health',
      dapr: true,
      resources: { limits: { memory: '2Gi' }, requests: { cpu: '500m', memory: '1Gi' } },
      created: installed,
      replicas: 1,
      strategy: { maxSurge: 1, maxUnavailable: 0 },
      priorityClassName: 'bud-critical',
      log: (ctx) => gateway(ctx),
      shell: () => shell((line) => (/^(curl|wget)/.test(line) ? { stdout: '{"status":"ok"}\n' } : undefined)),
    },
    budadmin: {
      namespace: 'bud-system',
      name: 'budadmin',
      component: 'frontend',
      image: `${REGISTRY}/budadmin`,
      port: 3000,
      readinessPath: '/',
      livenessPath: '/',
      dapr: false,
      configMap: null,
      resources: { limits: { memory: '1Gi' }, requests: { cpu: '100m', memory: '256Mi' } },
      created: installed,
      replicas: 1,
      log: (ctx) =>
        `  ▲ Next.js 14.2.15\n  - Local:        http://${ctx.pod}:3000\n  - Network:      http://${ctx.podIP}:3000\n\n ✓ Starting...\n ✓ Ready in 412ms\n`,
    },
  };
  for (const [name, patch] of Object.entries(options.defs ?? {})) Object.assign(defs[name]!, patch);
  return defs;
}

/** A service's steady state: its running revision `age` old, one pod per node, the previous revision scaled to 0. */
export function steady(
  c: Cluster,
  o: {
    revision: number;
    age: number;
    tag: string;
    nodes: string[];
    podAge?: number;
    restarts?: number;
    lastRestartAgo?: number;
    pods?: Array<Partial<PodPlan>>;
  },
): RevisionPlan[] {
  const created = c.ago(o.age);
  const podCreated = o.podAge !== undefined ? c.ago(o.podAge) : undefined;
  return [
    { revision: o.revision - 1, created: c.ago(o.age + 17 * DAY + 5 * HOUR), tag: previousTag(o.tag), pods: [] },
    {
      revision: o.revision,
      created,
      tag: o.tag,
      pods: o.nodes.map((n, i) => {
        const pc = podCreated ? after(podCreated, i * 23 * SEC) : after(created, (2 + i * 23) * SEC);
        const lastRestart = o.lastRestartAgo !== undefined ? c.ago(o.lastRestartAgo + i * 41 * SEC) : undefined;
        return {
          node: n,
          created: pc,
          ...(o.restarts && lastRestart
            ? {
                main: {
                  state: 'running' as const,
                  startedAt: lastRestart,
                  restarts: o.restarts - i,
                  last: {
                    exitCode: 137,
                    reason: 'OOMKilled',
                    startedAt: before(lastRestart, 2 * HOUR + 13 * MIN),
                    finishedAt: before(lastRestart, 11 * SEC),
                  },
                },
              }
            : {}),
          ...o.pods?.[i],
        };
      }),
    },
  ];
}

export function previousTag(tag: string): string {
  const m = /^(\d+)\.(\d+)\.(\d+)(.*)$/.exec(tag);
  if (!m) return tag;
  return Number(m[3]) > 0 ? `${m[1]}.${m[2]}.${Number(m[3]) - 1}` : `${m[1]}.${Number(m[2]) - 1}.4`;
}

export const BUDAPP_TAG = '3.19.0';

/** The default placement of the platform on worker-1..3. */
export const PLACEMENT: Record<string, string[]> = {
  budapp: ['worker-1', 'worker-2'],
  budgateway: ['worker-2'],
  budcluster: ['worker-3'],
  budmodel: ['worker-1'],
  budmetrics: ['worker-2'],
  budnotify: ['worker-1'],
  budadmin: ['worker-3'],
};

export function baseNodes(c: Cluster, options: PlatformOptions = {}): void {
  const created = c.ago(214 * DAY + 6 * HOUR);
  const nodes: Array<Omit<NodeInput, 'now'>> = [
    { name: 'cp-1', role: 'control-plane', index: 0, created },
    { name: 'worker-1', role: 'worker', index: 1, created: after(created, 9 * MIN), readySince: c.ago(23 * DAY + 4 * HOUR) },
    { name: 'worker-2', role: 'worker', index: 2, created: after(created, 11 * MIN), readySince: c.ago(23 * DAY + 3 * HOUR) },
    { name: 'worker-3', role: 'worker', index: 3, created: after(created, 14 * MIN), readySince: c.ago(23 * DAY + 2 * HOUR) },
  ];
  for (const n of [...nodes, ...(options.extraNodes ?? [])]) c.addNode({ ...n, ...options.nodes?.[n.name] });
}

export const BUDAPP_CONFIG = `# Bud platform configuration (managed by Helm: bud/templates/budapp-configmap.yaml)
app:
  name: budapp
  log_level: info
  port: 9082
database:
  host: postgresql.bud-data.svc
  port: 5432
  name: budapp
  pool_size: 20
  max_overflow: 10
auth:
  keycloak_url: https://keycloak.bud.example
  realm: bud
  client_id: bud-app
  token_leeway_seconds: 30
dapr:
  state_store: statestore
  pubsub: pubsub
`;

export const COREFILE = `.:53 {
    errors
    health {
        lameduck 5s
    }
    ready
    kubernetes cluster.local cluster.local in-addr.arpa ip6.arpa {
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
        ttl 30
    }
    prometheus 0.0.0.0:9153
    forward . /etc/resolv.conf
    cache 30
    loop
    reload
    loadbalance
    import /etc/coredns/custom/*.override
}
import /etc/coredns/custom/*.server
`;

function configMap(c: Cluster, namespace: string, name: string, data: Record<string, string>, created: Date, editedAt?: Date): Obj {
  const o = {
    metadata: {
      name,
      namespace,
      uid: uid(`ConfigMap:${namespace}/${name}`),
      resourceVersion: resourceVersion(),
      creationTimestamp: iso(created),
      labels:
        namespace === 'kube-system'
          ? { 'k8s-app': 'kube-dns' }
          : { 'app.kubernetes.io/instance': 'bud', 'app.kubernetes.io/managed-by': 'Helm' },
      ...(namespace === 'kube-system'
        ? {}
        : { annotations: { 'meta.helm.sh/release-name': 'bud', 'meta.helm.sh/release-namespace': namespace } }),
      managedFields: [
        {
          apiVersion: 'v1',
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:data': {} },
          manager: namespace === 'kube-system' ? 'rke2' : 'helm',
          operation: 'Update',
          time: iso(created),
        },
        ...(editedAt
          ? [
              {
                apiVersion: 'v1',
                fieldsType: 'FieldsV1',
                fieldsV1: { 'f:data': { [`f:${Object.keys(data)[0]}`]: {} } },
                manager: 'kubectl-edit',
                operation: 'Update',
                time: iso(editedAt),
              },
            ]
          : []),
      ],
    },
    data,
  };
  c.configmaps.push(o);
  return o;
}

/** PostgreSQL in bud-data: the Bitnami chart's StatefulSet `postgresql`, primary postgresql-0, optional replica postgresql-1. */
export function postgres(c: Cluster, plan: PostgresPlan = {}): { pods: Obj[] } {
  const created = c.ago(214 * DAY + 2 * HOUR);
  const replica = plan.replica === true ? {} : plan.replica;
  const def: AppDef = {
    namespace: 'bud-data',
    name: 'postgresql',
    component: 'primary',
    image: 'docker.io/bitnami/postgresql',
    port: 5432,
    portName: 'tcp-postgresql',
    readinessPath: '',
    livenessPath: '',
    dapr: false,
    configMap: null,
    resources: { limits: { memory: plan.memoryLimit ?? '4Gi' }, requests: { cpu: '1', memory: plan.memoryLimit ?? '4Gi' } },
    created,
    replicas: replica ? 2 : 1,
    serviceAccount: 'postgresql',
    env: [
      { name: 'BITNAMI_DEBUG', value: 'false' },
      { name: 'POSTGRESQL_PORT_NUMBER', value: '5432' },
      { name: 'POSTGRESQL_VOLUME_DIR', value: '/bitnami/postgresql' },
      { name: 'PGDATA', value: '/bitnami/postgresql/data' },
      { name: 'POSTGRES_PASSWORD', valueFrom: { secretKeyRef: { name: 'postgresql', key: 'postgres-password' } } },
      { name: 'POSTGRES_REPLICATION_MODE', value: 'master' },
      { name: 'POSTGRES_REPLICATION_USER', value: 'repl_user' },
      { name: 'POSTGRESQL_WAL_KEEP_SIZE', value: '1024' },
    ],
    readinessProbe: {
      exec: {
        command: [
          '/bin/sh',
          '-c',
          '-e',
          'exec pg_isready -U "postgres" -h 127.0.0.1 -p 5432\n[ -f /opt/bitnami/postgresql/tmp/.initialized ] || [ -f /bitnami/postgresql/.initialized ]\n',
        ],
      },
      initialDelaySeconds: 5,
      periodSeconds: 10,
      timeoutSeconds: 5,
      successThreshold: 1,
      failureThreshold: 6,
    },
    livenessProbe: {
      exec: { command: ['/bin/sh', '-c', 'exec pg_isready -U "postgres" -h 127.0.0.1 -p 5432'] },
      initialDelaySeconds: 30,
      periodSeconds: 10,
      timeoutSeconds: 5,
      successThreshold: 1,
      failureThreshold: 6,
    },
    volumeMounts: [{ name: 'dshm', mountPath: '/dev/shm' }],
    volumes: [{ name: 'dshm', emptyDir: { medium: 'Memory' } }],
    log: (ctx) => pgHealthy(ctx, ctx.pod.endsWith('-0') ? 'primary' : 'replica'),
    shell: (ctx) =>
      ctx.pod.endsWith('-0')
        ? postgresShell({
            role: 'primary',
            replicas: () =>
              replica
                ? [
                    {
                      name: 'postgresql-1',
                      ip: c.pods.find((p) => p.metadata.name === 'postgresql-1')?.status?.podIP ?? '',
                      state: 'streaming',
                      lag: '00:00:00.001842',
                    },
                  ]
                : [],
            ...plan.primaryShell,
          })
        : postgresShell({ role: 'replica', receiver: 'streaming' }),
  };
  const plans: PodPlan[] = [{ node: 'worker-3', created: c.ago(23 * DAY + 2 * HOUR - 3 * MIN), ...plan.primary }];
  if (replica) plans.push({ node: 'worker-1', created: c.ago(23 * DAY + 4 * HOUR - 2 * MIN), ...replica });
  const { pods } = statefulSet(c, def, plans, {
    tag: '16.4.0-debian-12-r14',
    revisionCreated: c.ago(61 * DAY),
    serviceName: 'postgresql-hl',
    pvc: { size: '50Gi', storageClass: 'longhorn', created },
    extraLabels: (i) => ({ role: i === 0 ? 'primary' : 'replica' }),
  });
  return { pods };
}

/** Keycloak in bud-auth: StatefulSet keycloak (Bitnami chart), one pod. */
export function keycloak(c: Cluster, o: { pods?: PodPlan[] } = {}): { pods: Obj[] } {
  const def: AppDef = {
    namespace: 'bud-auth',
    name: 'keycloak',
    component: 'keycloak',
    image: 'docker.io/bitnami/keycloak',
    port: 8080,
    readinessPath: '/realms/master',
    livenessPath: '/',
    dapr: false,
    configMap: null,
    resources: { limits: { memory: '2Gi' }, requests: { cpu: '500m', memory: '1Gi' } },
    created: c.ago(214 * DAY + 1 * HOUR),
    replicas: 1,
    serviceAccount: 'keycloak',
    env: [
      { name: 'KC_DB', value: 'postgres' },
      { name: 'KC_DB_URL_HOST', value: 'postgresql.bud-data.svc' },
      { name: 'KC_DB_URL_DATABASE', value: 'keycloak' },
      { name: 'KC_DB_USERNAME', value: 'keycloak' },
      { name: 'KC_DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'keycloak-db', key: 'password' } } },
      { name: 'KC_HOSTNAME', value: 'keycloak.bud.example' },
      { name: 'KC_PROXY_HEADERS', value: 'xforwarded' },
      { name: 'KC_HEALTH_ENABLED', value: 'true' },
    ],
    readinessProbe: {
      httpGet: { path: '/health/ready', port: 9000, scheme: 'HTTP' },
      initialDelaySeconds: 30,
      periodSeconds: 10,
      timeoutSeconds: 1,
      successThreshold: 1,
      failureThreshold: 3,
    },
    livenessProbe: {
      httpGet: { path: '/health/live', port: 9000, scheme: 'HTTP' },
      initialDelaySeconds: 300,
      periodSeconds: 1,
      timeoutSeconds: 5,
      successThreshold: 1,
      failureThreshold: 3,
    },
    log: (ctx) => keycloakHealthy(ctx),
    shell: (ctx) => shell(() => undefined, ctx.clockAheadSeconds),
  };
  const plans = o.pods ?? [{ node: 'worker-1', created: c.ago(23 * DAY + 4 * HOUR - 1 * MIN) }];
  return statefulSet(c, def, plans, { tag: '25.0.6-debian-12-r0', revisionCreated: c.ago(47 * DAY), serviceName: 'keycloak-headless' });
}

export function corednsDef(c: Cluster): AppDef {
  return {
    namespace: 'kube-system',
    name: 'coredns',
    component: 'dns',
    image: 'rancher/hardened-coredns',
    port: 53,
    portName: 'dns',
    readinessPath: '/ready',
    livenessPath: '/health',
    dapr: false,
    configMap: null,
    labels: { 'k8s-app': 'kube-dns' },
    resources: { limits: { memory: '170Mi' }, requests: { cpu: '100m', memory: '70Mi' } },
    created: c.ago(214 * DAY + 5 * HOUR),
    replicas: 2,
    strategy: { maxSurge: '25%', maxUnavailable: 1 },
    args: ['-conf', '/etc/coredns/Corefile'],
    readinessProbe: {
      httpGet: { path: '/ready', port: 8181, scheme: 'HTTP' },
      periodSeconds: 2,
      timeoutSeconds: 1,
      successThreshold: 1,
      failureThreshold: 3,
    },
    livenessProbe: {
      httpGet: { path: '/health', port: 8080, scheme: 'HTTP' },
      initialDelaySeconds: 60,
      periodSeconds: 10,
      timeoutSeconds: 5,
      successThreshold: 1,
      failureThreshold: 5,
    },
    volumeMounts: [{ name: 'config-volume', mountPath: '/etc/coredns' }],
    volumes: [{ name: 'config-volume', configMap: { name: 'coredns', items: [{ key: 'Corefile', path: 'Corefile' }], defaultMode: 420 } }],
    priorityClassName: 'system-cluster-critical',
    log: (ctx) => corednsHealthy(ctx),
  };
}

/** The whole platform, healthy unless `options` say otherwise. */
export function platform(now: Date, options: PlatformOptions = {}): Cluster {
  const c = new Cluster(now);
  c.namespaces.push('bud-system', 'bud-data', 'bud-auth', 'dapr-system', 'cattle-system', 'longhorn-system');
  Object.assign(c.clockAhead, options.clockAhead);
  baseNodes(c, options);
  const defs = appDefs(c, options);
  const b = options.budapp ?? {};
  for (const [name, def] of Object.entries(defs)) {
    const custom = options.apps?.[name];
    if (custom === null) continue;
    if (custom) {
      deploy(c, def, custom(def));
      continue;
    }
    if (name === 'budapp')
      deploy(
        c,
        def,
        steady(c, {
          revision: b.revision ?? 42,
          age: b.age ?? 6 * DAY + 3 * HOUR,
          tag: b.tag ?? BUDAPP_TAG,
          nodes: b.nodes ?? PLACEMENT.budapp!,
          ...(b.restarts ? { restarts: b.restarts, lastRestartAgo: 5 * DAY + 2 * HOUR } : {}),
        }),
      );
    else {
      const r = rng(`rev:${name}`);
      const revision = 7 + Math.floor(r() * 30);
      deploy(
        c,
        def,
        steady(c, {
          revision,
          age: (9 + Math.floor(r() * 20)) * DAY + Math.floor(r() * 20) * HOUR,
          tag: name === 'budadmin' ? '3.19.0' : BUDAPP_TAG,
          nodes: PLACEMENT[name]!,
        }),
      );
    }
  }
  configMap(
    c,
    'bud-system',
    'budapp-config',
    { 'config.yaml': options.budappConfig?.data ?? BUDAPP_CONFIG },
    c.ago(214 * DAY + 3 * HOUR),
    options.budappConfig?.editedAt,
  );
  postgres(c, options.postgres);
  keycloak(c, options.keycloak);
  const dns = corednsDef(c);
  deploy(
    c,
    dns,
    options.coredns?.(dns) ??
      steady(c, { revision: 3, age: 61 * DAY, tag: 'v1.11.3-build20241018', nodes: ['worker-1', 'worker-3'], podAge: 23 * DAY + 2 * HOUR }),
  );
  configMap(
    c,
    'kube-system',
    'coredns',
    { Corefile: options.corefile?.data ?? COREFILE },
    c.ago(214 * DAY + 5 * HOUR),
    options.corefile?.editedAt,
  );
  return c;
}

/** kubelet events for a container that crash-loops: Pulled/Created/Started per attempt, and BackOff. */
export function crashEvents(
  c: Cluster,
  o: {
    namespace: string;
    pod: string;
    container: string;
    node: string;
    image: string;
    attempts: Array<{ start: Date; end: Date }>;
    backoff?: boolean;
  },
): void {
  const first = o.attempts[0]!.start;
  const last = o.attempts[o.attempts.length - 1]!;
  const involved = { kind: 'Pod', name: o.pod, namespace: o.namespace, fieldPath: `spec.containers{${o.container}}` };
  const n = o.attempts.length;
  const recent = (t: Date) => t.getTime() > c.now.getTime() - HOUR;
  const firstRecent = o.attempts.find((a) => recent(a.start))?.start ?? first;
  const count = o.attempts.filter((a) => recent(a.start)).length || 1;
  c.event({
    involved,
    reason: 'Pulled',
    message: `Container image "${o.image}" already present on machine`,
    first: before(firstRecent, 900),
    last: before(last.start, 900),
    count,
    component: 'kubelet',
    host: o.node,
  });
  c.event({
    involved,
    reason: 'Created',
    message: `Created container ${o.container}`,
    first: before(firstRecent, 400),
    last: before(last.start, 400),
    count,
    component: 'kubelet',
    host: o.node,
  });
  c.event({
    involved,
    reason: 'Started',
    message: `Started container ${o.container}`,
    first: firstRecent,
    last: last.start,
    count,
    component: 'kubelet',
    host: o.node,
  });
  if (n > 1 || last.end.getTime() <= c.now.getTime()) {
    const backoffs = Math.max(1, n * 3 - 2);
    c.event({
      involved,
      type: 'Warning',
      reason: 'BackOff',
      message: `Back-off restarting failed container ${o.container} in pod ${o.pod}_${o.namespace}(${uid(`pod:${o.namespace}/${o.pod}`)})`,
      first: after(o.attempts.find((a) => recent(a.end))?.end ?? o.attempts[0]!.end, 1200),
      last: last.end.getTime() <= c.now.getTime() ? before(c.now, 4 * SEC) : after(o.attempts[n - 2]?.end ?? last.end, 9 * SEC),
      count: Math.min(backoffs, 60),
      component: 'kubelet',
      host: o.node,
    });
  }
}

export { imageID };
