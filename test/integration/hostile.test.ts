/** Values built to inject, and secrets fed through every path a responder writes to. */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { jsonLines, sandbox } from '../support/cli.js';
import { FAULT_RUNBOOKS } from '../support/faults.js';

export const INJECTIONS = [
  '; touch /tmp/bud-pwned-1',
  '$(touch /tmp/bud-pwned-2)',
  '`touch /tmp/bud-pwned-3`',
  '&& touch /tmp/bud-pwned-4',
  '| touch /tmp/bud-pwned-5',
  '../../../../etc/passwd',
  "' OR '1'='1",
  '{{value}}',
  '$TOKEN',
  '%s%s%s%n',
];
// (A NUL byte cannot even be passed as an argument by the operating system.)
export const REFUSED = ['--kubeconfig=/tmp/evil', '-o/tmp/evil', 'a\nb', 'tab\there'];

describe('injection corpus', () => {
  it('values are passed as data: echoed literally, nothing executed, nothing written outside the incident', async () => {
    const box = sandbox({ TOKEN: 'tok-should-not-expand-0000' });
    for (const value of INJECTIONS) {
      const r = await box.run(['run', 'echo-input', '--yes', '--json', '--runbooks-dir', FAULT_RUNBOOKS, '--var', `value=${value}`]);
      const finished = jsonLines(r.stdout).find((e) => e.type === 'step.finished');
      expect(finished?.outputTail, value).toEqual([value.trim()]);
    }
    for (let i = 1; i <= 5; i++) expect(existsSync(`/tmp/bud-pwned-${i}`)).toBe(false);
    for (const value of REFUSED) {
      const r = await box.run(['run', 'echo-input', '--yes', '--runbooks-dir', FAULT_RUNBOOKS, '--var', `value=${value}`]);
      expect(r.code, JSON.stringify(value)).toBe(2);
    }
    // Path traversal in ids never leaves the state directory.
    for (const id of ['../../etc', '..', 'a/../../b', '/etc/passwd']) {
      const r = await box.run(['status', '--incident', id]);
      expect(r.code, id).toBe(2);
    }
    expect((await box.run(['run', '../../../../bin/sh'])).code).toBe(2);
    const files = execFileSync('find', [box.dir, '-newer', join(box.dir, 'kube-cache'), '-type', 'f'], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter(Boolean);
    for (const f of files) expect(f.startsWith(box.home), f).toBe(true);
  }, 60_000);
});

describe('the line shown to run by hand', () => {
  it('--dry-run shows each value quoted: the line pasted into bash prints the value and runs nothing', async () => {
    const box = sandbox();
    // Anything that did run would write into the empty directory the line is pasted in.
    const values = [...INJECTIONS.map((v) => v.replace('/tmp/bud-pwned', 'pwned')), "a'b", '`id`', '!! *', '~root'];
    const shown: string[] = [];
    for (const value of values) {
      const r = await box.run(['run', 'echo-input', '--dry-run', '--runbooks-dir', FAULT_RUNBOOKS, '--var', `value=${value}`]);
      expect(r.code, value).toBe(0);
      shown.push(/^\s+\$ (printf .*)$/m.exec(r.stdout)![1]!);
    }
    const dir = mkdtempSync(join(tmpdir(), 'paste-'));
    const out = execFileSync('bash', ['-c', ['set -H', ...shown].join('\n')], {
      cwd: dir,
      encoding: 'utf8',
      env: { PATH: process.env.PATH },
    });
    expect(out.split('\n').slice(0, -1)).toEqual(values);
    const files = readdirSync(dir);
    rmSync(dir, { recursive: true });
    expect(files).toEqual([]);
  }, 60_000);
});

export const SECRETS = [
  'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJvbmNhbGwifQ.c2lnbmF0dXJlLXZhbHVl',
  'password=Hunter2Hunter2',
  'AKIAIOSFODNN7EXAMPLE',
  'postgres://app:S3cretPass@db:5432/bud',
  'ghp_abcdefghijklmnopqrstuvwxyz0123456789',
];

describe('secrets corpus', () => {
  it('none reaches the timeline, artifacts, output, status updates or the post-mortem', async () => {
    const box = sandbox({ MY_SERVICE_TOKEN: 'opaque-value-never-shown-42' });
    const outputs: string[] = [];
    const collect = async (args: string[]) => {
      const r = await box.run(args);
      outputs.push(r.stdout, r.stderr);
      return r;
    };
    await collect(['declare', '--title', 'secrets drill', '--severity', 'SEV2', '--summary', `leaked ${SECRETS[0]}`]);
    for (const s of SECRETS) await collect(['note', `saw ${s} in the logs`]);
    await collect(['note', 'env value opaque-value-never-shown-42 appeared']);
    await collect(['update', '--status', 'Investigating', '--impact', `users with ${SECRETS[1]}`, '--json']);
    await collect(['run', 'echo-input', '--yes', '--json', '--runbooks-dir', FAULT_RUNBOOKS, '--var', 'value=token=abc123def456ghi']);
    await collect(['resolve', '--root-cause', `a key ${SECRETS[2]} was committed`, '--resolution', 'rotated']);
    await collect(['postmortem', 'generate', '-o', '-']);
    await collect(['timeline', '--format', 'md']);
    const id = readFileSync(join(box.home, 'current'), 'utf8').trim();
    const dir = join(box.home, 'incidents', id);
    const onDisk: string[] = [];
    const walk = (d: string) => {
      for (const f of readdirSync(d, { withFileTypes: true })) {
        if (f.isDirectory()) walk(join(d, f.name));
        else onDisk.push(readFileSync(join(d, f.name), 'utf8'));
      }
    };
    walk(dir);
    const everything = [...outputs, ...onDisk].join('\n');
    for (const s of [
      ...SECRETS.map((x) => x.replace(/^Bearer |^password=/, '')),
      'S3cretPass',
      'opaque-value-never-shown-42',
      'abc123def456ghi',
    ]) {
      expect(everything.includes(s), s).toBe(false);
    }
    expect(everything).toContain('[REDACTED]');
  }, 60_000);
});
