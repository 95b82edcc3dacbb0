import { describe, expect, it } from 'vitest';
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
