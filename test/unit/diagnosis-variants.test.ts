/**
 * One fact changed in a corpus cluster, and the judgement must follow the fact, not the scenario:
 * an older revision is no rollback candidate, a lost previous revision proves nothing, pressure on
 * a node is not a bad deployment even right after a rollout, a replica is needed for a failover.
 */
import { describe, expect, it } from 'vitest';
import { diagnose, type Cause } from '../../src/diagnosis/analyze.js';
import { decideTriage } from '../../src/incident/triage.js';
import { classify } from '../../src/incident/decisions.js';
import { classificationAnswers } from '../../src/incident/triage.js';
import { CORPUS } from '../corpus/clusters.js';
import { snapshotOf } from '../support/snapshot.js';
import type { ClusterState } from '../support/fake-kube.js';

const NOW = new Date('2026-11-28T04:00:00Z');
const build = (id: string) => {
  const c = CORPUS.find((x) => x.id === id);
  if (!c) throw new Error(`no corpus case ${id}`);
  return c.build(NOW).cluster;
};
const roots = (state: ClusterState) =>
  diagnose(snapshotOf(state, NOW))
    .causes.filter((c) => !c.explainedBy)
    .map((c) => c.id);
const rev = (o: any) => Number(o.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? 0);
const newestRs = (s: ClusterState, deployment: string) =>
  s.replicasets.filter((r) => r.metadata.name.startsWith(`${deployment}-`)).sort((a, b) => rev(b) - rev(a))[0]!;

describe('the judgement follows the facts', () => {
  it('a failing revision that is days old is not a bad deployment (no rollback)', () => {
    const s = build('bad-deployment-importerror');
    expect(roots(s)).toContain('bad-deployment');
    const rs = newestRs(s, 'budapp');
    rs.metadata.creationTimestamp = new Date(NOW.getTime() - 3 * 86_400_000).toISOString();
    expect(roots(s)).not.toContain('bad-deployment');
  });

  it('with no pod of the previous revision left serving, a rollback is not proven safe', () => {
    const s = build('bad-deployment-importerror');
    const rs = newestRs(s, 'budapp');
    s.pods = s.pods.filter((p) => !p.metadata.name.startsWith('budapp-') || p.metadata.ownerReferences?.[0]?.name === rs.metadata.name);
    const d = diagnose(snapshotOf(s, NOW));
    expect(d.causes.filter((c) => !c.explainedBy).map((c) => c.id)).not.toContain('bad-deployment');
    expect(d.causes.flatMap((c) => c.evidence).join('\n')).toMatch(/a rollback's safety is not proven/);
  });

  it('memory pressure right after a healthy rollout is still node pressure, not a bad deployment', () => {
    const s = build('memory-pressure-worker-1');
    const rs = newestRs(s, 'budapp');
    rs.metadata.creationTimestamp = new Date(NOW.getTime() - 5 * 60_000).toISOString();
    const r = roots(s);
    expect(r).toContain('node-pressure');
    expect(r).not.toContain('bad-deployment');
  });

  it('a full PostgreSQL volume offers a failover only when a replica is healthy', () => {
    const s = build('postgres-volume-full');
    const pg = (st: ClusterState) => diagnose(snapshotOf(st, NOW)).causes.find((c) => c.id === 'database-storage') as Cause;
    const replica = s.pods.find((p) => p.metadata.namespace === 'bud-data' && /-1$/.test(p.metadata.name));
    if (replica) expect(pg(s).facts.healthyReplica).toBe(replica.metadata.name);
    s.pods = s.pods.filter((p) => !(p.metadata.namespace === 'bud-data' && /-[1-9]$/.test(p.metadata.name)));
    expect(pg(s).facts.healthyReplica).toBeUndefined();
  });

  it('restarts that stopped long ago are history; the same restarts minutes ago are a problem', () => {
    const s = build('old-restarts-5d');
    expect(roots(s)).toEqual([]);
    for (const p of s.pods.filter((x) => x.metadata.name.startsWith('budapp-')))
      for (const c of p.status.containerStatuses ?? [])
        if (c.lastState?.terminated) c.lastState.terminated.finishedAt = new Date(NOW.getTime() - 3 * 60_000).toISOString();
    expect(roots(s).length).toBeGreaterThan(0);
  });

  it('one bad replica of several is named as such, with no restart of the whole deployment', () => {
    const d = diagnose(snapshotOf(build('single-replica-segfault'), NOW));
    const c = d.causes.find((x) => x.id === 'app-crash')!;
    expect(c.title).toMatch(/replicas fail while the others serve/);
    expect(c.facts.replica).toBe('single');
    expect(c.facts.restartFixable).toBeUndefined();
  });

  it('a 403 on the database namespace is could-not-check, never a database cause', () => {
    const s = build('healthy');
    const d = diagnose(
      snapshotOf(s, NOW, { failing: { 'bud-data': { code: 403, reason: 'the Kubernetes API refused access (403 Forbidden)' } } }),
    );
    expect(d.causes).toEqual([]);
    expect(d.unchecked.map((u) => u.what)).toContain('pods in bud-data (control-plane)');
    const t = decideTriage(d);
    expect(t.healthy).toBe(false);
    // No runbook sees past a refused permission: the fix is access, not another run.
    expect(t.followUps).toEqual([]);
  });
});

describe('severity comes from the playbook criteria through classify', () => {
  it.each([
    ['postgres-wal-corruption', 'SEV1'],
    ['keycloak-db-password', 'SEV2'],
    ['replica-wal-removed', 'SEV3'],
    ['single-replica-segfault', 'SEV3'],
    ['budapp-overload', 'SEV2'],
  ])('%s → %s', (id, severity) => {
    const d = diagnose(snapshotOf(build(id), NOW));
    const t = decideTriage(d);
    expect(t.severity).toBe(severity);
    // The same answer as `classify` given the same facts.
    expect(
      classify(
        classificationAnswers(
          d.causes.filter((c) => !c.explainedBy),
          d,
        ),
      ).severity,
    ).toBe(severity);
  });
});
