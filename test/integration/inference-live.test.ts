/**
 * inference-failures against two fake clusters (the control plane and a workload cluster reached
 * through its own kubeconfig, as configured) and a fake platform API on loopback: curl with the
 * token from the environment piped to the real jq, kubectl on the workload cluster, native checks.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { execFileSync } from 'node:child_process';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeKubeServer } from '../support/fake-kube.js';
import { healthyCluster, workloadCluster } from '../support/cluster.js';
import { jsonLines, sandbox } from '../support/cli.js';

let tools = true;
try {
  execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
  execFileSync('jq', ['--version'], { stdio: 'ignore' });
} catch {
  tools = false;
}

const closers: Array<() => Promise<void>> = [];
afterAll(async () => Promise.all(closers.map((c) => c())));

async function platformApi(endpoints: unknown, token: string): Promise<string> {
  const server: Server = createServer((req, res) => {
    if (req.headers.authorization !== `Bearer ${token}`) {
      res.writeHead(401).end('{"detail":"unauthorized"}');
      return;
    }
    if (req.url === '/endpoints') res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(endpoints));
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => server.close(() => r())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function setup(broken: boolean) {
  const cp = await new FakeKubeServer(healthyCluster(), { now: new Date() }).start();
  const gpu = await new FakeKubeServer(workloadCluster(broken), { now: new Date() }).start();
  closers.push(
    () => cp.stop(),
    () => gpu.stop(),
  );
  const token = 'tok-abcdef0123456789';
  const api = await platformApi(
    [
      { name: 'llama-3-70b', status: broken ? 'failed' : 'running' },
      { name: 'qwen-2-7b', status: 'running' },
    ],
    token,
  );
  const box = sandbox({ TOKEN: token });
  box.writeKubeconfig(cp.kubeconfig());
  const gpuKubeconfig = join(box.dir, 'gpu-kubeconfig');
  writeFileSync(gpuKubeconfig, gpu.kubeconfig({ context: 'gpu-east' }));
  const cfg = join(box.dir, 'config.yaml');
  writeFileSync(
    cfg,
    `apiUrl: ${api}\nworkloadCluster: gpu-east\nclusters:\n  gpu-east:\n    kubeconfig: ${gpuKubeconfig}\n    context: gpu-east\n`,
  );
  // No --var vllmPod: the diagnosis finds the failing model server by label on the workload cluster.
  const r = await box.run(['run', 'inference-failures', '--yes', '--json', '--config', cfg]);
  return { r, events: jsonLines(r.stdout), box, gpu, cp };
}

describe.runIf(tools)('inference-failures on a control plane, a workload cluster and the platform API', () => {
  it('a healthy platform passes; the workload cluster is asked through its own kubeconfig', async () => {
    const { r, events, gpu, cp } = await setup(false);
    const errors = events.filter((e) => e.type === 'step.finished' && e.status === 'error');
    expect(errors).toEqual([]);
    expect(events.filter((e) => e.type === 'finding.raised')).toEqual([]);
    expect(r.code).toBe(0);
    expect(gpu.requests.some((q) => q.path === '/api/v1/namespaces/bud-workloads/pods')).toBe(true);
    expect(cp.requests.some((q) => q.path.includes('bud-workloads'))).toBe(false);
  });

  it('a GPU OOM is named on the pod the diagnosis found, the token never appears, and only the memory fix is offered', async () => {
    const { events, box } = await setup(true);
    const ids = events.filter((e) => e.type === 'finding.raised').map((e) => e.findingId as string);
    expect(ids).toEqual(expect.arrayContaining(['endpoints-unhealthy', 'vllm-gpu-oom']));
    expect(events.find((e) => e.findingId === 'vllm-gpu-oom')?.evidence.lines.join('\n')).toContain('CUDA out of memory');
    // The logs and GPU steps ran against the pod the diagnosis named, not a guessed deployment.
    expect(events.find((e) => e.type === 'step.started' && e.stepId === 'gpu')?.command).toContain('vllm-llama-3-70b-6c9f7d8b5-abc12');
    // A restart does not give a model more GPU memory: only the memory change is offered.
    expect(events.filter((e) => e.type === 'mitigation.proposed').map((e) => e.mitigationId)).toEqual(['reduce-gpu-memory']);
    expect(events.find((e) => e.findingId === 'endpoints-unhealthy')?.message).toContain('{"name":"llama-3-70b","status":"failed"}');
    expect(events.find((e) => e.type === 'step.started' && e.stepId === 'endpoint-status')?.command).toContain('Bearer $TOKEN');
    expect(events.some((e) => e.type === 'mitigation.finished')).toBe(false);
    const id = readFileSync(join(box.home, 'current'), 'utf8').trim();
    const timeline = readFileSync(join(box.home, 'incidents', id, 'timeline.jsonl'), 'utf8');
    expect(timeline).not.toContain('tok-abcdef0123456789');
    expect(JSON.stringify(events)).not.toContain('tok-abcdef0123456789');
  });
});
