/**
 * The workload ("GPU") cluster: its own control plane, two 4×H100 nodes, and one vLLM Deployment per
 * served model in bud-workloads (label app.kubernetes.io/name=vllm), plus CoreDNS and the NVIDIA
 * device plugin.
 */
import type { ClusterState } from '../support/fake-kube.js';
import { type AppDef, type PodPlan, type RevisionPlan, Cluster, corednsDef, deploy, steady } from './bud.js';
import { type ExecHandler, type Obj, DAY, HOUR, MIN, SEC, after, pod, shell, uid } from './k8s.js';
import { type LogCtx, type VllmModel, vllmHealthy } from './logs.js';

export interface ModelServer {
  /** Served model name; the Deployment is vllm-<name>. */
  served: string;
  model: VllmModel;
  gpus: number;
  node: string;
}

export const LLAMA: ModelServer = {
  served: 'llama-3-70b',
  node: 'gpu-node-1',
  gpus: 4,
  model: {
    served: 'llama-3-70b',
    path: '/models/meta-llama/Meta-Llama-3-70B-Instruct',
    tp: 4,
    maxModelLen: 32768,
    gpuUtil: 0.92,
    weightsGB: 131.43,
  },
};

export const QWEN: ModelServer = {
  served: 'qwen-2-7b',
  node: 'gpu-node-2',
  gpus: 1,
  model: { served: 'qwen-2-7b', path: '/models/Qwen/Qwen2-7B-Instruct', tp: 1, maxModelLen: 32768, gpuUtil: 0.9, weightsGB: 14.2 },
};

/** nvidia-smi in a vLLM container: the query form and the default table. */
export function nvidiaSmi(gpus: number, usedMiB: number[], util: number[]): ExecHandler {
  return shell((line) => {
    if (line.startsWith('nvidia-smi')) {
      if (line.includes('--query-gpu'))
        return {
          stdout:
            Array.from(
              { length: gpus },
              (_, i) => `${i}, NVIDIA H100 80GB HBM3, ${usedMiB[i] ?? 0} MiB, 81559 MiB, ${util[i] ?? 0} %`,
            ).join('\n') + '\n',
        };
      const rows = Array.from(
        { length: gpus },
        (_, i) =>
          `|   ${i}  NVIDIA H100 80GB HBM3          On  |   00000000:${(0x18 + i * 0x1b).toString(16).toUpperCase()}:00.0 Off |                    0 |\n| N/A   ${41 + i}C    P0            ${180 + (util[i] ?? 0) * 4}W /  700W |  ${String(usedMiB[i] ?? 0).padStart(6)}MiB /  81559MiB |     ${String(util[i] ?? 0).padStart(3)}%      Default |`,
      );
      return {
        stdout: `+-----------------------------------------------------------------------------------------+\n| NVIDIA-SMI 550.127.05             Driver Version: 550.127.05     CUDA Version: 12.4     |\n|-----------------------------------------+------------------------+----------------------+\n${rows.join('\n')}\n+-----------------------------------------+------------------------+----------------------+\n`,
      };
    }
    if (/^(curl|wget)/.test(line)) {
      if (line.includes('/v1/models')) return { stdout: '{"object":"list","data":[{"id":"model","object":"model","owned_by":"vllm"}]}\n' };
      return { stdout: '' };
    }
    if (/^python/.test(line)) return { stdout: '' };
    return undefined;
  });
}

export function vllmDef(c: Cluster, m: ModelServer): AppDef {
  return {
    namespace: 'bud-workloads',
    name: `vllm-${m.served}`,
    component: 'model-server',
    image: 'docker.io/vllm/vllm-openai',
    port: 8000,
    readinessPath: '/health',
    livenessPath: '/health',
    dapr: false,
    configMap: null,
    labels: {
      'app.kubernetes.io/name': 'vllm',
      'app.kubernetes.io/instance': m.served,
      'bud.studio/endpoint': m.served,
      'bud.studio/model': m.model.path.split('/').pop()!,
    },
    args: [
      '--model',
      m.model.path,
      '--served-model-name',
      m.served,
      '--tensor-parallel-size',
      String(m.model.tp),
      '--gpu-memory-utilization',
      String(m.model.gpuUtil),
      '--max-model-len',
      String(m.model.maxModelLen),
      '--enable-prefix-caching',
      '--disable-log-requests',
      '--port',
      '8000',
    ],
    resources: {
      limits: { 'nvidia.com/gpu': String(m.gpus), memory: `${m.gpus * 64}Gi` },
      requests: { cpu: String(m.gpus * 8), 'nvidia.com/gpu': String(m.gpus), memory: `${m.gpus * 48}Gi` },
    },
    created: c.ago(37 * DAY + 5 * HOUR),
    replicas: 1,
    strategy: { maxSurge: 0, maxUnavailable: 1 },
    serviceAccount: 'bud-workload',
    startupProbe: {
      httpGet: { path: '/health', port: 8000, scheme: 'HTTP' },
      periodSeconds: 10,
      timeoutSeconds: 5,
      successThreshold: 1,
      failureThreshold: 60,
    },
    readinessProbe: {
      httpGet: { path: '/health', port: 8000, scheme: 'HTTP' },
      periodSeconds: 10,
      timeoutSeconds: 5,
      successThreshold: 1,
      failureThreshold: 3,
    },
    livenessProbe: {
      httpGet: { path: '/health', port: 8000, scheme: 'HTTP' },
      periodSeconds: 15,
      timeoutSeconds: 10,
      successThreshold: 1,
      failureThreshold: 6,
    },
    tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
    nodeSelector: { 'nvidia.com/gpu.product': 'NVIDIA-H100-80GB-HBM3' },
    volumes: [
      { name: 'models', persistentVolumeClaim: { claimName: 'bud-models' } },
      { name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '32Gi' } },
    ],
    volumeMounts: [
      { name: 'models', mountPath: '/models', readOnly: true },
      { name: 'dshm', mountPath: '/dev/shm' },
    ],
    log: (ctx: LogCtx) => vllmHealthy(ctx, m.model),
    shell: () =>
      nvidiaSmi(
        m.gpus,
        Array.from({ length: m.gpus }, (_, i) => Math.round(81559 * m.model.gpuUtil) - 310 - i * 17),
        Array.from({ length: m.gpus }, (_, i) => 58 + ((i * 7) % 20)),
      ),
  };
}

export interface WorkloadOptions {
  /** Replace a model server's revisions (its pods) by name. */
  servers?: Partial<Record<string, (def: AppDef) => RevisionPlan[]>>;
}

/** A model server's steady pod: its revision `age` old, running on its node. */
export function steadyServer(c: Cluster, m: ModelServer, pod: Partial<PodPlan> = {}): RevisionPlan[] {
  return steady(c, { revision: 5, age: 5 * DAY + 7 * HOUR, tag: 'v0.6.4.post1', nodes: [m.node], pods: [pod] });
}

export function workloadCluster(now: Date, options: WorkloadOptions = {}): ClusterState {
  const c = new Cluster(now);
  c.namespaces.push('bud-workloads', 'gpu-operator');
  const created = c.ago(122 * DAY);
  c.addNode({ name: 'wl-cp-1', role: 'control-plane', index: 0, created });
  c.addNode({ name: 'gpu-node-1', role: 'gpu', index: 1, created: after(created, 20 * MIN), readySince: c.ago(12 * DAY + 7 * HOUR) });
  c.addNode({ name: 'gpu-node-2', role: 'gpu', index: 2, created: after(created, 24 * MIN), readySince: c.ago(12 * DAY + 6 * HOUR) });
  for (const m of [LLAMA, QWEN]) {
    const def = vllmDef(c, m);
    deploy(c, def, options.servers?.[m.served]?.(def) ?? steadyServer(c, m));
  }
  const dns = corednsDef(c);
  deploy(
    c,
    dns,
    steady(c, {
      revision: 2,
      age: 122 * DAY,
      tag: 'v1.11.3-build20241018',
      nodes: ['gpu-node-1', 'gpu-node-2'],
      podAge: 12 * DAY + 6 * HOUR,
    }),
  );
  for (const n of ['gpu-node-1', 'gpu-node-2']) c.pods.push(devicePlugin(c, n));
  return c.state();
}

function devicePlugin(c: Cluster, nodeName: string): Obj {
  const name = `nvidia-device-plugin-daemonset-${nodeName === 'gpu-node-1' ? 'k7xq2' : 'p4m9w'}`;
  const created = c.ago(12 * DAY + 6 * HOUR - 40 * SEC);
  return pod({
    namespace: 'gpu-operator',
    name,
    labels: { app: 'nvidia-device-plugin-daemonset', 'controller-revision-hash': '6d4b8c9f7', 'pod-template-generation': '1' },
    owner: {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      name: 'nvidia-device-plugin-daemonset',
      uid: uid('DaemonSet:gpu-operator/nvidia-device-plugin-daemonset'),
    },
    created,
    node: nodeName,
    nodeIP: c.nodeIP(nodeName),
    podIP: c.podIP(nodeName),
    priorityClassName: 'system-node-critical',
    priority: 2000001000,
    containers: [
      {
        name: 'nvidia-device-plugin',
        image: 'nvcr.io/nvidia/k8s-device-plugin:v0.17.0',
        run: { state: 'running', startedAt: after(created, 21 * SEC) },
      },
    ],
    tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
  });
}
