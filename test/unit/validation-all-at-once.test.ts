/**
 * Checklists and the policy report every problem at once, like runbooks: schema and meaning, each
 * at its file, line and field, in file order. A broken section of the policy hides nothing about
 * the others, and the meaning checks still run on the sections that are well-formed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostics, YamlSource } from '../../src/diagnostics.js';
import { UserError } from '../../src/errors.js';
import { loadChecklist, parseChecklist } from '../../src/incident/checklist.js';
import { parsePolicy } from '../../src/incident/policy.js';
import { ROOT } from '../support/cli.js';

const shown = (ds: ReturnType<typeof parseChecklist>['diagnostics']) => ds.map((d) => `${d.file}:${d.line} ${d.field}: ${d.message}`);

describe('a checklist with several problems', () => {
  const text = `id: demo
title: Demo
items:
  - id: first
    text: First
    auto: [{ event: note.added, tagg: x }]
  - id: first
    text: Second
  - id: third
    text: Third
    record: 5
`;

  it('reports all of them, schema and meaning, each at its line and field, in file order', () => {
    const r = parseChecklist(new YamlSource('demo.yaml', text));
    expect(r.checklist).toBeUndefined();
    expect(shown(r.diagnostics)).toEqual([
      'demo.yaml:6 items[0].auto[0].tagg: unknown field "tagg" (did you mean "tag"?)',
      'demo.yaml:7 items[1].id: duplicate item id "first"',
      'demo.yaml:11 items[2].record: Invalid input: expected string, received number',
    ]);
  });

  it('loading it stops with exit code 2 and every problem in the runbook format', () => {
    let error: unknown;
    try {
      loadChecklist(new YamlSource('demo.yaml', text));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserError);
    const e = error as UserError;
    expect(e.exitCode).toBe(2);
    const lines = e.details.filter((l) => l.startsWith('demo.yaml:'));
    expect(lines).toEqual([
      expect.stringMatching(/^demo\.yaml:6:\d+: error: items\[0\]\.auto\[0\]\.tagg: unknown field/),
      expect.stringMatching(/^demo\.yaml:7:\d+: error: items\[1\]\.id: duplicate item id "first"/),
      expect.stringMatching(/^demo\.yaml:11:\d+: error: items\[2\]\.record: /),
    ]);
  });
});

describe('a policy with problems in two sections', () => {
  const shipped = readFileSync(join(ROOT, 'runbooks', 'policy', 'policy.yaml'), 'utf8');
  const lineOf = (text: string, needle: string) => text.slice(0, text.indexOf(needle)).split('\n').length;

  it('a broken escalation: hides neither a template nor a missing phase', () => {
    expect(shipped).toContain('contact: ');
    expect(shipped).toContain('{{severity}}');
    const postmortemPhase = /\n *- \{ id: post-mortem,[^\n]*/;
    expect(shipped).toMatch(postmortemPhase);
    const text = shipped.replace('contact: ', 'contakt: ').replace('{{severity}}', '{{sevrity}}').replace(postmortemPhase, '');
    const r = parsePolicy(new YamlSource('policy.yaml', text));
    expect(r.policy).toBeUndefined();
    const byField = r.diagnostics.map((d) => `${d.line} ${d.field}: ${d.message.slice(0, 40)}`);
    const escalation = lineOf(text, 'contakt: ');
    expect(byField).toContainEqual(
      expect.stringMatching(new RegExp(`^${escalation} escalation\\[0\\]\\.contakt: unknown field "contakt"`)),
    );
    expect(byField).toContainEqual(
      expect.stringMatching(new RegExp(`^${lineOf(text, '{{sevrity}}')} templates\\.declared: \\{\\{sevrity\\}\\} is not a value`)),
    );
    expect(byField).toContainEqual(expect.stringMatching(/^\d+ phases: the phase "post-mortem" is required/));
    // In file order, in the runbook format.
    expect(r.diagnostics.map((d) => d.line)).toEqual([...r.diagnostics.map((d) => d.line)].sort((a, b) => a - b));
    expect(formatDiagnostics(r.diagnostics)[0]).toMatch(/^policy\.yaml:\d+:\d+: error: /);
  });

  it('a section that does not parse is not also reported as missing its required entries', () => {
    const text = shipped.replace(/\nroles:\n/, '\nroles: 5\nrolesWere:\n');
    const r = parsePolicy(new YamlSource('policy.yaml', text));
    const messages = r.diagnostics.map((d) => `${d.field}: ${d.message}`);
    expect(messages).toContainEqual(expect.stringMatching(/^roles: Invalid input/));
    expect(messages).toContainEqual(expect.stringMatching(/^rolesWere: unknown field/));
    expect(messages.filter((m) => m.includes('is required (the CLI assigns it)'))).toEqual([]);
  });
});
