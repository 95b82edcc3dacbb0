/**
 * One fact changed in a corpus cluster, and the judgement must follow the fact, not the scenario:
 * an older revision is no rollback candidate, a lost previous revision proves nothing, pressure on
 * a node is not a bad deployment even right after a rollout, a replica is needed for a failover.
 */
import { describe, expect, it } from 'vitest';
import { diagnose, type Cause } from '../../src/diagnosis/analyze.js';
import { decideTriage } from '../../src/incident/triage.js';
import { join } from 'node:path';
import { loadPolicy } from '../../src/incident/policy.js';
import { ROOT } from '../support/cli.js';
import { classify } from '../../src/incident/decisions.js';
import { classificationAnswers } from '../../src/incident/triage.js';
import { CORPUS } from '../corpus/clusters.js';
import { snapshotOf } from '../support/snapshot.js';
import type { ClusterState } from '../support/fake-kube.js';
import { pod } from '../support/cluster.js';

const policy = loadPolicy(join(ROOT, 'runbooks', 'policy', 'policy.yaml'));

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
  it('a failing revision older than the rollback window gets no rollback target', () => {
    const s = build('bad-deployment-importerror');
    const d0 = diagnose(snapshotOf(s, NOW));
    expect(d0.causes.find((c) => c.id === 'bad-deployment')?.facts.previousRevision).toBeDefined();
    const rs = newestRs(s, 'budapp');
    rs.metadata.creationTimestamp = new Date(NOW.getTime() - 3 * 86_400_000).toISOString();
    const d = diagnose(snapshotOf(s, NOW));
    const bad = d.causes.find((c) => c.id === 'bad-deployment');
    expect(bad?.facts.previousRevision).toBeUndefined();
    expect(bad?.title).toMatch(/older than the rollback window/);
  });

  it('a revision that served for an hour before its pods began to crash is not blamed: something changed since', () => {
    const s = build('bad-deployment-importerror');
    const rs = newestRs(s, 'budapp');
    const created = new Date(NOW.getTime() - 90 * 60_000).toISOString();
    rs.metadata.creationTimestamp = created;
    for (const p of s.pods.filter((x) => x.metadata.ownerReferences?.[0]?.name === rs.metadata.name)) {
      p.metadata.creationTimestamp = created;
      for (const c of p.status.containerStatuses ?? []) if (c.restartCount) c.restartCount = 4;
    }
    const roots = diagnose(snapshotOf(s, NOW)).causes.filter((c) => !c.explainedBy);
    expect(roots.map((c) => c.id)).not.toContain('bad-deployment');
    expect(roots.flatMap((c) => c.evidence).join('\n')).toMatch(/served for .* before its pods began to fail/);
  });

  it('with no pod of the previous revision left serving, it is still the new revision, but no rollback target is proven', () => {
    const s = build('bad-deployment-importerror');
    const rs = newestRs(s, 'budapp');
    s.pods = s.pods.filter((p) => !p.metadata.name.startsWith('budapp-') || p.metadata.ownerReferences?.[0]?.name === rs.metadata.name);
    const d = diagnose(snapshotOf(s, NOW));
    const bad = d.causes.find((c) => c.id === 'bad-deployment' && !c.explainedBy)!;
    expect(bad.title).toMatch(/no pod of an earlier revision is left serving to prove a rollback safe/);
    // The rollback's precondition (a proven previous revision) is absent, and a restart is not offered either.
    expect(bad.facts.previousRevision).toBeUndefined();
    expect(d.causes.some((c) => c.facts.restartFixable)).toBe(false);
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
    const t = decideTriage(d, policy);
    expect(t.healthy).toBe(false);
    // No runbook sees past a refused permission: the fix is access, not another run.
    expect(t.followUps).toEqual([]);
  });
});

describe('what a stranger found (each a failure class, not an instance)', () => {
  it('a pod still terminating a minute after its grace period is a rollout, not a problem', () => {
    const s = build('rollout-in-progress');
    const later = new Date(NOW.getTime() + 60_000);
    expect(diagnose(snapshotOf(s, later)).causes).toEqual([]);
  });

  it('a Job that failed is not the platform failing', () => {
    const s = build('healthy');
    s.pods.push(
      pod({
        namespace: 'bud-system',
        name: 'rollup-28871-k2x9q',
        labels: { 'job-name': 'rollup-28871' },
        containers: ['rollup'],
        state: 'CrashLoopBackOff',
      }),
    );
    s.pods.at(-1)!.metadata.ownerReferences = [
      { apiVersion: 'batch/v1', kind: 'Job', name: 'rollup-28871', uid: 'uid-job', controller: true },
    ];
    s.pods.at(-1)!.status.phase = 'Failed';
    const d = diagnose(snapshotOf(s, NOW));
    expect(d.causes).toEqual([]);
    expect(d.unexplained).toEqual([]);
  });

  it('an app OOM-killed on an old revision is named as memory, with neither restart nor rollback', () => {
    const s = build('single-replica-segfault');
    for (const p of s.pods.filter((x) => x.metadata.name.startsWith('budapp-')))
      for (const c of p.status.containerStatuses ?? [])
        if (c.name === 'budapp') {
          c.ready = false;
          c.state = { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s' } };
          c.lastState = { terminated: { reason: 'OOMKilled', exitCode: 137, finishedAt: new Date(NOW.getTime() - 60_000).toISOString() } };
        }
    const d = diagnose(snapshotOf(s, NOW));
    const roots = d.causes.filter((c) => !c.explainedBy);
    expect(roots.map((c) => c.id)).toEqual(['app-oom']);
    expect(roots[0]!.facts.restartFixable).toBeUndefined();
    expect(roots[0]!.facts.previousRevision).toBeUndefined();
  });

  it('a replica killed for memory is a memory problem, not a replication one', () => {
    const s = build('replica-wal-removed');
    const replica = s.pods.find((p) => p.metadata.namespace === 'bud-data' && /-1$/.test(p.metadata.name))!;
    replica.status.containerStatuses[0].lastState = {
      terminated: { reason: 'OOMKilled', exitCode: 137, finishedAt: new Date(NOW.getTime() - 30_000).toISOString() },
    };
    delete s.logs![`bud-data/${replica.metadata.name}/postgresql#previous`];
    for (const k of Object.keys(s.logs ?? {})) if (k.startsWith(`bud-data/${replica.metadata.name}`)) delete s.logs![k];
    const ids = diagnose(snapshotOf(s, NOW)).causes.map((c) => c.id);
    expect(ids).toContain('database-oom');
    expect(ids).not.toContain('database-replication');
  });

  it('a node that reports Ready but whose network is not set up is not a lost node', () => {
    const s = build('healthy');
    const n = s.nodes.find((x) => x.metadata.name !== 'cp-1' && !x.metadata.labels?.['node-role.kubernetes.io/control-plane'])!;
    n.status.conditions.push({
      type: 'NetworkUnavailable',
      status: 'True',
      reason: 'NoRouteCreated',
      message: 'RouteController failed to create a route',
    });
    const ids = diagnose(snapshotOf(s, NOW)).causes.map((c) => c.id);
    expect(ids).toContain('node-network');
    expect(ids).not.toContain('node-lost');
  });

  it('a lost node that takes the PostgreSQL primary with it makes a database outage (SEV2 at least), and a failover is allowed', () => {
    const s = build('node-lost-worker-2');
    const pg = s.pods.find((p) => p.metadata.name === 'postgresql-0')!;
    const lost = s.nodes.find((x) => x.status.conditions.some((c: any) => c.type === 'Ready' && c.status !== 'True'))!;
    pg.spec.nodeName = lost.metadata.name;
    pg.status.conditions = [{ type: 'Ready', status: 'False', lastTransitionTime: new Date(NOW.getTime() - 300_000).toISOString() }];
    for (const c of pg.status.containerStatuses ?? []) c.ready = false;
    const d = diagnose(snapshotOf(s, NOW));
    const db = d.causes.find((c) => c.id.startsWith('database-') && c.subject.endsWith('postgresql-0'));
    expect(db?.explainedBy).toMatch(/^node-lost /);
    expect(['SEV1', 'SEV2']).toContain(decideTriage(d, policy).severity);
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
    const t = decideTriage(d, policy);
    expect(t.severity).toBe(severity);
    // The same answer as `classify` given the same facts.
    expect(
      classify(
        policy,
        classificationAnswers(
          d.causes.filter((c) => !c.explainedBy),
          d,
        ),
      ).severity,
    ).toBe(severity);
  });
});
