/**
 * Kubernetes objects as the API server returns them, built relative to a `now`: nodes with their
 * conditions and taints, pods with container states, conditions and owner references, events as the
 * kubelet, the controllers, the scheduler and node-problem-detector write them, and the workload
 * controllers (Deployment/ReplicaSet, StatefulSet, Job). Names, uids and hashes are derived from seeds,
 * so a case builds the same objects for the same `now`.
 */
import { createHash } from 'node:crypto';
import type { ExecResult } from '../support/fake-kube.js';

export type Obj = Record<string, any>;

export const SEC = 1000;
export const MIN = 60 * SEC;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;

/** RFC 3339 at second precision, as metav1.Time is serialized. */
export function iso(d: Date): string {
  return new Date(Math.floor(d.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** metav1.MicroTime (events.k8s.io eventTime, series.lastObservedTime). */
export function micro(d: Date): string {
  return d.toISOString().replace('Z', '000Z');
}

export function before(now: Date, ms: number): Date {
  return new Date(now.getTime() - ms);
}

export function after(t: Date, ms: number): Date {
  return new Date(t.getTime() + ms);
}

export function sha(seed: string): string {
  return createHash('sha256').update(seed).digest('hex');
}

/** Hex of `n` characters derived from a seed. */
export function hex(seed: string, n: number): string {
  let h = '';
  for (let i = 0; h.length < n; i++) h += sha(`${seed}#${i}`);
  return h.slice(0, n);
}

const SAFE = 'bcdfghjklmnpqrstvwxz2456789';

/** Characters from the alphabet Kubernetes uses for generated names (rand.SafeEncodeString). */
export function safe(seed: string, n: number): string {
  const h = hex(seed, n * 2);
  let out = '';
  for (let i = 0; i < n; i++) out += SAFE[parseInt(h.slice(i * 2, i * 2 + 2), 16) % SAFE.length];
  return out;
}

/** A pod-template-hash / controller-revision-hash (9–10 safe characters). */
export function templateHash(seed: string): string {
  return safe(`tpl:${seed}`, 10);
}

export function uid(seed: string): string {
  const h = hex(`uid:${seed}`, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[parseInt(h[16]!, 16) % 4]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Event names are "<object>.<UnixNano of creation in hex>". */
export function eventName(object: string, first: Date, salt = ''): string {
  const nanos = BigInt(first.getTime()) * 1_000_000n + BigInt(parseInt(hex(`${object}${salt}`, 6), 16) % 1_000_000);
  return `${object}.${nanos.toString(16)}`;
}

let rv = 48_211_000;
/** A plausible, increasing resourceVersion. */
export function resourceVersion(): string {
  rv += 17;
  return String(rv);
}

/** "5m0s", "2m40s", "40s" as Go prints a time.Duration. */
export function goDuration(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  return m ? `${m}m${s}s` : `${s}s`;
}

// ---------------------------------------------------------------------------------------------
// Nodes

export interface NodeInput {
  name: string;
  role: 'control-plane' | 'worker' | 'gpu';
  /** Last octet of the node's InternalIP (10.0.0.x) and its podCIDR (10.42.x.0/24). */
  index: number;
  created: Date;
  now: Date;
  /** Kubelet's heartbeat (status report) time; default a little while ago (status is posted every ≤5 min with leases). */
  heartbeat?: Date;
  /** The kubelet stopped posting status at this time: all conditions Unknown, unreachable taints. */
  lostAt?: Date;
  memoryPressureSince?: Date;
  diskPressureSince?: Date;
  /** A pressure condition that ended at this time (its False transition). */
  memoryPressureClearedAt?: Date;
  diskPressureClearedAt?: Date;
  /** Cordoned at this time (spec.unschedulable, node.kubernetes.io/unschedulable taint). */
  cordonedAt?: Date;
  /** When the kubelet last (re)started: the Ready transition. Default: the node's creation + 2 min. */
  readySince?: Date;
  cpu?: number;
  memoryGi?: number;
  gpus?: number;
  kubeletVersion?: string;
  osImage?: string;
  kernelVersion?: string;
  annotations?: Record<string, string>;
  /** The kubelet's clock runs this many seconds ahead (its heartbeats are stamped with it). */
  clockAheadSeconds?: number;
}

export const K8S_VERSION = { major: '1', minor: '31', gitVersion: 'v1.31.4+rke2r1' };

export function node(n: NodeInput): Obj {
  const ip = `10.0.0.${10 + n.index}`;
  const readySince = n.readySince ?? after(n.created, 2 * MIN);
  const skew = (n.clockAheadSeconds ?? 0) * SEC;
  const heartbeat = after(n.heartbeat ?? before(n.now, (37 + ((n.index * 53) % 190)) * SEC), skew);
  const cpu = n.cpu ?? (n.role === 'gpu' ? 96 : n.role === 'control-plane' ? 8 : 16);
  const memKi = (n.memoryGi ?? (n.role === 'gpu' ? 1024 : n.role === 'control-plane' ? 32 : 64)) * 1024 * 1024 - 218_236;
  const labels: Record<string, string> = {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': n.name,
    'kubernetes.io/os': 'linux',
    'node.kubernetes.io/instance-type': 'rke2',
  };
  const taints: Obj[] = [];
  if (n.role === 'control-plane') {
    Object.assign(labels, {
      'node-role.kubernetes.io/control-plane': 'true',
      'node-role.kubernetes.io/etcd': 'true',
      'node-role.kubernetes.io/master': 'true',
    });
    taints.push({ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' });
  } else {
    labels['node-role.kubernetes.io/worker'] = 'true';
  }
  if (n.role === 'gpu')
    Object.assign(labels, {
      'nvidia.com/gpu.present': 'true',
      'nvidia.com/gpu.product': 'NVIDIA-H100-80GB-HBM3',
      'nvidia.com/gpu.count': String(n.gpus ?? 4),
      'nvidia.com/gpu.memory': '81559',
      'nvidia.com/cuda.driver.major': '550',
      'feature.node.kubernetes.io/pci-10de.present': 'true',
    });
  if (n.memoryPressureSince)
    taints.push({ key: 'node.kubernetes.io/memory-pressure', effect: 'NoSchedule', timeAdded: iso(n.memoryPressureSince) });
  if (n.diskPressureSince)
    taints.push({ key: 'node.kubernetes.io/disk-pressure', effect: 'NoSchedule', timeAdded: iso(n.diskPressureSince) });
  if (n.cordonedAt) taints.push({ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule', timeAdded: iso(n.cordonedAt) });
  let conditions: Obj[];
  if (n.lostAt) {
    const detected = after(n.lostAt, 40 * SEC);
    taints.push(
      { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule', timeAdded: iso(detected) },
      { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: iso(after(detected, 5 * SEC)) },
    );
    const lastReport = before(n.lostAt, 71 * SEC);
    const unknown = (type: string) => ({
      type,
      status: 'Unknown',
      reason: 'NodeStatusUnknown',
      message: 'Kubelet stopped posting node status.',
      lastHeartbeatTime: iso(lastReport),
      lastTransitionTime: iso(detected),
    });
    conditions = [
      networkCondition(n, readySince),
      unknown('MemoryPressure'),
      unknown('DiskPressure'),
      unknown('PIDPressure'),
      unknown('Ready'),
    ];
  } else {
    const hb = iso(heartbeat);
    conditions = [
      networkCondition(n, readySince),
      n.memoryPressureSince
        ? {
            type: 'MemoryPressure',
            status: 'True',
            reason: 'KubeletHasInsufficientMemory',
            message: 'kubelet has insufficient memory available',
            lastHeartbeatTime: hb,
            lastTransitionTime: iso(n.memoryPressureSince),
          }
        : {
            type: 'MemoryPressure',
            status: 'False',
            reason: 'KubeletHasSufficientMemory',
            message: 'kubelet has sufficient memory available',
            lastHeartbeatTime: hb,
            lastTransitionTime: iso(n.memoryPressureClearedAt ?? readySince),
          },
      n.diskPressureSince
        ? {
            type: 'DiskPressure',
            status: 'True',
            reason: 'KubeletHasDiskPressure',
            message: 'kubelet has disk pressure',
            lastHeartbeatTime: hb,
            lastTransitionTime: iso(n.diskPressureSince),
          }
        : {
            type: 'DiskPressure',
            status: 'False',
            reason: 'KubeletHasNoDiskPressure',
            message: 'kubelet has no disk pressure',
            lastHeartbeatTime: hb,
            lastTransitionTime: iso(n.diskPressureClearedAt ?? readySince),
          },
      {
        type: 'PIDPressure',
        status: 'False',
        reason: 'KubeletHasSufficientPID',
        message: 'kubelet has sufficient PID available',
        lastHeartbeatTime: hb,
        lastTransitionTime: iso(readySince),
      },
      {
        type: 'Ready',
        status: 'True',
        reason: 'KubeletReady',
        message: 'kubelet is posting ready status',
        lastHeartbeatTime: hb,
        lastTransitionTime: iso(after(readySince, 11 * SEC)),
      },
    ];
  }
  const capacity: Obj = {
    cpu: String(cpu),
    'ephemeral-storage': n.role === 'gpu' ? '1873933640Ki' : '204794888Ki',
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: `${memKi}Ki`,
    pods: '110',
  };
  const allocatable: Obj = {
    cpu: String(cpu),
    'ephemeral-storage': n.role === 'gpu' ? '1822968325702' : '199227903048',
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: `${memKi}Ki`,
    pods: '110',
  };
  if (n.role === 'gpu') capacity['nvidia.com/gpu'] = allocatable['nvidia.com/gpu'] = String(n.gpus ?? 4);
  return {
    metadata: {
      name: n.name,
      uid: uid(`node:${n.name}`),
      resourceVersion: resourceVersion(),
      creationTimestamp: iso(n.created),
      labels,
      annotations: {
        'alpha.kubernetes.io/provided-node-ip': ip,
        'flannel.alpha.coreos.com/backend-type': 'vxlan',
        'flannel.alpha.coreos.com/public-ip': ip,
        'node.alpha.kubernetes.io/ttl': '0',
        'rke2.io/hostname': n.name,
        'rke2.io/internal-ip': ip,
        'rke2.io/node-args': `["agent","--node-ip","${ip}"]`,
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
        ...n.annotations,
      },
    },
    spec: {
      podCIDR: `10.42.${n.index}.0/24`,
      podCIDRs: [`10.42.${n.index}.0/24`],
      providerID: `rke2://${n.name}`,
      ...(n.cordonedAt ? { unschedulable: true } : {}),
      ...(taints.length ? { taints } : {}),
    },
    status: {
      addresses: [
        { type: 'InternalIP', address: ip },
        { type: 'Hostname', address: n.name },
      ],
      allocatable,
      capacity,
      conditions,
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        architecture: 'amd64',
        bootID: uid(`boot:${n.name}:${iso(readySince)}`),
        containerRuntimeVersion: 'containerd://1.7.23-k3s2',
        kernelVersion: n.kernelVersion ?? '5.15.0-126-generic',
        kubeProxyVersion: n.kubeletVersion ?? K8S_VERSION.gitVersion,
        kubeletVersion: n.kubeletVersion ?? K8S_VERSION.gitVersion,
        machineID: hex(`machine:${n.name}`, 32),
        operatingSystem: 'linux',
        osImage: n.osImage ?? 'Ubuntu 22.04.5 LTS',
        systemUUID: uid(`system:${n.name}`),
      },
    },
  };
}

function networkCondition(n: NodeInput, since: Date): Obj {
  return {
    type: 'NetworkUnavailable',
    status: 'False',
    reason: 'FlannelIsUp',
    message: 'Flannel is running on this node',
    lastHeartbeatTime: iso(after(since, 4 * SEC)),
    lastTransitionTime: iso(after(since, 4 * SEC)),
  };
}

export function nodeIP(nodeObj: Obj): string {
  return nodeObj.status.addresses.find((a: Obj) => a.type === 'InternalIP').address as string;
}

// ---------------------------------------------------------------------------------------------
// Pods

export interface Terminated {
  exitCode: number;
  reason: string;
  startedAt: Date;
  finishedAt: Date;
  message?: string;
  signal?: number;
}

/** What a container is doing now. */
export type Run =
  | { state: 'running'; startedAt: Date; ready?: boolean; restarts?: number; last?: Terminated }
  | { state: 'waiting'; reason: string; message?: string; restarts?: number; last?: Terminated }
  | { state: 'terminated'; term: Terminated; restarts?: number; last?: Terminated };

export interface ContainerDef {
  name: string;
  image: string;
  args?: string[];
  command?: string[];
  ports?: Obj[];
  env?: Obj[];
  envFrom?: Obj[];
  resources?: Obj;
  readinessProbe?: Obj;
  livenessProbe?: Obj;
  startupProbe?: Obj;
  volumeMounts?: Obj[];
  securityContext?: Obj;
}

export interface PodInput {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  owner?: { apiVersion: string; kind: string; name: string; uid: string };
  created: Date;
  /** Scheduled to this node (undefined: not scheduled). */
  node?: string;
  nodeIP?: string;
  podIP?: string;
  hostNetwork?: boolean;
  containers: Array<ContainerDef & { run: Run }>;
  volumes?: Obj[];
  serviceAccountName?: string;
  priorityClassName?: string;
  priority?: number;
  nodeSelector?: Record<string, string>;
  tolerations?: Obj[];
  affinity?: Obj;
  restartPolicy?: 'Always' | 'OnFailure' | 'Never';
  hostname?: string;
  subdomain?: string;
  /** Not scheduled: the PodScheduled condition's message. */
  unschedulable?: { message: string; since: Date };
  /** Phase/reason/message override (Evicted pods: Failed/Evicted/...). */
  phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  reason?: string;
  message?: string;
  /** Set by the node lifecycle controller on an unreachable node: Ready=False at this time, container statuses stale. */
  markedNotReadyAt?: Date;
  /** The Ready condition's last transition (default: computed from the containers). */
  readyTransition?: Date;
  /** Deletion requested at `at` with a grace period (deletionTimestamp = at + grace). */
  deletion?: { at: Date; graceSeconds?: number };
  extraConditions?: Obj[];
  terminationGracePeriodSeconds?: number;
}

export function imageID(image: string): string {
  const repo = image.replace(/:[^:/]+$/, '');
  return `${repo}@sha256:${hex(`image:${image}`, 64)}`;
}

function containerID(pod: string, container: string, started: Date): string {
  return `containerd://${hex(`cid:${pod}:${container}:${started.getTime()}`, 64)}`;
}

function terminatedState(pod: string, container: string, t: Terminated): Obj {
  return {
    terminated: {
      exitCode: t.exitCode,
      ...(t.signal ? { signal: t.signal } : {}),
      reason: t.reason,
      ...(t.message ? { message: t.message } : {}),
      startedAt: iso(t.startedAt),
      finishedAt: iso(t.finishedAt),
      containerID: containerID(pod, container, t.startedAt),
    },
  };
}

function qosClass(containers: ContainerDef[]): string {
  const all = containers.map((c) => c.resources ?? {});
  if (all.every((r) => !r.requests && !r.limits)) return 'BestEffort';
  const guaranteed = all.every(
    (r) =>
      r.limits?.cpu &&
      r.limits?.memory &&
      (r.requests?.cpu ?? r.limits.cpu) === r.limits.cpu &&
      (r.requests?.memory ?? r.limits.memory) === r.limits.memory,
  );
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

export function pod(p: PodInput): Obj {
  const podUid = uid(`pod:${p.namespace}/${p.name}`);
  const scheduled = p.node !== undefined;
  const containerStatuses = p.containers.map((c) => {
    const r = c.run;
    const base: Obj = { name: c.name, image: c.image, restartCount: r.restarts ?? 0 };
    const last = r.last ? terminatedState(p.name, c.name, r.last) : {};
    if (r.state === 'running')
      return {
        ...base,
        containerID: containerID(p.name, c.name, r.startedAt),
        imageID: imageID(c.image),
        lastState: last,
        ready: p.markedNotReadyAt ? (r.ready ?? true) : (r.ready ?? true),
        started: true,
        state: { running: { startedAt: iso(r.startedAt) } },
      };
    if (r.state === 'terminated')
      return {
        ...base,
        containerID: containerID(p.name, c.name, r.term.startedAt),
        imageID: imageID(c.image),
        lastState: last,
        ready: false,
        started: false,
        state: terminatedState(p.name, c.name, r.term),
      };
    return {
      ...base,
      ...(r.last ? { containerID: containerID(p.name, c.name, r.last.startedAt) } : {}),
      imageID: r.last ? imageID(c.image) : '',
      lastState: last,
      ready: false,
      started: false,
      state: { waiting: { reason: r.reason, ...(r.message ? { message: r.message } : {}) } },
    };
  });
  const allTerminated = p.containers.every((c) => c.run.state === 'terminated');
  const neverRan = p.containers.every((c) => c.run.state === 'waiting' && !c.run.last && !c.run.restarts);
  const phase =
    p.phase ??
    (!scheduled
      ? 'Pending'
      : allTerminated
        ? p.containers.every((c) => c.run.state === 'terminated' && c.run.term.exitCode === 0)
          ? 'Succeeded'
          : 'Failed'
        : neverRan
          ? 'Pending'
          : 'Running');
  const unready = p.containers.filter((c) => !(c.run.state === 'running' && c.run.ready !== false)).map((c) => c.name);
  const scheduledAt = after(p.created, 1 * SEC);
  const startedAts = p.containers.map((c) => (c.run.state === 'running' ? c.run.startedAt.getTime() : 0));
  const lastFinish = Math.max(
    0,
    ...p.containers.map((c) =>
      c.run.state === 'terminated' ? c.run.term.finishedAt.getTime() : c.run.last ? c.run.last.finishedAt.getTime() : 0,
    ),
  );
  let readyAt: Date;
  if (p.readyTransition) readyAt = p.readyTransition;
  else if (!unready.length) readyAt = new Date(Math.max(...startedAts) + 6 * SEC);
  else readyAt = lastFinish ? new Date(lastFinish) : after(p.created, 2 * SEC);
  const ready = !unready.length && phase === 'Running';
  let conditions: Obj[];
  if (!scheduled) {
    conditions = [
      {
        type: 'PodScheduled',
        status: 'False',
        reason: 'Unschedulable',
        message: p.unschedulable?.message ?? '',
        lastProbeTime: null,
        lastTransitionTime: iso(p.unschedulable?.since ?? p.created),
      },
    ];
  } else {
    const done = phase === 'Succeeded' || phase === 'Failed';
    const readyCond = (type: string) =>
      ready
        ? { type, status: 'True', lastProbeTime: null, lastTransitionTime: iso(readyAt) }
        : {
            type,
            status: 'False',
            reason: done ? (phase === 'Succeeded' ? 'PodCompleted' : 'PodFailed') : 'ContainersNotReady',
            ...(done ? {} : { message: `containers with unready status: [${unready.join(' ')}]` }),
            lastProbeTime: null,
            lastTransitionTime: iso(readyAt),
          };
    conditions = [
      {
        type: 'PodReadyToStartContainers',
        status: done && p.reason === 'Evicted' ? 'False' : 'True',
        lastProbeTime: null,
        lastTransitionTime: iso(after(p.created, 3 * SEC)),
      },
      {
        type: 'Initialized',
        status: 'True',
        ...(done && phase === 'Succeeded' ? { reason: 'PodCompleted' } : {}),
        lastProbeTime: null,
        lastTransitionTime: iso(scheduledAt),
      },
      readyCond('Ready'),
      readyCond('ContainersReady'),
      { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: iso(p.created) },
    ];
    if (p.markedNotReadyAt) {
      // The node lifecycle controller only flips Ready; the kubelet is gone, so nothing else changes.
      conditions = conditions.map((c) =>
        c.type === 'Ready' ? { type: 'Ready', status: 'False', lastProbeTime: null, lastTransitionTime: iso(p.markedNotReadyAt!) } : c,
      );
    }
  }
  if (p.extraConditions) conditions = [...p.extraConditions, ...conditions];
  const spec: Obj = {
    containers: p.containers.map((c) => {
      const { run: _run, ...def } = c;
      return {
        imagePullPolicy: 'IfNotPresent',
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
        resources: {},
        ...def,
        volumeMounts: [
          ...(def.volumeMounts ?? []),
          {
            name: `kube-api-access-${safe(`kaa:${p.name}`, 5)}`,
            mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
            readOnly: true,
          },
        ],
      };
    }),
    dnsPolicy: p.hostNetwork ? 'ClusterFirstWithHostNet' : 'ClusterFirst',
    enableServiceLinks: true,
    ...(p.hostname ? { hostname: p.hostname } : {}),
    ...(p.subdomain ? { subdomain: p.subdomain } : {}),
    ...(scheduled ? { nodeName: p.node } : {}),
    ...(p.nodeSelector ? { nodeSelector: p.nodeSelector } : {}),
    ...(p.affinity ? { affinity: p.affinity } : {}),
    preemptionPolicy: 'PreemptLowerPriority',
    priority: p.priority ?? 0,
    ...(p.priorityClassName ? { priorityClassName: p.priorityClassName } : {}),
    restartPolicy: p.restartPolicy ?? 'Always',
    schedulerName: 'default-scheduler',
    securityContext: {},
    serviceAccount: p.serviceAccountName ?? 'default',
    serviceAccountName: p.serviceAccountName ?? 'default',
    terminationGracePeriodSeconds: p.terminationGracePeriodSeconds ?? 30,
    tolerations: [
      ...(p.tolerations ?? []),
      { effect: 'NoExecute', key: 'node.kubernetes.io/not-ready', operator: 'Exists', tolerationSeconds: 300 },
      { effect: 'NoExecute', key: 'node.kubernetes.io/unreachable', operator: 'Exists', tolerationSeconds: 300 },
    ],
    volumes: [
      ...(p.volumes ?? []),
      {
        name: `kube-api-access-${safe(`kaa:${p.name}`, 5)}`,
        projected: {
          defaultMode: 420,
          sources: [
            { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
            { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
            { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
          ],
        },
      },
    ],
  };
  const sandboxUp =
    scheduled &&
    !(phase === 'Pending' && p.containers.every((c) => c.run.state === 'waiting' && c.run.reason === 'ContainerCreating' && !p.podIP));
  const status: Obj = {
    phase,
    ...(p.reason ? { reason: p.reason } : {}),
    ...(p.message ? { message: p.message } : {}),
    conditions,
    ...(scheduled
      ? {
          hostIP: p.nodeIP,
          hostIPs: [{ ip: p.nodeIP }],
          ...(sandboxUp && p.podIP ? { podIP: p.podIP, podIPs: [{ ip: p.podIP }] } : {}),
          startTime: iso(scheduledAt),
          containerStatuses,
        }
      : {}),
    qosClass: qosClass(p.containers),
  };
  return {
    metadata: {
      name: p.name,
      ...(p.owner?.kind === 'ReplicaSet' || p.owner?.kind === 'Job' ? { generateName: p.name.slice(0, p.name.lastIndexOf('-') + 1) } : {}),
      namespace: p.namespace,
      uid: podUid,
      resourceVersion: resourceVersion(),
      creationTimestamp: iso(p.created),
      ...(p.deletion
        ? {
            deletionTimestamp: iso(after(p.deletion.at, (p.deletion.graceSeconds ?? 30) * SEC)),
            deletionGracePeriodSeconds: p.deletion.graceSeconds ?? 30,
          }
        : {}),
      labels: p.labels,
      ...(p.annotations ? { annotations: p.annotations } : {}),
      ...(p.owner ? { ownerReferences: [{ ...p.owner, controller: true, blockOwnerDeletion: true }] } : {}),
    },
    spec,
    status,
  };
}

// ---------------------------------------------------------------------------------------------
// Crash loops

export interface Attempt {
  start: Date;
  end: Date;
}

export interface CrashLoop {
  run: Run;
  /** Every container instance so far, oldest first (the last one may still be running). */
  attempts: Attempt[];
  /** The back-off now in force, in seconds. */
  backoff: number;
}

/**
 * A container that starts at `since`, runs `runSeconds` and exits, restarted by the kubelet with its
 * back-off (10 s doubling to 5 min). Returns its state at `now`: running (in a run) or waiting in
 * CrashLoopBackOff, with the last termination and the restart count.
 */
export function crashLoop(o: {
  since: Date;
  now: Date;
  runSeconds: number | ((attempt: number) => number);
  exitCode: number;
  reason: string;
  pod: string;
  namespace: string;
  container: string;
  /** Restarts before `since` (the container ran fine before). */
  priorRestarts?: number;
}): CrashLoop {
  const runFor = (i: number) => (typeof o.runSeconds === 'number' ? o.runSeconds : o.runSeconds(i)) * SEC;
  const attempts: Attempt[] = [];
  let start = o.since.getTime();
  let backoff = 0;
  for (let i = 0; ; i++) {
    const end = start + runFor(i);
    attempts.push({ start: new Date(start), end: new Date(end) });
    if (end > o.now.getTime()) break;
    backoff = Math.min(10 * 2 ** i, 300);
    const next = end + backoff * SEC + 1700;
    if (next > o.now.getTime()) break;
    start = next;
  }
  const restarts = (o.priorRestarts ?? 0) + attempts.length - 1;
  const lastAttempt = attempts[attempts.length - 1]!;
  const term = (a: Attempt): Terminated => ({ exitCode: o.exitCode, reason: o.reason, startedAt: a.start, finishedAt: a.end });
  if (lastAttempt.end.getTime() > o.now.getTime()) {
    const prev = attempts[attempts.length - 2];
    return {
      attempts,
      backoff,
      run: { state: 'running', startedAt: lastAttempt.start, ready: false, restarts, ...(prev ? { last: term(prev) } : {}) },
    };
  }
  return {
    attempts,
    backoff,
    run: {
      state: 'waiting',
      reason: 'CrashLoopBackOff',
      message: `back-off ${goDuration(backoff)} restarting failed container=${o.container} pod=${o.pod}_${o.namespace}(${uid(`pod:${o.namespace}/${o.pod}`)})`,
      restarts,
      last: term(lastAttempt),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Events

export interface Involved {
  kind: string;
  name: string;
  namespace?: string;
  apiVersion?: string;
  fieldPath?: string;
}

export interface EventInput {
  involved: Involved;
  reason: string;
  message: string;
  type?: 'Normal' | 'Warning';
  first: Date;
  last?: Date;
  count?: number;
  /** Who wrote it: kubelet (with host), a controller, kernel-monitor. */
  component: string;
  host?: string;
  /** The namespace the event lives in (default: the object's, or "default" for nodes). */
  namespace?: string;
}

function involvedObject(i: Involved): Obj {
  const apiVersion =
    i.apiVersion ??
    (['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet'].includes(i.kind) ? 'apps/v1' : i.kind === 'Job' ? 'batch/v1' : 'v1');
  const objUid =
    i.kind === 'Node'
      ? uid(`node:${i.name}`)
      : i.kind === 'Pod'
        ? uid(`pod:${i.namespace}/${i.name}`)
        : uid(`${i.kind}:${i.namespace}/${i.name}`);
  return {
    kind: i.kind,
    ...(i.namespace ? { namespace: i.namespace } : {}),
    name: i.name,
    uid: i.kind === 'Node' ? i.name : objUid,
    apiVersion,
    resourceVersion: resourceVersion(),
    ...(i.fieldPath ? { fieldPath: i.fieldPath } : {}),
  };
}

/** A core/v1 event as the kubelet and the controller-manager record them (firstTimestamp/lastTimestamp/count). */
export function event(e: EventInput): Obj {
  const last = e.last ?? e.first;
  const ns = e.namespace ?? e.involved.namespace ?? 'default';
  return {
    metadata: {
      name: eventName(e.involved.name, e.first, e.reason + (e.involved.fieldPath ?? '')),
      namespace: ns,
      uid: uid(`event:${e.involved.kind}/${e.involved.name}/${e.reason}/${e.first.getTime()}`),
      resourceVersion: resourceVersion(),
      creationTimestamp: iso(e.first),
    },
    involvedObject: involvedObject(e.involved),
    reason: e.reason,
    message: e.message,
    source: { component: e.component, ...(e.host ? { host: e.host } : {}) },
    firstTimestamp: iso(e.first),
    lastTimestamp: iso(last),
    count: e.count ?? 1,
    type: e.type ?? 'Normal',
    eventTime: null,
    reportingComponent: e.component === 'kubelet' ? 'kubelet' : e.component,
    reportingInstance: e.host ?? '',
  };
}

/**
 * An events.k8s.io event as read through core/v1, the way the scheduler writes them: no
 * firstTimestamp/lastTimestamp/count, but eventTime, series, action and reporting fields.
 */
export function schedulerEvent(o: {
  pod: { name: string; namespace: string };
  reason: 'FailedScheduling' | 'Scheduled';
  message: string;
  first: Date;
  last?: Date;
  count?: number;
}): Obj {
  const type = o.reason === 'Scheduled' ? 'Normal' : 'Warning';
  return {
    metadata: {
      name: eventName(o.pod.name, o.first, o.reason),
      namespace: o.pod.namespace,
      uid: uid(`event:${o.pod.namespace}/${o.pod.name}/${o.reason}`),
      resourceVersion: resourceVersion(),
      creationTimestamp: iso(o.first),
    },
    involvedObject: involvedObject({ kind: 'Pod', name: o.pod.name, namespace: o.pod.namespace }),
    reason: o.reason,
    message: o.message,
    source: {},
    firstTimestamp: null,
    lastTimestamp: null,
    type,
    eventTime: micro(o.first),
    ...(o.count && o.count > 1 ? { series: { count: o.count, lastObservedTime: micro(o.last ?? o.first) } } : {}),
    action: o.reason === 'Scheduled' ? 'Binding' : 'Scheduling',
    reportingComponent: 'default-scheduler',
    reportingInstance: 'default-scheduler-cp-1',
  };
}

// ---------------------------------------------------------------------------------------------
// Exec handlers

export type ExecHandler = (command: string[]) => ExecResult;

/** "Sat Nov 28 04:00:00 UTC 2026" as coreutils date prints it. */
export function unixDate(d: Date): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]} ${months[d.getUTCMonth()]} ${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}

/**
 * A shell in a container: `answer` sees the whole command line (a `sh -c "..."` script included) and
 * returns a result, or undefined for commands this container does not have. `date` answers with the
 * container's clock.
 */
export function shell(answer: (line: string, argv: string[]) => ExecResult | undefined, clockAheadSeconds = 0): ExecHandler {
  return (argv) => {
    const line = argv.join(' ');
    const script = argv[0] === 'sh' || argv[0] === 'bash' || argv[0] === '/bin/sh' ? (argv[argv.length - 1] ?? '') : line;
    const first = script.trim().split(/\s+/)[0] ?? '';
    if (first === 'date') {
      const d = new Date(Date.now() + clockAheadSeconds * SEC);
      return { stdout: script.includes('+%s') ? `${Math.floor(d.getTime() / 1000)}\n` : `${unixDate(d)}\n` };
    }
    if (first === 'true') return { stdout: '' };
    const r = answer(script, argv);
    if (r) return r;
    if (argv[0] === 'sh' || argv[0] === 'bash' || argv[0] === '/bin/sh') return { stderr: `sh: 1: ${first}: not found\n`, exitCode: 127 };
    return {
      stderr: `OCI runtime exec failed: exec failed: unable to start container process: exec: "${argv[0]}": executable file not found in $PATH: unknown\n`,
      exitCode: 126,
    };
  };
}
