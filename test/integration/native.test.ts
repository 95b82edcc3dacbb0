/** Native checks through @kubernetes/client-node against the fake API server. */
import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { FakeKubeServer, type FakeKubeOptions } from '../support/fake-kube.js';
import { badConfigCluster, databaseDownCluster, healthyCluster } from '../support/cluster.js';
import { jsonLines, ROOT, sandbox } from '../support/cli.js';

const DIR = join(ROOT, 'test', 'fixtures', 'native');
const servers: FakeKubeServer[] = [];
afterAll(async () => Promise.all(servers.map((s) => s.stop())));

async function run(state = healthyCluster(), options: FakeKubeOptions = {}, kubeconfigToken?: string) {
  const server = await new FakeKubeServer(state, { now: new Date(), ...options }).start();
  servers.push(server);
  const box = sandbox();
  box.writeKubeconfig(server.kubeconfig(kubeconfigToken ? { token: kubeconfigToken } : {}));
  const r = await box.run(['run', 'native-drill', '--yes', '--json', '--runbooks-dir', DIR]);
  const events = jsonLines(r.stdout);
  return { r, events, server, findings: events.filter((e) => e.type === 'finding.raised') };
}

describe('native Kubernetes checks', () => {
  it('a healthy cluster raises nothing, and the client really asked the API', async () => {
    const { r, findings, server } = await run();
    expect(findings).toEqual([]);
    expect(r.code).toBe(0);
    expect(server.requests.some((q) => q.path === '/apis/apps/v1/namespaces/bud-system/deployments/budapp')).toBe(true);
    expect(
      server.requests.some((q) => q.path === '/api/v1/namespaces/bud-data/pods' && q.query.includes('labelSelector=app%3Dpostgresql')),
    ).toBe(true);
  });

  it('names the crash-looping pods, their containers and restarts', async () => {
    const { findings } = await run(databaseDownCluster());
    const pods = findings.find((f) => f.findingId === 'pods-failing');
    expect(pods?.message).toContain('bud-system/budapp-7d9f8c6b5-x2k4p/budapp: CrashLoopBackOff (restarts 7, on worker-1');
    expect(pods?.message).toContain('last terminated Error (exit 1)');
    expect(findings.find((f) => f.findingId === 'rollout-failing')?.message).toMatch(
      /RolloutFailing: pods of the new ReplicaSet budapp-7d9f8c6b5 fail/,
    );
    expect(findings.find((f) => f.findingId === 'warnings')?.message).toContain('Pod/budapp-7d9f8c6b5-x2k4p BackOff');
  });

  it('tells a configuration error from a crash', async () => {
    const { findings } = await run(badConfigCluster());
    expect(findings.find((f) => f.findingId === 'pods-failing')?.message).toContain(
      'CreateContainerConfigError (on worker-1) — configmap "budapp-config-v42" not found',
    );
  });

  it('shows OOMKilled behind CrashLoopBackOff, and a missing PostgreSQL pod', async () => {
    const state = healthyCluster();
    // The CLI judges ages by the system clock; the test brackets the run with it rather than
    // expecting a figure (the wording of ages on a fixed clock is test/unit/native.test.ts's).
    const finishedAt = new Date(Math.floor(Date.now() / 1000) * 1000 - 10_000);
    state.pods[0]!.status.containerStatuses[0] = {
      name: 'budapp',
      ready: false,
      restartCount: 12,
      state: { waiting: { reason: 'CrashLoopBackOff' } },
      lastState: { terminated: { reason: 'OOMKilled', exitCode: 137, finishedAt: finishedAt.toISOString() } },
    };
    state.pods = state.pods.filter((p) => p.metadata.name !== 'postgresql-0');
    const before = Date.now();
    const { findings } = await run(state);
    const after = Date.now();
    const since = finishedAt.toISOString().replace('.000Z', 'Z');
    const oom =
      /budapp-7d9f8c6b5-x2k4p\/budapp: OOMKilled \(restarts 12, on worker-1, since (\S+) \((\d+)s ago\)\) — the container ran out of memory/.exec(
        String(findings.find((f) => f.findingId === 'pods-failing')?.message),
      );
    expect(oom?.[1]).toBe(since);
    const agoSeconds = Number(oom?.[2]);
    expect(agoSeconds).toBeGreaterThanOrEqual(Math.round((before - finishedAt.getTime()) / 1000));
    expect(agoSeconds).toBeLessThanOrEqual(Math.round((after - finishedAt.getTime()) / 1000));
    expect(findings.find((f) => f.findingId === 'pg-failing')?.message).toBe('bud-data (app=postgresql): NoPods — no pod matches');
  });

  it('a rejected token (401) is "could not check", never a finding about the cluster', async () => {
    const { r, events } = await run(healthyCluster(), { token: 'the-right-one' }, 'expired-token');
    const pods = events.find((e) => e.type === 'step.finished' && e.stepId === 'pods');
    expect(pods?.status).toBe('unchecked');
    expect(pods?.reason).toMatch(/401 Unauthorized.*fix: refresh the credentials/);
    expect(events.filter((e) => e.type === 'finding.raised')).toEqual([]);
    expect(r.code).toBe(1);
  });

  it('a forbidden namespace (403) is "could not check" for that step only', async () => {
    const { events } = await run(healthyCluster(), { forbiddenNamespaces: ['bud-data'] });
    const pg = events.find((e) => e.type === 'step.finished' && e.stepId === 'pg');
    expect(pg?.status).toBe('unchecked');
    expect(pg?.reason).toMatch(/403 Forbidden.*cannot list resource "pods".*bud-data/);
    expect(events.find((e) => e.type === 'finding.raised' && e.stepId === 'pg')).toBeUndefined();
    expect(events.find((e) => e.type === 'step.finished' && e.stepId === 'pods')?.status).toBe('passed');
  });

  it('an API server that cannot be reached at all is a usage error (exit 2) that opens nothing; an unknown context too', async () => {
    const server = await new FakeKubeServer(healthyCluster()).start();
    const box = sandbox();
    box.writeKubeconfig(server.kubeconfig());
    await server.stop();
    const r = await box.run(['run', 'native-drill', '--yes', '--json', '--runbooks-dir', DIR]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /cannot reach the Kubernetes API server of cluster "control-plane" at http:\/\/127\.0\.0\.1:\d+: connection refused/,
    );
    expect(r.stderr).toMatch(/nothing was judged, opened or recorded/);
    expect(jsonLines(r.stdout).filter((e) => e.type === 'finding.raised')).toEqual([]);
    expect(r.ms).toBeLessThan(20_000);
    expect(JSON.parse((await box.run(['incidents', 'list', '--json'])).stdout || '[]')).toEqual([]);

    const { writeFileSync } = await import('node:fs');
    const cfg = join(box.dir, 'cfg.yaml');
    writeFileSync(cfg, 'clusters:\n  control-plane:\n    context: no-such-context\n');
    const fresh = sandbox();
    fresh.writeKubeconfig(server.kubeconfig());
    const r2 = await fresh.run(['run', 'native-drill', '--yes', '--json', '--runbooks-dir', DIR, '--config', cfg]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/no-such-context/);
    const list = await fresh.run(['incidents', 'list', '--json']);
    expect(JSON.parse(list.stdout || '[]')).toEqual([]);
  });
});
