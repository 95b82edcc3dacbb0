/** `bud-incident triage` through the built binary against the fake API server. */
import { afterAll, describe, expect, it } from 'vitest';
import { FakeKubeServer, type FakeKubeOptions } from '../support/fake-kube.js';
import { databaseDownCluster, healthyCluster, keycloakDownCluster, platformDownCluster, postgresDownCluster } from '../support/cluster.js';
import { sandbox } from '../support/cli.js';

const servers: FakeKubeServer[] = [];
afterAll(async () => Promise.all(servers.map((s) => s.stop())));

async function triage(state = healthyCluster(), options: FakeKubeOptions = {}, token?: string) {
  const server = await new FakeKubeServer(state, { now: new Date(), ...options }).start();
  servers.push(server);
  const box = sandbox();
  box.writeKubeconfig(server.kubeconfig(token ? { token } : {}));
  const r = await box.run(['triage', '--json']);
  return { r, json: JSON.parse(r.stdout || '{}') as Record<string, any>, box };
}

describe('bud-incident triage', () => {
  it('healthy cluster: nothing wrong, exit 0', async () => {
    const { r, json } = await triage();
    expect(json.healthy).toBe(true);
    expect(r.code).toBe(0);
  });

  it.each([
    ['every platform pod failing, the apps refused by PostgreSQL', platformDownCluster, 'SEV1', 'database-failure'],
    ['only PostgreSQL down', postgresDownCluster, 'SEV2', 'database-failure'],
    ['PostgreSQL refusing budapp (the main app), which crash-loops', databaseDownCluster, 'SEV1', 'database-failure'],
    ['Keycloak down', keycloakDownCluster, 'SEV2', 'auth-failure'],
  ])('%s → %s %s first', async (_name, state, severity, runbook) => {
    const { r, json } = await triage(state());
    expect(r.code).toBe(1);
    expect(json.severity).toBe(severity);
    expect(json.matches[0].runbook).toBe(runbook);
    expect(json.matches[0].evidence.join('\n')).toMatch(/CrashLoopBackOff|Connection refused/);
  });

  it('names the pods as evidence, in the human view too', async () => {
    const { box, r } = await triage(postgresDownCluster());
    expect(r.code).toBe(1);
    const human = await box.run(['triage']);
    expect(human.stdout).toContain('bud-incident run database-failure');
    expect(human.stdout).toContain('bud-data/postgresql-0/postgresql: CrashLoopBackOff');
  });

  it('cannot ask the cluster: exit 2 with the reason (401, unreachable)', async () => {
    const unauthorized = await triage(healthyCluster(), { token: 'right' }, 'wrong');
    expect(unauthorized.r.code).toBe(2);
    expect(unauthorized.json.reason).toMatch(/401 Unauthorized/);
    const server = await new FakeKubeServer(healthyCluster()).start();
    const box = sandbox();
    box.writeKubeconfig(server.kubeconfig());
    await server.stop();
    const down = await box.run(['triage']);
    expect(down.code).toBe(2);
    expect(down.stderr).toMatch(/cannot reach the Kubernetes API server of cluster "control-plane" .*connection refused/);
  });

  it('is recorded in the open incident', async () => {
    const server = await new FakeKubeServer(keycloakDownCluster(), { now: new Date() }).start();
    servers.push(server);
    const box = sandbox();
    box.writeKubeconfig(server.kubeconfig());
    await box.run(['declare', '--title', 'auth down', '--severity', 'SEV2']);
    await box.run(['triage']);
    const tl = await box.run(['timeline', '--json']);
    const events = tl.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; data: any });
    const t = events.find((e) => e.type === 'triage.completed');
    expect(t?.data.matches[0].runbook).toBe('auth-failure');
  });
});
