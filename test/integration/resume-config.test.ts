/** Interrupting and resuming a run through the binary; kube contexts from the config file. */
import { afterAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonLines, sandbox, spawnCli } from '../support/cli.js';
import { FakeKubeServer } from '../support/fake-kube.js';
import { healthyCluster } from '../support/cluster.js';

/** The timeline of the only incident (a drill: not current). */
function timeline(home: string) {
  const id = readdirSync(join(home, 'incidents'))[0]!;
  return readFileSync(join(home, 'incidents', id, 'timeline.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; data: Record<string, any> });
}

describe('interrupt and resume', () => {
  it('SIGINT aborts cleanly with everything recorded; --resume finishes without repeating a step', async () => {
    const box = sandbox();
    // The network-partition scenario has a 20 s check: interrupt while it runs.
    const run = spawnCli(box, ['run', 'platform-outage', '--simulate', 'network-partition', '--yes', '--json']);
    await run.waitFor('"stepId":"keycloak"', '"type":"step.finished"');
    run.child.kill('SIGINT');
    const code = await run.closed;
    expect(code).toBe(130);
    const before = timeline(box.home);
    expect(before.at(-1)).toMatchObject({ type: 'run.aborted' });
    expect(before.find((e) => e.type === 'step.finished' && e.data.stepId === 'postgres')?.data.status).toBe('cancelled');

    const resumed = await box.run(['run', 'platform-outage', '--simulate', 'network-partition', '--yes', '--json', '--resume'], {
      timeoutMs: 60_000,
    });
    expect(resumed.code).toBe(1);
    expect(jsonLines(resumed.stdout).find((e) => e.type === 'run.resumed')).toBeDefined();
    const all = timeline(box.home);
    const finished = all.filter((e) => e.type === 'step.finished' && e.data.status !== 'cancelled').map((e) => e.data.stepId as string);
    expect(new Set(finished).size).toBe(finished.length); // no step recorded twice
    expect(finished).toEqual(expect.arrayContaining(['api', 'pods', 'dapr', 'keycloak', 'postgres', 'diagnose']));
    expect(all.at(-1)).toMatchObject({ type: 'run.finished' });
    // The drill is not current: name it.
    const verify = await box.run(['timeline', 'verify', '--incident', readdirSync(join(box.home, 'incidents'))[0]!]);
    expect(verify.code).toBe(0);
  }, 90_000);
});

describe('kube contexts from the config file', () => {
  const servers: FakeKubeServer[] = [];
  afterAll(async () => Promise.all(servers.map((s) => s.stop())));

  it('passes the configured kubeconfig and context to every kubectl step', async () => {
    const server = await new FakeKubeServer(healthyCluster()).start();
    servers.push(server);
    const box = sandbox();
    const kubeconfig = join(box.dir, 'prod-kubeconfig');
    writeFileSync(kubeconfig, server.kubeconfig({ context: 'bud-prod' }).replace('current-context: bud-prod', 'current-context: nowhere'));
    const cfg = join(box.dir, 'config.yaml');
    writeFileSync(cfg, `clusters:\n  control-plane:\n    kubeconfig: ${kubeconfig}\n    context: bud-prod\n`);
    const r = await box.run(['run', 'platform-outage', '--yes', '--json', '--config', cfg]);
    const events = jsonLines(r.stdout);
    expect(events.find((e) => e.type === 'step.started' && e.stepId === 'pods')?.command).toBe(
      `kubectl --kubeconfig=${kubeconfig} --context=bud-prod get pods -n bud-system -o wide`,
    );
    expect(events.filter((e) => e.type === 'finding.raised')).toEqual([]);
    expect(r.code).toBe(0);
    const show = await box.run(['config', 'show', '--json', '--config', cfg]);
    expect(JSON.parse(show.stdout)).toMatchObject({ file: cfg, config: { clusters: { 'control-plane': { context: 'bud-prod' } } } });
  });

  it('config show names the store and where it was set, never its password', async () => {
    const box = sandbox();
    const cfg = join(box.dir, 'config.yaml');
    writeFileSync(cfg, 'store: postgres://oncall:Sup3rSecretPw@db.example:5432/incidents\n');
    const human = await box.run(['config', 'show', '--config', cfg]);
    expect(human.stdout).toMatch(/^Store: team store postgres:\/\/oncall@db\.example:5432\/incidents +\(config\)$/m);
    const json = JSON.parse((await box.run(['config', 'show', '--json', '--config', cfg])).stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ store: 'postgres://oncall@db.example:5432/incidents', storeFrom: 'config' });
    const local = await box.run(['config', 'show', '--json']);
    expect(JSON.parse(local.stdout)).toMatchObject({ store: 'local', storeFrom: 'default' });
    expect(human.stdout + JSON.stringify(json)).not.toContain('Sup3rSecretPw');
  });

  it('reports a config file problem with its line and column', async () => {
    const box = sandbox();
    const cfg = join(box.dir, 'config.yaml');
    writeFileSync(cfg, 'clusters: {}\nnamespace:\n  system: x\n');
    const r = await box.run(['config', 'show', '--config', cfg]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${cfg}:2:1: error: namespace: unknown field "namespace" (did you mean "namespaces"?)`);
  });
});
