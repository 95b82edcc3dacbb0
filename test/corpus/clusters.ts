/**
 * The corpus: realistic Bud clusters, healthy, confounding and failing, each built relative to `now`
 * from a one-line story, with what an experienced SRE would conclude (see types.ts).
 *
 * Every case's cluster has `realKubelet: true` (per-container logs, `?previous=true`, exec refused
 * into containers that are not running) and `options.now` set. Unless a case says otherwise, it also
 * has a healthy workload cluster, a Keycloak endpoint with a valid certificate and a platform API
 * answering 200 (start them with harness.ts).
 */
import type { ClusterState } from '../support/fake-kube.js';
import {
  type AppDef,
  type PodPlan,
  type RevisionPlan,
  BUDAPP_CONFIG,
  BUDAPP_TAG,
  COREFILE,
  Cluster,
  PLACEMENT,
  REGISTRY,
  crashEvents,
  platform,
  postgresShell,
  pythonShell,
  steady,
  previousTag,
} from './bud.js';
import {
  type Attempt,
  type Obj,
  type Run,
  DAY,
  HOUR,
  MIN,
  SEC,
  after,
  before,
  crashLoop,
  iso,
  pod as podObject,
  safe,
  schedulerEvent,
  templateHash,
  uid,
} from './k8s.js';
import {
  type LogCtx,
  daprd,
  joinLines,
  keycloakStartup,
  kcStamp,
  pgLine,
  pgHealthy,
  pgServerStart,
  pyHealthy,
  pyStartup,
  rng,
  stamp,
  vllmHealthy,
  vllmStartup,
} from './logs.js';
import { ALL_MITIGATIONS, type BuiltCase, type CauseId, type CorpusCase, type MitigationAction } from './types.js';
import { LLAMA, type ModelServer, nvidiaSmi, steadyServer, workloadCluster } from './workload.js';

// ---------------------------------------------------------------------------------------------
// Shared pieces

export const HEALTHY_ENDPOINTS = [
  { name: 'llama-3-70b', status: 'running' },
  { name: 'qwen-2-7b', status: 'running' },
];

/** The case's cluster with the healthy surroundings (workload cluster, Keycloak, platform API), then `extra`. */
function finish(c: Cluster, extra: Partial<BuiltCase> = {}): BuiltCase {
  return {
    cluster: c.state(),
    workload: workloadCluster(c.now),
    keycloak: { certificate: 'valid' },
    platformApi: { status: 200, endpoints: HEALTHY_ENDPOINTS },
    ...extra,
    options: { now: c.now, ...extra.options },
  };
}

/** Every mitigation but these (allowed or debatable ones). */
function allBut(...keep: MitigationAction[]): MitigationAction[] {
  return ALL_MITIGATIONS.filter((a) => !keep.includes(a));
}

const NOTHING_WRONG = (notCauses: CauseId[] = []) => ({
  runbook: null,
  causes: [] as CauseId[],
  notCauses,
  mitigationsAllowed: [] as MitigationAction[],
  mitigationsForbidden: [...ALL_MITIGATIONS],
});

const BUDAPP_IMAGE = `${REGISTRY}/budapp`;

function rsNameOf(name: string, revision: number, namespace = 'bud-system'): string {
  return `${name}-${templateHash(`${namespace}/${name}/${revision}`)}`;
}

function podNameOf(name: string, revision: number, i: number, namespace = 'bud-system'): string {
  const rs = rsNameOf(name, revision, namespace);
  return `${rs}-${safe(`${rs}/${i}`, 5)}`;
}

/** deployment-controller's ScalingReplicaSet event on the Deployment. */
function scaling(c: Cluster, name: string, message: string, at: Date, namespace = 'bud-system'): void {
  c.event({
    involved: { kind: 'Deployment', name, namespace },
    reason: 'ScalingReplicaSet',
    message,
    first: at,
    component: 'deployment-controller',
  });
}

function rsCreated(c: Cluster, rs: string, pod: string, at: Date, namespace = 'bud-system'): void {
  c.event({
    involved: { kind: 'ReplicaSet', name: rs, namespace },
    reason: 'SuccessfulCreate',
    message: `Created pod: ${pod}`,
    first: at,
    component: 'replicaset-controller',
  });
}

function rsDeleted(c: Cluster, rs: string, pod: string, at: Date, namespace = 'bud-system'): void {
  c.event({
    involved: { kind: 'ReplicaSet', name: rs, namespace },
    reason: 'SuccessfulDelete',
    message: `Deleted pod: ${pod}`,
    first: at,
    component: 'replicaset-controller',
  });
}

/** The kubelet's events for a fresh pod: image pull and container starts. */
function podStartEvents(
  c: Cluster,
  o: {
    namespace?: string;
    pod: string;
    node: string;
    created: Date;
    image: string;
    pulled?: boolean;
    pullSeconds?: number;
    containers?: string[];
  },
): void {
  const ns = o.namespace ?? 'bud-system';
  c.events.push(
    schedulerEvent({
      pod: { name: o.pod, namespace: ns },
      reason: 'Scheduled',
      message: `Successfully assigned ${ns}/${o.pod} to ${o.node}`,
      first: o.created,
    }),
  );
  const containers = o.containers ?? [o.image.split('/').pop()!.split(':')[0]!, 'daprd'];
  let t = after(o.created, 1200);
  for (const name of containers) {
    const image = name === 'daprd' ? 'docker.io/daprio/daprd:1.14.4' : o.image;
    const involved = { kind: 'Pod', name: o.pod, namespace: ns, fieldPath: `spec.containers{${name}}` };
    if (o.pulled && name !== 'daprd') {
      const secs = o.pullSeconds ?? 6.4;
      c.event({ involved, reason: 'Pulling', message: `Pulling image "${image}"`, first: t, component: 'kubelet', host: o.node });
      t = after(t, secs * SEC);
      c.event({
        involved,
        reason: 'Pulled',
        message: `Successfully pulled image "${image}" in ${secs.toFixed(3)}s (${secs.toFixed(3)}s including waiting). Image size: 412374512 bytes.`,
        first: t,
        component: 'kubelet',
        host: o.node,
      });
    } else
      c.event({
        involved,
        reason: 'Pulled',
        message: `Container image "${image}" already present on machine`,
        first: t,
        component: 'kubelet',
        host: o.node,
      });
    c.event({
      involved,
      reason: 'Created',
      message: `Created container ${name}`,
      first: after(t, 300),
      component: 'kubelet',
      host: o.node,
    });
    c.event({
      involved,
      reason: 'Started',
      message: `Started container ${name}`,
      first: after(t, 700),
      component: 'kubelet',
      host: o.node,
    });
    t = after(t, 800);
  }
}

function killing(
  c: Cluster,
  pod: string,
  node: string,
  at: Date,
  containers: string[],
  namespace = 'bud-system',
  message?: (n: string) => string,
): void {
  for (const name of containers)
    c.event({
      involved: { kind: 'Pod', name: pod, namespace, fieldPath: `spec.containers{${name}}` },
      reason: 'Killing',
      message: message?.(name) ?? `Stopping container ${name}`,
      first: at,
      component: 'kubelet',
      host: node,
    });
}

function unhealthy(
  c: Cluster,
  o: {
    pod: string;
    node: string;
    container?: string;
    probe: 'Readiness' | 'Liveness';
    message: string;
    first: Date;
    last: Date;
    count: number;
    namespace?: string;
  },
): void {
  const ns = o.namespace ?? 'bud-system';
  c.event({
    involved: { kind: 'Pod', name: o.pod, namespace: ns, fieldPath: `spec.containers{${o.container ?? o.pod.split('-')[0]}}` },
    type: 'Warning',
    reason: 'Unhealthy',
    message: `${o.probe} probe failed: ${o.message}`,
    first: o.first,
    last: o.last,
    count: o.count,
    component: 'kubelet',
    host: o.node,
  });
}

/** Logs of a crash-looping container: its last instance (current) and the one before (#previous). */
function crashLogs(container: string, attempts: Attempt[], now: Date, make: (a: Attempt, index: number) => string): Record<string, string> {
  const out: Record<string, string> = {};
  const n = attempts.length;
  const lastDone = attempts[n - 1]!.end.getTime() <= now.getTime();
  const current = attempts[n - 1]!;
  out[container] = make(current, n - 1);
  void lastDone;
  const prev = attempts[n - 2];
  if (prev) out[`${container}#previous`] = make(prev, n - 2);
  return out;
}

const PY = '/usr/local/lib/python3.11/site-packages';

function importErrorLog(a: Attempt): string {
  const t = (ms: number) => stamp.py(after(a.start, ms));
  return joinLines([
    `${t(512)} INFO     [uvicorn.error] Started server process [1]`,
    `Traceback (most recent call last):`,
    `  File "/usr/local/bin/uvicorn", line 8, in <module>`,
    `    sys.exit(main())`,
    `             ^^^^^^`,
    `  File "${PY}/click/core.py", line 1157, in __call__`,
    `    return self.main(*args, **kwargs)`,
    `  File "${PY}/uvicorn/main.py", line 410, in main`,
    `    run(`,
    `  File "${PY}/uvicorn/main.py", line 577, in run`,
    `    server.run()`,
    `  File "${PY}/uvicorn/server.py", line 65, in run`,
    `    return asyncio.run(self.serve(sockets=sockets))`,
    `  File "${PY}/uvicorn/config.py", line 435, in load`,
    `    self.loaded_app = import_from_string(self.app)`,
    `  File "${PY}/uvicorn/importer.py", line 19, in import_from_string`,
    `    module = importlib.import_module(module_str)`,
    `  File "/usr/local/lib/python3.11/importlib/__init__.py", line 126, in import_module`,
    `    return _bootstrap._gcd_import(name[level:], package, level)`,
    `  File "/app/budapp/main.py", line 31, in <module>`,
    `    from budapp.endpoint_ops.endpoint_routes import endpoint_router`,
    `  File "/app/budapp/endpoint_ops/endpoint_routes.py", line 24, in <module>`,
    `    from budapp.commons.schemas import PaginatedSuccessResponse, CursorPage`,
    `ImportError: cannot import name 'CursorPage' from 'budapp.commons.schemas' (/app/budapp/commons/schemas.py)`,
  ]);
}

function budappDbRefused(ctx: LogCtx, from: Date, to: Date, message: string, step = 30 * SEC): string {
  const r = rng(`dberr:${ctx.pod}`);
  const times: number[] = [];
  for (let t = to.getTime() - Math.floor(r() * 5000); t > from.getTime() && times.length < 40; t -= step * (0.7 + r() * 0.6))
    times.unshift(t);
  const lines: string[] = [];
  for (const t of times) {
    const ts = stamp.py(new Date(t + (ctx.clockAheadSeconds ?? 0) * SEC));
    lines.push(`${ts} ERROR    [budapp.commons.database] Database health check failed`);
    lines.push(`sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) ${message}`);
    lines.push(`(Background on this error at: https://sqlalche.me/e/20/e3q8)`);
    lines.push(`${ts} INFO     [uvicorn.access] ${ctx.probeIP}:${40000 + Math.floor(r() * 20000)} - "GET /health HTTP/1.1" 503`);
  }
  return joinLines(lines);
}

const REFUSED =
  'connection to server at "postgresql.bud-data.svc" (10.43.12.7), port 5432 failed: Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?';

/** budapp up, but its readiness fails because the database is unreachable since `since`. */
function budappWithoutDb(c: Cluster, since: Date, message: string, revision = 42, age = 6 * DAY + 3 * HOUR) {
  return (): RevisionPlan[] =>
    steady(c, {
      revision,
      age,
      tag: BUDAPP_TAG,
      nodes: PLACEMENT.budapp!,
      pods: PLACEMENT.budapp!.map((n, i) => ({
        readyTransition: after(since, (14 + i * 7) * SEC),
        makeLogs: (_pod: string, ctx: LogCtx) => ({
          budapp: pyHealthy({ ...ctx, endedAt: since }, 'budapp', 9082).trimEnd() + '\n' + budappDbRefused(ctx, since, c.now, message),
        }),
        main: (): Run => ({ state: 'running', startedAt: after(c.ago(age), (9 + i * 23) * SEC), ready: false }),
        makeExec: () =>
          pythonShell(
            9082,
            () => ({ stderr: `sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) ${message}\n`, exitCode: 1 }),
            message.includes('translate host name') ? 'fail' : 'ok',
            '{"status":"unhealthy","database":"error","dapr":"ok"}',
          ),
      })),
    });
}

function budappDbUnhealthyEvents(c: Cluster, since: Date, revision = 42): void {
  for (const [i, n] of PLACEMENT.budapp!.entries()) {
    const minutes = (c.now.getTime() - since.getTime()) / MIN;
    unhealthy(c, {
      pod: podNameOf('budapp', revision, i),
      node: n,
      probe: 'Readiness',
      message: 'HTTP probe failed with statuscode: 503',
      first: after(since, (3 + i * 4) * SEC),
      last: before(c.now, (2 + i * 3) * SEC),
      count: Math.max(2, Math.floor(minutes * 6) - i),
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Healthy and confounders

const healthy: CorpusCase = {
  id: 'healthy',
  class: 'healthy',
  description: 'Everything healthy: budapp revision 42 six days old, PostgreSQL primary, Keycloak, CoreDNS, both model servers serving.',
  build: (now) => finish(platform(now)),
  expect: NOTHING_WRONG(),
};

const healthyRollout: CorpusCase = {
  id: 'healthy-rollout-4m',
  class: 'confounder',
  description: 'A healthy rollout of budapp 4 minutes ago: revision 43 ReplicaSet with all new pods Ready, revision 42 scaled to 0.',
  build: (now) => {
    const at = before(now, 4 * MIN + 6 * SEC);
    const c = platform(now, {
      apps: {
        budapp: () => [
          { revision: 41, created: before(now, 23 * DAY), tag: '3.18.4', pods: [] },
          { revision: 42, created: before(now, 6 * DAY + 3 * HOUR), tag: BUDAPP_TAG, pods: [], replicas: 0 },
          {
            revision: 43,
            created: at,
            tag: '3.19.1',
            pods: [
              { node: 'worker-1', created: after(at, 1 * SEC), main: { state: 'running', startedAt: after(at, 10 * SEC) } },
              { node: 'worker-3', created: after(at, 1 * SEC), main: { state: 'running', startedAt: after(at, 12 * SEC) } },
            ],
          },
        ],
      },
    });
    const newRs = rsNameOf('budapp', 43);
    const oldRs = rsNameOf('budapp', 42);
    const oldPods = [0, 1].map((i) => podNameOf('budapp', 42, i));
    scaling(c, 'budapp', `Scaled up replica set ${newRs} to 1`, at);
    scaling(c, 'budapp', `Scaled down replica set ${oldRs} to 1 from 2`, after(at, 0));
    scaling(c, 'budapp', `Scaled up replica set ${newRs} to 2 from 1`, after(at, 1 * SEC));
    scaling(c, 'budapp', `Scaled down replica set ${oldRs} to 0 from 1`, after(at, 29 * SEC));
    rsDeleted(c, oldRs, oldPods[1]!, at);
    rsDeleted(c, oldRs, oldPods[0]!, after(at, 29 * SEC));
    killing(c, oldPods[1]!, 'worker-2', at, ['budapp', 'daprd']);
    killing(c, oldPods[0]!, 'worker-1', after(at, 29 * SEC), ['budapp', 'daprd']);
    for (const [i, n] of ['worker-1', 'worker-3'].entries()) {
      const p = podNameOf('budapp', 43, i);
      rsCreated(c, newRs, p, after(at, i * SEC));
      podStartEvents(c, {
        pod: p,
        node: n,
        created: after(at, 1 * SEC),
        image: `${BUDAPP_IMAGE}:3.19.1`,
        pulled: true,
        pullSeconds: 6.4 + i,
      });
      const ip = c.pod('bud-system', p).status.podIP as string;
      unhealthy(c, {
        pod: p,
        node: n,
        probe: 'Readiness',
        message: `Get "http://${ip}:9082/health": dial tcp ${ip}:9082: connect: connection refused`,
        first: after(at, 13 * SEC),
        last: after(at, 13 * SEC),
        count: 1,
      });
    }
    return finish(c);
  },
  expect: NOTHING_WRONG(['bad-deployment', 'app-crash']),
};

const oldRestarts: CorpusCase = {
  id: 'old-restarts-5d',
  class: 'confounder',
  description: 'budapp pods with 14 and 13 restarts (OOMKilled) that stopped 5 days ago; Running and Ready ever since.',
  build: (now) => finish(platform(now, { budapp: { age: 9 * DAY + 2 * HOUR, restarts: 14 } })),
  expect: NOTHING_WRONG(['app-crash', 'database-oom', 'bad-deployment']),
};

const staleWarnings: CorpusCase = {
  id: 'stale-warning-events',
  class: 'confounder',
  description:
    'Warning events from 2.5–4 hours ago (BackOff, Unhealthy, FailedMount) on budapp and budgateway pods that recovered and have been Running and Ready since (event-ttl is 24h on this cluster).',
  build: (now) => {
    const trouble = before(now, 3 * HOUR + 12 * MIN);
    const recovered = before(now, 2 * HOUR + 58 * MIN);
    const c = platform(now, {
      apps: {
        budapp: () =>
          steady(c0(now), {
            revision: 42,
            age: 6 * DAY + 3 * HOUR,
            tag: BUDAPP_TAG,
            nodes: PLACEMENT.budapp!,
            pods: PLACEMENT.budapp!.map((_, i) => ({
              main: {
                state: 'running' as const,
                startedAt: after(recovered, i * 37 * SEC),
                restarts: 3 - i,
                last: { exitCode: 1, reason: 'Error', startedAt: before(recovered, 25 * SEC), finishedAt: before(recovered, 19 * SEC) },
              },
            })),
          }),
      },
    });
    for (const [i, n] of PLACEMENT.budapp!.entries()) {
      const p = podNameOf('budapp', 42, i);
      unhealthy(c, {
        pod: p,
        node: n,
        probe: 'Readiness',
        message: 'HTTP probe failed with statuscode: 503',
        first: trouble,
        last: before(recovered, 40 * SEC),
        count: 61 - i * 7,
      });
      c.event({
        involved: { kind: 'Pod', name: p, namespace: 'bud-system', fieldPath: 'spec.containers{budapp}' },
        type: 'Warning',
        reason: 'BackOff',
        message: `Back-off restarting failed container budapp in pod ${p}_bud-system(${uid(`pod:bud-system/${p}`)})`,
        first: after(trouble, 4 * MIN),
        last: before(recovered, 30 * SEC),
        count: 7 - i,
        component: 'kubelet',
        host: n,
      });
    }
    const gwPod = c.podsOf('bud-system', 'budgateway-')[0]!;
    c.event({
      involved: { kind: 'Pod', name: gwPod.metadata.name, namespace: 'bud-system' },
      type: 'Warning',
      reason: 'FailedMount',
      message: `MountVolume.SetUp failed for volume "${gwPod.spec.volumes.find((v: Obj) => v.name.startsWith('kube-api-access-')).name}" : object "bud-system"/"kube-root-ca.crt" not registered`,
      first: before(now, 4 * HOUR + 2 * MIN),
      last: before(now, 4 * HOUR + 1 * MIN),
      count: 2,
      component: 'kubelet',
      host: 'worker-2',
    });
    return finish(c);
  },
  expect: NOTHING_WRONG(['app-crash', 'overload', 'database-down']),
};

/** A throwaway cluster for helpers that only need `now` (steady() reads c.now). */
function c0(now: Date): Cluster {
  return new Cluster(now);
}

const rolloutInProgress: CorpusCase = {
  id: 'rollout-in-progress',
  class: 'confounder',
  description:
    'A rollout in progress (maxUnavailable 0): one new budapp pod Ready, the second new pod ContainerCreating 20 s old (pulling the image), two old pods Ready and one old pod Terminating.',
  build: (now) => {
    const at = before(now, 71 * SEC);
    const second = before(now, 20 * SEC);
    const c = platform(now, {
      defs: { budapp: { replicas: 3, strategy: { maxSurge: 1, maxUnavailable: 0 } } },
      apps: {
        budapp: () => [
          { revision: 41, created: before(now, 23 * DAY), tag: '3.18.4', pods: [] },
          {
            revision: 42,
            created: before(now, 6 * DAY + 3 * HOUR),
            tag: BUDAPP_TAG,
            replicas: 2,
            pods: [
              { node: 'worker-1' },
              { node: 'worker-2' },
              {
                node: 'worker-3',
                deletion: { at: before(now, 21 * SEC), graceSeconds: 30 },
                main: { state: 'running', startedAt: before(now, 6 * DAY + 3 * HOUR - 55 * SEC), ready: false },
                readyTransition: before(now, 20 * SEC),
              },
            ],
          },
          {
            revision: 43,
            created: at,
            tag: '3.19.1',
            pods: [
              {
                node: 'worker-2',
                created: after(at, 1 * SEC),
                main: { state: 'running', startedAt: after(at, 11 * SEC) },
                readyTransition: after(at, 42 * SEC),
              },
              {
                node: 'worker-3',
                created: second,
                main: { state: 'waiting', reason: 'ContainerCreating' },
                sidecar: { state: 'waiting', reason: 'ContainerCreating' },
              },
            ],
          },
        ],
      },
    });
    const newRs = rsNameOf('budapp', 43);
    const oldRs = rsNameOf('budapp', 42);
    scaling(c, 'budapp', `Scaled up replica set ${newRs} to 1`, at);
    scaling(c, 'budapp', `Scaled down replica set ${oldRs} to 2 from 3`, before(now, 21 * SEC));
    scaling(c, 'budapp', `Scaled up replica set ${newRs} to 2 from 1`, before(now, 21 * SEC));
    const p0 = podNameOf('budapp', 43, 0);
    const p1 = podNameOf('budapp', 43, 1);
    rsCreated(c, newRs, p0, at);
    rsCreated(c, newRs, p1, second);
    rsDeleted(c, oldRs, podNameOf('budapp', 42, 2), before(now, 21 * SEC));
    killing(c, podNameOf('budapp', 42, 2), 'worker-3', before(now, 21 * SEC), ['budapp', 'daprd']);
    podStartEvents(c, {
      pod: p0,
      node: 'worker-2',
      created: after(at, 1 * SEC),
      image: `${BUDAPP_IMAGE}:3.19.1`,
      pulled: true,
      pullSeconds: 7.9,
    });
    c.events.push(
      schedulerEvent({
        pod: { name: p1, namespace: 'bud-system' },
        reason: 'Scheduled',
        message: `Successfully assigned bud-system/${p1} to worker-3`,
        first: second,
      }),
    );
    c.event({
      involved: { kind: 'Pod', name: p1, namespace: 'bud-system', fieldPath: 'spec.containers{budapp}' },
      reason: 'Pulling',
      message: `Pulling image "${BUDAPP_IMAGE}:3.19.1"`,
      first: after(second, 2 * SEC),
      component: 'kubelet',
      host: 'worker-3',
    });
    return finish(c);
  },
  expect: NOTHING_WRONG(['bad-deployment', 'image-pull']),
};

const leftovers: CorpusCase = {
  id: 'completed-job-and-old-evicted-pod',
  class: 'confounder',
  description:
    'A Completed migration Job pod from the revision-42 upgrade (6 days ago) and a budapp pod Evicted 3 days ago for ephemeral storage lying around; its replacement and everything else Running and Ready.',
  build: (now) => {
    const rev = before(now, 6 * DAY + 3 * HOUR);
    const evictedAt = before(now, 3 * DAY + 7 * HOUR);
    const c = platform(now, {
      nodes: { 'worker-2': { diskPressureClearedAt: after(evictedAt, 3 * MIN) } },
      apps: {
        budapp: () => [
          { revision: 41, created: before(now, 23 * DAY), tag: '3.18.4', pods: [] },
          {
            revision: 42,
            created: rev,
            tag: BUDAPP_TAG,
            pods: [
              { node: 'worker-1', created: after(rev, 2 * SEC) },
              {
                node: 'worker-2',
                created: after(rev, 25 * SEC),
                phase: 'Failed',
                reason: 'Evicted',
                message:
                  'The node was low on resource: ephemeral-storage. Threshold quantity: 19994439034, available: 19310316Ki. Container budapp was using 11869480Ki, request is 0, has larger consumption of ephemeral-storage. ',
                main: {
                  state: 'terminated',
                  term: {
                    exitCode: 137,
                    reason: 'ContainerStatusUnknown',
                    message: 'The container could not be located when the pod was terminated',
                    startedAt: after(rev, 33 * SEC),
                    finishedAt: evictedAt,
                  },
                },
                sidecar: {
                  state: 'terminated',
                  term: {
                    exitCode: 137,
                    reason: 'ContainerStatusUnknown',
                    message: 'The container could not be located when the pod was terminated',
                    startedAt: after(rev, 31 * SEC),
                    finishedAt: evictedAt,
                  },
                },
                extraConditions: [
                  {
                    type: 'DisruptionTarget',
                    status: 'True',
                    reason: 'TerminationByKubelet',
                    message:
                      'The node was low on resource: ephemeral-storage. Threshold quantity: 19994439034, available: 19310316Ki. Container budapp was using 11869480Ki, request is 0, has larger consumption of ephemeral-storage. ',
                    lastProbeTime: null,
                    lastTransitionTime: iso(evictedAt),
                  },
                ],
              },
              { node: 'worker-2', created: after(evictedAt, 2 * SEC) },
            ],
          },
        ],
      },
    });
    migrationJob(c, rev);
    return finish(c);
  },
  expect: NOTHING_WRONG(['node-pressure', 'app-crash', 'bad-deployment']),
};

/** The Helm pre-upgrade hook Job budapp-migrate-42 and its Completed pod. */
function migrationJob(c: Cluster, rev: Date): void {
  const created = before(rev, 2 * MIN + 14 * SEC);
  const jobUid = uid('Job:bud-system/budapp-migrate-42');
  const name = `budapp-migrate-42-${safe('migrate42', 5)}`;
  const started = after(created, 9 * SEC);
  const finished = after(started, 41 * SEC);
  const labels = {
    'batch.kubernetes.io/controller-uid': jobUid,
    'batch.kubernetes.io/job-name': 'budapp-migrate-42',
    'controller-uid': jobUid,
    'job-name': 'budapp-migrate-42',
    'app.kubernetes.io/name': 'budapp-migrate',
    'app.kubernetes.io/instance': 'bud',
  };
  const podObj = {
    ...podFor(
      c,
      'bud-system',
      name,
      labels,
      { apiVersion: 'batch/v1', kind: 'Job', name: 'budapp-migrate-42', uid: jobUid },
      created,
      'worker-3',
      [
        {
          name: 'migrate',
          image: `${BUDAPP_IMAGE}:${BUDAPP_TAG}`,
          command: ['alembic', '-c', '/app/budapp/alembic.ini', 'upgrade', 'head'],
          run: { state: 'terminated', term: { exitCode: 0, reason: 'Completed', startedAt: started, finishedAt: finished } },
        },
      ],
      'Never',
    ),
  };
  c.pods.push(podObj);
  c.logs[`bud-system/${name}/migrate`] = joinLines([
    `INFO  [alembic.runtime.migration] Context impl PostgresqlImpl.`,
    `INFO  [alembic.runtime.migration] Will assume transactional DDL.`,
    `INFO  [alembic.runtime.migration] Running upgrade 8c1f4e2a9b7d -> 3e5a7d91c0f4, add endpoint autoscale settings`,
    `INFO  [alembic.runtime.migration] Running upgrade 3e5a7d91c0f4 -> a04b6e2f19c3, index project_id on endpoint`,
  ]);
  c.jobs.push({
    metadata: {
      name: 'budapp-migrate-42',
      namespace: 'bud-system',
      uid: jobUid,
      creationTimestamp: iso(created),
      generation: 1,
      labels: { 'app.kubernetes.io/name': 'budapp-migrate', 'app.kubernetes.io/instance': 'bud', 'app.kubernetes.io/managed-by': 'Helm' },
      annotations: { 'helm.sh/hook': 'pre-upgrade', 'helm.sh/hook-delete-policy': 'before-hook-creation', 'helm.sh/hook-weight': '-5' },
    },
    spec: {
      parallelism: 1,
      completions: 1,
      backoffLimit: 3,
      completionMode: 'NonIndexed',
      suspend: false,
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': jobUid } },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'migrate', image: `${BUDAPP_IMAGE}:${BUDAPP_TAG}` }], restartPolicy: 'Never' },
      },
    },
    status: {
      startTime: iso(created),
      completionTime: iso(after(finished, 2 * SEC)),
      succeeded: 1,
      ready: 0,
      terminating: 0,
      uncountedTerminatedPods: {},
      conditions: [
        {
          type: 'SuccessCriteriaMet',
          status: 'True',
          lastProbeTime: iso(after(finished, 2 * SEC)),
          lastTransitionTime: iso(after(finished, 2 * SEC)),
        },
        {
          type: 'Complete',
          status: 'True',
          lastProbeTime: iso(after(finished, 2 * SEC)),
          lastTransitionTime: iso(after(finished, 2 * SEC)),
        },
      ],
    },
  });
}

function podFor(
  c: Cluster,
  namespace: string,
  name: string,
  labels: Record<string, string>,
  owner: { apiVersion: string; kind: string; name: string; uid: string },
  created: Date,
  nodeName: string,
  containers: Parameters<typeof podObject>[0]['containers'],
  restartPolicy: 'Always' | 'Never' = 'Always',
): Obj {
  return podObject({
    namespace,
    name,
    labels,
    owner,
    created,
    node: nodeName,
    nodeIP: c.nodeIP(nodeName),
    podIP: c.podIP(nodeName),
    containers,
    restartPolicy,
    serviceAccountName: 'budapp',
  });
}

const maintenanceNodes: CorpusCase = {
  id: 'old-node-and-cordoned-node',
  class: 'confounder',
  description:
    'worker-1 is 870 days old (DiskPressure=False, Ready), and worker-4 was cordoned 52 minutes ago for a kernel upgrade with nothing scheduled on it.',
  build: (now) => {
    const c = platform(now, {
      nodes: {
        'cp-1': { created: before(now, 871 * DAY) },
        'worker-1': { created: before(now, 870 * DAY + 5 * HOUR), kernelVersion: '5.15.0-89-generic', osImage: 'Ubuntu 22.04.3 LTS' },
      },
      extraNodes: [
        {
          name: 'worker-4',
          role: 'worker',
          index: 4,
          created: before(now, 214 * DAY),
          readySince: before(now, 41 * DAY),
          cordonedAt: before(now, 52 * MIN),
          annotations: { 'bud.example/maintenance': 'CHG-4471 kernel 6.8 upgrade (cordoned by ops)' },
        },
      ],
    });
    c.event({
      involved: { kind: 'Node', name: 'worker-4' },
      reason: 'NodeNotSchedulable',
      message: 'Node worker-4 status is now: NodeNotSchedulable',
      first: before(now, 52 * MIN),
      component: 'kubelet',
      host: 'worker-4',
    });
    return finish(c);
  },
  expect: NOTHING_WRONG(['node-lost', 'node-pressure']),
};

// ---------------------------------------------------------------------------------------------
// Failures: bud-system

/** budapp rolled out as `revision` `ago`, whose new pods fail in `newPods`; one pod of the previous revision still serves. */
function brokenRollout(
  now: Date,
  o: { revision: number; ago: number; tag: string; envConfigMap?: string; newPods: (created: Date, i: number) => PodPlan },
): { c: Cluster; newPods: string[]; newRs: string; oldRs: string } {
  const at = before(now, o.ago);
  const prev = o.revision - 1;
  const c = platform(now, {
    apps: {
      budapp: () => [
        { revision: prev - 1, created: before(now, 23 * DAY), tag: '3.18.4', pods: [] },
        { revision: prev, created: before(now, 6 * DAY + 3 * HOUR), tag: BUDAPP_TAG, replicas: 1, pods: [{ node: 'worker-1' }] },
        {
          revision: o.revision,
          created: at,
          tag: o.tag,
          ...(o.envConfigMap ? { envConfigMap: o.envConfigMap } : {}),
          pods: [0, 1].map((i) => ({
            node: i === 0 ? 'worker-2' : 'worker-3',
            created: after(at, (1 + i) * SEC),
            ...o.newPods(after(at, (1 + i) * SEC), i),
          })),
        },
      ],
    },
  });
  const newRs = rsNameOf('budapp', o.revision);
  const oldRs = rsNameOf('budapp', prev);
  scaling(c, 'budapp', `Scaled up replica set ${newRs} to 1`, at);
  scaling(c, 'budapp', `Scaled down replica set ${oldRs} to 1 from 2`, at);
  scaling(c, 'budapp', `Scaled up replica set ${newRs} to 2 from 1`, after(at, 1 * SEC));
  const oldGone = `${oldRs}-${safe(`${oldRs}/1`, 5)}`;
  rsDeleted(c, oldRs, oldGone, at);
  killing(c, oldGone, 'worker-2', at, ['budapp', 'daprd']);
  const newPods = [0, 1].map((i) => podNameOf('budapp', o.revision, i));
  newPods.forEach((p, i) => rsCreated(c, newRs, p, after(at, i * SEC)));
  return { c, newPods, newRs, oldRs };
}

const badDeployment: CorpusCase = {
  id: 'bad-deployment-importerror',
  class: 'failure',
  description:
    'budapp revision 43 (3.20.0), rolled out 12 minutes ago, crash-loops on an ImportError at startup; revision 42 still has one Ready pod serving.',
  build: (now) => {
    const attempts: Attempt[][] = [];
    const { c, newPods } = brokenRollout(now, {
      revision: 43,
      ago: 12 * MIN,
      tag: '3.20.0',
      newPods: (created, i) => {
        const loop = (pod: string) => {
          const l = crashLoop({
            since: after(created, (9 + i) * SEC),
            now,
            runSeconds: 3.4,
            exitCode: 1,
            reason: 'Error',
            pod,
            namespace: 'bud-system',
            container: 'budapp',
          });
          attempts[i] = l.attempts;
          return l.run;
        };
        return {
          main: loop,
          sidecar: { state: 'running', startedAt: after(created, 8 * SEC), ready: false },
          makeLogs: (pod, ctx) => ({
            ...crashLogs('budapp', attempts[i]!, now, (a) => importErrorLog(a)),
            daprd: daprd({ ...ctx, startedAt: after(created, 8 * SEC) }, 'budapp', 9082, [
              `time="${stamp.rfc(after(created, 38 * SEC))}" level=info msg="application protocol: http. waiting on port 9082.  This will block until the app is listening on that port." app_id=budapp instance=${pod} scope=dapr.runtime type=log ver=1.14.4`,
            ]),
          }),
        };
      },
    });
    newPods.forEach((p, i) => {
      const node = i === 0 ? 'worker-2' : 'worker-3';
      podStartEvents(c, {
        pod: p,
        node,
        created: after(before(now, 12 * MIN), (1 + i) * SEC),
        image: `${BUDAPP_IMAGE}:3.20.0`,
        pulled: true,
        pullSeconds: 8.1,
        containers: ['daprd'],
      });
      const involved = { kind: 'Pod', name: p, namespace: 'bud-system', fieldPath: 'spec.containers{budapp}' };
      const created = after(before(now, 12 * MIN), (1 + i) * SEC);
      c.event({
        involved,
        reason: 'Pulling',
        message: `Pulling image "${BUDAPP_IMAGE}:3.20.0"`,
        first: after(created, 1 * SEC),
        component: 'kubelet',
        host: node,
      });
      c.event({
        involved,
        reason: 'Pulled',
        message: `Successfully pulled image "${BUDAPP_IMAGE}:3.20.0" in 7.812s (7.812s including waiting). Image size: 413002215 bytes.`,
        first: after(created, 8 * SEC),
        component: 'kubelet',
        host: node,
      });
      crashEvents(c, {
        namespace: 'bud-system',
        pod: p,
        container: 'budapp',
        node,
        image: `${BUDAPP_IMAGE}:3.20.0`,
        attempts: attempts[i]!,
      });
    });
    return finish(c);
  },
  expect: {
    runbook: 'sev2-response',
    causes: ['bad-deployment'],
    notCauses: ['database-down', 'node-lost', 'node-pressure', 'bad-config', 'image-pull', 'database-credentials'],
    mitigationsAllowed: ['rollback'],
    mitigationsForbidden: allBut('rollback', 'control-plane-escalation'),
  },
};

const CONFIG_FATAL = 'FATAL config: /etc/bud/config.yaml: yaml: line 14: did not find expected key';

const badConfig: CorpusCase = {
  id: 'bad-config-push',
  class: 'failure',
  description:
    'The budapp-config ConfigMap was edited in place 14 minutes ago (kubectl edit) with a broken YAML line 14; both budapp pods reloaded it and now crash-loop with "FATAL config: ... did not find expected key". No rollout: revision 42 is 6 days old.',
  build: (now) => {
    const edited = before(now, 14 * MIN + 10 * SEC);
    const revAt = before(now, 6 * DAY + 3 * HOUR);
    const lines = BUDAPP_CONFIG.split('\n');
    lines[13] = ' realm: bud-prod';
    const attempts: Attempt[][] = [];
    const c = platform(now, {
      budappConfig: { data: lines.join('\n'), editedAt: edited },
      apps: {
        budapp: () =>
          steady(c0(now), { revision: 42, age: 6 * DAY + 3 * HOUR, tag: BUDAPP_TAG, nodes: PLACEMENT.budapp! }).map((r) =>
            r.revision !== 42
              ? r
              : {
                  ...r,
                  pods: r.pods.map((p, i) => {
                    const start = after(revAt, (9 + i * 23) * SEC);
                    const reload = after(edited, (68 + i * 11) * SEC);
                    return {
                      ...p,
                      main: (pod: string) => {
                        const l = crashLoop({
                          since: start,
                          now,
                          runSeconds: (k) => (k === 0 ? (reload.getTime() - start.getTime()) / SEC : 1.9),
                          exitCode: 1,
                          reason: 'Error',
                          pod,
                          namespace: 'bud-system',
                          container: 'budapp',
                        });
                        attempts[i] = l.attempts;
                        return l.run;
                      },
                      sidecar: { state: 'running', startedAt: after(revAt, (8 + i * 23) * SEC), ready: true },
                      makeLogs: (_pod: string, ctx: LogCtx) =>
                        crashLogs('budapp', attempts[i]!, now, (a, k) =>
                          k === 0
                            ? pyHealthy({ ...ctx, startedAt: a.start, endedAt: a.end }, 'budapp', 9082).trimEnd() +
                              `\n${stamp.py(before(a.end, 300))} INFO     [budapp.commons.config] Configuration file /etc/bud/config.yaml changed, reloading\n${stamp.py(before(a.end, 120))} CRITICAL [budapp.commons.config] ${CONFIG_FATAL}\n`
                            : joinLines([
                                `${stamp.py(after(a.start, 410))} INFO     [budapp.main] Starting budapp ${BUDAPP_TAG} (chart revision 42)`,
                                `${stamp.py(after(a.start, 1390))} CRITICAL [budapp.commons.config] ${CONFIG_FATAL}`,
                              ]),
                        ),
                    };
                  }),
                },
          ),
      },
    });
    PLACEMENT.budapp!.forEach((n, i) =>
      crashEvents(c, {
        namespace: 'bud-system',
        pod: podNameOf('budapp', 42, i),
        container: 'budapp',
        node: n,
        image: `${BUDAPP_IMAGE}:${BUDAPP_TAG}`,
        attempts: attempts[i]!.slice(1),
      }),
    );
    return finish(c, { platformApi: { status: 503 } });
  },
  expect: {
    runbook: 'platform-outage',
    causes: ['bad-config'],
    notCauses: ['bad-deployment', 'database-down', 'node-lost', 'image-pull', 'database-credentials'],
    mitigationsAllowed: ['revert-config'],
    mitigationsForbidden: allBut('revert-config', 'control-plane-escalation'),
  },
};

const missingConfigMap: CorpusCase = {
  id: 'missing-configmap',
  class: 'failure',
  description:
    'budapp revision 44 (3.20.1), rolled out 8 minutes ago, references ConfigMap "budapp-feature-flags" that does not exist: its pods sit in CreateContainerConfigError; one revision-43 pod still serves.',
  build: (now) => {
    const missing = 'budapp-feature-flags';
    const { c, newPods } = brokenRollout(now, {
      revision: 44,
      ago: 8 * MIN,
      tag: '3.20.1',
      envConfigMap: missing,
      newPods: (created) => ({
        main: { state: 'waiting', reason: 'CreateContainerConfigError', message: `configmap "${missing}" not found` },
        sidecar: { state: 'running', startedAt: after(created, 9 * SEC), ready: false },
      }),
    });
    newPods.forEach((p, i) => {
      const node = i === 0 ? 'worker-2' : 'worker-3';
      const created = after(before(now, 8 * MIN), (1 + i) * SEC);
      const involved = { kind: 'Pod', name: p, namespace: 'bud-system', fieldPath: 'spec.containers{budapp}' };
      c.events.push(
        schedulerEvent({
          pod: { name: p, namespace: 'bud-system' },
          reason: 'Scheduled',
          message: `Successfully assigned bud-system/${p} to ${node}`,
          first: created,
        }),
      );
      c.event({
        involved,
        reason: 'Pulling',
        message: `Pulling image "${BUDAPP_IMAGE}:3.20.1"`,
        first: after(created, 1 * SEC),
        component: 'kubelet',
        host: node,
      });
      c.event({
        involved,
        reason: 'Pulled',
        message: `Successfully pulled image "${BUDAPP_IMAGE}:3.20.1" in 7.214s (7.214s including waiting). Image size: 412911340 bytes.`,
        first: after(created, 8 * SEC),
        component: 'kubelet',
        host: node,
      });
      c.event({
        involved,
        reason: 'Pulled',
        message: `Container image "${BUDAPP_IMAGE}:3.20.1" already present on machine`,
        first: after(created, 20 * SEC),
        last: before(now, 9 * SEC),
        count: 37 - i * 2,
        component: 'kubelet',
        host: node,
      });
      c.event({
        involved,
        type: 'Warning',
        reason: 'Failed',
        message: `Error: configmap "${missing}" not found`,
        first: after(created, 8 * SEC),
        last: before(now, 9 * SEC),
        count: 38 - i * 2,
        component: 'kubelet',
        host: node,
      });
    });
    return finish(c);
  },
  expect: {
    runbook: 'sev2-response',
    causes: ['bad-deployment'],
    notCauses: ['image-pull', 'database-down', 'node-lost', 'node-pressure'],
    mitigationsAllowed: ['rollback', 'revert-config'],
    mitigationsForbidden: allBut('rollback', 'revert-config', 'control-plane-escalation'),
  },
};

const imagePull: CorpusCase = {
  id: 'image-tag-typo',
  class: 'failure',
  description:
    'budapp revision 43, rolled out 6 minutes ago, has the image tag typo "3.20.O": ErrImagePull / ImagePullBackOff (not found in the registry); one revision-42 pod still serves.',
  build: (now) => {
    const image = `${BUDAPP_IMAGE}:3.20.O`;
    const pullError = `failed to pull and unpack image "${image}": failed to resolve reference "${image}": ${image}: not found`;
    const { c, newPods } = brokenRollout(now, {
      revision: 43,
      ago: 6 * MIN,
      tag: '3.20.O',
      newPods: (created, i) => ({
        main:
          i === 0
            ? { state: 'waiting', reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` }
            : { state: 'waiting', reason: 'ErrImagePull', message: `rpc error: code = NotFound desc = ${pullError}` },
        sidecar: { state: 'running', startedAt: after(created, 5 * SEC), ready: false },
      }),
    });
    newPods.forEach((p, i) => {
      const node = i === 0 ? 'worker-2' : 'worker-3';
      const created = after(before(now, 6 * MIN), (1 + i) * SEC);
      const involved = { kind: 'Pod', name: p, namespace: 'bud-system', fieldPath: 'spec.containers{budapp}' };
      c.events.push(
        schedulerEvent({
          pod: { name: p, namespace: 'bud-system' },
          reason: 'Scheduled',
          message: `Successfully assigned bud-system/${p} to ${node}`,
          first: created,
        }),
      );
      const last = before(now, (31 - i * 25) * SEC);
      c.event({
        involved,
        reason: 'Pulling',
        message: `Pulling image "${image}"`,
        first: after(created, 1 * SEC),
        last,
        count: 6,
        component: 'kubelet',
        host: node,
      });
      c.event({
        involved,
        type: 'Warning',
        reason: 'Failed',
        message: `Failed to pull image "${image}": ${pullError}`,
        first: after(created, 2 * SEC),
        last: after(last, 400),
        count: 6,
        component: 'kubelet',
        host: node,
      });
      c.event({
        involved,
        type: 'Warning',
        reason: 'Failed',
        message: 'Error: ErrImagePull',
        first: after(created, 2 * SEC),
        last: after(last, 400),
        count: 6,
        component: 'kubelet',
        host: node,
      });
      c.event({
        involved,
        reason: 'BackOff',
        message: `Back-off pulling image "${image}"`,
        first: after(created, 3 * SEC),
        last: before(now, 4 * SEC),
        count: 23 - i,
        component: 'kubelet',
        host: node,
      });
      c.event({
        involved,
        type: 'Warning',
        reason: 'Failed',
        message: 'Error: ImagePullBackOff',
        first: after(created, 3 * SEC),
        last: before(now, 4 * SEC),
        count: 23 - i,
        component: 'kubelet',
        host: node,
      });
    });
    return finish(c);
  },
  expect: {
    runbook: 'sev2-response',
    causes: ['image-pull'],
    notCauses: ['database-down', 'node-lost', 'node-pressure', 'bad-config', 'app-crash'],
    mitigationsAllowed: ['rollback'],
    mitigationsForbidden: allBut('rollback', 'control-plane-escalation'),
  },
};

// ---------------------------------------------------------------------------------------------
// Failures: PostgreSQL

/** The primary's long first run (23 days) ending at `firstCrash`, then quick crash-loop attempts. */
function pgLoop(
  now: Date,
  firstCrash: Date,
  runSeconds: number | ((k: number) => number),
  exitCode: number,
  reason: string,
  pod = 'postgresql-0',
) {
  const start = before(now, 23 * DAY + 2 * HOUR - 3 * MIN - 9 * SEC);
  const run = typeof runSeconds === 'number' ? () => runSeconds : runSeconds;
  return crashLoop({
    since: start,
    now,
    runSeconds: (k) => (k === 0 ? (firstCrash.getTime() - start.getTime()) / SEC : run(k)),
    exitCode,
    reason,
    pod,
    namespace: 'bud-data',
    container: 'postgresql',
  });
}

/** The log context of one instance of a container. */
function at(ctx: LogCtx, a: Attempt): LogCtx {
  return { ...ctx, startedAt: a.start, endedAt: a.end };
}

/** Keycloak up, then warnings from its connection pool since `since`. */
function keycloakDbWarnings(ctx: LogCtx, since: Date, what: string): Record<string, string> {
  const lines: string[] = [];
  for (let t = since.getTime() + 20 * SEC; t < ctx.now.getTime() && lines.length < 12; t += 97 * SEC)
    lines.push(`${kcStamp(new Date(t))} WARN  [io.agroal.pool] (agroal-11) Datasource '<default>': ${what}`);
  return { keycloak: keycloakUp(ctx) + joinLines(lines) };
}

function keycloakUp(ctx: LogCtx): string {
  return joinLines([
    ...keycloakStartup(ctx),
    `${kcStamp(after(ctx.startedAt, 11890))} INFO  [io.quarkus] (main) Keycloak 25.0.6 on JVM (powered by Quarkus 3.8.5) started in 11.742s. Listening on: http://0.0.0.0:8080. Management interface listening on http://0.0.0.0:9000.`,
  ]);
}

const pgVolumeFull: CorpusCase = {
  id: 'postgres-volume-full',
  class: 'failure',
  description:
    'PostgreSQL\'s 50Gi volume is full: postgresql-0 PANICs "could not write to file "pg_wal/xlogtemp.123": No space left on device" and crash-loops since 22 minutes; budapp is up but not Ready, logging "Connection refused".',
  build: (now) => {
    const crash = before(now, 22 * MIN + 17 * SEC);
    const c0_ = new Cluster(now);
    const loop = pgLoop(now, crash, 3.1, 1, 'Error');
    const c = platform(now, {
      apps: { budapp: budappWithoutDb(c0_, crash, REFUSED) },
      postgres: {
        primary: {
          main: loop.run,
          makeLogs: (_pod, pctx) =>
            crashLogs('postgresql', loop.attempts, now, (a, k) => {
              const ctx = at(pctx, a);
              if (k === 0)
                return (
                  pgHealthy(ctx, 'primary').trimEnd() +
                  '\n' +
                  joinLines([
                    pgLine(ctx, before(a.end, 2400), 2817, 'ERROR', 'could not extend file "base/16384/24719.3": No space left on device'),
                    pgLine(ctx, before(a.end, 2400), 2817, 'HINT', 'Check free disk space.'),
                    pgLine(
                      ctx,
                      before(a.end, 2399),
                      2817,
                      'STATEMENT',
                      'INSERT INTO endpoint_metrics (id, endpoint_id, ts, tokens_in, tokens_out) VALUES ($1, $2, $3, $4, $5)',
                    ),
                    pgLine(ctx, before(a.end, 40), 109, 'PANIC', 'could not write to file "pg_wal/xlogtemp.109": No space left on device'),
                    pgLine(ctx, before(a.end, 20), 1, 'LOG', 'WAL writer process (PID 109) was terminated by signal 6: Aborted'),
                    pgLine(ctx, before(a.end, 19), 1, 'LOG', 'terminating any other active server processes'),
                    pgLine(ctx, before(a.end, 10), 1, 'LOG', 'all server processes terminated; reinitializing'),
                    pgLine(
                      ctx,
                      before(a.end, 5),
                      123,
                      'LOG',
                      'database system was interrupted; last known up at ' + stamp.pg(before(a.end, 4 * MIN)),
                    ),
                    pgLine(ctx, before(a.end, 2), 123, 'PANIC', 'could not write to file "pg_wal/xlogtemp.123": No space left on device'),
                    pgLine(ctx, a.end, 1, 'LOG', 'startup process (PID 123) was terminated by signal 6: Aborted'),
                  ])
                );
              const { lines } = pgServerStart(ctx, 'crash', { lastKnownUp: before(crash, 3 * MIN + 12 * SEC), startupPid: 123 });
              return joinLines([
                ...lines,
                pgLine(
                  ctx,
                  before(a.end, 900),
                  123,
                  'LOG',
                  'redo done at 2A/FFFFFF40 system usage: CPU: user: 0.41 s, system: 0.22 s, elapsed: 0.97 s',
                ),
                pgLine(ctx, before(a.end, 300), 123, 'PANIC', 'could not write to file "pg_wal/xlogtemp.123": No space left on device'),
                pgLine(ctx, before(a.end, 120), 1, 'LOG', 'startup process (PID 123) was terminated by signal 6: Aborted'),
                pgLine(ctx, before(a.end, 119), 1, 'LOG', 'aborting startup due to startup process failure'),
                pgLine(ctx, a.end, 1, 'LOG', 'database system is shut down'),
              ]);
            }),
        },
      },
      keycloak: {
        pods: [
          {
            node: 'worker-1',
            created: before(now, 23 * DAY + 4 * HOUR - 1 * MIN),
            makeLogs: (_pod, ctx) =>
              keycloakDbWarnings(ctx, crash, 'IJ031084: Unable to create connection: Connection to postgresql.bud-data.svc:5432 refused.'),
          },
        ],
      },
    });
    crashEvents(c, {
      namespace: 'bud-data',
      pod: 'postgresql-0',
      container: 'postgresql',
      node: 'worker-3',
      image: 'docker.io/bitnami/postgresql:16.4.0-debian-12-r14',
      attempts: loop.attempts.slice(1),
    });
    budappDbUnhealthyEvents(c, crash);
    return finish(c, { platformApi: { status: 503 } });
  },
  expect: {
    runbook: 'database-failure',
    causes: ['database-storage'],
    notCauses: ['database-corruption', 'database-oom', 'database-credentials', 'bad-deployment', 'dns-failure', 'node-pressure'],
    mitigationsAllowed: ['grow-volume'],
    mitigationsForbidden: allBut('grow-volume', 'control-plane-escalation'),
  },
};

const pgWalCorruption: CorpusCase = {
  id: 'postgres-wal-corruption',
  class: 'failure',
  description:
    'worker-3 rebooted 34 minutes ago; since then postgresql-0 crash-loops with "PANIC: could not locate a valid checkpoint record"; the streaming replica postgresql-1 on worker-1 is Running and Ready (read-only) but cannot reach its primary; budapp not Ready.',
  build: (now) => {
    const reboot = before(now, 34 * MIN + 40 * SEC);
    const back = after(reboot, 95 * SEC);
    const c0_ = new Cluster(now);
    const start = after(back, 20 * SEC);
    const loop = crashLoop({
      since: start,
      now,
      runSeconds: 1.8,
      exitCode: 1,
      reason: 'Error',
      pod: 'postgresql-0',
      namespace: 'bud-data',
      container: 'postgresql',
      priorRestarts: 1,
    });
    const unknownLast = (startedAt: Date) => ({ exitCode: 255, reason: 'Unknown', startedAt, finishedAt: reboot });
    const w3 = (i: number) => ({
      state: 'running' as const,
      startedAt: after(back, (22 + i * 3) * SEC),
      restarts: 1,
      last: unknownLast(before(now, 23 * DAY + 2 * HOUR)),
    });
    const replicaStart = before(now, 23 * DAY + 4 * HOUR - 2 * MIN + 8 * SEC);
    const c = platform(now, {
      nodes: { 'worker-3': { readySince: back } },
      apps: {
        budapp: budappWithoutDb(c0_, reboot, REFUSED),
        budcluster: (def: AppDef) => revWith(c0_, def, 'worker-3', { main: w3(0), sidecar: w3(1) }),
        budadmin: (def: AppDef) => revWith(c0_, def, 'worker-3', { main: w3(2) }),
      },
      coredns: () =>
        steady(c0_, {
          revision: 3,
          age: 61 * DAY,
          tag: 'v1.11.3-build20241018',
          nodes: ['worker-1', 'worker-3'],
          podAge: 23 * DAY + 2 * HOUR,
          pods: [{}, { main: w3(3) }],
        }),
      postgres: {
        primary: {
          main: loop.run.state === 'running' && !loop.run.last ? { ...loop.run, last: unknownLast(before(now, 23 * DAY)) } : loop.run,
          makeLogs: (_pod, pctx) =>
            crashLogs('postgresql', loop.attempts, now, (a) => {
              const ctx = at(pctx, a);
              const { lines } = pgServerStart(ctx, 'crash', { lastKnownUp: before(reboot, 2 * MIN + 51 * SEC), startupPid: 97 });
              return joinLines([
                ...lines.slice(0, -2),
                pgLine(ctx, after(a.start, 1702), 97, 'LOG', 'invalid checkpoint record'),
                pgLine(ctx, after(a.start, 1703), 97, 'PANIC', 'could not locate a valid checkpoint record'),
                pgLine(ctx, after(a.start, 1712), 1, 'LOG', 'startup process (PID 97) was terminated by signal 6: Aborted'),
                pgLine(ctx, after(a.start, 1713), 1, 'LOG', 'aborting startup due to startup process failure'),
                pgLine(ctx, after(a.start, 1720), 1, 'LOG', 'database system is shut down'),
              ]);
            }),
        },
        replica: {
          exec: postgresShell({ role: 'replica', receiver: null }),
          makeLogs: (_pod, ctx) => ({
            postgresql: pgHealthy({ ...ctx, startedAt: replicaStart }, 'replica', [
              {
                at: after(reboot, 1 * SEC),
                pid: 131,
                level: 'FATAL',
                msg: 'could not receive data from WAL stream: server closed the connection unexpectedly\n\tThis probably means the server terminated abnormally\n\tbefore or while processing the request.',
              },
              ...Array.from({ length: 8 }, (_, k) => ({
                at: after(reboot, (5 + k * 240) * SEC),
                pid: 2210 + k * 17,
                level: 'FATAL',
                msg:
                  k < 2
                    ? 'could not connect to the primary server: connection to server at "postgresql-0.postgresql-hl.bud-data.svc.cluster.local" (10.42.3.21), port 5432 failed: No route to host'
                    : 'could not connect to the primary server: connection to server at "postgresql-0.postgresql-hl.bud-data.svc.cluster.local" (10.42.3.21), port 5432 failed: Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?',
              })),
            ]),
          }),
        },
      },
    });
    c.event({
      involved: { kind: 'Node', name: 'worker-3' },
      type: 'Warning',
      reason: 'Rebooted',
      message: `Node worker-3 has been rebooted, boot id: ${uid(`boot:worker-3:${iso(back)}`)}`,
      first: back,
      component: 'kubelet',
      host: 'worker-3',
    });
    c.event({
      involved: { kind: 'Node', name: 'worker-3' },
      reason: 'Starting',
      message: 'Starting kubelet.',
      first: before(back, 2 * SEC),
      component: 'kubelet',
      host: 'worker-3',
    });
    c.event({
      involved: { kind: 'Node', name: 'worker-3' },
      reason: 'NodeReady',
      message: 'Node worker-3 status is now: NodeReady',
      first: back,
      component: 'kubelet',
      host: 'worker-3',
    });
    crashEvents(c, {
      namespace: 'bud-data',
      pod: 'postgresql-0',
      container: 'postgresql',
      node: 'worker-3',
      image: 'docker.io/bitnami/postgresql:16.4.0-debian-12-r14',
      attempts: loop.attempts,
    });
    budappDbUnhealthyEvents(c, reboot);
    return finish(c, { platformApi: { status: 503 } });
  },
  expect: {
    runbook: 'database-failure',
    causes: ['database-corruption'],
    notCauses: ['database-storage', 'database-oom', 'database-credentials', 'node-lost', 'bad-deployment', 'dns-failure'],
    mitigationsAllowed: ['failover'],
    mitigationsForbidden: allBut('failover', 'control-plane-escalation'),
  },
};

/** A single-pod service's revisions with its pod given. */
function revWith(c: Cluster, def: AppDef, node: string, pod: Partial<PodPlan>): RevisionPlan[] {
  const r = rng(`rev:${def.name}`);
  const revision = 7 + Math.floor(r() * 30);
  return steady(c, {
    revision,
    age: (9 + Math.floor(r() * 20)) * DAY + Math.floor(r() * 20) * HOUR,
    tag: def.name === 'budadmin' ? '3.19.0' : BUDAPP_TAG,
    nodes: [node],
    pods: [pod],
  });
}

const AUTH_FAILED = (user: string) =>
  `connection to server at "postgresql.bud-data.svc" (10.43.12.7), port 5432 failed: FATAL:  password authentication failed for user "${user}"`;

function pgAuthFailures(user: string, times: Date[]): Array<{ at: Date; pid: number; level: string; msg: string }> {
  return times.flatMap((t, k) => [
    { at: t, pid: 30211 + k * 13, level: 'FATAL', msg: `password authentication failed for user "${user}"` },
    {
      at: t,
      pid: 30211 + k * 13,
      level: 'DETAIL',
      msg: `Connection matched file "/opt/bitnami/postgresql/conf/pg_hba.conf" line 5: "host     all             all             0.0.0.0/0               scram-sha-256"`,
    },
  ]);
}

const dbPasswordRotated: CorpusCase = {
  id: 'db-password-rotated',
  class: 'failure',
  description:
    'The budapp database password was rotated in PostgreSQL 17 minutes ago but not in the budapp-db Secret: PostgreSQL is healthy and logs the failed logins, budapp crash-loops on "FATAL: password authentication failed for user "budapp"". No rollout for 9 days.',
  build: (now) => {
    const rotated = before(now, 17 * MIN + 30 * SEC);
    const revAt = before(now, 9 * DAY + 4 * HOUR);
    const c0_ = new Cluster(now);
    const attempts: Attempt[][] = [];
    const c = platform(now, {
      apps: {
        budapp: () =>
          steady(c0_, { revision: 42, age: 9 * DAY + 4 * HOUR, tag: BUDAPP_TAG, nodes: PLACEMENT.budapp! }).map((r) =>
            r.revision !== 42
              ? r
              : {
                  ...r,
                  pods: r.pods.map((p, i) => {
                    const start = after(revAt, (9 + i * 23) * SEC);
                    const firstFail = after(rotated, (44 + i * 61) * SEC);
                    return {
                      ...p,
                      main: (pod: string) => {
                        const l = crashLoop({
                          since: start,
                          now,
                          runSeconds: (k) => (k === 0 ? (firstFail.getTime() - start.getTime()) / SEC : 2.6),
                          exitCode: 1,
                          reason: 'Error',
                          pod,
                          namespace: 'bud-system',
                          container: 'budapp',
                        });
                        attempts[i] = l.attempts;
                        return l.run;
                      },
                      makeLogs: (_pod: string, ctx: LogCtx) =>
                        crashLogs('budapp', attempts[i]!, now, (a, k) =>
                          k === 0
                            ? pyHealthy({ ...ctx, startedAt: a.start, endedAt: before(a.end, 2000) }, 'budapp', 9082) + authCrash(a, true)
                            : joinLines([
                                `${stamp.py(after(a.start, 410))} INFO     [budapp.main] Starting budapp ${BUDAPP_TAG} (chart revision 42)`,
                              ]) + authCrash(a, false),
                        ),
                    };
                  }),
                },
          ),
      },
      postgres: {
        primaryShell: { authFails: ['budapp'] },
        primary: {
          makeLogs: (_pod, ctx) => {
            const times = attempts
              .flatMap((as) => as.slice(1).map((a) => after(a.start, 2100)))
              .concat(attempts.map((as) => before(as[1]?.start ?? now, 3000)));
            times.sort((a, b) => a.getTime() - b.getTime());
            return {
              postgresql: pgHealthy(
                ctx,
                'primary',
                pgAuthFailures(
                  'budapp',
                  times.filter((t) => t.getTime() < now.getTime()),
                ),
              ),
            };
          },
        },
      },
    });
    PLACEMENT.budapp!.forEach((n, i) =>
      crashEvents(c, {
        namespace: 'bud-system',
        pod: podNameOf('budapp', 42, i),
        container: 'budapp',
        node: n,
        image: `${BUDAPP_IMAGE}:${BUDAPP_TAG}`,
        attempts: attempts[i]!.slice(1),
      }),
    );
    return finish(c, { platformApi: { status: 503 } });
  },
  expect: {
    runbook: 'database-failure',
    causes: ['database-credentials'],
    notCauses: ['database-down', 'database-storage', 'database-corruption', 'database-oom', 'bad-deployment', 'bad-config', 'dns-failure'],
    mitigationsAllowed: ['fix-credentials'],
    mitigationsForbidden: allBut('fix-credentials', 'control-plane-escalation'),
  },
};

function authCrash(a: Attempt, runtime: boolean): string {
  const t = stamp.py(before(a.end, 180));
  return joinLines([
    `${t} ERROR    [budapp.commons.database] ${runtime ? 'Lost database connection; reconnecting failed' : 'Could not connect to the database at startup'}`,
    `Traceback (most recent call last):`,
    `  File "${PY}/sqlalchemy/engine/base.py", line 146, in __init__`,
    `    self._dbapi_connection = engine.raw_connection()`,
    `  File "${PY}/sqlalchemy/pool/base.py", line 643, in __connect`,
    `    connection = pool._invoke_creator(self)`,
    `  File "${PY}/psycopg2/__init__.py", line 122, in connect`,
    `    conn = _connect(dsn, connection_factory=connection_factory, **kwasync)`,
    `psycopg2.OperationalError: ${AUTH_FAILED('budapp')}`,
    ``,
    `The above exception was the direct cause of the following exception:`,
    ``,
    `sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) ${AUTH_FAILED('budapp')}`,
    ``,
    `(Background on this error at: https://sqlalche.me/e/20/e3q8)`,
    `${stamp.py(before(a.end, 40))} CRITICAL [budapp.main] Database unavailable, exiting`,
  ]);
}

const keycloakDbPassword: CorpusCase = {
  id: 'keycloak-db-password',
  class: 'failure',
  description:
    'Keycloak crash-loops because its database password no longer matches (keycloak log: FATAL: password authentication failed for user "keycloak"); PostgreSQL healthy, budapp fine; logins fail (the ingress answers 503).',
  build: (now) => {
    const changed = before(now, 26 * MIN);
    const kcStart = before(now, 23 * DAY + 4 * HOUR - 1 * MIN + 7 * SEC);
    const loop = crashLoop({
      since: kcStart,
      now,
      runSeconds: (k) => (k === 0 ? (after(changed, 3 * MIN).getTime() - kcStart.getTime()) / SEC : 13.5),
      exitCode: 1,
      reason: 'Error',
      pod: 'keycloak-0',
      namespace: 'bud-auth',
      container: 'keycloak',
    });
    const kcCrash = (ctx: LogCtx, a: Attempt) => {
      const t = (ms: number) => kcStamp(after(a.start, ms));
      return joinLines([
        ...keycloakStartup({ ...ctx, startedAt: a.start }),
        `${t(12010)} WARN  [io.agroal.pool] (agroal-11) Datasource '<default>': FATAL: password authentication failed for user "keycloak"`,
        `${t(12015)} WARN  [org.hibernate.engine.jdbc.env.internal.JdbcEnvironmentInitiator] (JPA Startup Thread) HHH000342: Could not obtain connection to query metadata: org.postgresql.util.PSQLException: FATAL: password authentication failed for user "keycloak"`,
        `${t(13102)} ERROR [org.keycloak.quarkus.runtime.cli.ExecutionExceptionHandler] (main) ERROR: Failed to start server in (production) mode`,
        `${t(13103)} ERROR [org.keycloak.quarkus.runtime.cli.ExecutionExceptionHandler] (main) ERROR: Failed to obtain JDBC connection`,
        `${t(13103)} ERROR [org.keycloak.quarkus.runtime.cli.ExecutionExceptionHandler] (main) ERROR: FATAL: password authentication failed for user "keycloak"`,
        `${t(13104)} ERROR [org.keycloak.quarkus.runtime.cli.ExecutionExceptionHandler] (main) For more details run the same command passing the '--verbose' option. Also you can use '--help' to see the available options.`,
      ]);
    };
    const c = platform(now, {
      keycloak: {
        pods: [
          {
            node: 'worker-1',
            created: before(now, 23 * DAY + 4 * HOUR - 1 * MIN),
            main: loop.run,
            makeLogs: (_pod, ctx) =>
              crashLogs('keycloak', loop.attempts, now, (a, k) =>
                k === 0
                  ? joinLines([
                      ...keycloakStartup({ ...ctx, startedAt: a.start }),
                      `${kcStamp(after(a.start, 11890))} INFO  [io.quarkus] (main) Keycloak 25.0.6 on JVM (powered by Quarkus 3.8.5) started in 11.742s. Listening on: http://0.0.0.0:8080. Management interface listening on http://0.0.0.0:9000.`,
                      `${kcStamp(before(a.end, 95 * SEC))} WARN  [io.agroal.pool] (agroal-11) Datasource '<default>': FATAL: password authentication failed for user "keycloak"`,
                      `${kcStamp(before(a.end, 2 * SEC))} ERROR [org.keycloak.services] (executor-thread-31) KC-SERVICES0010: Failed to acquire connection: org.postgresql.util.PSQLException: FATAL: password authentication failed for user "keycloak"`,
                      `${kcStamp(before(a.end, 1 * SEC))} INFO  [io.quarkus] (Shutdown thread) Keycloak stopped in 0.081s`,
                    ])
                  : kcCrash(ctx, a),
              ),
          },
        ],
      },
      postgres: {
        primary: {
          makeLogs: (_pod, ctx) => ({
            postgresql: pgHealthy(
              ctx,
              'primary',
              pgAuthFailures(
                'keycloak',
                loop.attempts
                  .slice(1)
                  .map((a) => after(a.start, 12000))
                  .concat([before(loop.attempts[0]!.end, 95 * SEC)])
                  .filter((t) => t.getTime() < now.getTime()),
              ),
            ),
          }),
        },
      },
    });
    crashEvents(c, {
      namespace: 'bud-auth',
      pod: 'keycloak-0',
      container: 'keycloak',
      node: 'worker-1',
      image: 'docker.io/bitnami/keycloak:25.0.6-debian-12-r0',
      attempts: loop.attempts.slice(1),
    });
    return finish(c, { keycloak: { certificate: 'valid', status: 503 } });
  },
  expect: {
    runbook: 'auth-failure',
    causes: ['keycloak-down', 'database-credentials'],
    notCauses: ['database-down', 'certificate-expiry', 'clock-skew', 'bad-deployment'],
    mitigationsAllowed: ['fix-credentials'],
    mitigationsForbidden: allBut('fix-credentials', 'control-plane-escalation'),
  },
};

const pgOomKilled: CorpusCase = {
  id: 'postgres-oomkilled',
  class: 'failure',
  description:
    'postgresql-0 (memory limit 2Gi) is OOMKilled again and again (lastState terminated OOMKilled, exit 137, kernel-monitor OOMKilling events on worker-3) for 40 minutes; budapp flaps with "server closed the connection unexpectedly".',
  build: (now) => {
    const first = before(now, 41 * MIN);
    const c0_ = new Cluster(now);
    const loop = pgLoop(now, first, (k) => [96, 143, 71, 188, 122, 90, 166, 101, 134][k % 9]!, 137, 'OOMKilled');
    const done = loop.attempts.filter((a) => a.end.getTime() <= now.getTime());
    const down = loop.run.state !== 'running';
    const c = platform(now, {
      postgres: {
        memoryLimit: '2Gi',
        primary: {
          main: loop.run,
          makeLogs: (_pod, pctx) =>
            crashLogs('postgresql', loop.attempts, now, (a, k) => {
              const ctx = at(pctx, a);
              if (k === 0)
                return (
                  pgHealthy(ctx, 'primary').trimEnd() +
                  '\n' +
                  joinLines([
                    pgLine(
                      ctx,
                      before(a.end, 4100),
                      4412,
                      'LOG',
                      'duration: 3917.442 ms  statement: SELECT e.id, count(m.*) FROM endpoint e JOIN endpoint_metrics m ON m.endpoint_id = e.id GROUP BY e.id ORDER BY 2 DESC',
                    ),
                  ])
                );
              const { lines } = pgServerStart(ctx, 'crash');
              const out = [
                ...lines,
                pgLine(
                  ctx,
                  after(a.start, 2310),
                  112,
                  'LOG',
                  'redo done at 2A/F1C02A18 system usage: CPU: user: 0.38 s, system: 0.19 s, elapsed: 0.59 s',
                ),
                pgLine(ctx, after(a.start, 2402), 110, 'LOG', 'checkpoint starting: end-of-recovery immediate wait'),
                pgLine(ctx, after(a.start, 3017), 1, 'LOG', 'database system is ready to accept connections'),
              ];
              if (a.end.getTime() > now.getTime()) return joinLines(out);
              return joinLines([
                ...out,
                pgLine(
                  ctx,
                  before(a.end, 6300),
                  5120 + k,
                  'LOG',
                  'duration: 5102.331 ms  statement: SELECT e.id, count(m.*) FROM endpoint e JOIN endpoint_metrics m ON m.endpoint_id = e.id GROUP BY e.id ORDER BY 2 DESC',
                ),
              ]);
            }),
        },
      },
      apps: {
        budapp: () =>
          steady(c0_, {
            revision: 42,
            age: 6 * DAY + 3 * HOUR,
            tag: BUDAPP_TAG,
            nodes: PLACEMENT.budapp!,
            pods: PLACEMENT.budapp!.map((_, i) => ({
              ...(down ? { readyTransition: after(done[done.length - 1]!.end, (12 + i * 5) * SEC) } : {}),
              main: { state: 'running' as const, startedAt: after(before(now, 6 * DAY + 3 * HOUR), (9 + i * 23) * SEC), ready: !down },
              makeLogs: (_pod: string, ctx: LogCtx) => ({
                budapp:
                  pyHealthy({ ...ctx, endedAt: first }, 'budapp', 9082).trimEnd() +
                  '\n' +
                  joinLines(
                    done.flatMap((a) => [
                      `${stamp.py(after(a.end, 300 + i * 200))} ERROR    [budapp.commons.database] Database error during request GET /endpoints`,
                      `sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) server closed the connection unexpectedly`,
                      `\tThis probably means the server terminated abnormally`,
                      `\tbefore or while processing the request.`,
                      `${stamp.py(after(a.end, 9000 + i * 300))} ERROR    [budapp.commons.database] Database health check failed`,
                      `sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) connection to server at "postgresql.bud-data.svc" (10.43.12.7), port 5432 failed: FATAL:  the database system is in recovery mode`,
                    ]),
                  ),
              }),
            })),
          }),
      },
    });
    crashEvents(c, {
      namespace: 'bud-data',
      pod: 'postgresql-0',
      container: 'postgresql',
      node: 'worker-3',
      image: 'docker.io/bitnami/postgresql:16.4.0-debian-12-r14',
      attempts: loop.attempts.slice(1),
    });
    c.event({
      involved: { kind: 'Node', name: 'worker-3' },
      type: 'Warning',
      reason: 'OOMKilling',
      message: `Memory cgroup out of memory: Killed process ${41233} (postgres) total-vm:2613840kB, anon-rss:1935412kB, file-rss:4100kB, shmem-rss:226528kB, UID:1001 pgtables:4212kB oom_score_adj:969`,
      first: done[0]!.end,
      last: done[done.length - 1]!.end,
      count: done.length,
      component: 'kernel-monitor',
      host: 'worker-3',
    });
    return finish(c, { platformApi: { status: down ? 503 : 200, ...(down ? {} : { endpoints: HEALTHY_ENDPOINTS }) } });
  },
  expect: {
    runbook: 'database-failure',
    causes: ['database-oom'],
    notCauses: ['database-storage', 'database-corruption', 'node-pressure', 'database-credentials', 'bad-deployment'],
    mitigationsAllowed: ['raise-memory'],
    mitigationsForbidden: allBut('raise-memory', 'control-plane-escalation'),
  },
};

const replicationBroken: CorpusCase = {
  id: 'replica-wal-removed',
  class: 'failure',
  description:
    'Replication broken: the primary postgresql-0 is fine, the replica postgresql-1 (down for 5 hours during worker-1 maintenance) cannot catch up — "could not receive data from WAL stream: ERROR: requested WAL segment 000000010000002A000000D5 has already been removed" — and is restarted by its replication liveness check into CrashLoopBackOff.',
  build: (now) => {
    const since = before(now, 52 * MIN);
    const loop = crashLoop({
      since,
      now,
      runSeconds: 104,
      exitCode: 0,
      reason: 'Completed',
      pod: 'postgresql-1',
      namespace: 'bud-data',
      container: 'postgresql',
      priorRestarts: 2,
    });
    const replicaLog = (ctx: LogCtx, a: Attempt) => {
      const { lines } = pgServerStart(ctx, 'standby');
      const out = [...lines];
      for (let t = after(a.start, 1650).getTime(), k = 0; t < Math.min(a.end.getTime() - 2000, now.getTime()); t += 5050, k++) {
        out.push(pgLine(ctx, new Date(t), 140 + k * 2, 'LOG', 'started streaming WAL from primary at 2A/D5000000 on timeline 1'));
        out.push(
          pgLine(
            ctx,
            new Date(t + 9),
            140 + k * 2,
            'FATAL',
            'could not receive data from WAL stream: ERROR:  requested WAL segment 000000010000002A000000D5 has already been removed',
          ),
        );
      }
      if (a.end.getTime() <= now.getTime())
        out.push(
          pgLine(ctx, before(a.end, 900), 1, 'LOG', 'received fast shutdown request'),
          pgLine(ctx, before(a.end, 880), 1, 'LOG', 'aborting any active transactions'),
          pgLine(ctx, before(a.end, 400), 108, 'LOG', 'shutting down'),
          pgLine(ctx, before(a.end, 30), 1, 'LOG', 'database system is shut down'),
        );
      return joinLines(out);
    };
    const primaryErrors: Array<{ at: Date; pid: number; level: string; msg: string }> = [];
    for (let t = since.getTime() + 2000, k = 0; t < now.getTime() && primaryErrors.length < 40; t += 5050 * 7, k++)
      primaryErrors.push(
        { at: new Date(t), pid: 61200 + k, level: 'ERROR', msg: 'requested WAL segment 000000010000002A000000D5 has already been removed' },
        { at: new Date(t), pid: 61200 + k, level: 'STATEMENT', msg: 'START_REPLICATION 2A/D5000000 TIMELINE 1' },
      );
    const c = platform(now, {
      postgres: {
        replica: {
          main: loop.run,
          makeLogs: (_pod, ctx) =>
            crashLogs('postgresql', loop.attempts, now, (a) => replicaLog({ ...ctx, startedAt: a.start, endedAt: a.end }, a)),
        },
        primaryShell: { replicas: [] },
        primary: { makeLogs: (_pod, ctx) => ({ postgresql: pgHealthy(ctx, 'primary', primaryErrors) }) },
      },
    });
    crashEvents(c, {
      namespace: 'bud-data',
      pod: 'postgresql-1',
      container: 'postgresql',
      node: 'worker-1',
      image: 'docker.io/bitnami/postgresql:16.4.0-debian-12-r14',
      attempts: loop.attempts,
    });
    const doneAttempts = loop.attempts.filter((a) => a.end.getTime() <= now.getTime());
    unhealthy(c, {
      pod: 'postgresql-1',
      node: 'worker-1',
      container: 'postgresql',
      namespace: 'bud-data',
      probe: 'Liveness',
      message: 'replication check failed: WAL receiver is not streaming',
      first: after(since, 60 * SEC),
      last: before(doneAttempts[doneAttempts.length - 1]?.end ?? now, 2 * SEC),
      count: doneAttempts.length * 3,
    });
    killing(
      c,
      'postgresql-1',
      'worker-1',
      doneAttempts[doneAttempts.length - 1]?.end ?? since,
      ['postgresql'],
      'bud-data',
      (n) => `Container ${n} failed liveness probe, will be restarted`,
    );
    return finish(c);
  },
  expect: {
    runbook: 'database-failure',
    causes: ['database-replication'],
    notCauses: ['database-down', 'database-corruption', 'database-storage', 'database-oom', 'bad-deployment'],
    mitigationsAllowed: ['rebuild-replica'],
    mitigationsForbidden: allBut('rebuild-replica', 'control-plane-escalation'),
  },
};

// ---------------------------------------------------------------------------------------------
// Failures: nodes

const FAILED_SCHEDULING = (extra: string) =>
  `0/4 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 1 node(s) had untolerated taint {${extra}: }, 2 Insufficient memory. preemption: 0/4 nodes are available: 2 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.`;

const nodeLost: CorpusCase = {
  id: 'node-lost-worker-2',
  class: 'failure',
  description:
    'worker-2 stopped reporting 9 minutes ago (Ready=Unknown "Kubelet stopped posting node status.", unreachable taints); its pods (one budapp replica, the only budgateway) were marked not ready and evicted and hang in Terminating; their replacements are Pending (Insufficient memory). budapp revision 42 is 11 days old.',
  build: (now) => {
    const lost = before(now, 9 * MIN + 5 * SEC);
    const detected = after(lost, 40 * SEC);
    const notReady = after(detected, 5 * SEC);
    const evicted = after(notReady, 300 * SEC);
    const revAt = before(now, 11 * DAY + 6 * HOUR);
    const c0_ = new Cluster(now);
    const pendingMsg = FAILED_SCHEDULING('node.kubernetes.io/unreachable');
    const stranded = (i: number): PodPlan => ({
      node: 'worker-2',
      markedNotReadyAt: notReady,
      deletion: { at: evicted, graceSeconds: 30 },
      extraConditions: [
        {
          type: 'DisruptionTarget',
          status: 'True',
          reason: 'DeletionByTaintManager',
          message: 'Taint manager: deleting due to NoExecute taint',
          lastProbeTime: null,
          lastTransitionTime: iso(evicted),
        },
      ],
      clockAheadSeconds: 0,
      ...(i === 0 ? { makeLogs: (_p: string, ctx: LogCtx) => ({ budapp: pyHealthy({ ...ctx, endedAt: lost }, 'budapp', 9082) }) } : {}),
    });
    const c = platform(now, {
      nodes: { 'worker-2': { lostAt: lost } },
      apps: {
        budapp: () => [
          { revision: 41, created: before(now, 29 * DAY), tag: '3.18.4', pods: [] },
          {
            revision: 42,
            created: revAt,
            tag: BUDAPP_TAG,
            replicas: 2,
            pods: [
              { node: 'worker-1', created: after(revAt, 2 * SEC) },
              { ...stranded(0), created: after(revAt, 25 * SEC) },
              { created: after(evicted, 1 * SEC), unschedulable: { message: pendingMsg, since: after(evicted, 1 * SEC) } },
            ],
          },
        ],
        budgateway: (def) => {
          const revs = revWith(c0_, def, 'worker-2', stranded(1));
          const cur = revs[revs.length - 1]!;
          cur.replicas = 1;
          cur.pods.push({ created: after(evicted, 1 * SEC), unschedulable: { message: pendingMsg, since: after(evicted, 1 * SEC) } });
          return revs;
        },
        budmetrics: (def) => revWith(c0_, def, 'worker-3', {}),
        budadmin: (def) => revWith(c0_, def, 'worker-3', {}),
      },
    });
    c.event({
      involved: { kind: 'Node', name: 'worker-2' },
      reason: 'NodeNotReady',
      message: 'Node worker-2 status is now: NodeNotReady',
      first: detected,
      component: 'node-controller',
    });
    const onNode = c.pods.filter((p) => p.spec.nodeName === 'worker-2');
    for (const p of onNode) {
      const ns = p.metadata.namespace as string;
      c.event({
        involved: { kind: 'Pod', name: p.metadata.name, namespace: ns },
        type: 'Warning',
        reason: 'NodeNotReady',
        message: 'Node is not ready',
        first: notReady,
        component: 'node-controller',
      });
      c.event({
        involved: { kind: 'Pod', name: p.metadata.name, namespace: ns },
        reason: 'TaintManagerEviction',
        message: `Marking for deletion Pod ${ns}/${p.metadata.name}`,
        first: evicted,
        component: 'taint-eviction-controller',
      });
    }
    for (const p of c.pods.filter((x) => !x.spec.nodeName)) {
      const owner = p.metadata.ownerReferences[0].name as string;
      rsCreated(c, owner, p.metadata.name, after(evicted, 1 * SEC));
      c.events.push(
        schedulerEvent({
          pod: { name: p.metadata.name, namespace: 'bud-system' },
          reason: 'FailedScheduling',
          message: pendingMsg,
          first: after(evicted, 1 * SEC),
          last: before(now, 38 * SEC),
          count: 5,
        }),
      );
    }
    return finish(c, { platformApi: { status: 200, endpoints: HEALTHY_ENDPOINTS } });
  },
  expect: {
    runbook: 'platform-outage',
    causes: ['node-lost'],
    notCauses: ['bad-deployment', 'app-crash', 'database-down', 'node-pressure', 'image-pull'],
    mitigationsAllowed: ['cordon-drain'],
    mitigationsForbidden: allBut('cordon-drain', 'scale-up', 'control-plane-escalation'),
  },
};

const memoryPressure: CorpusCase = {
  id: 'memory-pressure-worker-1',
  class: 'failure',
  description:
    'worker-1 has MemoryPressure=True (memory-pressure taint) for 7 minutes; the kubelet evicted a budapp pod ("The node was low on resource: memory"), its replacement is Pending with FailedScheduling "Insufficient memory". budapp revision 42 is 4 days old.',
  build: (now) => {
    const pressure = before(now, 7 * MIN + 12 * SEC);
    const evicted = after(pressure, 58 * SEC);
    const revAt = before(now, 4 * DAY + 2 * HOUR);
    const msg =
      'The node was low on resource: memory. Threshold quantity: 100Mi, available: 92316Ki. Container budapp was using 3318220Ki, request is 1Gi, has larger consumption of memory. ';
    const pendingMsg = FAILED_SCHEDULING('node.kubernetes.io/memory-pressure');
    const c = platform(now, {
      nodes: { 'worker-1': { memoryPressureSince: pressure } },
      apps: {
        budapp: () => [
          { revision: 41, created: before(now, 19 * DAY), tag: '3.18.4', pods: [] },
          {
            revision: 42,
            created: revAt,
            tag: BUDAPP_TAG,
            replicas: 2,
            pods: [
              {
                node: 'worker-1',
                created: after(revAt, 2 * SEC),
                phase: 'Failed',
                reason: 'Evicted',
                message: msg,
                main: {
                  state: 'terminated',
                  term: { exitCode: 137, reason: 'Error', startedAt: after(revAt, 11 * SEC), finishedAt: after(evicted, 1 * SEC) },
                },
                sidecar: {
                  state: 'terminated',
                  term: { exitCode: 137, reason: 'Error', startedAt: after(revAt, 9 * SEC), finishedAt: after(evicted, 1 * SEC) },
                },
                extraConditions: [
                  {
                    type: 'DisruptionTarget',
                    status: 'True',
                    reason: 'TerminationByKubelet',
                    message: msg,
                    lastProbeTime: null,
                    lastTransitionTime: iso(evicted),
                  },
                ],
              },
              { node: 'worker-2', created: after(revAt, 25 * SEC) },
              { created: after(evicted, 2 * SEC), unschedulable: { message: pendingMsg, since: after(evicted, 2 * SEC) } },
            ],
          },
        ],
      },
    });
    const ev = podNameOf('budapp', 42, 0);
    const repl = podNameOf('budapp', 42, 2);
    c.event({
      involved: { kind: 'Node', name: 'worker-1' },
      reason: 'NodeHasInsufficientMemory',
      message: 'Node worker-1 status is now: NodeHasInsufficientMemory',
      first: pressure,
      component: 'kubelet',
      host: 'worker-1',
    });
    c.event({
      involved: { kind: 'Node', name: 'worker-1' },
      type: 'Warning',
      reason: 'EvictionThresholdMet',
      message: 'Attempting to reclaim memory',
      first: after(pressure, 2 * SEC),
      last: before(now, 47 * SEC),
      count: 6,
      component: 'kubelet',
      host: 'worker-1',
    });
    c.event({
      involved: { kind: 'Pod', name: ev, namespace: 'bud-system' },
      type: 'Warning',
      reason: 'Evicted',
      message: msg,
      first: evicted,
      component: 'kubelet',
      host: 'worker-1',
    });
    killing(c, ev, 'worker-1', evicted, ['budapp', 'daprd']);
    rsCreated(c, rsNameOf('budapp', 42), repl, after(evicted, 2 * SEC));
    c.events.push(
      schedulerEvent({
        pod: { name: repl, namespace: 'bud-system' },
        reason: 'FailedScheduling',
        message: pendingMsg,
        first: after(evicted, 2 * SEC),
        last: before(now, 51 * SEC),
        count: 4,
      }),
    );
    return finish(c);
  },
  expect: {
    runbook: 'sev2-response',
    causes: ['node-pressure'],
    notCauses: ['bad-deployment', 'node-lost', 'app-crash', 'database-oom', 'overload'],
    mitigationsAllowed: ['cordon-drain'],
    mitigationsForbidden: allBut('cordon-drain', 'scale-up', 'raise-memory', 'control-plane-escalation'),
  },
};

// ---------------------------------------------------------------------------------------------
// Failures: DNS, auth

const DNS_FAIL = 'could not translate host name "postgresql.bud-data.svc" to address: Temporary failure in name resolution';

const corednsDown: CorpusCase = {
  id: 'coredns-crashloop',
  class: 'failure',
  description:
    'The coredns ConfigMap was edited 21 minutes ago to "forward . 127.0.0.53"; the loop plugin aborts CoreDNS ("[FATAL] plugin/loop: Loop ... detected") so both coredns pods crash-loop, and budapp, unable to resolve postgresql.bud-data.svc, is not Ready.',
  build: (now) => {
    const edited = before(now, 21 * MIN + 5 * SEC);
    const c0_ = new Cluster(now);
    const attempts: Attempt[][] = [];
    const dnsStart = before(now, 23 * DAY + 2 * HOUR);
    const coreLog = (a: Attempt, k: number, port: number) =>
      joinLines([
        '[WARNING] No files matching import glob pattern: /etc/coredns/custom/*.override',
        '[WARNING] No files matching import glob pattern: /etc/coredns/custom/*.server',
        '.:53',
        k === 0
          ? '[INFO] plugin/reload: Running configuration SHA512 = 591cf328cccc12bc490481273e738df59329c62c0b729d94e8b61db9961c2fa5f046dd37f1cf888b953814040d180f52594972691cd6ff41be96639138a43908'
          : '[INFO] plugin/reload: Running configuration SHA512 = 0e3c5d8f7a1b9c2d4e6f8a0b1c3d5e7f9a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e2f4a6b8c1d3e5f7a9b0c2d4e6f8a1b3c5d7e9f0a2b4c6d8e1f3a5b7c9d0e2',
        'CoreDNS-1.11.3',
        'linux/amd64, go1.22.7 X:boringcrypto, a6338e9',
        ...(k === 0
          ? [
              '[INFO] Reloading',
              '[INFO] plugin/reload: Running configuration SHA512 = 0e3c5d8f7a1b9c2d4e6f8a0b1c3d5e7f9a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e2f4a6b8c1d3e5f7a9b0c2d4e6f8a1b3c5d7e9f0a2b4c6d8e1f3a5b7c9d0e2',
              '[INFO] Reloading complete',
            ]
          : []),
        `[FATAL] plugin/loop: Loop (127.0.0.1:${port} -> :53) detected for zone ".", see https://coredns.io/plugins/loop#troubleshooting. Query: "HINFO ${4547991504243258144n + BigInt(k)}.3688648895315093531."`,
      ]);
    const c = platform(now, {
      corefile: { data: COREFILE.replace('forward . /etc/resolv.conf', 'forward . 127.0.0.53'), editedAt: edited },
      coredns: () =>
        steady(c0_, {
          revision: 3,
          age: 61 * DAY,
          tag: 'v1.11.3-build20241018',
          nodes: ['worker-1', 'worker-3'],
          podAge: 23 * DAY + 2 * HOUR,
        }).map((r) =>
          r.revision !== 3
            ? r
            : {
                ...r,
                pods: r.pods.map((p, i) => {
                  const start = after(dnsStart, (7 + i * 23) * SEC);
                  const reload = after(edited, (47 + i * 9) * SEC);
                  return {
                    ...p,
                    main: (pod: string) => {
                      const l = crashLoop({
                        since: start,
                        now,
                        runSeconds: (k) => (k === 0 ? (reload.getTime() - start.getTime()) / SEC : 2.3),
                        exitCode: 1,
                        reason: 'Error',
                        pod,
                        namespace: 'kube-system',
                        container: 'coredns',
                      });
                      attempts[i] = l.attempts;
                      return l.run;
                    },
                    makeLogs: () => crashLogs('coredns', attempts[i]!, now, (a, k) => coreLog(a, k, 46325 + k * 131 + i)),
                  };
                }),
              },
        ),
      apps: { budapp: budappWithoutDb(c0_, after(edited, 50 * SEC), DNS_FAIL) },
    });
    const dnsPods = c.podsOf('kube-system', 'coredns-');
    dnsPods.forEach((p, i) =>
      crashEvents(c, {
        namespace: 'kube-system',
        pod: p.metadata.name,
        container: 'coredns',
        node: p.spec.nodeName,
        image: 'rancher/hardened-coredns:v1.11.3-build20241018',
        attempts: attempts[i]!.slice(1),
      }),
    );
    budappDbUnhealthyEvents(c, after(edited, 50 * SEC));
    return finish(c, { platformApi: { status: 503 } });
  },
  expect: {
    runbook: 'platform-outage',
    causes: ['dns-failure'],
    notCauses: ['database-down', 'database-credentials', 'bad-deployment', 'app-crash', 'database-storage'],
    mitigationsAllowed: ['revert-config'],
    mitigationsForbidden: allBut('revert-config', 'control-plane-escalation'),
  },
};

/** budapp logs of token validation failures (auth broken elsewhere), appended to a healthy log. */
function budappAuthErrors(now: Date, since: Date, lines: (t: Date, k: number) => string[]) {
  return (_pod: string, ctx: LogCtx) => {
    const r = rng(`auth:${ctx.pod}`);
    const times: Date[] = [];
    for (let t = now.getTime() - Math.floor(r() * 20000); t > since.getTime() && times.length < 16; t -= 41 * SEC + Math.floor(r() * 30000))
      times.unshift(new Date(t));
    return { budapp: pyHealthy({ ...ctx, endedAt: since }, 'budapp', 9082) + joinLines(times.flatMap((t, k) => lines(t, k))) };
  };
}

const keycloakCertExpired: CorpusCase = {
  id: 'keycloak-cert-expired',
  class: 'failure',
  description:
    "Keycloak's HTTPS certificate expired (served by the test's Keycloak endpoint; keycloak pods are fine); budapp cannot fetch the realm's keys: CERTIFICATE_VERIFY_FAILED certificate has expired, and answers 401.",
  build: (now) => {
    const expired = before(now, 3 * HOUR + 10 * MIN);
    const c = platform(now, {
      apps: {
        budapp: () =>
          steady(c0(now), { revision: 42, age: 6 * DAY + 3 * HOUR, tag: BUDAPP_TAG, nodes: PLACEMENT.budapp! }).map((r) =>
            r.revision !== 42
              ? r
              : {
                  ...r,
                  pods: r.pods.map((p) => ({
                    ...p,
                    makeLogs: budappAuthErrors(now, expired, (t, k) => [
                      `${stamp.py(t)} ERROR    [budapp.commons.keycloak] Failed to fetch JWKS from https://keycloak.bud.example/realms/bud/protocol/openid-connect/certs`,
                      `httpx.ConnectError: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: certificate has expired (_ssl.c:1006)`,
                      `${stamp.py(after(t, 12))} INFO     [uvicorn.access] 10.42.2.${20 + (k % 7)}:${41022 + k * 17} - "GET /users/me HTTP/1.1" 401`,
                    ]),
                  })),
                },
          ),
      },
    });
    return finish(c, { keycloak: { certificate: 'expired' } });
  },
  expect: {
    runbook: 'auth-failure',
    causes: ['certificate-expiry'],
    notCauses: ['keycloak-down', 'clock-skew', 'database-credentials', 'database-down'],
    mitigationsAllowed: ['renew-certificate'],
    mitigationsForbidden: allBut('renew-certificate', 'control-plane-escalation'),
  },
};

const clockSkew: CorpusCase = {
  id: 'keycloak-clock-skew',
  class: 'failure',
  description:
    "worker-1's clock runs 7 minutes ahead (its kubelet heartbeats are in the future; Keycloak's Date header is +420 s): Keycloak on worker-1 issues tokens budapp on worker-2 rejects as not yet valid (iat); everything else healthy.",
  build: (now) => {
    const since = before(now, 2 * HOUR + 40 * MIN);
    const c = platform(now, {
      clockAhead: { 'worker-1': 420 },
      nodes: { 'worker-1': { clockAheadSeconds: 420 } },
      apps: {
        budapp: () =>
          steady(c0(now), { revision: 42, age: 6 * DAY + 3 * HOUR, tag: BUDAPP_TAG, nodes: PLACEMENT.budapp! }).map((r) =>
            r.revision !== 42
              ? r
              : {
                  ...r,
                  pods: r.pods.map((p, i) =>
                    i === 0
                      ? p
                      : {
                          ...p,
                          makeLogs: budappAuthErrors(now, since, (t, k) => [
                            `${stamp.py(t)} WARNING  [budapp.commons.auth] Token validation failed: The token is not yet valid (iat)`,
                            `jwt.exceptions.ImmatureSignatureError: The token is not yet valid (iat)`,
                            `${stamp.py(after(t, 9))} INFO     [uvicorn.access] 10.42.2.${20 + (k % 7)}:${50122 + k * 13} - "GET /endpoints?page=1&limit=20 HTTP/1.1" 401`,
                          ]),
                        },
                  ),
                },
          ),
      },
    });
    return finish(c, { keycloak: { certificate: 'valid', skewSeconds: 420 } });
  },
  expect: {
    runbook: 'auth-failure',
    causes: ['clock-skew'],
    notCauses: ['certificate-expiry', 'keycloak-down', 'database-credentials'],
    mitigationsAllowed: ['fix-time-sync'],
    mitigationsForbidden: allBut('fix-time-sync', 'control-plane-escalation'),
  },
};

// ---------------------------------------------------------------------------------------------
// Failures: inference

const VLLM = '/usr/local/lib/python3.12/dist-packages/vllm';

/** A model server that keeps dying after serving a while; `death` writes the end of each instance's log. */
function dyingServer(
  now: Date,
  m: ModelServer,
  o: { since: Date; runs: number[]; death: (ctx: LogCtx, a: Attempt, at: (ms: number) => string) => string[]; exitCode: number },
) {
  const attempts: Attempt[] = [];
  const c = new Cluster(now);
  return {
    attempts,
    workload: workloadCluster(now, {
      servers: {
        [m.served]: () =>
          steadyServer(c, m, {
            main: (pod: string) => {
              const l = crashLoop({
                since: o.since,
                now,
                runSeconds: (k) => o.runs[k % o.runs.length]!,
                exitCode: o.exitCode,
                reason: 'Error',
                pod,
                namespace: 'bud-workloads',
                container: `vllm-${m.served}`,
                priorRestarts: 0,
              });
              attempts.push(...l.attempts);
              return l.run;
            },
            makeLogs: (_pod, ctx) =>
              crashLogs(`vllm-${m.served}`, attempts, now, (a) => {
                const cx = { ...ctx, startedAt: a.start, endedAt: a.end };
                if (a.end.getTime() > now.getTime()) return vllmStartup(cx, m.model).lines.join('\n') + '\n';
                const healthyPart = vllmHealthy({ ...cx, endedAt: before(a.end, 3000) }, m.model);
                const at = (ms: number) => stamp.vllm(after(a.end, ms));
                return healthyPart + joinLines(o.death(cx, a, at));
              }),
            makeExec: () =>
              nvidiaSmi(
                m.gpus,
                Array.from({ length: m.gpus }, () => 0),
                Array.from({ length: m.gpus }, () => 0),
              ),
          }),
      },
    }),
  };
}

function workloadCrashEvents(w: ClusterState, m: ModelServer, attempts: Attempt[], now: Date): void {
  const c = new Cluster(now);
  c.nodes = w.nodes;
  const p = w.pods.find((x) => x.metadata.name.startsWith(`vllm-${m.served}-`))!;
  crashEvents(c, {
    namespace: 'bud-workloads',
    pod: p.metadata.name,
    container: `vllm-${m.served}`,
    node: m.node,
    image: 'docker.io/vllm/vllm-openai:v0.6.4.post1',
    attempts,
  });
  const done = attempts.filter((a) => a.end.getTime() <= now.getTime());
  const last = done[done.length - 1];
  if (last)
    c.event({
      involved: { kind: 'Pod', name: p.metadata.name, namespace: 'bud-workloads', fieldPath: `spec.containers{vllm-${m.served}}` },
      type: 'Warning',
      reason: 'Unhealthy',
      message:
        'Startup probe failed: Get "http://' +
        (p.status.podIP as string) +
        ':8000/health": dial tcp ' +
        (p.status.podIP as string) +
        ':8000: connect: connection refused',
      first: after(attempts[0]!.start, 10 * SEC),
      last:
        after(attempts[attempts.length - 1]!.start, 90 * SEC).getTime() < now.getTime()
          ? after(attempts[attempts.length - 1]!.start, 90 * SEC)
          : before(now, 5 * SEC),
      count: attempts.length * 9,
      component: 'kubelet',
      host: m.node,
    });
  w.events.push(...c.events);
}

const CUDA_OOM =
  'CUDA out of memory. Tried to allocate 3.91 GiB. GPU 2 has a total capacity of 79.10 GiB of which 2.03 GiB is free. Process 412 has 77.06 GiB memory in use. Of the allocated memory 73.12 GiB is allocated by PyTorch, and 2.41 GiB is reserved by PyTorch but unallocated. If reserved but unallocated memory is large try setting PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True to avoid fragmentation.  See documentation for Memory Management  (https://pytorch.org/docs/stable/notes/cuda.html#environment-variables)';

const gpuOom: CorpusCase = {
  id: 'vllm-cuda-oom',
  class: 'failure',
  description:
    'On the workload cluster the llama-3-70b vLLM server (gpu_memory_utilization 0.92, max_model_len 32768) dies under load with "torch.OutOfMemoryError: CUDA out of memory" and crash-loops; qwen-2-7b serves fine.',
  build: (now) => {
    const { workload, attempts } = dyingServer(now, LLAMA, {
      since: before(now, 47 * MIN),
      runs: [412, 268, 351, 190, 303, 227],
      exitCode: 1,
      death: (_ctx, _a, at) => [
        `INFO ${at(-2800)} metrics.py:349] Avg prompt throughput: 21874.3 tokens/s, Avg generation throughput: 912.6 tokens/s, Running: 61 reqs, Swapped: 0 reqs, Pending: 23 reqs, GPU KV cache usage: 97.8%, CPU KV cache usage: 0.0%.`,
        `ERROR ${at(-900)} engine.py:135] OutOfMemoryError('${CUDA_OOM}')`,
        `ERROR ${at(-900)} engine.py:135] Traceback (most recent call last):`,
        `ERROR ${at(-900)} engine.py:135]   File "${VLLM}/engine/multiprocessing/engine.py", line 133, in start`,
        `ERROR ${at(-900)} engine.py:135]     self.run_engine_loop()`,
        `ERROR ${at(-900)} engine.py:135]   File "${VLLM}/engine/multiprocessing/engine.py", line 196, in run_engine_loop`,
        `ERROR ${at(-900)} engine.py:135]     request_outputs = self.engine_step()`,
        `ERROR ${at(-900)} engine.py:135]   File "${VLLM}/worker/model_runner.py", line 1654, in execute_model`,
        `ERROR ${at(-900)} engine.py:135]     logits = self.model.compute_logits(hidden_or_intermediate_states,`,
        `ERROR ${at(-900)} engine.py:135]   File "${VLLM}/model_executor/layers/logits_processor.py", line 72, in forward`,
        `ERROR ${at(-900)} engine.py:135]     logits = self._get_logits(hidden_states, lm_head, embedding_bias)`,
        `ERROR ${at(-900)} engine.py:135] torch.OutOfMemoryError: ${CUDA_OOM}`,
        `ERROR ${at(-700)} client.py:282] RuntimeError('Engine loop has died')`,
        `CRITICAL ${at(-400)} launcher.py:99] MQLLMEngine is already dead, terminating server process`,
        `INFO:     10.42.2.1:49822 - "POST /v1/chat/completions HTTP/1.1" 500 Internal Server Error`,
        `INFO:     Shutting down`,
        `INFO:     Finished server process [1]`,
      ],
    });
    workloadCrashEvents(workload, LLAMA, attempts, now);
    return finish(platform(now), {
      workload,
      platformApi: {
        status: 200,
        endpoints: [
          { name: 'llama-3-70b', status: 'unhealthy' },
          { name: 'qwen-2-7b', status: 'running' },
        ],
      },
    });
  },
  expect: {
    runbook: 'inference-failures',
    causes: ['gpu-oom'],
    notCauses: ['node-lost', 'rate-limiting', 'database-down', 'bad-deployment', 'overload'],
    mitigationsAllowed: ['reduce-gpu-memory'],
    mitigationsForbidden: allBut('reduce-gpu-memory', 'control-plane-escalation'),
  },
};

const engineDead: CorpusCase = {
  id: 'vllm-engine-dead',
  class: 'failure',
  description:
    'On the workload cluster a tensor-parallel worker of the llama-3-70b vLLM server segfaults and the server exits with "RuntimeError: Engine loop has died" after serving for a few minutes, again and again (no OOM); qwen-2-7b serves fine.',
  build: (now) => {
    const { workload, attempts } = dyingServer(now, LLAMA, {
      since: before(now, 38 * MIN),
      runs: [331, 262, 405, 298],
      exitCode: 1,
      death: (_ctx, _a, at) => [
        `ERROR ${at(-1500)} multiproc_worker_utils.py:116] Worker VllmWorkerProcess pid 213 died, exit code: -11`,
        `INFO ${at(-1499)} multiproc_worker_utils.py:120] Killing local vLLM worker processes`,
        `ERROR ${at(-1200)} client.py:250] RuntimeError('Engine loop has died')`,
        `ERROR ${at(-1200)} client.py:250] Traceback (most recent call last):`,
        `ERROR ${at(-1200)} client.py:250]   File "${VLLM}/engine/multiprocessing/client.py", line 150, in run_heartbeat_loop`,
        `ERROR ${at(-1200)} client.py:250]     await self._check_success(`,
        `ERROR ${at(-1200)} client.py:250]   File "${VLLM}/engine/multiprocessing/client.py", line 314, in _check_success`,
        `ERROR ${at(-1200)} client.py:250]     raise response`,
        `ERROR ${at(-1200)} client.py:250] RuntimeError: Engine loop has died`,
        `CRITICAL ${at(-600)} launcher.py:99] MQLLMEngine is already dead, terminating server process`,
        `INFO:     10.42.2.1:50310 - "POST /v1/chat/completions HTTP/1.1" 500 Internal Server Error`,
        `INFO:     Shutting down`,
        `INFO:     Finished server process [1]`,
      ],
    });
    workloadCrashEvents(workload, LLAMA, attempts, now);
    return finish(platform(now), {
      workload,
      platformApi: {
        status: 200,
        endpoints: [
          { name: 'llama-3-70b', status: 'unhealthy' },
          { name: 'qwen-2-7b', status: 'running' },
        ],
      },
    });
  },
  expect: {
    runbook: 'inference-failures',
    causes: ['model-serving-crash'],
    notCauses: ['gpu-oom', 'node-lost', 'rate-limiting', 'database-down', 'bad-deployment'],
    mitigationsAllowed: ['restart-vllm'],
    mitigationsForbidden: allBut('restart-vllm', 'control-plane-escalation'),
  },
};

const rateLimited: CorpusCase = {
  id: 'platform-rate-limited',
  class: 'failure',
  description:
    'The platform API answers GET /endpoints with 429 Too Many Requests (Retry-After); budapp logs slowapi "ratelimit ... exceeded", budgateway rejects with 429; the clusters are healthy.',
  build: (now) => {
    const since = before(now, 18 * MIN);
    const c = platform(now, {
      apps: {
        budapp: () =>
          steady(c0(now), { revision: 42, age: 6 * DAY + 3 * HOUR, tag: BUDAPP_TAG, nodes: PLACEMENT.budapp! }).map((r) =>
            r.revision !== 42
              ? r
              : {
                  ...r,
                  pods: r.pods.map((p) => ({
                    ...p,
                    makeLogs: budappAuthErrors(now, since, (t, k) => [
                      `${stamp.py(t)} WARNING  [slowapi] ratelimit 100 per 1 minute (10.42.2.${20 + (k % 5)}) exceeded at endpoint: /endpoints`,
                      `${stamp.py(after(t, 3))} INFO     [uvicorn.access] 10.42.2.${20 + (k % 5)}:${43002 + k * 29} - "GET /endpoints?page=1&limit=20 HTTP/1.1" 429`,
                    ]),
                  })),
                },
          ),
        budgateway: (def) =>
          revWith(c0(now), def, 'worker-2', {
            makeLogs: (_pod, ctx) => ({
              budgateway:
                def.log({ ...ctx, endedAt: since }) +
                joinLines(
                  Array.from({ length: 14 }, (_, k) => {
                    const t = after(since, k * 75 * SEC);
                    return `${stamp.rfc(t)}  WARN request{method=POST uri=/v1/chat/completions}: budgateway::rate_limit: rate limit exceeded project_id=3f0c2a71-51a2-4bd8-9b5e-0c1d2e8a9b41 api_key=bud_****a91f limit=600/min status=429`;
                  }),
                ),
            }),
          }),
      },
    });
    return finish(c, { platformApi: { status: 429 } });
  },
  expect: {
    runbook: 'inference-failures',
    causes: ['rate-limiting'],
    notCauses: ['overload', 'gpu-oom', 'model-serving-crash', 'app-crash', 'database-down'],
    mitigationsAllowed: ['relieve-rate-limit'],
    mitigationsForbidden: allBut('relieve-rate-limit', 'scale-up', 'control-plane-escalation'),
  },
};

const workloadUnreachable: CorpusCase = {
  id: 'workload-unreachable',
  class: 'failure',
  description:
    "The workload cluster's API server cannot be reached (its kubeconfig points at a closed port); budcluster logs connection timeouts to it; the control-plane cluster is healthy.",
  build: (now) => {
    const since = before(now, 16 * MIN);
    const c = platform(now, {
      apps: {
        budcluster: (def) =>
          revWith(c0(now), def, 'worker-3', {
            makeLogs: (_pod, ctx) => ({
              budcluster:
                def.log({ ...ctx, endedAt: since }) +
                joinLines(
                  Array.from({ length: 10 }, (_, k) => {
                    const t = after(since, k * 90 * SEC);
                    return `${stamp.py(t)} ERROR    [budcluster.cluster_ops.services] Cluster health check failed for cluster gpu-cluster-1 (https://10.20.0.10:6443): HTTPSConnectionPool(host='10.20.0.10', port=6443): Max retries exceeded with url: /version (Caused by ConnectTimeoutError(<urllib3.connection.HTTPSConnection object at 0x7f3c1d2e9b50>, 'Connection to 10.20.0.10 timed out. (connect timeout=10)'))`;
                  }),
                ),
            }),
          }),
      },
    });
    return finish(c, { workload: 'unreachable' });
  },
  expect: {
    runbook: 'inference-failures',
    causes: [],
    notCauses: ['gpu-oom', 'model-serving-crash', 'rate-limiting', 'database-down', 'bad-deployment'],
    unchecked: ['workload'],
    mitigationsAllowed: [],
    mitigationsForbidden: allBut('control-plane-escalation'),
  },
};

const NAMESPACED = ['pods', 'events', 'deployments', 'replicasets', 'statefulsets', 'jobs', 'configmaps', 'persistentvolumeclaims'];

const rbacForbidden: CorpusCase = {
  id: 'rbac-forbidden-bud-data',
  class: 'failure',
  description:
    'The on-call account has no RoleBinding in bud-data (403 on pods, events, statefulsets there, and 403 on all-namespace lists); everything, PostgreSQL included, is in fact healthy.',
  build: (now) =>
    finish(platform(now, { postgres: { replica: true } }), {
      options: { forbiddenNamespaces: ['bud-data'], forbiddenClusterScope: NAMESPACED },
    }),
  expect: {
    runbook: null,
    causes: [],
    notCauses: [
      'database-down',
      'database-storage',
      'database-corruption',
      'database-oom',
      'database-replication',
      'database-credentials',
      'control-plane',
    ],
    unchecked: ['bud-data'],
    mitigationsAllowed: [],
    mitigationsForbidden: [...ALL_MITIGATIONS],
  },
};

const overload: CorpusCase = {
  id: 'budapp-overload',
  class: 'failure',
  description:
    'Overload: all three budapp replicas (revision 42, 8 days old) are Running without restarts but flap NotReady with many "Readiness probe failed: ... context deadline exceeded" events in the last 10 minutes; nodes are fine.',
  build: (now) => {
    const since = before(now, 10 * MIN + 20 * SEC);
    const nodes = ['worker-1', 'worker-2', 'worker-3'];
    const flips = [before(now, 25 * SEC), before(now, 41 * SEC), before(now, 14 * SEC)];
    const ready = [true, false, false];
    const c = platform(now, {
      defs: { budapp: { replicas: 3 } },
      apps: {
        budapp: () =>
          steady(c0(now), {
            revision: 42,
            age: 8 * DAY + 1 * HOUR,
            tag: BUDAPP_TAG,
            nodes,
            pods: nodes.map((_, i) => ({
              readyTransition: flips[i]!,
              main: { state: 'running' as const, startedAt: after(before(now, 8 * DAY + 1 * HOUR), (9 + i * 23) * SEC), ready: ready[i]! },
              makeLogs: (_pod: string, ctx: LogCtx) => {
                const r = rng(`load:${ctx.pod}`);
                const out: string[] = [];
                for (let t = since.getTime(), k = 0; t < now.getTime() && k < 40; t += 14 * SEC + Math.floor(r() * 9000), k++) {
                  const secs = (4 + r() * 9).toFixed(2);
                  out.push(
                    k % 3 === 0
                      ? `${stamp.py(new Date(t))} WARNING  [budapp.commons.middleware] Slow request: GET /endpoints took ${secs}s (in flight: ${58 + Math.floor(r() * 7)}/64)`
                      : k % 3 === 1
                        ? `${stamp.py(new Date(t))} INFO     [uvicorn.access] 10.42.2.${20 + (k % 9)}:${40000 + k * 37} - "POST /models/recommended-cluster HTTP/1.1" 200`
                        : `${stamp.py(new Date(t))} WARNING  [uvicorn.error] Exceeded concurrency limit.`,
                  );
                }
                return { budapp: pyHealthy({ ...ctx, endedAt: since }, 'budapp', 9082) + joinLines(out) };
              },
            })),
          }),
      },
    });
    nodes.forEach((n, i) => {
      const p = podNameOf('budapp', 42, i);
      const ip = c.pod('bud-system', p).status.podIP as string;
      unhealthy(c, {
        pod: p,
        node: n,
        probe: 'Readiness',
        message: `Get "http://${ip}:9082/health": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
        first: after(since, (3 + i * 7) * SEC),
        last: before(now, (4 + i * 5) * SEC),
        count: 38 + i * 5,
      });
    });
    return finish(c, { platformApi: { status: 200, endpoints: HEALTHY_ENDPOINTS } });
  },
  expect: {
    runbook: 'sev2-response',
    causes: ['overload'],
    notCauses: ['app-crash', 'bad-deployment', 'node-pressure', 'node-lost', 'database-down', 'rate-limiting'],
    mitigationsAllowed: ['scale-up'],
    mitigationsForbidden: allBut('scale-up', 'control-plane-escalation'),
  },
};

const controlPlane: CorpusCase = {
  id: 'control-plane-etcd-timeout',
  class: 'failure',
  description:
    'The control plane is broken: discovery still answers but every resource request (lists, gets, logs, exec) fails with 500 "etcdserver: request timed out", and /readyz reports etcd failed.',
  build: (now) =>
    finish(platform(now), { options: { serverError: { code: 500, message: 'etcdserver: request timed out', scope: 'resources' } } }),
  expect: {
    runbook: 'platform-outage',
    causes: ['control-plane'],
    notCauses: ['database-down', 'node-lost', 'bad-deployment', 'dns-failure'],
    unchecked: ['bud-system', 'bud-data', 'bud-auth'],
    mitigationsAllowed: ['control-plane-escalation'],
    mitigationsForbidden: allBut('control-plane-escalation'),
  },
};

const oneBadReplica: CorpusCase = {
  id: 'single-replica-segfault',
  class: 'failure',
  description:
    'One of four budapp pods (the same 6-day-old revision 42 as the others), on worker-3, crash-loops with exit code 139 ("Fatal Python error: Segmentation fault") for 2 hours; the other three serve.',
  build: (now) => {
    const nodes = ['worker-1', 'worker-2', 'worker-3', 'worker-1'];
    let attempts: Attempt[] = [];
    const revAt = before(now, 6 * DAY + 3 * HOUR);
    const c = platform(now, {
      defs: { budapp: { replicas: 4 } },
      apps: {
        budapp: () =>
          steady(c0(now), {
            revision: 42,
            age: 6 * DAY + 3 * HOUR,
            tag: BUDAPP_TAG,
            nodes,
            pods: nodes.map((_, i) =>
              i !== 2
                ? {}
                : {
                    main: (pod: string) => {
                      const start = after(revAt, 55 * SEC);
                      const firstCrash = before(now, 2 * HOUR + 4 * MIN);
                      const l = crashLoop({
                        since: start,
                        now,
                        runSeconds: (k) => (k === 0 ? (firstCrash.getTime() - start.getTime()) / SEC : [212, 48, 380, 91, 155, 63][k % 6]!),
                        exitCode: 139,
                        reason: 'Error',
                        pod,
                        namespace: 'bud-system',
                        container: 'budapp',
                      });
                      attempts = l.attempts;
                      return l.run;
                    },
                    makeLogs: (_pod: string, ctx: LogCtx) =>
                      crashLogs('budapp', attempts, now, (a) =>
                        a.end.getTime() > now.getTime()
                          ? joinLines(pyStartup({ ...ctx, startedAt: a.start }, 'budapp', 9082))
                          : pyHealthy({ ...ctx, startedAt: a.start, endedAt: before(a.end, 1500) }, 'budapp', 9082) +
                            joinLines([
                              'Fatal Python error: Segmentation fault',
                              '',
                              'Thread 0x00007f3a8effd6c0 (most recent call first):',
                              '  File "/usr/local/lib/python3.11/threading.py", line 331 in wait',
                              '  File "/usr/local/lib/python3.11/concurrent/futures/thread.py", line 81 in _worker',
                              '',
                              'Current thread 0x00007f3a9c4a2740 (most recent call first):',
                              `  File "${PY}/tokenizers/implementations/base_tokenizer.py", line 281 in encode_batch`,
                              '  File "/app/budapp/model_ops/services.py", line 412 in estimate_prompt_tokens',
                              '  File "/app/budapp/model_ops/routes.py", line 188 in recommended_cluster',
                              `  File "${PY}/starlette/routing.py", line 73 in app`,
                              '',
                              'Extension modules: psycopg2._psycopg, pydantic_core._pydantic_core, orjson, uvloop.loop, httptools.parser.parser, tokenizers.tokenizers (total: 41)',
                            ]),
                      ),
                  },
            ),
          }),
      },
    });
    crashEvents(c, {
      namespace: 'bud-system',
      pod: podNameOf('budapp', 42, 2),
      container: 'budapp',
      node: 'worker-3',
      image: `${BUDAPP_IMAGE}:${BUDAPP_TAG}`,
      attempts: attempts.slice(1),
    });
    return finish(c);
  },
  expect: {
    runbook: 'sev2-response',
    causes: ['app-crash'],
    notCauses: ['bad-deployment', 'node-lost', 'node-pressure', 'database-down', 'overload', 'database-oom'],
    mitigationsAllowed: [],
    mitigationsForbidden: allBut('scale-up'),
  },
};

export const CORPUS: CorpusCase[] = [
  healthy,
  healthyRollout,
  oldRestarts,
  staleWarnings,
  rolloutInProgress,
  leftovers,
  maintenanceNodes,
  badDeployment,
  badConfig,
  missingConfigMap,
  imagePull,
  pgVolumeFull,
  pgWalCorruption,
  dbPasswordRotated,
  keycloakDbPassword,
  pgOomKilled,
  replicationBroken,
  nodeLost,
  memoryPressure,
  corednsDown,
  keycloakCertExpired,
  clockSkew,
  gpuOom,
  engineDead,
  rateLimited,
  workloadUnreachable,
  rbacForbidden,
  overload,
  controlPlane,
  oneBadReplica,
];

export { previousTag };
