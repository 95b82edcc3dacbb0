/**
 * The hostile runbook, end to end through the built binary against the fake API server: a
 * repository's `.bud-incident.yaml` that adds its own runbook directory and sets the actor, a
 * `platform-outage` there that replaces the shipped one, a check that runs `kubectl delete`, a
 * "not-changing" mitigation that deletes a namespace, and a shell in another file. Under --yes
 * nothing that changes the system may run, and every step must say why.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeKubeServer } from '../support/fake-kube.js';
import { healthyCluster } from '../support/cluster.js';
import { jsonLines, sandbox, type Sandbox, KUBECTL_AVAILABLE } from '../support/cli.js';

const kubectlAvailable = KUBECTL_AVAILABLE;

const servers: FakeKubeServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

const SHADOW = `id: platform-outage
title: Platform outage (a repository's version)
summary: looks like the real one
steps:
  - id: look
    kind: check
    title: Look at the data pods
    run: kubectl get pods -n bud-data
    expect:
      - matches: NEVER-IN-ANY-OUTPUT
        finding: { id: looked, message: "looked" }
  - id: sneaky
    kind: check
    title: Check the database
    run: kubectl delete pod postgresql-0 -n bud-data
  - id: offer-wipe
    kind: mitigation
    title: Clean up
    mitigation: wipe
mitigations:
  - id: wipe
    title: Clean up the data namespace
    run: kubectl delete namespace bud-data
    changesSystem: false
    requires: { finding: [looked] }
`;
const SHELL = `id: shell-tricks
title: Shell
summary: a shell in a check
steps:
  - { id: s, kind: check, title: S, run: "sh -c 'kubectl delete pod x; echo ok'" }
`;

/** A working directory with a project config, as a cloned repository would have. */
function project(box: Sandbox, trusted: boolean) {
  mkdirSync(join(box.dir, 'rb'), { recursive: true });
  writeFileSync(join(box.dir, 'rb', 'platform-outage.yaml'), SHADOW);
  writeFileSync(join(box.dir, 'rb', 'shell-tricks.yaml'), SHELL);
  const credentials = 'apiUrl: https://collector.example.com\nclusters:\n  control-plane: { kubeconfig: ./kc-with-exec-plugin }\n';
  writeFileSync(
    join(box.dir, '.bud-incident.yaml'),
    `runbookDirs: [./rb]\nactor: mallory\n${trusted ? '' : credentials}namespaces: { data: bud-data-staging }\n`,
  );
  mkdirSync(join(box.dir, '.config', 'bud-incident'), { recursive: true });
  writeFileSync(join(box.dir, '.config', 'bud-incident', 'config.yaml'), trusted ? `trustedDirs: [${box.dir}]\n` : 'secretEnv: []\n');
}

describe.runIf(kubectlAvailable)('a hostile runbook runs nothing that changes the system under --yes', () => {
  it('a config in the working directory cannot add runbook directories or set the actor unless trusted', async () => {
    const box = sandbox({ BUD_INCIDENT_ACTOR: '' });
    project(box, false);
    const show = await box.run(['runbooks', 'show', 'platform-outage', '--json']);
    expect(JSON.parse(show.stdout).file).not.toContain(join(box.dir, 'rb'));
    expect(show.stderr).toMatch(/\.bud-incident\.yaml: ignored runbookDirs, actor, apiUrl, clusters: .*lists .* under trustedDirs/);
    const cfg = JSON.parse((await box.run(['config', 'show', '--json'])).stdout);
    expect(cfg.runbookDirs.map((d: { origin: string }) => d.origin)).toEqual(['shipped']);
    // Where credentials go (a kubeconfig may name a program to run; apiUrl receives $TOKEN) stays the user's.
    expect(cfg.config.clusters).toEqual({});
    expect(cfg.config.apiUrl).toBeUndefined();
    // What only changes where to look is taken.
    expect(cfg.config.namespaces.data).toBe('bud-data-staging');
  });

  it('trusted: the replacement is announced with its path, and neither the check nor the mitigation deletes anything', async () => {
    const server = await new FakeKubeServer(healthyCluster()).start();
    servers.push(server);
    const box = sandbox();
    box.writeKubeconfig(server.kubeconfig());
    project(box, true);

    const validate = await box.run(['runbooks', 'validate']);
    expect(validate.stdout).toMatch(/platform-outage\.yaml:1:\d+: warning: id: replaces the shipped runbook "platform-outage"/);
    expect(validate.stdout).toMatch(/warning: steps\[1\]\.run: check "sneaky" does not only look \(kubectl delete changes the system\)/);
    expect(validate.stdout).toMatch(/warning: mitigations\[0\]\.changesSystem: changesSystem: false is ignored: kubectl delete/);
    expect(validate.stdout).toMatch(/shell-tricks\.yaml:5:\d+: error: steps\[0\]\.run: runs a shell/);

    const r = await box.run(['run', 'platform-outage', '--yes', '--json']);
    expect(r.stderr).toMatch(
      /runbook "platform-outage" comes from .*rb\/platform-outage\.yaml \(config\); it REPLACES the shipped runbook/,
    );
    const events = jsonLines(r.stdout);
    expect(events.find((e) => e.type === 'run.started')?.origin).toMatch(/REPLACES/);
    expect(events.find((e) => e.type === 'step.skipped' && e.stepId === 'sneaky')?.reason).toMatch(
      /not run: it changes the system \(kubectl delete changes the system\).*--allow-mitigations/,
    );
    expect(events.find((e) => e.type === 'mitigation.declined' && e.mitigationId === 'wipe')?.reason).toMatch(/--allow-mitigations/);
    expect(events.some((e) => e.type === 'mitigation.approved')).toBe(false);
    // The API server saw reads only.
    expect(server.requests.filter((q) => q.method !== 'GET').map((q) => `${q.method} ${q.path}`)).toEqual([]);
    expect(server.requests.some((q) => q.path === '/api/v1/namespaces/bud-data/pods')).toBe(true);
  });
});
