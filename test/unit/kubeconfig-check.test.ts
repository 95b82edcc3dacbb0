import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { checkKubeconfig } from '../../src/adapters/kubeconfig-check.js';

/** The clock the checks are judged against: a token's expiry is compared with this, never the wall clock. */
const NOW = new Date('2026-12-01T12:00:00Z');
const at = (iso: string) => Date.parse(iso) / 1000;

// Builders for kubeconfig documents.
const cluster = (
  name: string,
  c: object = { server: 'https://api.prod.bud.example:6443', 'certificate-authority-data': 'LS0tLS1CRUdJTg==' },
) => ({
  name,
  cluster: c,
});
const context = (name: string, c: object) => ({ name, context: c });
const user = (name: string, u: object) => ({ name, user: u });
const config = (p: { current?: string; clusters?: object[]; contexts?: object[]; users?: object[] }) =>
  stringify({ apiVersion: 'v1', kind: 'Config', 'current-context': p.current, clusters: p.clusters, contexts: p.contexts, users: p.users });

const jwt = (claims: object) => `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.c2ln`;

/** A complete, valid single-file kubeconfig with context "prod-eu" using the given user. */
const valid = (u: object = { token: 'kubeconfig-token-abc123' }, current: string | null = 'prod-eu') =>
  config({
    current: current ?? undefined,
    clusters: [cluster('prod')],
    contexts: [context('prod-eu', { cluster: 'prod', user: 'jane', namespace: 'payments' })],
    users: [user('jane', u)],
  });

interface Case {
  /** Files to write, relative to the temp dir (home is `home/`). A value of null makes a directory. */
  files: Record<string, string | null>;
  target?: { kubeconfig?: string; context?: string };
  /** $KUBECONFIG, as paths relative to the temp dir joined with ":". */
  kubeconfig?: string[] | '';
  path?: string;
  /** undefined: the set-up is fine; otherwise the file named (relative) and a pattern for the problem (and fix). */
  expected?: { file: string; problem: RegExp; fix?: RegExp };
}

const HOME_CONFIG = 'home/.kube/config';

const cases: [string, Case][] = [
  // --- usable set-ups ------------------------------------------------------------------------------------
  ['valid kubeconfig with a token (~/.kube/config)', { files: { [HOME_CONFIG]: valid() } }],
  [
    'valid kubeconfig with an exec plugin that exists (node)',
    {
      files: { [HOME_CONFIG]: valid({ exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: 'node', args: ['-e', '0'] } }) },
    },
  ],
  ['empty $KUBECONFIG falls back to ~/.kube/config', { files: { [HOME_CONFIG]: valid() }, kubeconfig: '' }],
  [
    'merged $KUBECONFIG: context in one file, cluster and user in another',
    {
      files: {
        'a.yaml': config({ current: 'prod-eu', contexts: [context('prod-eu', { cluster: 'prod', user: 'jane' })] }),
        'b.yaml': config({ clusters: [cluster('prod')], users: [user('jane', { token: 't' })] }),
      },
      kubeconfig: ['a.yaml', 'b.yaml'],
    },
  ],
  [
    'merged $KUBECONFIG: the first current-context wins (a later, broken one is ignored)',
    {
      files: {
        'a.yaml': valid(),
        'b.yaml': config({ current: 'gone', contexts: [context('staging', { cluster: 'prod', user: 'jane' })] }),
      },
      kubeconfig: ['a.yaml', 'b.yaml'],
    },
  ],
  [
    'merged $KUBECONFIG: a missing file in the list is ignored, as kubectl does',
    { files: { 'a.yaml': valid() }, kubeconfig: ['missing.yaml', 'a.yaml'] },
  ],
  [
    'an explicit kubeconfig overrides $KUBECONFIG',
    { files: { 'target.yaml': valid(), 'broken.yaml': 'a: b: c\n' }, kubeconfig: ['broken.yaml'], target: { kubeconfig: 'target.yaml' } },
  ],
  ['the requested context exists', { files: { [HOME_CONFIG]: valid({ token: 't' }, null) }, target: { context: 'prod-eu' } }],
  [
    'a relative tokenFile resolves against the kubeconfig directory',
    { files: { 'kc/config': valid({ tokenFile: 'token' }), 'kc/token': 'secret' }, kubeconfig: ['kc/config'] },
  ],
  ['a JWT token that has not expired', { files: { [HOME_CONFIG]: valid({ token: jwt({ sub: 'jane', exp: 4_102_444_800 }) }) } }],

  // --- no kubeconfig, unreadable, not a kubeconfig ----------------------------------------------------------
  [
    'no kubeconfig at all',
    { files: {}, expected: { file: HOME_CONFIG, problem: /there is no kubeconfig: \$KUBECONFIG is not set/, fix: /KUBECONFIG/ } },
  ],
  [
    'the explicit kubeconfig is missing',
    {
      files: { [HOME_CONFIG]: valid() },
      target: { kubeconfig: 'prod.yaml' },
      expected: { file: 'prod.yaml', problem: /prod\.yaml given for this target does not exist/ },
    },
  ],
  [
    'no file of $KUBECONFIG exists',
    {
      files: {},
      kubeconfig: ['a.yaml', 'b.yaml'],
      expected: { file: 'a.yaml:b.yaml', problem: /none of the files in \$KUBECONFIG exist/ },
    },
  ],
  [
    'the kubeconfig is a directory',
    { files: { 'kube.d': null }, kubeconfig: ['kube.d'], expected: { file: 'kube.d', problem: /is a directory/ } },
  ],
  [
    'unparseable YAML quotes the parser',
    {
      files: { [HOME_CONFIG]: 'apiVersion: v1\nclusters:\n- name: prod\n  cluster:\n    server: https://x\n   insecure: true\n' },
      expected: { file: HOME_CONFIG, problem: /is not valid YAML: .*at line \d+, column \d+/ },
    },
  ],
  [
    'a Pod manifest is not a kubeconfig',
    {
      files: { 'pod.yaml': stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' } }) },
      kubeconfig: ['pod.yaml'],
      expected: { file: 'pod.yaml', problem: /not a kubeconfig: it is a Pod manifest/ },
    },
  ],
  [
    'a YAML list is not a kubeconfig',
    { files: { [HOME_CONFIG]: '- a\n- b\n' }, expected: { file: HOME_CONFIG, problem: /its YAML is a list/ } },
  ],
  [
    'a mapping without clusters or contexts is not a kubeconfig',
    {
      files: { [HOME_CONFIG]: 'server: https://x\ntoken: y\n' },
      expected: { file: HOME_CONFIG, problem: /has no clusters, contexts, users or current-context/ },
    },
  ],
  [
    'an empty kubeconfig',
    { files: { 'empty.yaml': '' }, target: { kubeconfig: 'empty.yaml' }, expected: { file: 'empty.yaml', problem: /is empty/ } },
  ],
  [
    '`clusters` is not a list',
    {
      files: { [HOME_CONFIG]: 'apiVersion: v1\nkind: Config\nclusters:\n  prod:\n    server: https://x\n' },
      expected: { file: HOME_CONFIG, problem: /`clusters` .* is a object, not a list/ },
    },
  ],

  // --- contexts ------------------------------------------------------------------------------------------
  [
    'current-context unset',
    {
      files: { [HOME_CONFIG]: valid({ token: 't' }, null) },
      expected: { file: HOME_CONFIG, problem: /sets no current-context .*available: prod-eu/, fix: /use-context prod-eu/ },
    },
  ],
  [
    'current-context names a missing context',
    {
      files: { [HOME_CONFIG]: valid({ token: 't' }, 'prod-us') },
      expected: { file: HOME_CONFIG, problem: /current-context "prod-us" .* does not exist/ },
    },
  ],
  [
    'merged: the file that set current-context is named',
    {
      files: { 'a.yaml': config({ current: 'gone' }), 'b.yaml': valid() },
      kubeconfig: ['a.yaml', 'b.yaml'],
      expected: { file: 'a.yaml', problem: /current-context "gone" in .*a\.yaml/ },
    },
  ],
  [
    'requested context missing: did you mean',
    {
      files: { [HOME_CONFIG]: valid() },
      target: { context: 'prod-ue' },
      expected: {
        file: HOME_CONFIG,
        problem: /"prod-ue" is not in .*available: prod-eu — did you mean "prod-eu"\?/,
        fix: /--context "prod-eu"/,
      },
    },
  ],
  [
    'merged: requested context missing names every file that was read',
    {
      files: { 'a.yaml': valid(), 'b.yaml': config({ contexts: [context('staging', { cluster: 'prod', user: 'jane' })] }) },
      kubeconfig: ['a.yaml', 'missing.yaml', 'b.yaml'],
      target: { context: 'prod-us' },
      expected: { file: 'a.yaml:b.yaml', problem: /"prod-us" is not in \$KUBECONFIG .*available: prod-eu, staging/ },
    },
  ],
  [
    'requested context missing: suggests the EKS ARN ending in the name',
    {
      files: {
        [HOME_CONFIG]: config({
          current: 'arn:aws:eks:eu-west-1:123456789012:cluster/prod',
          clusters: [cluster('prod')],
          contexts: [context('arn:aws:eks:eu-west-1:123456789012:cluster/prod', { cluster: 'prod', user: 'jane' })],
          users: [user('jane', { token: 't' })],
        }),
      },
      target: { context: 'prod' },
      expected: { file: HOME_CONFIG, problem: /did you mean "arn:aws:eks:eu-west-1:123456789012:cluster\/prod"/ },
    },
  ],
  [
    'merged: first definition of a user wins, even when broken',
    {
      files: {
        'a.yaml': config({ current: 'prod-eu', users: [user('jane', {})] }),
        'b.yaml': valid(),
      },
      kubeconfig: ['a.yaml', 'b.yaml'],
      expected: { file: 'a.yaml', problem: /user "jane" in .*a\.yaml has no credentials/ },
    },
  ],
  [
    "the context's cluster is missing",
    {
      files: {
        [HOME_CONFIG]: config({
          current: 'c',
          contexts: [context('c', { cluster: 'nope', user: 'jane' })],
          users: [user('jane', { token: 't' })],
        }),
      },
      expected: { file: HOME_CONFIG, problem: /refers to cluster "nope", which is not defined/ },
    },
  ],
  [
    "the context's user is missing",
    {
      files: {
        [HOME_CONFIG]: config({ current: 'c', clusters: [cluster('prod')], contexts: [context('c', { cluster: 'prod', user: 'bob' })] }),
      },
      expected: { file: HOME_CONFIG, problem: /refers to user "bob", which is not defined/ },
    },
  ],
  [
    'the context names no user',
    {
      files: { [HOME_CONFIG]: config({ current: 'c', clusters: [cluster('prod')], contexts: [context('c', { cluster: 'prod' })] }) },
      expected: { file: HOME_CONFIG, problem: /context "c" .* names no user/ },
    },
  ],

  // --- cluster and credentials ----------------------------------------------------------------------------
  [
    'the cluster has no server',
    {
      files: {
        [HOME_CONFIG]: config({
          current: 'c',
          clusters: [cluster('prod', { 'certificate-authority-data': 'LS0t' })],
          contexts: [context('c', { cluster: 'prod', user: 'jane' })],
          users: [user('jane', { token: 't' })],
        }),
      },
      expected: { file: HOME_CONFIG, problem: /cluster "prod" .* has no server URL/, fix: /set-cluster prod --server/ },
    },
  ],
  [
    'the certificate-authority file is missing',
    {
      files: {
        'kc/config': config({
          current: 'c',
          clusters: [cluster('prod', { server: 'https://x:6443', 'certificate-authority': 'ca.crt' })],
          contexts: [context('c', { cluster: 'prod', user: 'jane' })],
          users: [user('jane', { token: 't' })],
        }),
      },
      kubeconfig: ['kc/config'],
      expected: { file: 'kc/config', problem: /certificate-authority of cluster "prod" .* cannot be used: .*kc\/ca\.crt does not exist/ },
    },
  ],
  [
    'the user has no credentials',
    { files: { [HOME_CONFIG]: valid({}) }, expected: { file: HOME_CONFIG, problem: /user "jane" .* has no credentials/ } },
  ],
  [
    'exec plugin not on PATH (aws)',
    {
      files: {
        [HOME_CONFIG]: valid({ exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: 'aws', args: ['eks', 'get-token'] } }),
      },
      path: '/nonexistent-bin',
      expected: { file: HOME_CONFIG, problem: /running "aws", which is not on PATH/, fix: /Install the AWS CLI v2/ },
    },
  ],
  [
    'exec plugin not on PATH uses its installHint',
    {
      files: {
        [HOME_CONFIG]: valid({
          exec: {
            apiVersion: 'client.authentication.k8s.io/v1beta1',
            command: 'bud-login',
            installHint: 'Install bud-login with `brew install bud/tap/bud-login`.\nSee the wiki.',
          },
        }),
      },
      expected: { file: HOME_CONFIG, problem: /"bud-login"/, fix: /^Install bud-login with `brew install bud\/tap\/bud-login`\.$/ },
    },
  ],
  [
    'exec plugin with a relative path that is not there',
    {
      files: { 'kc/config': valid({ exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: './bin/login' } }) },
      kubeconfig: ['kc/config'],
      expected: { file: 'kc/config', problem: /"\.\/bin\/login", which is not an executable file/ },
    },
  ],
  [
    'exec plugin v1alpha1',
    {
      files: { [HOME_CONFIG]: valid({ exec: { apiVersion: 'client.authentication.k8s.io/v1alpha1', command: 'node' } }) },
      expected: { file: HOME_CONFIG, problem: /v1alpha1, which kubectl 1\.24\+ rejects/ },
    },
  ],
  [
    'gcp auth-provider',
    {
      files: { [HOME_CONFIG]: valid({ 'auth-provider': { name: 'gcp', config: { 'cmd-path': '/usr/bin/gcloud' } } }) },
      expected: { file: HOME_CONFIG, problem: /gcp auth-provider, which kubectl removed in 1\.26/, fix: /gke-gcloud-auth-plugin/ },
    },
  ],
  [
    'tokenFile missing',
    {
      files: { [HOME_CONFIG]: valid({ tokenFile: '/nonexistent/token' }) },
      expected: { file: HOME_CONFIG, problem: /\/nonexistent\/token does not exist/ },
    },
  ],
  [
    'client certificate without a key',
    {
      files: { [HOME_CONFIG]: valid({ 'client-certificate-data': 'LS0tLS1CRUdJTg==' }) },
      expected: { file: HOME_CONFIG, problem: /client certificate but no key/ },
    },
  ],
  [
    'a JWT token that expired a minute before the clock',
    {
      files: { [HOME_CONFIG]: valid({ token: jwt({ sub: 'jane', exp: at('2026-12-01T11:59:00Z') }) }) },
      expected: { file: HOME_CONFIG, problem: /expired at 2026-12-01T11:59:00\.000Z/ },
    },
  ],
  [
    'a JWT token that expires a minute after the clock',
    { files: { [HOME_CONFIG]: valid({ token: jwt({ sub: 'jane', exp: at('2026-12-01T12:01:00Z') }) }) } },
  ],
  [
    'an expired JWT token',
    {
      files: { [HOME_CONFIG]: valid({ token: jwt({ sub: 'jane', exp: 1_000_000_000 }) }) },
      expected: { file: HOME_CONFIG, problem: /expired at 2001-09-09T01:46:40\.000Z/ },
    },
  ],
];

describe('checkKubeconfig', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'kubeconfig-check-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each(cases)('%s', async (_name, c) => {
    for (const [rel, content] of Object.entries(c.files)) {
      const full = path.join(dir, rel);
      if (content === null) await mkdir(full, { recursive: true });
      else {
        await mkdir(path.dirname(full), { recursive: true });
        await writeFile(full, content);
      }
    }
    const env: NodeJS.ProcessEnv = { PATH: c.path ?? process.env.PATH };
    if (c.kubeconfig !== undefined)
      env.KUBECONFIG = c.kubeconfig === '' ? '' : c.kubeconfig.map((f) => path.join(dir, f)).join(path.delimiter);
    const target = { ...c.target, ...(c.target?.kubeconfig ? { kubeconfig: path.join(dir, c.target.kubeconfig) } : {}) };

    const result = await checkKubeconfig(target, env, path.join(dir, 'home'), { now: NOW });

    if (!c.expected) {
      expect(result).toBeUndefined();
      return;
    }
    expect(result).toBeDefined();
    const expectedFile = c.expected.file
      .split(path.delimiter)
      .map((f) => path.join(dir, f))
      .join(path.delimiter);
    expect(result!.file).toBe(expectedFile);
    expect(result!.problem).toMatch(c.expected.problem);
    if (c.expected.fix) expect(result!.fix).toMatch(c.expected.fix);
    // Every fix is one imperative sentence.
    expect(result!.fix).toMatch(/^[A-Z]/);
    expect(result!.fix.trim().endsWith('.')).toBe(true);
  });

  // Root reads any file, so the permission case can only be seen as an ordinary user.
  it.skipIf(process.getuid?.() === 0)('an unreadable kubeconfig', async () => {
    const file = path.join(dir, 'config');
    await writeFile(file, valid());
    await chmod(file, 0o000);
    const result = await checkKubeconfig({}, { KUBECONFIG: file }, dir, { now: NOW });
    expect(result?.problem).toMatch(/cannot be read: permission denied/);
    expect(result?.fix).toContain(`chmod 600 ${file}`);
  });
});
