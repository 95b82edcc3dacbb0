/**
 * Through the built CLI: a checklist and a policy with several problems are reported all at once,
 * each at its file, line and field, by `runbooks validate` (exit 1) and by a command that loads
 * the policy (exit 2), as before.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, sandbox } from '../support/cli.js';

const CHECKLIST = `id: demo
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

/** A runbooks dir with a policy broken in escalation: and templates:, and a checklist with three problems. */
function brokenDir(root: string): { dir: string; policy: string; checklist: string } {
  const dir = join(root, 'rb');
  mkdirSync(join(dir, 'policy'), { recursive: true });
  mkdirSync(join(dir, 'checklists'), { recursive: true });
  const shipped = readFileSync(join(ROOT, 'runbooks', 'policy', 'policy.yaml'), 'utf8');
  const policy = join(dir, 'policy', 'policy.yaml');
  writeFileSync(policy, shipped.replace('contact: ', 'contakt: ').replace('Status: {{status}}', 'Status: {{state}}'));
  const checklist = join(dir, 'checklists', 'demo.yaml');
  writeFileSync(checklist, CHECKLIST);
  return { dir, policy, checklist };
}

describe('validation reports every problem of checklists and the policy', () => {
  it('runbooks validate lists all of them with file:line:col and field, and exits 1', async () => {
    const box = sandbox();
    const { dir, policy, checklist } = brokenDir(box.dir);
    const r = await box.run(['runbooks', 'validate', '--runbooks-dir', dir, policy, checklist]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const heads = r.stdout.split('\n').filter((l) => l.startsWith(dir));
    expect(heads).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/policy\.yaml:\d+:\d+: error: escalation\[0\]\.contakt: unknown field "contakt"/),
        expect.stringMatching(/policy\.yaml:\d+:\d+: error: templates\.statusUpdate: \{\{state\}\} is not a value the CLI fills/),
        expect.stringMatching(/demo\.yaml:6:\d+: error: items\[0\]\.auto\[0\]\.tagg: unknown field "tagg"/),
        expect.stringMatching(/demo\.yaml:7:\d+: error: items\[1\]\.id: duplicate item id "first"/),
        expect.stringMatching(/demo\.yaml:11:\d+: error: items\[2\]\.record: /),
      ]),
    );
  });

  it('a command that loads the broken policy names both sections and exits 2', async () => {
    const box = sandbox();
    const { dir } = brokenDir(box.dir);
    const r = await box.run(['status', '--runbooks-dir', dir]);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(/policy\.yaml:\d+:\d+: error: escalation\[0\]\.contakt: unknown field/);
    expect(r.stderr).toMatch(/policy\.yaml:\d+:\d+: error: templates\.statusUpdate: \{\{state\}\} is not a value/);
  });
});
