/**
 * Sanity of the corpus itself (not of the CLI): every case builds relative to `now`, its objects hang
 * together as a real cluster's do, its expectations are coherent, its servers start, and the real
 * kubectl can read it; the loopback servers really serve an expired certificate, a skewed Date, a 429.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { connect as tlsConnect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { podStatus, type ClusterState } from '../support/fake-kube.js';
import { CORPUS } from './clusters.js';
import { startCase, type RunningCase } from './harness.js';
import { closedPort, startKeycloak, startPlatformApi } from './servers.js';
import { ALL_CAUSES, ALL_MITIGATIONS, RUNBOOKS, type CorpusCase } from './types.js';

type Obj = Record<string, any>;

const DIR = mkdtempSync(join(tmpdir(), 'bud-corpus-test-'));
const running: RunningCase[] = [];
afterAll(async () => Promise.all(running.map((r) => r.stop())));

function byId(id: string): CorpusCase {
  const c = CORPUS.find((x) => x.id === id);
  if (!c) throw new Error(`no case ${id}`);
  return c;
}

/** Wall-clock now, at a whole second (timestamps are serialized at second precision). */
function wholeSecond(ms = Date.now()): Date {
  return new Date(Math.floor(ms / 1000) * 1000);
}

function kubectl(kubeconfig: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const file = join(DIR, `kc-${Math.random().toString(36).slice(2)}`);
  writeFileSync(file, kubeconfig);
  return new Promise((resolve) => {
    execFile(
      'kubectl',
      ['--kubeconfig', file, '--request-timeout', '10s', ...args],
      { env: { ...process.env, KUBECACHEDIR: join(DIR, 'cache'), HOME: DIR }, timeout: 30_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const ISO = /"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)"/g;

function timestamps(state: unknown): number[] {
  return [...JSON.stringify(state).matchAll(ISO)].map((m) => Date.parse(m[1]!));
}

function clusters(c: CorpusCase, now: Date): Array<[string, ClusterState]> {
  const b = c.build(now);
  return [
    ['control', b.cluster] as [string, ClusterState],
    ...(b.workload && b.workload !== 'unreachable' ? [['workload', b.workload] as [string, ClusterState]] : []),
  ];
}

describe('the corpus', () => {
  it('has at least 26 cases with unique kebab-case ids, each class represented', () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(26);
    const ids = CORPUS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(new Set(CORPUS.map((c) => c.class))).toEqual(new Set(['healthy', 'confounder', 'failure']));
  });

  it.each(CORPUS.map((c) => [c.id, c] as const))('%s: expectations are coherent', (_id, c) => {
    const e = c.expect;
    expect(c.description.length).toBeGreaterThan(20);
    if (e.runbook !== null) expect(RUNBOOKS).toContain(e.runbook);
    for (const cause of [...e.causes, ...(e.notCauses ?? [])]) expect(ALL_CAUSES).toContain(cause);
    for (const m of [...e.mitigationsAllowed, ...e.mitigationsForbidden]) expect(ALL_MITIGATIONS).toContain(m);
    expect(e.causes.filter((x) => e.notCauses?.includes(x))).toEqual([]);
    expect(e.mitigationsAllowed.filter((x) => e.mitigationsForbidden.includes(x))).toEqual([]);
    if (c.class !== 'failure') {
      expect(e.runbook).toBeNull();
      expect(e.causes).toEqual([]);
      expect(e.mitigationsAllowed).toEqual([]);
      expect([...e.mitigationsForbidden].sort()).toEqual([...ALL_MITIGATIONS].sort());
    } else {
      expect(e.causes.length + (e.unchecked?.length ?? 0)).toBeGreaterThan(0);
    }
  });

  it.each(CORPUS.map((c) => [c.id, c] as const))('%s: builds a consistent cluster relative to now', (_id, c) => {
    const now = wholeSecond();
    const built = c.build(now);
    expect(built.options?.now).toEqual(now);
    for (const [where, s] of clusters(c, now)) {
      const ctx = `${c.id}/${where}`;
      expect(JSON.parse(JSON.stringify({ ...s, exec: undefined })), ctx).toBeTruthy();
      const nodes = new Set(s.nodes.map((n) => n.metadata.name));
      const owners = new Map<string, Obj>();
      for (const o of [...s.replicasets, ...(s.statefulsets ?? []), ...(s.jobs ?? []), ...s.deployments])
        owners.set(`${o.metadata.namespace}/${o.metadata.name}`, o);
      const nowMs = now.getTime();
      const notLater = (t: string | undefined, what: string) => {
        if (t) expect(Date.parse(t), `${ctx} ${what} ${t}`).toBeLessThanOrEqual(nowMs);
      };
      const names = new Set<string>();
      for (const p of s.pods) {
        const key = `${p.metadata.namespace}/${p.metadata.name}`;
        expect(names.has(key), `${ctx} duplicate pod ${key}`).toBe(false);
        names.add(key);
        notLater(p.metadata.creationTimestamp, `${key} creationTimestamp`);
        if (p.spec.nodeName) expect(nodes.has(p.spec.nodeName), `${key} on unknown node`).toBe(true);
        for (const ref of p.metadata.ownerReferences ?? []) {
          if (ref.kind === 'DaemonSet') continue;
          const owner = owners.get(`${p.metadata.namespace}/${ref.name}`);
          expect(owner, `${key} owner ${ref.kind}/${ref.name}`).toBeDefined();
          expect(owner!.metadata.uid).toBe(ref.uid);
          if (ref.kind === 'ReplicaSet') expect(p.metadata.labels['pod-template-hash']).toBe(owner!.metadata.labels['pod-template-hash']);
        }
        const created = Date.parse(p.metadata.creationTimestamp);
        for (const cs of p.status.containerStatuses ?? []) {
          const started = cs.state?.running?.startedAt ?? cs.state?.terminated?.startedAt;
          notLater(started, `${key}/${cs.name} startedAt`);
          if (started) expect(Date.parse(started)).toBeGreaterThanOrEqual(created);
          const last = cs.lastState?.terminated;
          if (last) {
            notLater(last.finishedAt, `${key}/${cs.name} lastState.finishedAt`);
            expect(Date.parse(last.finishedAt)).toBeGreaterThanOrEqual(Date.parse(last.startedAt));
          }
          if (cs.state?.waiting?.reason === 'CrashLoopBackOff') {
            expect(last, `${key}/${cs.name} crash-loops without lastState`).toBeDefined();
            expect(cs.restartCount).toBeGreaterThan(0);
          }
        }
      }
      for (const rs of s.replicasets) {
        const ref = rs.metadata.ownerReferences[0];
        const dep = owners.get(`${rs.metadata.namespace}/${ref.name}`);
        expect(dep?.metadata.uid, `${ctx} ${rs.metadata.name} owner`).toBe(ref.uid);
        expect(rs.metadata.annotations['deployment.kubernetes.io/revision']).toMatch(/^\d+$/);
      }
      for (const d of s.deployments) {
        const revs = s.replicasets
          .filter((r) => r.metadata.namespace === d.metadata.namespace && r.metadata.ownerReferences[0].name === d.metadata.name)
          .map((r) => Number(r.metadata.annotations['deployment.kubernetes.io/revision']));
        expect(new Set(revs).size, `${ctx} ${d.metadata.name} revisions`).toBe(revs.length);
        expect(Number(d.metadata.annotations['deployment.kubernetes.io/revision'])).toBe(Math.max(...revs));
      }
      for (const e of s.events) {
        notLater(e.lastTimestamp ?? e.series?.lastObservedTime ?? e.eventTime, `event ${e.metadata.name}`);
        expect(e.involvedObject.kind).toBeTruthy();
        if (e.involvedObject.kind === 'Node') expect(nodes.has(e.involvedObject.name)).toBe(true);
      }
      for (const key of Object.keys(s.logs ?? {})) {
        const [ns, podName, rest] = key.split('/');
        const container = rest?.replace('#previous', '');
        const p = s.pods.find((x) => x.metadata.namespace === ns && x.metadata.name === podName);
        expect(p, `${ctx} log ${key} for no pod`).toBeDefined();
        if (container)
          expect(
            p!.spec.containers.map((x: Obj) => x.name),
            `${ctx} log ${key}`,
          ).toContain(container);
      }
    }
  });

  it.each(CORPUS.map((c) => [c.id, c] as const))('%s: every timestamp moves with now', (_id, c) => {
    const now = wholeSecond();
    const later = new Date(now.getTime() + 86_400_000 + 3_600_000);
    const a = clusters(c, now).map(([, s]) => timestamps({ ...s, exec: undefined }));
    const b = clusters(c, later).map(([, s]) => timestamps({ ...s, exec: undefined }));
    expect(b.map((x) => x.length)).toEqual(a.map((x) => x.length));
    a.forEach((list, i) => list.forEach((t, j) => expect(b[i]![j]! - t, `${c.id} timestamp #${j}`).toBe(86_400_000 + 3_600_000)));
    const logsA = JSON.stringify(c.build(now).cluster.logs);
    expect(JSON.stringify(c.build(now).cluster.logs)).toBe(logsA);
  });

  it('tells each story in the objects (spot checks)', () => {
    const now = wholeSecond();
    const pods = (id: string) => byId(id).build(now).cluster.pods;
    const budapp = (id: string) => pods(id).filter((p) => p.metadata.labels.app === 'budapp');
    expect(budapp('healthy').every((p) => podStatus(p) === 'Running')).toBe(true);
    expect(budapp('old-restarts-5d')[0]!.status.containerStatuses[0].restartCount).toBe(14);
    expect(budapp('bad-config-push').map(podStatus)).toEqual(['CrashLoopBackOff', 'CrashLoopBackOff']);
    expect(budapp('missing-configmap').map(podStatus).sort()).toEqual([
      'CreateContainerConfigError',
      'CreateContainerConfigError',
      'Running',
    ]);
    expect(budapp('image-tag-typo').map(podStatus).sort()).toEqual(['ErrImagePull', 'ImagePullBackOff', 'Running']);
    const pg = byId('postgres-oomkilled')
      .build(now)
      .cluster.pods.find((p) => p.metadata.name === 'postgresql-0')!;
    expect(pg.status.containerStatuses[0].lastState.terminated).toMatchObject({ reason: 'OOMKilled', exitCode: 137 });
    const lost = byId('node-lost-worker-2').build(now).cluster;
    const w2 = lost.nodes.find((n) => n.metadata.name === 'worker-2')!;
    expect(w2.status.conditions.find((x: Obj) => x.type === 'Ready')).toMatchObject({
      status: 'Unknown',
      message: 'Kubelet stopped posting node status.',
    });
    expect(w2.spec.taints.map((t: Obj) => `${t.key}:${t.effect}`)).toContain('node.kubernetes.io/unreachable:NoExecute');
    const pressure = byId('memory-pressure-worker-1').build(now).cluster;
    expect(
      pressure.nodes.find((n) => n.metadata.name === 'worker-1')!.status.conditions.find((x: Obj) => x.type === 'MemoryPressure').status,
    ).toBe('True');
    expect(pressure.pods.some((p) => p.status.reason === 'Evicted')).toBe(true);
    const segv = budapp('single-replica-segfault');
    expect(segv).toHaveLength(4);
    expect(segv.filter((p) => podStatus(p) === 'Running')).toHaveLength(3);
    const gpu = byId('vllm-cuda-oom').build(now).workload as ClusterState;
    const llama = gpu.pods.find((p) => p.metadata.name.startsWith('vllm-llama-3-70b-'))!;
    expect(llama.status.containerStatuses[0].restartCount).toBeGreaterThan(2);
    expect(
      Object.entries(gpu.logs!).some(([k, v]) => k.endsWith('#previous') && v.includes('torch.OutOfMemoryError: CUDA out of memory')),
    ).toBe(true);
  });
});

describe('the corpus against fake API servers', () => {
  it.each(CORPUS.map((c) => [c.id, c] as const))('%s: its servers start and answer', async (_id, c) => {
    const r = await startCase(c);
    running.push(r);
    const pods = await fetch(`${r.control.url}/api/v1/namespaces/bud-system/pods`, { headers: { Authorization: 'Bearer test-token' } });
    if (c.id === 'control-plane-etcd-timeout') {
      expect(pods.status).toBe(500);
      expect(((await pods.json()) as Obj).message).toBe('etcdserver: request timed out');
    } else expect(pods.status).toBe(200);
    if (r.workload) expect((await fetch(`${r.workload.url}/api/v1/namespaces/bud-workloads/pods`)).status).toBe(200);
    if (c.build(r.now).workload === 'unreachable') {
      const port = /127\.0\.0\.1:(\d+)/.exec(r.workloadKubeconfig!)![1];
      await expect(fetch(`http://127.0.0.1:${port}/version`)).rejects.toThrow();
    }
    if (r.platformApi) {
      const res = await fetch(`${r.platformApi.url}/endpoints`, { headers: { Authorization: `Bearer ${r.platformToken}` } });
      expect(res.status).toBe(r.built.platformApi!.status);
    }
    await r.stop();
  });

  it('kubectl get pods -A reads the healthy and the node-lost cluster', async () => {
    const healthy = await startCase(byId('healthy'));
    running.push(healthy);
    const h = await kubectl(healthy.kubeconfig, ['get', 'pods', '-A', '-o', 'wide']);
    expect(h.code, h.stderr).toBe(0);
    expect(h.stdout).toMatch(/bud-data\s+postgresql-0\s+1\/1\s+Running/);
    expect(h.stdout).toMatch(/bud-system\s+budapp-\S+\s+2\/2\s+Running/);
    const lost = await startCase(byId('node-lost-worker-2'));
    running.push(lost);
    const l = await kubectl(lost.kubeconfig, ['get', 'pods', '-A']);
    expect(l.code, l.stderr).toBe(0);
    expect(l.stdout).toMatch(/budgateway-\S+\s+2\/2\s+Terminating/);
    expect(l.stdout).toMatch(/budgateway-\S+\s+0\/2\s+Pending/);
    const n = await kubectl(lost.kubeconfig, ['get', 'nodes']);
    expect(n.stdout).toMatch(/worker-2\s+NotReady/);
    const ev = await kubectl(lost.kubeconfig, ['get', 'events', '-n', 'bud-system']);
    expect(ev.stdout).toMatch(/FailedScheduling.*Insufficient memory/);
    const logs = await kubectl(lost.kubeconfig, [
      'logs',
      '-n',
      'bud-system',
      l.stdout.match(/budapp-\S+(?=\s+2\/2\s+Terminating)/)![0],
      '-c',
      'budapp',
    ]);
    expect(logs.code).not.toBe(0);
    expect(logs.stderr).toMatch(/10250.*no route to host/);
  });

  it('kubectl logs: current and previous container, per container', async () => {
    const r = await startCase(byId('bad-config-push'));
    running.push(r);
    const pods = await kubectl(r.kubeconfig, ['get', 'pods', '-n', 'bud-system', '-l', 'app=budapp', '-o', 'name']);
    const first = pods.stdout.trim().split('\n')[0]!;
    const prev = await kubectl(r.kubeconfig, ['logs', '-n', 'bud-system', first, '-c', 'budapp', '--previous']);
    expect(prev.code, prev.stderr).toBe(0);
    expect(prev.stdout).toContain('FATAL config: /etc/bud/config.yaml: yaml: line 14: did not find expected key');
    const dapr = await kubectl(r.kubeconfig, ['logs', '-n', 'bud-system', first, '-c', 'daprd']);
    expect(dapr.stdout).toContain('dapr initialized');
    const cm = await kubectl(r.kubeconfig, [
      'get',
      'configmap',
      'budapp-config',
      '-n',
      'bud-system',
      '-o',
      'jsonpath={.data.config\\.yaml}',
    ]);
    expect(cm.stdout.split('\n')[13]).toBe(' realm: bud-prod');
    const healthy = await startCase(byId('healthy'));
    running.push(healthy);
    const noPrev = await kubectl(healthy.kubeconfig, ['logs', '-n', 'bud-data', 'postgresql-0', '--previous']);
    expect(noPrev.code).not.toBe(0);
    expect(noPrev.stderr).toMatch(/previous terminated container "postgresql" in pod "postgresql-0" not found/);
    const pull = await startCase(byId('image-tag-typo'));
    running.push(pull);
    const pulling = await kubectl(pull.kubeconfig, ['get', 'pods', '-n', 'bud-system', '-o', 'name']);
    const broken = (await kubectl(pull.kubeconfig, ['get', 'pods', '-n', 'bud-system'])).stdout.match(
      /budapp-\S+(?=\s+\d\/2\s+ImagePullBackOff)/,
    )![0];
    expect(pulling.stdout).toContain(broken);
    const waiting = await kubectl(pull.kubeconfig, ['logs', '-n', 'bud-system', broken, '-c', 'budapp']);
    expect(waiting.stderr).toMatch(/is waiting to start: trying and failing to pull image/);
  });

  it('kubectl exec runs in running containers only', async () => {
    const r = await startCase(byId('healthy'));
    running.push(r);
    const ok = await kubectl(r.kubeconfig, ['exec', '-n', 'bud-data', 'postgresql-0', '--', 'pg_isready']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('accepting connections');
    const full = await startCase(byId('postgres-volume-full'));
    running.push(full);
    const down = await kubectl(full.kubeconfig, ['exec', '-n', 'bud-data', 'postgresql-0', '--', 'pg_isready']);
    expect(down.code).not.toBe(0);
  });

  it('RBAC: bud-data and all-namespace lists are forbidden, other namespaces readable', async () => {
    const r = await startCase(byId('rbac-forbidden-bud-data'));
    running.push(r);
    const data = await kubectl(r.kubeconfig, ['get', 'pods', '-n', 'bud-data']);
    expect(data.code).not.toBe(0);
    expect(data.stderr).toMatch(/Forbidden|forbidden/);
    const all = await kubectl(r.kubeconfig, ['get', 'pods', '-A']);
    expect(all.stderr).toMatch(/at the cluster scope/);
    const sys = await kubectl(r.kubeconfig, ['get', 'pods', '-n', 'bud-system']);
    expect(sys.code, sys.stderr).toBe(0);
  });

  it('control plane: kubectl reports etcdserver: request timed out', async () => {
    const r = await startCase(byId('control-plane-etcd-timeout'));
    running.push(r);
    const res = await kubectl(r.kubeconfig, ['get', 'pods', '-A']);
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('etcdserver: request timed out');
    const ready = await fetch(`${r.control.url}/readyz`);
    expect(ready.status).toBe(500);
    expect(await ready.text()).toContain('[-]etcd failed');
  });
});

describe('loopback servers', () => {
  function tlsError(url: string, ca: string): Promise<string | undefined> {
    const u = new URL(url);
    return new Promise((resolve) => {
      const s = tlsConnect({ host: u.hostname, port: Number(u.port), ca, servername: 'keycloak.bud.example' }, () => {
        s.end();
        resolve(undefined);
      });
      s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    });
  }

  function get(url: string, ca: string): Promise<{ status: number; date: string; body: string }> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest(url, { ca }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, date: String(res.headers.date), body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('Keycloak with an expired certificate: node TLS and openssl s_client both say it has expired', async () => {
    const k = await startKeycloak({ certificate: 'expired' });
    try {
      const ca = readFileSync(k.caFile, 'utf8');
      expect(await tlsError(k.url, ca)).toBe('CERT_HAS_EXPIRED');
      expect(k.certificate.notAfter.getTime()).toBeLessThan(Date.now());
      const out = await new Promise<string>((resolve) => {
        const child = execFile(
          'openssl',
          ['s_client', '-connect', `127.0.0.1:${k.port}`, '-CAfile', k.caFile, '-servername', 'keycloak.bud.example'],
          { timeout: 10_000 },
          (_e, stdout, stderr) => resolve(stdout + stderr),
        );
        child.stdin?.end('Q\n');
      });
      expect(out).toMatch(/Verify return code: 10 \(certificate has expired\)/);
    } finally {
      await k.stop();
    }
  });

  it('Keycloak with a valid certificate serves the realm, with its Date header skewed as asked', async () => {
    const k = await startKeycloak({ certificate: 'valid', skewSeconds: 420 });
    try {
      const ca = readFileSync(k.caFile, 'utf8');
      expect(await tlsError(k.url, ca)).toBeUndefined();
      const res = await get(`${k.url}/realms/bud/.well-known/openid-configuration`, ca);
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body).issuer).toBe(`${k.url}/realms/bud`);
      const skew = (Date.parse(res.date) - Date.now()) / 1000;
      expect(skew).toBeGreaterThan(415);
      expect(skew).toBeLessThan(425);
      const other = await get(`${k.url}/realms/nope/.well-known/openid-configuration`, ca);
      expect(other.status).toBe(404);
    } finally {
      await k.stop();
    }
    const down = await startKeycloak({ certificate: 'valid', status: 503 });
    try {
      expect((await get(`${down.url}/realms/bud/.well-known/openid-configuration`, readFileSync(down.caFile, 'utf8'))).status).toBe(503);
    } finally {
      await down.stop();
    }
  });

  it('the platform API answers 429 with Retry-After, 200 with endpoints, 401 without a token', async () => {
    const limited = await startPlatformApi({ status: 429, token: 't' });
    const ok = await startPlatformApi({ status: 200, endpoints: [{ name: 'llama-3-70b', status: 'running' }] });
    try {
      const r = await fetch(`${limited.url}/endpoints`, { headers: { Authorization: 'Bearer t' } });
      expect(r.status).toBe(429);
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await fetch(`${limited.url}/endpoints`)).status).toBe(401);
      const o = await fetch(`${ok.url}/endpoints`, { headers: { Authorization: 'Bearer x' } });
      expect(await o.json()).toEqual([{ name: 'llama-3-70b', status: 'running' }]);
      expect(limited.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    } finally {
      await limited.stop();
      await ok.stop();
    }
  });

  it('closedPort is closed', async () => {
    const port = await closedPort();
    await expect(fetch(`http://127.0.0.1:${port}/version`)).rejects.toThrow();
  });
});
