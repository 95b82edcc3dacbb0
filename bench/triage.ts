// Triage benchmarks, each against a baseline measured in the same run on the loopback fake API server.
//   node --import tsx bench/triage.ts [--quick]
//
// 1. Latency: 50 ms added to every request. The sweep makes many requests (lists in four
//    namespaces, then the logs of the failing pods); target: within 1.5x of its slowest chain
//    (a list, then a log read), not the sum of all requests.
// 2. Scale: a cluster of 3,000 pods and 20,000 events with PostgreSQL down among them. Target:
//    the sweep within 2x of listing those pods and events once (the same client, in-process,
//    concurrently), and the right runbook still named first.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { get as httpGet } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FakeKubeServer, type ClusterState } from '../test/support/fake-kube.js';
import { deployment, event, healthyCluster, node, pod, replicaset } from '../test/support/cluster.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.argv.includes('--quick');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const run = promisify(execFile);

async function triage(server: FakeKubeServer) {
  const work = mkdtempSync(join(tmpdir(), 'bud-incident-triage-bench-'));
  const kubeconfig = join(work, 'kubeconfig');
  writeFileSync(kubeconfig, server.kubeconfig());
  const env = { ...process.env, KUBECONFIG: kubeconfig, BUD_INCIDENT_HOME: join(work, 'state'), NO_COLOR: '1' };
  const t0 = performance.now();
  // Asynchronously: the fake server lives in this process and must keep answering.
  const r = await run(process.execPath, [join(root, 'bin', 'bud-incident.js'), 'triage', '--json'], {
    env,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  }).catch((e: { stdout: string }) => e);
  const json = JSON.parse(r.stdout) as { sweepMs: number; matches: Array<{ runbook: string; cause: string }> };
  return { wall: performance.now() - t0, sweep: json.sweepMs, first: json.matches[0] };
}

function get(server: FakeKubeServer, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = httpGet(
      server.url + path,
      { agent: false, headers: { Authorization: 'Bearer test-token', Accept: 'application/json' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve());
      },
    );
    req.on('error', (e) => reject(new Error(`GET ${path}: ${e.message}`)));
  });
}

// ---- 1. latency
{
  const state = healthyCluster();
  // One failing pod, so the sweep reads logs after listing (its longest chain).
  state.pods[0]!.status.containerStatuses[0] = {
    name: 'budapp',
    ready: false,
    restartCount: 4,
    state: { waiting: { reason: 'CrashLoopBackOff' } },
    lastState: { terminated: { reason: 'Error', exitCode: 1, finishedAt: new Date(Date.now() - 60_000).toISOString() } },
  };
  state.pods[0]!.status.conditions = [{ type: 'Ready', status: 'False' }];
  const LATENCY = 50;
  const server = await new FakeKubeServer(state, { latencyMs: LATENCY, now: new Date() }).start();
  const runs = quick ? 3 : 7;
  const sweeps: number[] = [];
  const walls: number[] = [];
  let paths: string[] = [];
  for (let i = 0; i < runs; i++) {
    server.requests.length = 0;
    const r = await triage(server);
    sweeps.push(r.sweep);
    walls.push(r.wall);
    paths = server.requests.filter((q) => q.path !== '/version').map((q) => q.path + q.query);
  }
  const sums: number[] = [];
  const chains: number[] = [];
  const logPath = paths.find((p) => p.includes('/log')) ?? paths[0]!;
  for (let i = 0; i < runs; i++) {
    let t0 = performance.now();
    for (const p of paths) await get(server, p);
    sums.push(performance.now() - t0);
    t0 = performance.now();
    await get(server, '/api/v1/namespaces/bud-system/pods');
    await get(server, logPath);
    chains.push(performance.now() - t0);
  }
  await server.stop();
  const sum = median(sums);
  const chain = median(chains);
  const sweep = median(sweeps);
  console.log(`Triage sweep, ${paths.length} API requests with ${LATENCY} ms added latency each (median of ${runs})`);
  console.log(`  all its requests one after another   ${sum.toFixed(0).padStart(6)} ms   (baseline)`);
  console.log(`  slowest chain (list, then a log)     ${chain.toFixed(0).padStart(6)} ms`);
  console.log(
    `  bud-incident triage sweep            ${sweep.toFixed(0).padStart(6)} ms   ${(sweep / chain).toFixed(2)}x the slowest chain   target <= 1.50x  ${sweep <= 1.5 * chain ? 'PASS' : 'MISS'}`,
  );
  console.log(`  whole triage process (with start-up and client load) ${median(walls).toFixed(0)} ms`);
}

// ---- 2. scale
{
  const now = new Date();
  const PODS = 3000;
  const EVENTS = 20000;
  const state: ClusterState = { nodes: [], pods: [], events: [], deployments: [], replicasets: [], logs: {} };
  for (let n = 0; n < 60; n++) state.nodes.push(node(`worker-${n}`));
  const services = 250;
  const perService = PODS / services;
  for (let s = 0; s < services; s++) {
    const name = s === 0 ? 'budapp' : `svc-${s}`;
    const hash = `7d9f8c${String(s).padStart(3, '0')}`;
    state.deployments.push(deployment('bud-system', name, perService, perService));
    state.replicasets.push(replicaset('bud-system', name, hash, 42, perService, 'helm upgrade bud 3.19.0'));
    for (let i = 0; i < perService; i++)
      state.pods.push(
        pod({
          namespace: 'bud-system',
          name: `${name}-${hash}-${String(i).padStart(5, 'x')}`,
          labels: { app: name, 'pod-template-hash': hash },
          containers: [name, 'daprd'],
          node: `worker-${i % 60}`,
          ownerRS: `${name}-${hash}`,
        }),
      );
  }
  // PostgreSQL's volume is full: the one root cause among 3,000 pods.
  const pg = pod({
    namespace: 'bud-data',
    name: 'postgresql-0',
    labels: { app: 'postgresql' },
    containers: ['postgresql'],
    state: 'CrashLoopBackOff',
    restarts: 6,
  });
  pg.status.containerStatuses[0].lastState.terminated.finishedAt = new Date(now.getTime() - 60_000).toISOString();
  state.pods.push(pg, pod({ namespace: 'bud-data', name: 'postgresql-1', labels: { app: 'postgresql' }, containers: ['postgresql'] }));
  state.pods.push(pod({ namespace: 'bud-auth', name: 'keycloak-0', labels: { app: 'keycloak' }, containers: ['keycloak'] }));
  state.logs!['bud-data/postgresql-0'] = 'PANIC:  could not write to file "pg_wal/xlogtemp.1": No space left on device\n';
  for (let i = 0; i < EVENTS; i++) {
    const p = state.pods[i % state.pods.length]!;
    const warn = i % 10 === 0;
    state.events.push({
      ...event(
        p.metadata.namespace,
        'Pod',
        p.metadata.name,
        warn ? 'Warning' : 'Normal',
        warn ? 'Unhealthy' : 'Pulled',
        warn ? 'Readiness probe failed: connection refused' : 'Container image already present on machine',
        new Date(now.getTime() - (i % 7200) * 1000).toISOString(),
      ),
      metadata: { name: `ev-${i}`, namespace: p.metadata.namespace, uid: `uid-ev-${i}` },
    });
  }
  const server = await new FakeKubeServer(state, { now }).start();
  const namespaces = ['bud-system', 'bud-data', 'bud-auth', 'kube-system'];
  const paths = namespaces.flatMap((ns) => [`/api/v1/namespaces/${ns}/pods`, `/api/v1/namespaces/${ns}/events`]);
  // The baseline: the cheapest listing there is, raw GETs at once and JSON.parse, in a warm process.
  const fetchJson = (path: string) =>
    new Promise<unknown>((resolve, reject) => {
      const req = httpGet(server.url + path, { headers: { Authorization: 'Bearer test-token', Accept: 'application/json' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
      });
      req.on('error', reject);
    });
  const listOnce = async () => {
    const t0 = performance.now();
    await Promise.all(paths.map(fetchJson));
    return performance.now() - t0;
  };
  // For reference: the same lists through client-node's typed API.
  const k8s = await import('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  kc.loadFromString(server.kubeconfig());
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const typedOnce = async () => {
    const t0 = performance.now();
    await Promise.all(namespaces.flatMap((namespace) => [core.listNamespacedPod({ namespace }), core.listNamespacedEvent({ namespace })]));
    return performance.now() - t0;
  };
  await listOnce();
  await typedOnce();
  const runs = quick ? 3 : 5;
  const lists: number[] = [];
  const typed: number[] = [];
  const sweeps: number[] = [];
  const walls: number[] = [];
  let first: { runbook: string; cause: string } | undefined;
  for (let i = 0; i < runs; i++) {
    lists.push(await listOnce());
    typed.push(await typedOnce());
    const r = await triage(server);
    sweeps.push(r.sweep);
    walls.push(r.wall);
    first = r.first;
  }
  await server.stop();
  const list = median(lists);
  const sweep = median(sweeps);
  console.log(
    `\nTriage at scale: ${state.pods.length} pods, ${state.events.length} events, ${state.nodes.length} nodes (median of ${runs})`,
  );
  console.log(`  listing those pods and events once (raw GETs at once, JSON.parse) ${list.toFixed(0).padStart(6)} ms   (baseline)`);
  console.log(`  the same through client-node's typed API (for reference)          ${median(typed).toFixed(0).padStart(6)} ms`);
  console.log(
    `  bud-incident triage sweep (lists, logs and the judgement)        ${sweep.toFixed(0).padStart(6)} ms   ${(sweep / list).toFixed(2)}x   target <= 2.00x  ${sweep <= 2 * list ? 'PASS' : 'MISS'}`,
  );
  console.log(`  whole triage process                                             ${median(walls).toFixed(0).padStart(6)} ms`);
  console.log(
    `  first runbook named: ${first?.runbook ?? 'none'} (${first?.cause ?? '-'})   expected database-failure (database-storage)  ${first?.runbook === 'database-failure' && first.cause === 'database-storage' ? 'PASS' : 'MISS'}`,
  );
}
