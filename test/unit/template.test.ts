/**
 * `{{name}}` messages and input values, as a runbook author and a responder see them: what is
 * filled, what is left visible, which names a text uses, which values are refused and why.
 */
import { describe, expect, it } from 'vitest';
import { renderTemplate, templateNames, validateInputValue } from '../../src/runbook/template.js';

const values: Record<string, string> = { svc: 'budapp', 'config.namespace': 'bud-system', count: '3' };
const lookup = (name: string) => values[name];

describe('renderTemplate', () => {
  it('fills every placeholder, with or without spaces inside the braces, and dotted names', () => {
    expect(renderTemplate('{{svc}} in {{ config.namespace }}: {{count}} pods, {{svc}} again', lookup)).toBe(
      'budapp in bud-system: 3 pods, budapp again',
    );
  });

  it('leaves an unknown name visible as written, so the gap is noticed', () => {
    expect(renderTemplate('restart {{svc}} in {{ cluster }}', lookup)).toBe('restart budapp in {{ cluster }}');
  });

  it('an empty value is a value (filled with nothing), not an unknown name', () => {
    expect(renderTemplate('[{{empty}}]', (n) => (n === 'empty' ? '' : undefined))).toBe('[]');
  });

  it('puts values in literally: no $-patterns, no second pass over what a value contains', () => {
    const tricky: Record<string, string> = { a: '$& $1 $$', b: '{{svc}}' };
    expect(renderTemplate('{{a}} / {{b}}', (n) => tricky[n] ?? lookup(n))).toBe('$& $1 $$ / {{svc}}');
  });

  it('touches nothing that is not a placeholder: single braces, names starting with a digit, unclosed braces', () => {
    const text = 'json {"a": 1} {{1st}} {{svc} {svc}} {{ }}';
    expect(renderTemplate(text, () => 'X')).toBe(text);
  });
});

describe('templateNames', () => {
  it('lists the names a text uses, in order, each time it appears', () => {
    expect(templateNames('{{svc}} {{ config.namespace }} {{svc}} {not} {{x-y_z}}')).toEqual(['svc', 'config.namespace', 'svc', 'x-y_z']);
    expect(templateNames('no placeholders')).toEqual([]);
  });
});

describe('validateInputValue', () => {
  it('accepts an ordinary value and one matching the whole pattern', () => {
    expect(validateInputValue('svc', undefined, 'budapp')).toBe(true);
    expect(validateInputValue('svc', { pattern: '[a-z]+' }, 'budapp')).toBe(true);
  });

  it('matches the pattern against the whole value, not a part of it', () => {
    expect(validateInputValue('svc', { pattern: '[a-z]+' }, 'budapp; rm')).toBe(
      'svc: value "budapp; rm" does not match the pattern /[a-z]+/',
    );
    // An alternation is anchored as a whole too.
    expect(validateInputValue('env', { pattern: 'prod|staging' }, 'prod-evil')).toMatch(/does not match/);
  });

  it('refuses a value that would be read as an option, unless the input allows it', () => {
    expect(validateInputValue('ns', undefined, '--kubeconfig=/tmp/evil')).toBe(
      'ns: value "--kubeconfig=/tmp/evil" starts with "-" and would be read as an option; refused',
    );
    expect(validateInputValue('offset', { allowLeadingDash: true }, '-5')).toBe(true);
  });

  it('refuses control characters and over-long values, naming the input', () => {
    expect(validateInputValue('ns', undefined, 'a\nb')).toBe('ns: value contains a control character (newline, tab, NUL...)');
    expect(validateInputValue('ns', undefined, 'a'.repeat(1024))).toBe(true);
    expect(validateInputValue('ns', undefined, 'a'.repeat(1025))).toBe('ns: value is too long (1025 characters; at most 1024)');
  });
});
