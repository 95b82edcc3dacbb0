/**
 * Reading the cluster through @kubernetes/client-node. The client (~300 ms to import) is loaded
 * on first use only, so commands that never ask the API do not pay for it. Errors come back as
 * values with a reason a responder can act on (unreachable, 401, 403, unknown context, timeout).
 */
import type { V1Deployment, CoreV1Event, V1Node, V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import { field, stringField } from '../guards.js';

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
  const code = field(error, 'code');
  const status = typeof code === 'number' ? code : undefined;
  const body = field(error, 'body');
  const message = stringField(error, 'message');
  const causeCode = stringField(field(error, 'cause'), 'code');
  if (status === 401)
    return {
      reason: `the Kubernetes API rejected the credentials of context "${context}" (401 Unauthorized: expired or invalid token)`,
      code: 401,
    };
  if (status === 403) {
    let detail = '';
    try {
      const said = statusMessage(body);
      detail = said ? `: ${said}` : '';
    } catch {
      /* keep it short */
    }
    return { reason: `the Kubernetes API refused access (403 Forbidden)${detail}`, code: 403 };
  }
  if (status === 404) return { reason: 'not found (404)', code: 404 };
  const text = `${message ?? ''} ${causeCode ?? ''}`;
  if (/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ECONNRESET|fetch failed|socket hang up/i.test(text)) {
    const why = /(connect )?(ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ECONNRESET)[^,)]*/.exec(text)?.[0] ?? causeCode ?? 'connection failed';
    return { reason: `the Kubernetes API server of context "${context}" cannot be reached (${why.trim()})` };
  }
  if (/timed out/i.test(text)) return { reason: `the Kubernetes API of context "${context}" did not answer in time` };
  if (status) {
    let detail = '';
    try {
      const said = statusMessage(body);
      detail = said ? `: ${said}` : '';
    } catch {
      detail = typeof body === 'string' && body.length < 300 ? `: ${body}` : '';
    }
    return { reason: `the Kubernetes API answered HTTP ${status}${detail}`, code: status };
  }
  return { reason: message ?? String(error) };
}

/** The `message` of a Kubernetes Status body, given as JSON text or already parsed (throws on bad JSON). */
function statusMessage(body: unknown): string | undefined {
  const parsed: unknown = typeof body === 'string' ? JSON.parse(body) : body;
  return stringField(parsed, 'message');
}

/** The real reader, one client per kubeconfig+context. */
export class ClientNodeKube implements KubeReader {
  private clients = new Map<string, Promise<{ kc: import('@kubernetes/client-node').KubeConfig; context: string }>>();

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
        return { kc, context: kc.getCurrentContext() };
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

  /**
   * A GET on the API as JSON (or text, for logs), with the kubeconfig's credentials (tokens, client
   * certificates, exec plugins) applied by the client. Lists are parsed with JSON.parse rather than
   * the client's typed model classes: on 20,000 events that is most of the time a sweep takes.
   */
  private get<T>(
    target: KubeTarget,
    path: string,
    query: Record<string, string | number | boolean | undefined>,
    as: 'json' | 'text' = 'json',
  ) {
    return this.call<T>(target, async (c) => {
      const cluster = c.kc.getCurrentCluster();
      if (!cluster) throw new Error(`context "${c.context}" names no cluster`);
      const url = new URL(cluster.server.replace(/\/+$/, '') + path);
      for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
      const opts: import('node:https').RequestOptions = { method: 'GET', headers: { Accept: as === 'json' ? 'application/json' : '*/*' } };
      await c.kc.applyToHTTPSOptions(opts);
      const lib = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
      return new Promise<T>((resolve, reject) => {
        const req = lib.request(url, opts, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (d: Buffer) => chunks.push(d));
          res.on('error', reject);
          res.on('end', () => {
            const body = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            if (status < 200 || status >= 300) {
              reject(Object.assign(new Error(`HTTP ${status}`), { code: status, body }));
              return;
            }
            try {
              // The API server's answer is taken as the kind asked for (its schema is the client's
              // model): checking 20,000 events field by field would cost what JSON.parse saves.
              resolve((as === 'json' ? JSON.parse(body) : body) as T);
            } catch (error) {
              reject(error instanceof Error ? error : new Error(String(error)));
            }
          });
        });
        req.setTimeout(this.timeoutMs, () => req.destroy(new Error(`timed out after ${this.timeoutMs / 1000}s`)));
        req.on('error', reject);
        req.end();
      });
    });
  }

  private async list<T>(target: KubeTarget, path: string, query: Record<string, string | undefined> = {}): Promise<KubeResult<T[]>> {
    const r = await this.get<{ items?: T[] }>(target, path, query);
    return r.ok ? { ok: true, value: r.value.items ?? [] } : r;
  }

  pods(target: KubeTarget, namespace: string, labelSelector?: string) {
    return this.list<V1Pod>(target, `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`, { labelSelector });
  }
  events(target: KubeTarget, namespace: string) {
    return this.list<CoreV1Event>(target, `/api/v1/namespaces/${encodeURIComponent(namespace)}/events`);
  }
  nodes(target: KubeTarget) {
    return this.list<V1Node>(target, '/api/v1/nodes');
  }
  deployment(target: KubeTarget, namespace: string, name: string) {
    return this.get<V1Deployment>(
      target,
      `/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/deployments/${encodeURIComponent(name)}`,
      {},
    );
  }
  deployments(target: KubeTarget, namespace: string) {
    return this.list<V1Deployment>(target, `/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/deployments`);
  }
  logs(target: KubeTarget, namespace: string, pod: string, options: { container?: string; previous?: boolean; tailLines?: number }) {
    return this.get<string>(
      target,
      `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/log`,
      {
        container: options.container,
        previous: options.previous ? true : undefined,
        tailLines: options.tailLines,
        // A log line can be megabytes of JSON: cap what one read brings.
        limitBytes: 1_000_000,
      },
      'text',
    );
  }
  replicaSets(target: KubeTarget, namespace: string, labelSelector?: string) {
    return this.list<V1ReplicaSet>(target, `/apis/apps/v1/namespaces/${encodeURIComponent(namespace)}/replicasets`, { labelSelector });
  }
}
