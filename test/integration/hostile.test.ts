/** Values built to inject, and secrets fed through every path a responder writes to. */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { ROOT, jsonLines, sandbox } from '../support/cli.js';
import { FAULT_RUNBOOKS } from '../support/faults.js';
import { SECRET_FORMS } from '../support/secret-forms.js';

const SECRET_RUNBOOKS = join(ROOT, 'test', 'fixtures', 'secrets');

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

// Hostile test, section 7: a secret input's value reached the terminal by --dry-run and input errors.
describe('a secret input is never shown', () => {
  it('not by --dry-run (terminal or --json), nor when it is refused (pattern, leading dash)', async () => {
    const box = sandbox();
    const shown: string[] = [];
    for (const extra of [[], ['--json']]) {
      const r = await box.run([
        'run',
        'secret-login',
        '--dry-run',
        ...extra,
        '--runbooks-dir',
        SECRET_RUNBOOKS,
        '--var',
        'pw=Hunter2DryRun',
      ]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('[REDACTED]');
      shown.push(r.stdout, r.stderr);
    }
    for (const value of ['Hunter2#Secret$Bad', '-Hunter2SecretDash']) {
      const r = await box.run(['run', 'secret-login', '--yes', '--runbooks-dir', SECRET_RUNBOOKS, '--var', `pw=${value}`]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('--var pw: the value (secret, not shown)');
      shown.push(r.stdout, r.stderr);
    }
    const all = shown.join('\n');
    for (const secret of ['Hunter2DryRun', 'Hunter2#Secret', 'Hunter2SecretDash']) expect(all.includes(secret), secret).toBe(false);
  }, 60_000);
});

// Hostile test, section 8: the redactor broke the schema (`"secret": [REDACTED]`) and took words of prose.
describe('what holds no secret is left whole', () => {
  it('`runbooks schema` is valid JSON with the `secret` property described', async () => {
    const r = await sandbox().run(['runbooks', 'schema']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('[REDACTED]');
    const schema = JSON.parse(r.stdout) as object;
    expect(JSON.stringify(schema)).toContain('"secret":{');
  }, 60_000);
});

/** Every file under `dir`: its path relative to `dir` and its text. */
function filesUnder(dir: string): Array<{ path: string; text: string }> {
  const out: Array<{ path: string; text: string }> = [];
  const walk = (d: string, rel: string) => {
    for (const f of readdirSync(d, { withFileTypes: true })) {
      if (f.isDirectory()) walk(join(d, f.name), join(rel, f.name));
      else out.push({ path: join(rel, f.name), text: readFileSync(join(d, f.name), 'utf8') });
    }
  };
  walk(dir, '');
  return out;
}

describe('secret forms in every sink (issue 10)', () => {
  it('no form reaches the terminal, --json, the timeline, artifacts, the post-mortem or a file name', async () => {
    const box = sandbox();
    const corpus = join(box.dir, 'corpus.txt');
    writeFileSync(corpus, SECRET_FORMS.map((f) => f.text).join('\n') + '\n');
    const sinks: Record<string, string[]> = { terminal: [], json: [], files: [], names: [] };
    const collect = async (sink: 'terminal' | 'json', args: string[]) => {
      const r = await box.run(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      sinks[sink]!.push(r.stdout, r.stderr);
      return r;
    };
    // The id, its directory and the channel are built from the title.
    const declared = await collect('json', ['declare', '--title', 'db password=hunter2secret', '--severity', 'SEV2', '--json']);
    const opened = JSON.parse(declared.stdout) as { id: string; channel: string };
    expect(opened.id).toMatch(/^\d{4}-\d\d-\d\d-db-password-redacted$/);
    expect(opened.channel).not.toContain('hunter2');
    for (const f of SECRET_FORMS) await collect('terminal', ['note', `saw ${f.text}`]);
    await collect('terminal', ['run', 'cat-file', '--yes', '--runbooks-dir', SECRET_RUNBOOKS, '--var', `file=${corpus}`]);
    await collect('json', ['run', 'cat-file', '--yes', '--json', '--runbooks-dir', SECRET_RUNBOOKS, '--var', `file=${corpus}`]);
    // A secret input of 3 characters: too short to redact in free text, never shown as the input.
    await collect('terminal', ['run', 'short-secret', '--yes', '--runbooks-dir', SECRET_RUNBOOKS, '--var', 'pin=Q~7']);
    await collect('json', ['run', 'short-secret', '--yes', '--json', '--runbooks-dir', SECRET_RUNBOOKS, '--var', 'pin=Q~7']);
    await collect('json', ['status', '--json']);
    await collect('terminal', ['resolve', '--root-cause', `leaked ${SECRET_FORMS[0]!.text}`, '--resolution', 'rotated']);
    await collect('terminal', ['postmortem', 'generate', '-o', '-']);
    await collect('terminal', ['postmortem', 'generate', '-o', join(box.dir, 'pm.md')]);
    await collect('json', ['postmortem', 'generate', '--format', 'json', '-o', '-']);
    await collect('terminal', ['timeline']);
    await collect('terminal', ['timeline', '--format', 'md']);
    await collect('json', ['timeline', '--json']);
    for (const f of [...filesUnder(box.home), { path: 'pm.md', text: readFileSync(join(box.dir, 'pm.md'), 'utf8') }]) {
      sinks.files!.push(f.text);
      sinks.names!.push(f.path);
    }
    expect(sinks.files!.join('\n')).toContain('[REDACTED]');
    const fragments = [...SECRET_FORMS.flatMap((f) => f.gone.map((g) => [f.name, g] as const)), ['title', 'hunter2'] as const];
    for (const [sink, texts] of Object.entries(sinks)) {
      const all = texts.join('\n');
      for (const [name, g] of fragments) expect(all.includes(g), `${name} (${g}) in ${sink}`).toBe(false);
      expect(all.includes('Q~7'), `short secret input in ${sink}`).toBe(false);
    }
  }, 120_000);
});

describe('terminal escapes from outside (issue 10, item 7)', () => {
  it('command output, notes, titles and the timeline view show escape sequences escaped; colours stay; JSON and the timeline keep the bytes', async () => {
    const hostile = 'x \x1b]52;c;cm0gLXJmIH4=\x07 \x1b[2J \x1b]0;pwned\x07 \x1b[8mhidden\x1b[28m y';
    const box = sandbox({ NO_COLOR: '', FORCE_COLOR: '1' });
    const file = join(box.dir, 'hostile.txt');
    writeFileSync(file, hostile + '\n');
    const terminal: string[] = [];
    const run = async (args: string[]) => {
      const r = await box.run(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      return r;
    };
    // A title is one line of text: control characters are refused (exit 2), and the error shows them escaped.
    const title = await box.run(['declare', '--title', `outage ${hostile}`, '--severity', 'SEV2']);
    expect(title.code).toBe(2);
    terminal.push(title.stdout, title.stderr);
    for (const args of [
      ['declare', '--title', 'outage', '--severity', 'SEV2'],
      ['note', `saw ${hostile}`],
      ['update', '--status', 'Investigating', '--impact', `users see ${hostile}`],
      ['run', 'cat-file', '--yes', '--runbooks-dir', SECRET_RUNBOOKS, '--var', `file=${file}`],
      ['status'],
      ['timeline'],
      ['timeline', '--format', 'md'],
      ['postmortem', 'generate', '-o', '-'],
    ]) {
      const r = await run(args);
      terminal.push(r.stdout, r.stderr);
    }
    // An unknown incident id quoting the sequence is an error message naming it.
    const bad = await box.run(['status', '--incident', `a\x1b]0;pwned\x07`]);
    expect(bad.code).toBe(2);
    terminal.push(bad.stdout, bad.stderr);
    const shown = terminal.join('');
    // The only escapes left are the tool's colours (SGR codes it made itself).
    expect(shown.replace(/\x1b\[\d+(;\d+)*m/g, '')).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    expect(shown).toContain('\\x1b]52;c;cm0gLXJmIH4=\\x07');
    expect(shown).toContain('\\x1b[8mhidden');
    expect(shown).toMatch(/\x1b\[1mIncident declared:/);
    // --json and the timeline keep the original bytes (JSON escapes them).
    const json = await run(['timeline', '--json']);
    expect(json.stdout).not.toContain('\x1b');
    const notes = jsonLines(json.stdout).filter((e) => e.type === 'note.added');
    expect(notes[0]!.data.text).toBe(`saw ${hostile}`);
    const live = await run(['run', 'cat-file', '--yes', '--json', '--runbooks-dir', SECRET_RUNBOOKS, '--var', `file=${file}`]);
    const finished = jsonLines(live.stdout).find((e) => e.type === 'step.finished');
    expect(finished!.outputTail).toEqual([hostile]);
  }, 60_000);
});
