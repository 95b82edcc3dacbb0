/** The CLI's surface through the built binary: simulation, validation, unhappy paths, exit codes. */
import { describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, truncateSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { jsonLines, ROOT, sandbox } from '../support/cli.js';
import { FAULT_RUNBOOKS } from '../support/faults.js';

describe('bud-incident CLI', () => {
  it('--help works everywhere and lists the main commands', async () => {
    const box = sandbox();
    const top = await box.run(['--help']);
    expect(top.code).toBe(0);
    expect(top.stdout).toContain('bud-incident run platform-outage');
    for (const sub of [
      ['run', '--help'],
      ['runbooks', 'validate', '--help'],
      ['timeline', 'verify', '--help'],
    ]) {
      const r = await box.run(sub);
      expect(r.code, sub.join(' ')).toBe(0);
      expect(r.stdout).toMatch(/Usage: bud-incident/);
    }
  });

  it('simulates every platform-outage scenario and tells its story in the timeline', async () => {
    const box = sandbox();
    const r = await box.run(['run', 'platform-outage', '--simulate', 'bad-config', '--make-current']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('SIMULATION');
    expect(r.stdout).toContain('FINDING revision 43 of budapp (rolled out 6m ago) fails while revision 42 still serves');
    expect(r.stdout).toContain('configmap "budapp-config-v43" not found');
    expect(r.stdout).toContain('would run: kubectl rollout undo deployment/budapp -n bud-system --to-revision=42');
    const md = await box.run(['timeline', '--format', 'md']);
    expect(md.stdout).toMatch(/\| Finding: revision 43 of budapp .* fails while revision 42 still serves/);
    expect((await box.run(['timeline', 'verify'])).code).toBe(0);
    const healthy = await box.run(['run', 'platform-outage', '--simulate', 'healthy', '--json']);
    expect(healthy.code).toBe(0);
    // The second run attached to the drill the first one opened (made current on request).
    expect(jsonLines(healthy.stdout)[0]).toMatchObject({ type: 'incident.attached' });
  });

  it('runbooks test passes for the shipped runbooks', async () => {
    const r = await sandbox().run(['runbooks', 'test']);
    expect(r.stdout).toMatch(/\d+ passed, 0 failed/);
    expect(r.code).toBe(0);
  });

  it('runbooks show prints what a responder reads: values filled, a value not known yet as the stand-in --dry-run shows; --json keeps the raw templates', async () => {
    const box = sandbox();
    const ids = readdirSync(join(ROOT, 'runbooks'))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => f.replace(/\.yaml$/, ''));
    for (const id of ids) {
      const r = await box.run(['runbooks', 'show', id]);
      expect(r.code, id).toBe(0);
      expect(
        r.stdout.split('\n').filter((l) => l.includes('{{')),
        id,
      ).toEqual([]);
    }
    const sev2 = (await box.run(['runbooks', 'show', 'sev2-response'])).stdout;
    expect(sev2).toContain('namespace (default bud-system)');
    expect(sev2).toContain('Apply fix: roll back <service: asked at "Which service is affected?">');
    expect(sev2).toContain(`$ kubectl logs -n bud-system 'deployment/<service: asked at "Which service is affected?">' --tail=100`);
    // The command as the dry run shows it, stand-ins and all.
    const dry = (await box.run(['run', 'sev1-response', '--dry-run'])).stdout;
    const undo = /\$ kubectl rollout undo .*/.exec(dry)![0];
    expect(undo).toContain("'deployment/<deployment from the evidence>'");
    expect((await box.run(['runbooks', 'show', 'sev1-response'])).stdout).toContain(undo);
    const raw = JSON.parse((await box.run(['runbooks', 'show', 'sev2-response', '--json'])).stdout) as {
      steps: Array<{ id: string; run?: string }>;
    };
    expect(raw.steps.find((s) => s.id === 'service-logs')?.run).toBe('kubectl logs -n {{namespace}} deployment/{{service}} --tail=100');
  });

  it('runbooks validate prints every problem with file:line:col and exits 1', async () => {
    const file = join(ROOT, 'test', 'fixtures', 'broken', 'broken.yaml');
    const r = await sandbox().run(['runbooks', 'validate', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${file}:12:5: error: steps[0].timout: unknown field "timout" (did you mean "timeout"?)`);
    // A schema error (the unknown field) hides none of the meaning problems: all at once, in file order.
    const expected = [
      ['11:30', 'steps[0].run', 'template variable {{namespce}} is never defined'],
      ['11:43', 'steps[0].run', '";" needs a shell'],
      ['12:5', 'steps[0].timout', 'unknown field "timout"'],
      ['13:9', 'steps[1].id', 'duplicate step id "pods"'],
      ['20:34', 'steps[2].run', 'template variable {{service}} is never defined'],
      ['23:56', 'steps[2].expect[0].finding.cause', 'no cause with id "databse"'],
    ].map(([at, field, message]) => `${file}:${at}: error: ${field}: ${message}`);
    const heads = r.stdout.split('\n').filter((l) => l.startsWith(`${file}:`));
    expect(heads.map((l, i) => l.slice(0, expected[i]?.length))).toEqual(expected);
    expect(r.stdout).toMatch(/6 error\(s\)/);
    const json = await sandbox().run(['runbooks', 'validate', file, '--json']);
    expect(json.code).toBe(1);
    const d = JSON.parse(json.stdout) as {
      diagnostics: Array<{ file: string; line: number; col: number; field: string; message: string }>;
    };
    // --json holds the same problems, in the same order.
    expect(d.diagnostics.map((x) => `${x.file}:${x.line}:${x.col}: error: ${x.field}: ${x.message}`)).toEqual(heads);
  });

  it('a typo in a runbook id gets a suggestion and exit 2, recording nothing', async () => {
    const box = sandbox();
    const r = await box.run(['run', 'platfrom-outage']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown runbook "platfrom-outage" (did you mean "platform-outage"?)');
    expect(existsSync(join(box.home, 'incidents'))).toBe(false);
  });

  it('unknown scenario, unknown option and a resume with nothing to resume are usage errors', async () => {
    const box = sandbox();
    const s = await box.run(['run', 'platform-outage', '--simulate', 'dtabase-failure']);
    expect(s.code).toBe(2);
    expect(s.stderr).toContain('did you mean "database-failure"');
    const o = await box.run(['run', 'platform-outage', '--yess']);
    expect(o.code).toBe(2);
    expect(o.stderr).toMatch(/unknown option '--yess'/);
    const resume = await box.run(['run', 'platform-outage', '--resume']);
    expect(resume.code).toBe(2);
  });

  it('a broken runbook in an extra directory does not break the others, and names its file', async () => {
    const box = sandbox();
    const dir = join(ROOT, 'test', 'fixtures', 'broken');
    const list = await box.run(['runbooks', 'list', '--runbooks-dir', dir]);
    expect(list.stdout).toContain('platform-outage');
    expect(list.stdout).toMatch(/broken .*invalid/);
    const run = await box.run(['run', 'broken', '--runbooks-dir', dir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('broken.yaml:12:5');
  });

  it('a 100 MB file in a runbook directory is refused from its size, never read: listed as skipped, exit 2 when asked for', async () => {
    const box = sandbox();
    const dir = join(box.dir, 'runbooks');
    mkdirSync(dir);
    copyFileSync(join(FAULT_RUNBOOKS, 'echo-input.yaml'), join(dir, 'echo-input.yaml'));
    const huge = join(dir, 'huge.yaml');
    writeFileSync(huge, 'id: huge\ntitle: Huge\nsteps:\n');
    truncateSync(huge, 100 * 1024 * 1024); // sparse: costs no disk, and reading it would cost the test its timeout
    const limit = /huge\.yaml is 100 MiB \(104857600 bytes\), over the 1 MiB limit for a runbook file; it was not read/;
    const timeoutMs = 20_000;

    const asked = await box.run(['run', 'huge', '--runbooks-dir', dir], { timeoutMs });
    expect(asked.code).toBe(2);
    expect(asked.stderr).toMatch(limit);
    const validate = await box.run(['runbooks', 'validate', huge], { timeoutMs });
    expect(validate.stdout + validate.stderr).toMatch(limit);

    const other = await box.run(['run', 'echo-input', '--dry-run', '--runbooks-dir', dir, '--var', 'value=x'], { timeoutMs });
    expect(other.code, other.stderr).toBe(0);
    const listed = await box.run(['runbooks', 'list', '--runbooks-dir', dir], { timeoutMs });
    expect(listed.stdout).toMatch(/echo-input/);
    expect(listed.stdout).toMatch(/^huge .*\(skipped: .*huge\.yaml is 100 MiB/m);
    expect(listed.code).toBe(1);
    const json = JSON.parse((await box.run(['runbooks', 'list', '--json', '--runbooks-dir', dir], { timeoutMs })).stdout);
    expect(json.find((r: { id: string }) => r.id === 'huge')).toMatchObject({ valid: false, notRead: expect.stringMatching(limit) });
  }, 90_000);

  it('--dry-run shows the commands and records nothing', async () => {
    const box = sandbox();
    const r = await box.run(['run', 'platform-outage', '--dry-run', '--var', 'deployment=budgateway']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('$ kubectl exec -n bud-data postgresql-0 -- pg_isready');
    expect(r.stdout).toContain("kubectl rollout undo 'deployment/<deployment from the evidence>' -n '<namespace from the evidence>'");
    expect(r.stdout).toContain('offered only if the diagnosis names bad-deployment');
    expect(existsSync(join(box.home, 'incidents'))).toBe(false);
  });

  it("--dry-run shows exactly the argv a run executes: the configured cluster's --kubeconfig and --context included", async () => {
    const box = sandbox();
    // A kubectl that records the words it was given, one per line.
    const bin = join(box.dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'kubectl'), '#!/bin/sh\nprintf \'%s\\n\' "$@" > "$ARGV_OUT"\necho ok\n', { mode: 0o755 });
    // The pre-flight check connects to the API server's port: a listener on loopback answers it.
    const server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const kubeconfig = join(box.dir, 'cp.kubeconfig');
    writeFileSync(
      kubeconfig,
      `apiVersion: v1
kind: Config
clusters: [{ name: cp, cluster: { server: "https://127.0.0.1:${port}" } }]
users: [{ name: u, user: { token: abc } }]
contexts: [{ name: prod-cp, context: { cluster: cp, user: u } }]
current-context: prod-cp
`,
    );
    const cfg = join(box.dir, 'config.yaml');
    writeFileSync(cfg, `clusters:\n  control-plane:\n    kubeconfig: ${kubeconfig}\n    context: prod-cp\n`);
    const dir = join(box.dir, 'rb');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'ctx.yaml'),
      `id: ctx
title: Context test
summary: one kubectl check
steps:
  - id: nodes
    kind: check
    title: Nodes
    run: kubectl get nodes -o wide
`,
    );
    const argvOut = join(box.dir, 'argv.txt');
    const env = { PATH: `${bin}:${box.env.PATH}`, ARGV_OUT: argvOut };
    const args = ['--config', cfg, '--runbooks-dir', dir];
    const dry = await box.run(['run', 'ctx', '--dry-run', ...args], { env });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`$ kubectl --kubeconfig=${kubeconfig} --context=prod-cp get nodes -o wide`);
    const plan = JSON.parse((await box.run(['run', 'ctx', '--dry-run', '--json', ...args], { env })).stdout);
    expect(existsSync(argvOut)).toBe(false); // the dry run executed nothing
    const run = await box.run(['run', 'ctx', '--yes', ...args], { env });
    expect(run.code, run.stderr).toBe(0);
    const executed = readFileSync(argvOut, 'utf8').trimEnd().split('\n');
    expect(['kubectl', ...executed]).toEqual(plan.groups[0][0].argv[0]);
    server.close();
  });

  it('--dry-run refuses a native check on a cluster the config does not name, as the run does', async () => {
    const box = sandbox();
    const dir = join(box.dir, 'rb');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'wcheck.yaml'),
      `id: wcheck
title: Workload check
summary: one native check on the workload cluster
steps:
  - id: pods
    kind: check
    title: Pods on the workload cluster
    cluster: workload
    native: { resource: pods, namespace: bud-workloads }
`,
    );
    const dry = await box.run(['run', 'wcheck', '--dry-run', '--runbooks-dir', dir]);
    expect(dry.stdout).toContain('cannot be prepared: cluster "workload" is not configured: add clusters.workload');
    expect(dry.stdout).not.toContain('[kubernetes API] pods in bud-workloads on cluster workload');
  });

  it('validating the shipped runbooks by path warns of nothing: a file met twice replaces nothing', async () => {
    const box = sandbox();
    const { readdirSync } = await import('node:fs');
    const files = readdirSync(join(ROOT, 'runbooks'))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => join(ROOT, 'runbooks', f));
    const r = await box.run(['runbooks', 'validate', ...files]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/no errors, 0 warning\(s\)/);
  });

  it("the Keycloak realm is the config's keycloakRealm, else the playbook's bud", async () => {
    const box = sandbox();
    const cfg = join(box.dir, 'config.yaml');
    writeFileSync(cfg, 'keycloakUrl: https://kc.example\n');
    const realms = async () =>
      (await box.run(['--config', cfg, 'run', 'auth-failure', '--dry-run'])).stdout.match(/\/realms\/[^/]+\//g) ?? [];
    expect(await realms()).toContain('/realms/bud/');
    writeFileSync(cfg, 'keycloakUrl: https://kc.example\nkeycloakRealm: acme\n');
    expect(await realms()).toContain('/realms/acme/');
    expect(await realms()).not.toContain('/realms/bud/');
  });

  it('timeline verify names the first tampered line (exit 1)', async () => {
    const box = sandbox();
    await box.run(['run', 'platform-outage', '--simulate', 'control-plane', '--make-current']);
    const id = readFileSync(join(box.home, 'current'), 'utf8').trim();
    const path = join(box.home, 'incidents', id, 'timeline.jsonl');
    const lines = readFileSync(path, 'utf8').split('\n');
    lines[3] = lines[3]!.replace('"status":"failed"', '"status":"passed"').replace('"actor":"tester"', '"actor":"mallory"');
    writeFileSync(path, lines.join('\n'));
    const r = await box.run(['timeline', 'verify']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/timeline\.jsonl:4: hash mismatch/);
  });

  it('NO_COLOR and pipes give plain text; FORCE_COLOR colours it', async () => {
    const box = sandbox();
    const plain = await box.run(['runbooks', 'list']);
    expect(plain.stdout).not.toMatch(/\x1b\[/);
    const coloured = await box.run(['runbooks', 'list'], { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } });
    expect(coloured.stdout).toMatch(/\x1b\[/);
  });

  it('a variable the config names in secretEnv is redacted from a declared title before anything derives from it', async () => {
    // 'dbpw9' is 5 characters: a configured name is certain, so the guess threshold (6) does not apply.
    for (const value of ['cust-secret-value-42', 'dbpw9']) {
      const box = sandbox({ CUSTOM_VAR: value });
      const cfg = join(box.dir, 'config.yaml');
      writeFileSync(cfg, 'secretEnv: [CUSTOM_VAR]\n');
      const r = await box.run(['--config', cfg, 'declare', '--title', `db down ${value}`, '--severity', 'SEV2']);
      expect(r.code, r.stderr).toBe(0);
      const id = readFileSync(join(box.home, 'current'), 'utf8').trim();
      const status = await box.run(['--config', cfg, 'status', '--json']);
      const listed = await box.run(['--config', cfg, 'incidents', 'list']);
      const { execFileSync } = await import('node:child_process');
      const files = execFileSync('sh', ['-c', `cat -- $(find ${join(box.home, 'incidents', id)} -type f)`], { encoding: 'utf8' });
      for (const seen of [r.stdout, r.stderr, id, files, status.stdout, listed.stdout]) {
        expect(seen).not.toContain(value);
        expect(seen.toLowerCase()).not.toContain(value.toLowerCase());
      }
      expect(r.stdout).toContain('db down [REDACTED]');
    }
  });

  it('secrets in the environment never reach the timeline or the output', async () => {
    const box = sandbox({ TOKEN: 'tok-0123456789abcdef', CUSTOM_VAR: 'cust-secret-value-42' });
    const cfg = join(box.dir, 'config.yaml');
    writeFileSync(cfg, 'secretEnv: [CUSTOM_VAR]\n');
    const dir = join(box.dir, 'rb');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'leak.yaml'),
      `id: leak
title: Leak test
summary: prints secrets
steps:
  - id: echo
    kind: check
    title: Echo secrets
    run: 'printf "%s\\n" "$TOKEN" "Authorization: Bearer abc.def.ghi-jkl" "$CUSTOM_VAR"'
`,
    );
    const r = await box.run(['run', 'leak', '--yes', '--config', cfg, '--runbooks-dir', dir]);
    const id = readFileSync(join(box.home, 'current'), 'utf8').trim();
    const { execFileSync } = await import('node:child_process');
    const everything =
      r.stdout + r.stderr + execFileSync('sh', ['-c', `cat -- $(find ${join(box.home, 'incidents', id)} -type f)`], { encoding: 'utf8' });
    expect(everything).toContain('[REDACTED]');
    for (const secret of ['tok-0123456789abcdef', 'abc.def.ghi-jkl', 'cust-secret-value-42']) expect(everything).not.toContain(secret);
  });
});
