import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { commandVariables, parseCommand, resolveCommand, TemplateError } from '../../src/runbook/command.js';

const parse = (s: string) => {
  const r = parseCommand(s);
  if (!r.ok) throw new Error(r.error.message);
  return r.command;
};
const argv = (s: string, vars: Record<string, string> = {}, env: NodeJS.ProcessEnv = {}) => resolveCommand(parse(s), (n) => vars[n], env);

describe('parseCommand / resolveCommand', () => {
  it.each([
    ['kubectl get pods -n bud-system', [['kubectl', 'get', 'pods', '-n', 'bud-system']]],
    [
      'kubectl logs deployment/budapp --tail=200 | grep -i error',
      [
        ['kubectl', 'logs', 'deployment/budapp', '--tail=200'],
        ['grep', '-i', 'error'],
      ],
    ],
    [
      `curl "https://x/endpoints" | jq '.[] | {name, status}'`,
      [
        ['curl', 'https://x/endpoints'],
        ['jq', '.[] | {name, status}'],
      ],
    ],
    [
      'kubectl get events --sort-by=.lastTimestamp | head -20',
      [
        ['kubectl', 'get', 'events', '--sort-by=.lastTimestamp'],
        ['head', '-20'],
      ],
    ],
    [
      'kubectl exec -n bud-system deployment/budapp -- \\\n  python -c "print(\'OK\')"',
      [['kubectl', 'exec', '-n', 'bud-system', 'deployment/budapp', '--', 'python', '-c', "print('OK')"]],
    ],
    ['echo a\\ b "c\\"d"', [['echo', 'a b', 'c"d']]],
  ])('%s', (source, expected) => {
    expect(argv(source).argv).toEqual(expected);
  });

  it('fills a template value inside one argument, never splitting it', () => {
    const r = argv('kubectl get pods -n {{ns}} deployment/{{svc}}', { ns: 'a b; rm -rf /', svc: '$(whoami)' });
    expect(r.argv).toEqual([['kubectl', 'get', 'pods', '-n', 'a b; rm -rf /', 'deployment/$(whoami)']]);
  });

  it('reads $ENV at run time and shows it unexpanded', () => {
    const r = argv('curl -H "Authorization: Bearer $TOKEN" {{url}}', { url: 'https://api' }, { TOKEN: 's3cr3t-value' });
    expect(r.argv[0]).toEqual(['curl', '-H', 'Authorization: Bearer s3cr3t-value', 'https://api']);
    expect(r.display).toBe('curl -H "Authorization: Bearer $TOKEN" https://api');
    expect(r.display).not.toContain('s3cr3t');
  });

  it('keeps single-quoted $ literal', () => {
    expect(argv("jq '$x'").argv).toEqual([['jq', '$x']]);
  });

  it('names a missing environment variable or template value', () => {
    expect(() => argv('curl -H "Bearer $TOKEN"')).toThrow(/\$TOKEN is not set/);
    expect(() => argv('kubectl get pods -n {{ns}}')).toThrow(TemplateError);
  });

  it.each([
    ['kubectl get pods; rm -rf /', /";" needs a shell/],
    ['kubectl get pods && echo', /"&"/],
    ['kubectl get pods > out', /redirection/],
    ['echo $(whoami)', /command substitution/],
    ['echo `whoami`', /backtick/],
    ['echo "unterminated', /unterminated double quote/],
    ["echo 'x", /unterminated single quote/],
    ['kubectl get pods |', /empty command after/],
    ['a || b', /"\|\|"/],
  ])('rejects shell syntax: %s', (source, message) => {
    const r = parseCommand(source);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(message);
  });

  it('lists the template variables a command uses', () => {
    expect(commandVariables(parse('kubectl -n {{a}} get {{ b }} | grep {{c}}'))).toEqual(['a', 'b', 'c']);
  });
});

describe('the line shown to run by hand', () => {
  const TOKEN = 'tok-value';
  const cmd = 'kubectl get pods -n {{v}} -l app={{v}} -H "X-Note: {{v}} $TOKEN" -d \'{"q": "{{v}}"}\' "$TOKEN{{v}}"';
  const RS = '\x1e';

  /**
   * Pastes each shown line into one bash (history expansion on, as in an interactive shell), with
   * the program replaced by a function that prints its arguments NUL-separated, in an empty
   * directory; returns the arguments each line gave and the files that appeared.
   */
  function pasted(displays: string[]): { args: string[][]; files: string[] } {
    const dir = mkdtempSync(join(tmpdir(), 'paste-'));
    const script = ['set -H', `kubectl() { printf '%s\\0' "$@"; printf '${RS}'; }`, ...displays].join('\n');
    const out = execFileSync('bash', ['-c', script], { cwd: dir, env: { PATH: process.env.PATH, TOKEN }, encoding: 'utf8' });
    const args = out
      .split(RS)
      .slice(0, -1)
      .map((l) => l.split('\0').slice(0, -1));
    const files = readdirSync(dir);
    rmSync(dir, { recursive: true });
    return { args, files };
  }
  const check = (values: string[]) => {
    const resolved = values.map((v) => argv(cmd, { v }, { TOKEN }));
    const { args, files } = pasted(resolved.map((r) => r.display));
    expect(args).toEqual(resolved.map((r) => r.argv[0]!.slice(1)));
    expect(files).toEqual([]);
  };

  it('a value with $(…), backticks, quotes, !, globs or ~ is pasted as the literal value and runs nothing', () => {
    check([
      '$(touch pwned-1)',
      '`touch pwned-2`',
      "a'b",
      '"; touch pwned-3; echo "',
      "'$(touch pwned-4)'",
      '!!',
      '*',
      '~root',
      '=ls',
      '{a,b}',
      '$HOME',
      'a\\b',
      '',
    ]);
  });

  it('stays as written in the usual cases', () => {
    expect(argv('curl -H "Authorization: Bearer $TOKEN" {{u}}', { u: 'https://api/x?a=1' }, { TOKEN }).display).toBe(
      `curl -H "Authorization: Bearer $TOKEN" 'https://api/x?a=1'`,
    );
    expect(argv('kubectl logs -n {{ns}} deployment/budapp --tail=200 | grep -i error', { ns: 'bud-system' }).display).toBe(
      'kubectl logs -n bud-system deployment/budapp --tail=200 | grep -i error',
    );
    expect(argv('echo "$TOKEN{{v}}"', { v: 'x' }, { TOKEN }).display).toBe('echo "${TOKEN}x"');
  });

  it('any value: what bash reads back from the shown line is the argument that runs', () => {
    const unit = fc.oneof(fc.constantFrom(...'$`\'"\\!*?~={},;|&<>() \t\n#%^[]-'), fc.constantFrom('a', 'Z', '0', 'é', '😀'));
    const values = fc.sample(fc.string({ unit, maxLength: 24 }), { numRuns: 300, seed: 10 });
    check(values);
  });
});
