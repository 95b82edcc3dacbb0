/** The playbook's runbooks through the built binary, with the real kubectl and the native checks, against the fake API server. */
import { afterAll, describe, expect, it } from 'vitest';
import { FakeKubeServer } from '../support/fake-kube.js';
import { healthyCluster, platformDownCluster, postgresDownCluster, databaseDownCluster } from '../support/cluster.js';
import type { ClusterState } from '../support/fake-kube.js';
import { jsonLines, sandbox, KUBECTL_AVAILABLE } from '../support/cli.js';

const kubectl = KUBECTL_AVAILABLE;
const servers: FakeKubeServer[] = [];
afterAll(async () => Promise.all(servers.map((s) => s.stop())));

async function run(runbook: string, state: ClusterState, args: string[] = []) {
  const server = await new FakeKubeServer(state, { now: new Date() }).start();
  servers.push(server);
  const box = sandbox();
  box.writeKubeconfig(server.kubeconfig());
  const r = await box.run(['run', runbook, '--yes', '--json', ...args]);
  const events = jsonLines(r.stdout);
  const errors = events
    .filter((e) => e.type === 'step.finished' && (e.status === 'error' || e.status === 'timeout'))
    .map((e) => `${e.stepId}: ${e.reason}`);
  return {
    r,
    events,
    errors,
    findings: events
      .filter((e) => e.type === 'finding.raised')
      .map((e) => e.findingId as string)
      .sort(),
  };
}

describe.runIf(kubectl)('runbooks against a live (fake) cluster', () => {
  it('database-failure passes on a healthy cluster', async () => {
    const { r, findings, errors } = await run('database-failure', healthyCluster());
    expect(errors).toEqual([]);
    expect(findings).toEqual([]);
    expect(r.code).toBe(0);
  });

  it('database-failure finds the full disk when PostgreSQL is down, from its log, and offers to grow the volume', async () => {
    const { findings, events } = await run('database-failure', postgresDownCluster());
    expect(findings).toEqual(expect.arrayContaining(['postgres-storage']));
    const disk = events.find((e) => e.findingId === 'postgres-storage');
    expect(disk?.evidence.lines.join('\n')).toContain('No space left on device');
    expect(disk?.cause.id).toBe('storage');
    const offered = events.filter((e) => e.type === 'mitigation.proposed').map((e) => e.mitigationId);
    // No replica exists in this cluster: failover is not offered.
    expect(offered).toEqual(['grow-volume']);
  });

  it('sev1-response passes on a healthy cluster (manual steps are recorded as not confirmed)', async () => {
    const { r, findings, errors, events } = await run('sev1-response', healthyCluster());
    expect(errors).toEqual([]);
    expect(findings).toEqual([]);
    expect(events.filter((e) => e.type === 'manual.skipped').length).toBeGreaterThan(5);
    expect(r.code).toBe(0);
  });

  it('sev1-response blames the database the apps cannot reach, not the days-old rollout', async () => {
    const { findings, events } = await run('sev1-response', platformDownCluster());
    expect(findings).toEqual(expect.arrayContaining(['postgres-down']));
    expect(findings).not.toContain('bad-rollout');
    const offered = events.filter((e) => e.type === 'mitigation.proposed').map((e) => e.mitigationId);
    expect(offered).not.toContain('rollout-undo');
    expect(events.find((e) => e.type === 'step.skipped' && e.stepId === 'mitigate-bad-deployment')).toBeDefined();
  });

  it('sev2-response scopes to the named service and points at what explains it', async () => {
    const { findings, events } = await run('sev2-response', databaseDownCluster(), ['--var', 'service=budapp']);
    expect(findings).toEqual(['service-diagnosis-database-down']);
    const f = events.find((e) => e.type === 'finding.raised');
    expect(f?.evidence.lines.join('\n')).toContain('Connection refused');
    expect(f?.next.map((n: { ref: string }) => n.ref)).toContain('runbook:database-failure');
    // budapp's crash is the database's doing: no restart of budapp.
    expect(events.filter((e) => e.type === 'mitigation.proposed')).toEqual([]);
  });
});
