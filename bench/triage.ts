// Triage benchmark: the read-only sweep against the loopback fake API server with 50 ms of added
// latency per request, against the same requests made one after another, in the same run.
//   node --import tsx bench/triage.ts [--quick]
// Target: the sweep within 1.5x of the slowest single request chain (deployment → its ReplicaSets
// and pods), not the sum of all requests.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { get as httpGet } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FakeKubeServer } from '../test/support/fake-kube.js';
import { healthyCluster } from '../test/support/cluster.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.argv.includes('--quick');
const LATENCY = 50;
const server = await new FakeKubeServer(healthyCluster(), { latencyMs: LATENCY, now: new Date() }).start();
const work = mkdtempSync(join(tmpdir(), 'bud-incident-triage-bench-'));
const kubeconfig = join(work, 'kubeconfig');
writeFileSync(kubeconfig, server.kubeconfig());
const env = { ...process.env, KUBECONFIG: kubeconfig, BUD_INCIDENT_HOME: join(work, 'state'), NO_COLOR: '1' };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const paths = [
  '/api/v1/namespaces/bud-system/pods',
  '/api/v1/namespaces/bud-data/pods?labelSelector=app%3Dpostgresql',
  '/api/v1/namespaces/bud-auth/pods',
  '/api/v1/nodes',
  '/api/v1/namespaces/bud-system/events',
  '/apis/apps/v1/namespaces/bud-system/deployments/budapp',
  '/apis/apps/v1/namespaces/bud-system/replicasets?labelSelector=app%3Dbudapp',
  '/api/v1/namespaces/bud-system/pods?labelSelector=app%3Dbudapp',
];
function get(path: string): Promise<void> {
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
async function sequential(list: string[]) {
  const t0 = performance.now();
  for (const p of list) await get(p);
  return performance.now() - t0;
}

const runs = quick ? 3 : 7;
const sums: number[] = [];
const chains: number[] = [];
const sweeps: number[] = [];
const walls: number[] = [];
for (let i = 0; i < runs; i++) {
  sums.push(await sequential(paths));
  chains.push(await sequential(paths.slice(5, 7)));
  const t0 = performance.now();
  // Asynchronously: the fake server lives in this process and must keep answering.
  const r = await promisify(execFile)(process.execPath, [join(root, 'bin', 'bud-incident.js'), 'triage', '--json'], {
    env,
    encoding: 'utf8',
  }).catch((e: { stdout: string }) => e);
  walls.push(performance.now() - t0);
  sweeps.push((JSON.parse(r.stdout) as { sweepMs: number }).sweepMs);
}
await server.stop();
const sum = median(sums);
const chain = median(chains);
const sweep = median(sweeps);
console.log(`Triage sweep, ${paths.length} API requests with ${LATENCY} ms added latency each (median of ${runs})`);
console.log(`  all requests one after another   ${sum.toFixed(0).padStart(6)} ms   (baseline)`);
console.log(`  slowest chain (2 requests)       ${chain.toFixed(0).padStart(6)} ms`);
console.log(
  `  bud-incident triage sweep        ${sweep.toFixed(0).padStart(6)} ms   ${(sweep / chain).toFixed(2)}x the slowest chain   target <= 1.50x  ${sweep <= 1.5 * chain ? 'PASS' : 'MISS'}`,
);
console.log(`  whole triage process (with start-up and client load) ${median(walls).toFixed(0)} ms`);
