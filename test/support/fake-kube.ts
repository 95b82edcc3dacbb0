/**
 * A small fake Kubernetes API server on 127.0.0.1 for the tests. It serves recorded objects (pods,
 * nodes, events, deployments, replica sets) the way the real API does for what kubectl and
 * @kubernetes/client-node ask: version, legacy discovery, lists with label/field selectors, Table
 * responses for `kubectl get`, pod logs, and `exec` over WebSocket (v5/v4.channel.k8s.io).
 * Failure modes: a bearer token that must match (401), namespaces that are forbidden (403), lists at
 * the cluster scope that are forbidden (403), added latency per request, and a broken control plane
 * that answers with an error Status (e.g. 500 "etcdserver: request timed out").
 *
 * Optional extras, each served and advertised in discovery only when the state has it: statefulsets,
 * jobs (batch/v1), configmaps, persistentvolumeclaims, an explicit namespace list; /healthz, /livez
 * and /readyz. Logs per container and of the previous container instance (see ClusterState.logs).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

type Obj = Record<string, any>;

export interface ExecResult {
  stdout?: string;
  stderr?: string;
  exitCode?: number;
  /** Delay before answering (a hung command when larger than the client's timeout). */
  delayMs?: number;
}

export interface ClusterState {
  version?: { major: string; minor: string; gitVersion: string };
  nodes: Obj[];
  pods: Obj[];
  events: Obj[];
  deployments: Obj[];
  replicasets: Obj[];
  /**
   * Pod logs. Keys:
   *   "ns/pod"                      any container, current and previous (the original, lenient scheme);
   *   "ns/pod/container"            that container's current log (for a crash-looping container: its last run);
   *   "ns/pod/container#previous"   the previous, terminated instance of that container (`?previous=true`).
   * A pod with any per-container key (every pod, with `realKubelet`) is answered as the kubelet does:
   * no container named on a multi-container pod → 400 "a container name must be specified ...";
   * `previous=true` without a "#previous" key → 400 "previous terminated container ... not found";
   * a container that never started → 400 "... is waiting to start: <reason>"; a pod without a node →
   * 400 "... does not have a host assigned"; a pod on a node whose Ready condition is Unknown →
   * 500 "dial tcp <node>:10250: connect: no route to host". "ns/pod" still answers `?container=`-less
   * requests when present.
   */
  logs?: Record<string, string>;
  /** Exec answers by "namespace/pod"; the function receives the command vector. */
  exec?: Record<string, (command: string[]) => ExecResult>;
  /**
   * Logs and exec behave as a real kubelet for every pod (see `logs`); exec then fails to upgrade for a
   * container that is not running (500 container not found), for a pod without a node (400) and for a
   * pod on an unreachable node (500 no route to host) before any handler runs.
   */
  realKubelet?: boolean;
  /** Namespace names for `GET /api/v1/namespaces[/name]` (default: those of the pods and deployments). */
  namespaces?: string[];
  statefulsets?: Obj[];
  jobs?: Obj[];
  configmaps?: Obj[];
  persistentvolumeclaims?: Obj[];
}

export interface FakeKubeOptions {
  token?: string;
  forbiddenNamespaces?: string[];
  latencyMs?: number;
  now?: Date;
  /**
   * A broken control plane: answer with this error Status. scope 'all' (default): every request but
   * /version; 'resources': resource requests (lists, gets, logs, exec) and /readyz, /healthz, while
   * discovery still answers from the API server's memory, as it does when etcd times out.
   */
  serverError?: { code: number; message: string; reason?: string; scope?: 'all' | 'resources' };
  /**
   * Resources whose list across all namespaces is forbidden (403 "... at the cluster scope"), as for an
   * account bound only per namespace; use with forbiddenNamespaces so that a forbidden namespace's
   * objects cannot be seen through an all-namespaces list.
   */
  forbiddenClusterScope?: string[];
}

export interface RequestRecord {
  method: string;
  path: string;
  query: string;
  accept: string;
  at: number;
}

const NOW = new Date('2026-11-28T04:00:00Z');

function age(ts: string | undefined, now: Date): string {
  if (!ts) return '<unknown>';
  const s = Math.max(0, Math.floor((now.getTime() - new Date(ts).getTime()) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

/** The STATUS column kubectl shows for a pod (the same rules as the API server's printer). */
export function podStatus(pod: Obj): string {
  if (pod.metadata?.deletionTimestamp) return pod.status?.reason === 'NodeLost' ? 'Unknown' : 'Terminating';
  let reason: string = pod.status?.reason ?? pod.status?.phase ?? 'Unknown';
  for (const cs of pod.status?.containerStatuses ?? []) {
    if (cs.state?.waiting?.reason) reason = cs.state.waiting.reason;
    else if (cs.state?.terminated?.reason) reason = cs.state.terminated.reason;
  }
  return reason;
}

function podReady(pod: Obj): string {
  const total = pod.spec?.containers?.length ?? 0;
  const ready = (pod.status?.containerStatuses ?? []).filter((c: Obj) => c.ready).length;
  return `${ready}/${total}`;
}

function nodeStatus(node: Obj): string {
  const ready = (node.status?.conditions ?? []).find((c: Obj) => c.type === 'Ready');
  const s = ready?.status === 'True' ? 'Ready' : ready?.status === 'Unknown' ? 'NotReady' : 'NotReady';
  return node.spec?.unschedulable ? `${s},SchedulingDisabled` : s;
}

function col(name: string, priority = 0, type = 'string') {
  return { name, type, format: name === 'Name' ? 'name' : '', description: name, priority };
}

function tableFor(resource: string, items: Obj[], now: Date, includeObject: string): Obj {
  let columns: Obj[];
  let cells: (o: Obj) => unknown[];
  switch (resource) {
    case 'pods':
      columns = [
        col('Name'),
        col('Ready'),
        col('Status'),
        col('Restarts', 0, 'string'),
        col('Age'),
        col('IP', 1),
        col('Node', 1),
        col('Nominated Node', 1),
        col('Readiness Gates', 1),
      ];
      cells = (p) => [
        p.metadata.name,
        podReady(p),
        podStatus(p),
        String((p.status?.containerStatuses ?? []).reduce((n: number, c: Obj) => n + (c.restartCount ?? 0), 0)),
        age(p.metadata.creationTimestamp, now),
        p.status?.podIP ?? '<none>',
        p.spec?.nodeName ?? '<none>',
        '<none>',
        '<none>',
      ];
      break;
    case 'nodes':
      columns = [col('Name'), col('Status'), col('Roles'), col('Age'), col('Version')];
      cells = (n) => [
        n.metadata.name,
        nodeStatus(n),
        Object.keys(n.metadata.labels ?? {})
          .filter((k) => k.startsWith('node-role.kubernetes.io/'))
          .map((k) => k.split('/')[1])
          .join(',') || '<none>',
        age(n.metadata.creationTimestamp, now),
        n.status?.nodeInfo?.kubeletVersion ?? 'v1.32.4',
      ];
      break;
    case 'events':
      columns = [
        col('Last Seen'),
        col('Type'),
        col('Reason'),
        col('Object'),
        col('Subobject', 1),
        col('Source', 1),
        col('Message'),
        col('First Seen', 1),
        col('Count', 1),
        col('Name', 1),
      ];
      cells = (e) => [
        age(e.lastTimestamp ?? e.series?.lastObservedTime ?? e.eventTime, now),
        e.type,
        e.reason,
        `${String(e.involvedObject.kind).toLowerCase()}/${e.involvedObject.name}`,
        '',
        e.source?.component ?? '',
        e.message,
        age(e.firstTimestamp ?? e.eventTime ?? e.lastTimestamp, now),
        e.count ?? 1,
        e.metadata.name,
      ];
      break;
    case 'deployments':
      columns = [col('Name'), col('Ready'), col('Up-to-date'), col('Available'), col('Age')];
      cells = (d) => [
        d.metadata.name,
        `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}`,
        d.status?.updatedReplicas ?? 0,
        d.status?.availableReplicas ?? 0,
        age(d.metadata.creationTimestamp, now),
      ];
      break;
    case 'replicasets':
      columns = [col('Name'), col('Desired'), col('Current'), col('Ready'), col('Age')];
      cells = (r) => [
        r.metadata.name,
        r.spec?.replicas ?? 0,
        r.status?.replicas ?? 0,
        r.status?.readyReplicas ?? 0,
        age(r.metadata.creationTimestamp, now),
      ];
      break;
    case 'statefulsets':
      columns = [col('Name'), col('Ready'), col('Age')];
      cells = (s) => [s.metadata.name, `${s.status?.readyReplicas ?? 0}/${s.spec?.replicas ?? 0}`, age(s.metadata.creationTimestamp, now)];
      break;
    case 'jobs':
      columns = [col('Name'), col('Status'), col('Completions'), col('Age')];
      cells = (j) => [
        j.metadata.name,
        (j.status?.conditions ?? []).find((c: Obj) => c.status === 'True')?.type ?? 'Running',
        `${j.status?.succeeded ?? 0}/${j.spec?.completions ?? 1}`,
        age(j.metadata.creationTimestamp, now),
      ];
      break;
    case 'configmaps':
      columns = [col('Name'), col('Data'), col('Age')];
      cells = (c) => [c.metadata.name, Object.keys(c.data ?? {}).length, age(c.metadata.creationTimestamp, now)];
      break;
    case 'persistentvolumeclaims':
      columns = [col('Name'), col('Status'), col('Volume'), col('Capacity'), col('Access Modes'), col('StorageClass'), col('Age')];
      cells = (c) => [
        c.metadata.name,
        c.status?.phase ?? 'Pending',
        c.spec?.volumeName ?? '',
        c.status?.capacity?.storage ?? '',
        (c.spec?.accessModes ?? []).map((m: string) => m.replace(/[a-z]/g, '')).join(','),
        c.spec?.storageClassName ?? '',
        age(c.metadata.creationTimestamp, now),
      ];
      break;
    default:
      columns = [col('Name'), col('Age')];
      cells = (o) => [o.metadata.name, age(o.metadata.creationTimestamp, now)];
  }
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: '1' },
    columnDefinitions: columns,
    rows: items.map((o) => ({
      cells: cells(o),
      object: includeObject === 'Object' ? o : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
    })),
  };
}

type ListKey =
  'pods' | 'nodes' | 'events' | 'deployments' | 'replicasets' | 'statefulsets' | 'jobs' | 'configmaps' | 'persistentvolumeclaims';

const RESOURCES: Record<string, { group: string; kind: string; namespaced: boolean; short?: string[]; key: ListKey; optional?: boolean }> =
  {
    pods: { group: '', kind: 'Pod', namespaced: true, short: ['po'], key: 'pods' },
    nodes: { group: '', kind: 'Node', namespaced: false, short: ['no'], key: 'nodes' },
    events: { group: '', kind: 'Event', namespaced: true, short: ['ev'], key: 'events' },
    deployments: { group: 'apps', kind: 'Deployment', namespaced: true, short: ['deploy'], key: 'deployments' },
    replicasets: { group: 'apps', kind: 'ReplicaSet', namespaced: true, short: ['rs'], key: 'replicasets' },
    statefulsets: { group: 'apps', kind: 'StatefulSet', namespaced: true, short: ['sts'], key: 'statefulsets', optional: true },
    jobs: { group: 'batch', kind: 'Job', namespaced: true, key: 'jobs', optional: true },
    configmaps: { group: '', kind: 'ConfigMap', namespaced: true, short: ['cm'], key: 'configmaps', optional: true },
    persistentvolumeclaims: {
      group: '',
      kind: 'PersistentVolumeClaim',
      namespaced: true,
      short: ['pvc'],
      key: 'persistentvolumeclaims',
      optional: true,
    },
  };

/** The resources this state serves: the five basic ones always, the optional ones when present. */
function served(state: ClusterState, name: string): boolean {
  const r = RESOURCES[name];
  return !!r && (!r.optional || state[r.key] !== undefined);
}

function resourceList(groupVersion: string, state: ClusterState): Obj {
  const group = groupVersion === 'v1' ? '' : groupVersion.split('/')[0];
  const resources = Object.entries(RESOURCES)
    .filter(([name, r]) => r.group === group && served(state, name))
    .flatMap(([name, r]) => {
      const base = {
        name,
        singularName: r.kind.toLowerCase(),
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: ['get', 'list', 'watch'],
        shortNames: r.short,
      };
      const subs =
        name === 'pods'
          ? [
              { name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] },
              { name: 'pods/exec', singularName: '', namespaced: true, kind: 'PodExecOptions', verbs: ['create', 'get'] },
            ]
          : [];
      return [base, ...subs];
    });
  if (group === '')
    (resources as Obj[]).push({
      name: 'namespaces',
      singularName: 'namespace',
      namespaced: false,
      kind: 'Namespace',
      verbs: ['get', 'list'],
      shortNames: ['ns'],
    });
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources };
}

function matchesLabels(o: Obj, selector: string | null): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const m = /^([^!=]+)(==|=|!=)(.*)$/.exec(term.trim());
    if (!m) return true;
    const v = o.metadata?.labels?.[m[1]!];
    return m[2] === '!=' ? v !== m[3] : v === m[3];
  });
}

function fieldValue(o: Obj, path: string): unknown {
  return path.split('.').reduce<any>((v, k) => (v == null ? undefined : v[k]), o);
}

function matchesFields(o: Obj, selector: string | null): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const m = /^([^!=]+)(==|=|!=)(.*)$/.exec(term.trim());
    if (!m) return true;
    const v = String(fieldValue(o, m[1]!) ?? '');
    return m[2] === '!=' ? v !== m[3] : v === m[3];
  });
}

function status(code: number, reason: string, message: string): Obj {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

/** How long a fake exec takes to start its process before it answers (see exec()). */
const EXEC_START_MS = 100;

export class FakeKubeServer {
  private server: Server;
  private wss: WebSocketServer;
  readonly requests: RequestRecord[] = [];
  port = 0;

  constructor(
    public state: ClusterState,
    public options: FakeKubeOptions = {},
  ) {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.wss = new WebSocketServer({
      noServer: true,
      handleProtocols: (protocols) => ['v5.channel.k8s.io', 'v4.channel.k8s.io'].find((p) => protocols.has(p)) ?? false,
    });
    this.server.on('upgrade', (req, socket, head) => {
      const url = new URL(req.url ?? '/', 'http://x');
      this.record(req, url);
      const denied = this.authError(req, url);
      if (denied || !/\/exec$/.test(url.pathname) || req.headers.upgrade?.toLowerCase() !== 'websocket') {
        socket.end(`HTTP/1.1 ${denied ? denied.code : 400} ${denied ? denied.reason : 'Bad Request'}\r\n\r\n`);
        return;
      }
      const broken = this.controlPlaneError(url.pathname);
      const refused = broken ? { code: broken.code as number, text: broken.message as string } : this.execRefused(url);
      if (refused) {
        const body = JSON.stringify(status(refused.code, refused.code === 400 ? 'BadRequest' : 'InternalError', refused.text));
        socket.end(
          `HTTP/1.1 ${refused.code} ${refused.code === 400 ? 'Bad Request' : 'Internal Server Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        );
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => void this.exec(ws, url));
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** A kubeconfig (YAML text) pointing at this server. */
  kubeconfig(options: { token?: string; context?: string } = {}): string {
    const ctx = options.context ?? 'fake';
    const token = options.token ?? this.options.token ?? 'test-token';
    return [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: ${ctx}`,
      '  cluster:',
      `    server: ${this.url}`,
      '    insecure-skip-tls-verify: true',
      'users:',
      `- name: ${ctx}-user`,
      '  user:',
      `    token: ${token}`,
      'contexts:',
      `- name: ${ctx}`,
      '  context:',
      `    cluster: ${ctx}`,
      `    user: ${ctx}-user`,
      `current-context: ${ctx}`,
      '',
    ].join('\n');
  }

  private record(req: IncomingMessage, url: URL): void {
    this.requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.search,
      accept: String(req.headers.accept ?? ''),
      at: Date.now(),
    });
  }

  private authError(req: IncomingMessage, url: URL): { code: number; reason: string; body: Obj } | undefined {
    if (this.options.token && req.headers.authorization !== `Bearer ${this.options.token}`) {
      return { code: 401, reason: 'Unauthorized', body: status(401, 'Unauthorized', 'Unauthorized') };
    }
    const ns = /\/namespaces\/([^/]+)/.exec(url.pathname)?.[1];
    if (ns && this.options.forbiddenNamespaces?.includes(ns)) {
      const resource = url.pathname.split('/')[url.pathname.split('/').indexOf(ns) + 1] ?? 'resources';
      return {
        code: 403,
        reason: 'Forbidden',
        body: status(
          403,
          'Forbidden',
          `${resource} is forbidden: User "system:serviceaccount:default:oncall" cannot list resource "${resource}" in API group "" in the namespace "${ns}"`,
        ),
      };
    }
    return undefined;
  }

  private send(res: ServerResponse, code: number, body: unknown, type = 'application/json'): void {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(code, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }

  /** The error Status of a broken control plane for this path, if it should fail. */
  private controlPlaneError(p: string): Obj | undefined {
    const e = this.options.serverError;
    if (!e || p === '/version') return undefined;
    const discovery = p === '/api' || p === '/apis' || /^\/apis?\/[^/]+(\/v1)?$/.test(p) || p === '/api/v1' || p.startsWith('/openapi');
    if ((e.scope ?? 'all') === 'resources' && (discovery || p === '/livez')) return undefined;
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: e.message,
      ...(e.reason ? { reason: e.reason } : {}),
      code: e.code,
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    this.record(req, url);
    if (this.options.latencyMs) await new Promise((r) => setTimeout(r, this.options.latencyMs));
    const p = url.pathname.replace(/\/+$/, '');
    const now = this.options.now ?? NOW;
    if (p === '/version') {
      const v = this.state.version ?? { major: '1', minor: '32', gitVersion: 'v1.32.4' };
      return this.send(res, 200, {
        ...v,
        gitCommit: 'fake',
        gitTreeState: 'clean',
        buildDate: '2026-01-01T00:00:00Z',
        goVersion: 'go1.23',
        compiler: 'gc',
        platform: 'linux/amd64',
      });
    }
    const broken = this.controlPlaneError(p);
    if (broken && (p === '/readyz' || p === '/healthz'))
      return this.send(
        res,
        500,
        `[+]ping ok\n[+]log ok\n[-]etcd failed: reason withheld\n[+]informer-sync ok\n[+]poststarthook/start-apiextensions-controllers ok\n${p.slice(1)} check failed\n`,
        'text/plain',
      );
    if (broken) return this.send(res, broken.code, broken);
    if (p === '/readyz' || p === '/livez' || p === '/healthz') return this.send(res, 200, 'ok', 'text/plain');
    const denied = this.authError(req, url);
    if (denied) return this.send(res, denied.code, denied.body);
    if (p === '/api')
      return this.send(res, 200, {
        kind: 'APIVersions',
        versions: ['v1'],
        serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `127.0.0.1:${this.port}` }],
      });
    if (p === '/apis') {
      return this.send(res, 200, {
        kind: 'APIGroupList',
        apiVersion: 'v1',
        groups: [
          {
            name: 'apps',
            versions: [{ groupVersion: 'apps/v1', version: 'v1' }],
            preferredVersion: { groupVersion: 'apps/v1', version: 'v1' },
          },
          ...(this.state.jobs
            ? [
                {
                  name: 'batch',
                  versions: [{ groupVersion: 'batch/v1', version: 'v1' }],
                  preferredVersion: { groupVersion: 'batch/v1', version: 'v1' },
                },
              ]
            : []),
        ],
      });
    }
    if (p === '/api/v1') return this.send(res, 200, resourceList('v1', this.state));
    if (p === '/apis/apps/v1') return this.send(res, 200, resourceList('apps/v1', this.state));
    if (p === '/apis/batch/v1' && this.state.jobs) return this.send(res, 200, resourceList('batch/v1', this.state));
    if (p.startsWith('/openapi')) return this.send(res, 404, status(404, 'NotFound', 'not found'));

    const m = /^\/(?:api\/v1|apis\/(?:apps|batch)\/v1)(?:\/namespaces\/([^/]+))?\/([a-z]+)(?:\/([^/]+))?(?:\/([a-z]+))?$/.exec(p);
    if (!m) return this.send(res, 404, status(404, 'NotFound', `the server could not find the requested resource (${p})`));
    const [, ns, resource, name, sub] = m as unknown as [string, string | undefined, string, string | undefined, string | undefined];
    if (resource === 'namespaces' && !ns) {
      const names = this.state.namespaces ?? [...new Set([...this.state.pods, ...this.state.deployments].map((o) => o.metadata.namespace))];
      const nsObj = (n: string) => ({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: n, labels: { 'kubernetes.io/metadata.name': n } },
        spec: { finalizers: ['kubernetes'] },
        status: { phase: 'Active' },
      });
      if (name && this.state.namespaces) {
        if (!names.includes(name)) return this.send(res, 404, status(404, 'NotFound', `namespaces "${name}" not found`));
        return this.send(res, 200, nsObj(name));
      }
      return this.send(res, 200, {
        kind: 'NamespaceList',
        apiVersion: 'v1',
        metadata: {},
        items: this.state.namespaces ? names.map(nsObj) : names.map((n) => ({ metadata: { name: n } })),
      });
    }
    if (resource === 'namespaces' && ns && !name) {
      // GET /api/v1/namespaces/NAME is matched as namespaces/NAME/<resource> above only with a resource; this is the namespace itself.
    }
    const def = RESOURCES[resource];
    if (!def || !served(this.state, resource))
      return this.send(res, 404, status(404, 'NotFound', `the server could not find the requested resource`));
    if (!ns && def.namespaced && !name && this.options.forbiddenClusterScope?.includes(resource)) {
      const group = def.group ? `"${def.group}"` : '""';
      return this.send(
        res,
        403,
        status(
          403,
          'Forbidden',
          `${resource} is forbidden: User "system:serviceaccount:default:oncall" cannot list resource "${resource}" in API group ${group} at the cluster scope`,
        ),
      );
    }
    const all = (this.state[def.key] ?? []).filter((o) => !def.namespaced || !ns || o.metadata.namespace === ns);
    if (name) {
      const obj = all.find((o) => o.metadata.name === name);
      if (!obj) return this.send(res, 404, status(404, 'NotFound', `${resource} "${name}" not found`));
      if (sub === 'log' && resource === 'pods') {
        const answer = this.podLog(obj, url);
        if (answer.code !== 200)
          return this.send(res, answer.code, status(answer.code, answer.code === 400 ? 'BadRequest' : 'InternalError', answer.text));
        const text = answer.text;
        const tail = url.searchParams.get('tailLines');
        const lines = text.split('\n').filter((l, i, a) => l !== '' || i < a.length - 1);
        return this.send(res, 200, (tail ? lines.slice(-Number(tail)) : lines).join('\n') + (lines.length ? '\n' : ''), 'text/plain');
      }
      if (sub) return this.send(res, 404, status(404, 'NotFound', `subresource ${sub} not supported`));
      if (String(req.headers.accept).includes('as=Table'))
        return this.send(res, 200, tableFor(resource, [obj], now, url.searchParams.get('includeObject') ?? 'Metadata'));
      return this.send(res, 200, { apiVersion: def.group ? `${def.group}/v1` : 'v1', kind: def.kind, ...obj });
    }
    const items = all
      .filter((o) => matchesLabels(o, url.searchParams.get('labelSelector')) && matchesFields(o, url.searchParams.get('fieldSelector')))
      .map((o) => ({ apiVersion: def.group ? `${def.group}/v1` : 'v1', kind: def.kind, ...o }));
    if (String(req.headers.accept).includes('as=Table'))
      return this.send(res, 200, tableFor(resource, items, now, url.searchParams.get('includeObject') ?? 'Metadata'));
    return this.send(res, 200, {
      kind: `${def.kind}List`,
      apiVersion: def.group ? `${def.group}/v1` : 'v1',
      metadata: { resourceVersion: '1' },
      items,
    });
  }

  /** Whether logs and exec of this pod are answered as a real kubelet would (see ClusterState.logs). */
  private realFor(pod: Obj): boolean {
    if (this.state.realKubelet) return true;
    const base = `${pod.metadata.namespace}/${pod.metadata.name}/`;
    return Object.keys(this.state.logs ?? {}).some((k) => k.startsWith(base));
  }

  /** Why the kubelet of this pod cannot be asked (no node, an unreachable node), as the API server reports it. */
  private kubeletUnreachable(pod: Obj, what: string): { code: number; text: string } | undefined {
    const nodeName = pod.spec?.nodeName;
    if (!nodeName) return { code: 400, text: `pod ${pod.metadata.name} does not have a host assigned` };
    const node = this.state.nodes.find((n) => n.metadata.name === nodeName);
    const ready = (node?.status?.conditions ?? []).find((c: Obj) => c.type === 'Ready');
    if (node && ready?.status === 'Unknown') {
      const ip = (node.status?.addresses ?? []).find((a: Obj) => a.type === 'InternalIP')?.address ?? nodeName;
      return {
        code: 500,
        text: `Get "https://${ip}:10250/${what}": dial tcp ${ip}:10250: connect: no route to host`,
      };
    }
    return undefined;
  }

  private podLog(pod: Obj, url: URL): { code: number; text: string } {
    const logs = this.state.logs ?? {};
    const base = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const asked = url.searchParams.get('container');
    if (!this.realFor(pod)) return { code: 200, text: logs[base] ?? '' };
    const names: string[] = (pod.spec?.containers ?? []).map((c: Obj) => c.name);
    const initNames: string[] = (pod.spec?.initContainers ?? []).map((c: Obj) => c.name);
    if (!asked && logs[base] !== undefined) return { code: 200, text: logs[base] };
    const container = asked ?? (names.length === 1 ? names[0] : undefined);
    if (!container)
      return {
        code: 400,
        text: `a container name must be specified for pod ${pod.metadata.name}, choose one of: [${names.join(' ')}]${
          initNames.length ? ` or one of the init containers: [${initNames.join(' ')}]` : ''
        }`,
      };
    if (!names.includes(container) && !initNames.includes(container))
      return { code: 400, text: `container ${container} is not valid for pod ${pod.metadata.name}` };
    const unreachable = this.kubeletUnreachable(pod, `containerLogs/${pod.metadata.namespace}/${pod.metadata.name}/${container}`);
    if (unreachable) return unreachable;
    const previous = url.searchParams.get('previous') === 'true';
    if (previous) {
      const text = logs[`${base}/${container}#previous`];
      return text === undefined
        ? { code: 400, text: `previous terminated container "${container}" in pod "${pod.metadata.name}" not found` }
        : { code: 200, text };
    }
    const text = logs[`${base}/${container}`];
    if (text !== undefined) return { code: 200, text };
    const cs = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])].find(
      (c: Obj) => c.name === container,
    );
    const waiting = cs?.state?.waiting;
    if (!cs || (waiting && !cs.lastState?.terminated && !cs.restartCount)) {
      const reason = waiting?.reason ?? 'ContainerCreating';
      const shown = reason === 'ImagePullBackOff' || reason === 'ErrImagePull' ? 'trying and failing to pull image' : reason;
      return { code: 400, text: `container "${container}" in pod "${pod.metadata.name}" is waiting to start: ${shown}` };
    }
    return { code: 200, text: '' };
  }

  /** Why exec into this pod's container fails before any command runs (real kubelet only). */
  private execRefused(url: URL): { code: number; text: string } | undefined {
    const m = /namespaces\/([^/]+)\/pods\/([^/]+)\/exec$/.exec(url.pathname);
    const pod = m ? this.state.pods.find((p) => p.metadata.namespace === m[1] && p.metadata.name === m[2]) : undefined;
    if (!pod || !this.realFor(pod)) return undefined;
    const container = url.searchParams.get('container') ?? pod.spec?.containers?.[0]?.name;
    const unreachable = this.kubeletUnreachable(pod, `exec/${pod.metadata.namespace}/${pod.metadata.name}/${container}`);
    if (unreachable) return unreachable;
    const cs = (pod.status?.containerStatuses ?? []).find((c: Obj) => c.name === container);
    if (!cs?.state?.running) return { code: 500, text: `container not found ("${container}")` };
    return undefined;
  }

  private async exec(ws: WebSocket, url: URL): Promise<void> {
    const m = /namespaces\/([^/]+)\/pods\/([^/]+)\/exec$/.exec(url.pathname);
    const key = m ? `${m[1]}/${m[2]}` : '';
    const command = url.searchParams.getAll('command');
    const pod = this.state.pods.find((p) => `${p.metadata.namespace}/${p.metadata.name}` === key);
    const handler = this.state.exec?.[key];
    const frame = (channel: number, text: string) => ws.send(Buffer.concat([Buffer.from([channel]), Buffer.from(text)]));
    let result: ExecResult;
    if (!pod) result = { stderr: `pods "${m?.[2]}" not found\n`, exitCode: 1 };
    else if (!handler)
      result = { stderr: `OCI runtime exec failed: exec: "${command[0]}": executable file not found in $PATH\n`, exitCode: 126 };
    else result = handler(command);
    // kubectl (client-go's WebSocket executor) starts reading frames before it has made its stdout,
    // stderr and error streams, and drops a frame for a stream it does not have yet ("Unknown stream
    // id 1, discarding message"), then exits 0 having printed nothing. A real exec never answers that
    // fast: the runtime starts a process in the container first. Answer no sooner than it would.
    await new Promise((r) => setTimeout(r, Math.max(EXEC_START_MS, result.delayMs ?? 0)));
    if (ws.readyState !== ws.OPEN) return;
    if (result.stdout) frame(1, result.stdout);
    if (result.stderr) frame(2, result.stderr);
    const code = result.exitCode ?? 0;
    const st =
      code === 0
        ? { metadata: {}, status: 'Success' }
        : {
            metadata: {},
            status: 'Failure',
            message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${code}`,
            reason: 'NonZeroExitCode',
            details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
          };
    frame(3, JSON.stringify(st));
    // As a real API server does, let the client read what was sent before the close arrives.
    setTimeout(() => ws.close(1000), 20);
  }
}
