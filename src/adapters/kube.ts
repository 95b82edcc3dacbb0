/**
 * Reading the cluster through @kubernetes/client-node. The client (~300 ms to import) is loaded
 * on first use only, so commands that never ask the API do not pay for it. Errors come back as
 * values with a reason a responder can act on (unreachable, 401, 403, unknown context, timeout).
 */
import type { V1Deployment, CoreV1Event, V1Node, V1Pod, V1ReplicaSet } from '@kubernetes/client-node';

export interface KubeTarget {
  kubeconfig?: string;
  context?: string;
}

export type KubeResult<T> = { ok: true; value: T } | { ok: false; reason: string; code?: number };

export interface KubeReader {
  pods(target: KubeTarget, namespace: string, labelSelector?: string): Promise<KubeResult<V1Pod[]>>;
  events(target: KubeTarget, namespace: string): Promise<KubeResult<CoreV1Event[]>>;
  nodes(target: KubeTarget): Promise<KubeResult<V1Node[]>>;
  deployment(target: KubeTarget, namespace: string, name: string): Promise<KubeResult<V1Deployment>>;
  replicaSets(target: KubeTarget, namespace: string, labelSelector?: string): Promise<KubeResult<V1ReplicaSet[]>>;
  deployments(target: KubeTarget, namespace: string): Promise<KubeResult<V1Deployment[]>>;
  /** The log of a pod's container (the previous, terminated instance with `previous`), its last `tailLines` lines. */
  logs(
    target: KubeTarget,
    namespace: string,
    pod: string,
    options: { container?: string; previous?: boolean; tailLines?: number },
  ): Promise<KubeResult<string>>;
  /** Loads the client and reads the kubeconfig ahead of the first request (optional). */
  prepare?(target: KubeTarget): Promise<void>;
}

/** A responder-readable reason for an API failure. */
export function explainKubeError(error: unknown, context: string): { reason: string; code?: number } {
  const e = error as { code?: unknown; message?: string; body?: unknown; cause?: { code?: string } };
  const status = typeof e.code === 'number' ? e.code : undefined;
  if (status === 401)
    return {
      reason: `the Kubernetes API rejected the credentials of context "${context}" (401 Unauthorized: expired or invalid token)`,
      code: 401,
    };
  if (status === 403) {
    let detail = '';
    try {
      const body = typeof e.body === 'string' ? (JSON.parse(e.body) as { message?: string }) : (e.body as { message?: string } | undefined);
      detail = body?.message ? `: ${body.message}` : '';
    } catch {
      /* keep it short */
    }
    return { reason: `the Kubernetes API refused access (403 Forbidden)${detail}`, code: 403 };
  }
  if (status === 404) return { reason: 'not found (404)', code: 404 };
  const text = `${e.message ?? ''} ${e.cause?.code ?? ''}`;
  if (/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ECONNRESET|fetch failed|socket hang up/i.test(text)) {
    const why = /(connect )?(ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ECONNRESET)[^,)]*/.exec(text)?.[0] ?? e.cause?.code ?? 'connection failed';
    return { reason: `the Kubernetes API server of context "${context}" cannot be reached (${why.trim()})` };
  }
  if (/timed out/i.test(text)) return { reason: `the Kubernetes API of context "${context}" did not answer in time` };
  if (status) {
    let detail = '';
    try {
      const body = typeof e.body === 'string' ? (JSON.parse(e.body) as { message?: string }) : (e.body as { message?: string } | undefined);
      detail = body?.message ? `: ${body.message}` : '';
    } catch {
      detail = typeof e.body === 'string' && e.body.length < 300 ? `: ${e.body}` : '';
    }
    return { reason: `the Kubernetes API answered HTTP ${status}${detail}`, code: status };
  }
  return { reason: e.message ?? String(error) };
}

/** The real reader, one client per kubeconfig+context. */
export class ClientNodeKube implements KubeReader {
  private clients = new Map<
    string,
    Promise<{ core: import('@kubernetes/client-node').CoreV1Api; apps: import('@kubernetes/client-node').AppsV1Api; context: string }>
  >();

  constructor(
    private readonly timeoutMs = 15_000,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  private client(target: KubeTarget) {
    const key = `${target.kubeconfig ?? ''}\n${target.context ?? ''}`;
    let c = this.clients.get(key);
    if (!c) {
      c = (async () => {
        const k8s = await import('@kubernetes/client-node');
        const kc = new k8s.KubeConfig();
        const file = target.kubeconfig ?? this.env.KUBECONFIG?.split(':')[0];
        if (file) kc.loadFromFile(file);
        else kc.loadFromDefault();
        if (target.context) {
          if (!kc.getContextObject(target.context))
            throw new Error(`context "${target.context}" does not exist in ${file ?? 'the kubeconfig'}`);
          kc.setCurrentContext(target.context);
        }
        return { core: kc.makeApiClient(k8s.CoreV1Api), apps: kc.makeApiClient(k8s.AppsV1Api), context: kc.getCurrentContext() };
      })();
      this.clients.set(key, c);
    }
    return c;
  }

  private async call<T>(target: KubeTarget, fn: (c: Awaited<ReturnType<ClientNodeKube['client']>>) => Promise<T>): Promise<KubeResult<T>> {
    let context = target.context ?? 'current';
    try {
      const c = await this.client(target);
      context = c.context;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${this.timeoutMs / 1000}s`)), this.timeoutMs);
      });
      try {
        return { ok: true, value: await Promise.race([fn(c), timeout]) };
      } finally {
        clearTimeout(timer);
      }
    } catch (error) {
      if (error instanceof Error && /does not exist in/.test(error.message)) return { ok: false, reason: error.message };
      if (error instanceof Error && /ENOENT/.test(error.message))
        return { ok: false, reason: `cannot read the kubeconfig: ${error.message}` };
      return { ok: false, ...explainKubeError(error, context) };
    }
  }

  async prepare(target: KubeTarget): Promise<void> {
    try {
      await this.client(target);
    } catch {
      // Reported by the first request.
    }
  }

  pods(target: KubeTarget, namespace: string, labelSelector?: string) {
    return this.call(
      target,
      async (c) => (await c.core.listNamespacedPod({ namespace, ...(labelSelector ? { labelSelector } : {}) })).items,
    );
  }
  events(target: KubeTarget, namespace: string) {
    return this.call(target, async (c) => (await c.core.listNamespacedEvent({ namespace })).items);
  }
  nodes(target: KubeTarget) {
    return this.call(target, async (c) => (await c.core.listNode()).items);
  }
  deployment(target: KubeTarget, namespace: string, name: string) {
    return this.call(target, (c) => c.apps.readNamespacedDeployment({ namespace, name }));
  }
  deployments(target: KubeTarget, namespace: string) {
    return this.call(target, async (c) => (await c.apps.listNamespacedDeployment({ namespace })).items);
  }
  logs(target: KubeTarget, namespace: string, pod: string, options: { container?: string; previous?: boolean; tailLines?: number }) {
    return this.call(target, async (c) =>
      String(
        await c.core.readNamespacedPodLog({
          namespace,
          name: pod,
          ...(options.container ? { container: options.container } : {}),
          ...(options.previous ? { previous: true } : {}),
          ...(options.tailLines ? { tailLines: options.tailLines } : {}),
          // A log line can be megabytes of JSON: cap what one read brings.
          limitBytes: 1_000_000,
        }),
      ),
    );
  }
  replicaSets(target: KubeTarget, namespace: string, labelSelector?: string) {
    return this.call(
      target,
      async (c) => (await c.apps.listNamespacedReplicaSet({ namespace, ...(labelSelector ? { labelSelector } : {}) })).items,
    );
  }
}
