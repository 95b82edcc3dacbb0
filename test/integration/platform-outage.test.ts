/**
 * `bud-incident run platform-outage` through the built binary, with the real kubectl, against the
 * fake Kubernetes API server on 127.0.0.1.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { FakeKubeServer } from '../support/fake-kube.js';
import { badConfigCluster, databaseDownCluster, healthyCluster } from '../support/cluster.js';
import { jsonLines, sandbox, STUB_BIN, KUBECTL_AVAILABLE } from '../support/cli.js';

const kubectlAvailable = KUBECTL_AVAILABLE;

const servers: FakeKubeServer[] = [];
async function cluster(state = healthyCluster(), options = {}) {
  const server = await new FakeKubeServer(state, options).start();
  servers.push(server);
  return server;
}
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

function findings(events: Array<Record<string, any>>) {
  return events.filter((e) => e.type === 'finding.raised');
}

/** The steps that ended neither passed nor skipped, as a responder would read them. */
function notPassed(events: Array<Record<string, any>>) {
  return events
    .filter((e) => e.type === 'step.finished' && e.status !== 'passed' && e.status !== 'skipped')
    .map((e) => ({
      step: e.stepId,
      status: e.status,
      reason: e.reason,
      exitCode: e.exitCode,
      ms: e.durationMs,
      tail: e.outputTail,
    }));
}

describe.runIf(kubectlAvailable)('run platform-outage against a cluster (real kubectl, fake API server)', () => {
  it('passes on a healthy cluster (exit 0) and records a verifiable timeline', async () => {
    const server = await cluster();
    const box = sandbox();
    box.writeKubeconfig(server.kubeconfig());
    const r = await box.run(['run', 'platform-outage', '--yes', '--json']);
    const events = jsonLines(r.stdout);
    expect(findings(events), r.stdout + r.stderr).toEqual([]);
    // A healthy cluster has no step that failed, errored, timed out or could not check; when one
    // does, the failure names it with its reason, exit code and last output lines.
    expect(notPassed(events)).toEqual([]);
    expect(events.find((e) => e.type === 'run.finished')?.outcome).toBe('passed');
    expect(r.code).toBe(0);
    // kubectl really asked the server for pods in bud-system and exec'd pg_isready in postgresql-0.
    expect(server.requests.some((q) => q.path === '/api/v1/namespaces/bud-system/pods')).toBe(true);
    expect(server.requests.some((q) => q.path === '/api/v1/namespaces/bud-data/pods/postgresql-0/exec')).toBe(true);
    const verify = await box.run(['timeline', 'verify']);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/hash chain intact/);
  });

  it('names the database as the cause, with the pods and the log lines as evidence, when PostgreSQL is down (exit 1)', async () => {
    const server = await cluster(databaseDownCluster(), { now: new Date() });
    const box = sandbox();
    box.writeKubeconfig(server.kubeconfig());
    const r = await box.run(['run', 'platform-outage', '--yes', '--json']);
    expect(r.code).toBe(1);
    const events = jsonLines(r.stdout);
    const f = findings(events);
    expect(f.map((x) => x.findingId).sort()).toEqual(['database-failure', 'postgres-not-ready']);
    const db = f.find((x) => x.findingId === 'database-failure')!;
    expect(db.cause.id).toBe('database-failure');
    expect(db.evidence.lines.join('\n')).toContain('Connection refused');
    const pg = f.find((x) => x.findingId === 'postgres-not-ready')!;
    expect(pg.message).toContain('postgresql-0');
    expect(pg.message).toContain('no response');
    // Its pods look ready, so no replica is proven healthy: no failover, no restart, no rollback.
    expect(events.filter((e) => e.type === 'mitigation.proposed')).toEqual([]);
    // The evidence is on disk, with the hash the timeline recorded.
    const incident = readFileSync(join(box.home, 'current'), 'utf8').trim();
    const artifact = join(box.home, 'incidents', incident, pg.evidence.artifact.path);
    expect(readFileSync(artifact, 'utf8')).toContain('no response');
  });

  it('a config broken in place (old revision) offers to restore the config, never a rollback', async () => {
    const server = await cluster(badConfigCluster(), { now: new Date() });
    const box = sandbox();
    box.writeKubeconfig(server.kubeconfig());
    const r = await box.run(['run', 'platform-outage', '--yes', '--json']);
    expect(r.code).toBe(1);
    const events = jsonLines(r.stdout);
    const postgres = JSON.stringify(events.filter((e) => e.stepId === 'postgres'));
    expect(
      findings(events).map((x) => x.findingId),
      postgres,
    ).toEqual(['bad-change']);
    expect(findings(events)[0]!.evidence.lines.join('\n')).toMatch(/CreateContainerConfigError.*budapp-config-v42/);
    const proposed = events.filter((e) => e.type === 'mitigation.proposed').map((e) => e.mitigationId);
    expect(proposed).toEqual(['revert-config']);
    const undo = events.find((e) => e.type === 'step.skipped' && e.stepId === 'offer-rollout-undo');
    expect(undo?.reason).toMatch(/not offered: needs the diagnosis to name bad-deployment; it named bad-config bud-system\/budapp/);
    expect(events.some((e) => e.type === 'mitigation.finished')).toBe(false);
  });

  it('a recent revision failing while the previous one serves: the rollback is offered, to that revision, never run without consent', async () => {
    const state = badConfigCluster();
    const rs = state.replicasets.find((x) => x.metadata.name === 'budapp-7d9f8c6b5')!;
    rs.metadata.creationTimestamp = new Date(Date.now() - 6 * 60_000).toISOString();
    for (const p of state.pods.filter((x) => x.metadata.name.startsWith('budapp-')))
      p.metadata.creationTimestamp = rs.metadata.creationTimestamp;
    // The previous revision (41) still has a pod that serves.
    const old = structuredClone(state.pods.find((p) => p.metadata.name === 'budgateway-5c8d7f9b4-h7j2m')!);
    old.metadata.name = 'budapp-6c5b4a3f2-q7w8e';
    old.metadata.labels = { app: 'budapp', 'pod-template-hash': '6c5b4a3f2' };
    old.metadata.ownerReferences = [
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'budapp-6c5b4a3f2', uid: 'uid-budapp-6c5b4a3f2', controller: true },
    ];
    old.status.containerStatuses[0].name = 'budapp';
    state.pods.push(old);
    const server = await cluster(state, { now: new Date() });
    const box = sandbox();
    box.writeKubeconfig(server.kubeconfig());
    const r = await box.run(['run', 'platform-outage', '--yes', '--json']);
    expect(r.code).toBe(1);
    const events = jsonLines(r.stdout);
    expect(findings(events).map((x) => x.findingId)).toEqual(['bad-change']);
    const proposed = events.find((e) => e.type === 'mitigation.proposed');
    expect(proposed?.command).toBe('kubectl rollout undo deployment/budapp -n bud-system --to-revision=41');
    expect(proposed?.because).toMatch(/revision 42 of budapp .* fails while revision 41 still serves/);
    expect(events.find((e) => e.type === 'mitigation.declined')?.reason).toMatch(/--allow-mitigations/);
    expect(events.some((e) => e.type === 'mitigation.finished')).toBe(false);
    const history = events.find((e) => e.type === 'step.finished' && e.stepId === 'rollout-history');
    expect(history?.outputTail?.join('\n')).toContain('helm upgrade bud 3.19.0');
  });

  it('an API server that cannot be reached is exit 2 with the reason: no finding, no cause, no incident, quickly', async () => {
    const server = await cluster();
    const box = sandbox();
    box.writeKubeconfig(server.kubeconfig());
    await server.stop();
    servers.splice(servers.indexOf(server), 1);
    const r = await box.run(['run', 'platform-outage', '--yes', '--json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot reach the Kubernetes API server .*connection refused/);
    expect(jsonLines(r.stdout)).toEqual([]);
    expect(existsSync(join(box.home, 'incidents'))).toBe(false);
    expect(r.ms).toBeLessThan(30_000);
  });

  it('says a missing tool is missing ("could not check"), distinct from a finding about the cluster', async () => {
    const server = await cluster();
    const box = sandbox();
    box.writeKubeconfig(server.kubeconfig());
    // PATH without the dapr stub, but with kubectl.
    const path = (process.env.PATH ?? '')
      .split(':')
      .filter((p) => p !== STUB_BIN)
      .join(':');
    const r = await box.run(['run', 'platform-outage', '--yes', '--json'], { env: { PATH: path } });
    const events = jsonLines(r.stdout);
    const dapr = events.find((e) => e.type === 'step.finished' && e.stepId === 'dapr');
    expect(dapr?.status).toBe('unchecked');
    expect(dapr?.reason).toMatch(/^could not check: dapr is not installed \(not found on PATH\)/);
    expect(findings(events)).toEqual([]);
    expect(r.code).toBe(1);
  });

  it('kills a hung kubectl exec at its timeout and carries on', async () => {
    const state = healthyCluster();
    state.exec = { 'bud-data/postgresql-0': () => ({ stdout: 'accepting connections\n', delayMs: 30_000 }) };
    const server = await cluster(state);
    const box = sandbox();
    box.writeKubeconfig(server.kubeconfig());
    const r = await box.run(['run', 'platform-outage', '--yes', '--json', '--timeout', '3']);
    const events = jsonLines(r.stdout);
    const pg = events.find((e) => e.type === 'step.finished' && e.stepId === 'postgres');
    expect(pg?.status).toBe('timeout');
    expect(pg?.reason).toMatch(/timed out after 3s/);
    expect(events.find((e) => e.type === 'step.finished' && e.stepId === 'keycloak')?.status).toBe('passed');
    expect(events.at(-2)?.type).toBe('run.finished');
    expect(r.ms).toBeLessThan(25_000);
    expect(r.code).toBe(1);
  });

  it('refuses injected values before anything runs or is recorded', async () => {
    const server = await cluster();
    const box = sandbox();
    box.writeKubeconfig(server.kubeconfig());
    for (const value of [
      'namespace=bud-system; rm -rf /',
      'postgresPod=--kubeconfig=/tmp/evil',
      'namespace=$(touch pwned)',
      'deployment=a\nb',
    ]) {
      const r = await box.run(['run', 'platform-outage', '--yes', '--var', value]);
      expect(r.code, value).toBe(2);
      expect(r.stderr).toMatch(/--var (namespace|postgresPod|deployment): value/);
    }
    expect(existsSync(join(box.home, 'incidents'))).toBe(false);
    expect(server.requests).toEqual([]);
  });
});
