import { describe, expect, it } from 'vitest';
import { loadRunbook } from '../../src/runbook/load.js';
import { YamlSource, formatDiagnostics } from '../../src/runbook/diagnostics.js';
import { loadCatalog, requireRunbook } from '../../src/runbook/catalog.js';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const valid = `id: demo
title: Demo
summary: A demo runbook
inputs:
  namespace:
    default: bud-system
steps:
  - id: pods
    kind: check
    title: Pods
    run: kubectl get pods -n {{namespace}}
    expect:
      - notMatches: CrashLoopBackOff
        finding: { id: crash, message: "crashing: {{lines}}", cause: bad }
causes:
  - id: bad
    title: Bad thing
scenarios:
  - id: healthy
    outputs: { pods: { stdout: "ok" } }
    expectFindings: []
`;

function problems(text: string, known?: Set<string>) {
  const r = loadRunbook('rb.yaml', text, known);
  return r.diagnostics.map((d) => `${d.line}:${d.col} ${d.field}: ${d.message}`);
}

describe('runbook loading', () => {
  it('accepts a valid runbook', () => {
    const r = loadRunbook('rb.yaml', valid);
    expect(r.diagnostics).toEqual([]);
    expect(r.loaded?.runbook.steps[0]?.id).toBe('pods');
  });

  it('reports malformed YAML with its position', () => {
    const p = problems('id: x\nsteps:\n  - id: a\n   kind: check\n');
    expect(p.length).toBeGreaterThan(0);
    expect(p[0]).toMatch(/^4:\d+ /);
  });

  it('reports an unknown key at the key, with a suggestion', () => {
    const p = problems(valid.replace('    kind: check\n', '    kind: check\n    timout: 5s\n'));
    expect(p).toEqual(['10:5 steps[0].timout: unknown field "timout" (did you mean "timeout"?)']);
  });

  it('reports wrong types and missing fields', () => {
    const p = problems(valid.replace('title: Demo\n', 'title: 42\n').replace('summary: A demo runbook\n', ''));
    expect(p.some((x) => /^2:8 title: .*expected string/.test(x))).toBe(true);
    expect(p.some((x) => /summary: required field is missing/.test(x))).toBe(true);
  });

  it('collects every semantic problem at once', () => {
    const broken = valid
      .replace('run: kubectl get pods -n {{namespace}}', 'run: kubectl get pods -n {{namespce}} ; echo')
      .replace('cause: bad }', 'cause: bda }')
      .replace('expectFindings: []', 'expectFindings: [nope]')
      .replace('  - id: pods\n', '  - id: pods\n    when: { findings: [ghost] }\n');
    const p = problems(broken);
    expect(p.some((x) => x.includes('";" needs a shell'))).toBe(true);
    expect(p.some((x) => x.includes('no cause with id "bda" (did you mean "bad"?)'))).toBe(true);
    expect(p.some((x) => x.includes('no finding with id "nope"'))).toBe(true);
    expect(p.some((x) => x.includes('no finding with id "ghost"'))).toBe(true);
  });

  it('a schema error does not hide the meaning problems: every problem at once, at its line, in file order', () => {
    const text = `id: all
title: All at once
summary: A schema error in step 2, an undefined variable in step 5, text cut by a comment
inputs:
  namespace:
    default: bud-system
steps:
  - { id: one, kind: manual, title: One, instructions: Look }
  - { id: two, kind: check, title: Two, run: kubectl get pods, timeout: soon }
  - { id: three, kind: manual, title: Three, instructions: Look }
  - id: four
    kind: manual
    title: Four
    instructions: react in #incidents on Slack
  - { id: five, kind: check, title: Five, run: "kubectl get pods -n {{namespce}}" }
`;
    const r = loadRunbook('all.yaml', text);
    expect(r.loaded).toBeUndefined();
    expect(r.diagnostics.map((d) => `${d.line}:${d.col} ${d.severity} ${d.field}: ${d.message.slice(0, 40)}`)).toEqual([
      '9:73 error steps[1].timeout: must be a duration such as 300ms, 30s, 5',
      '14:28 error steps[3].instructions: text cut at " #": YAML reads "#incidents',
      '15:69 error steps[4].run: template variable {{namespce}} is never ',
    ]);
  });

  it('a step with an unknown key is still checked for meaning; references to a malformed step still resolve', () => {
    const p = problems(
      valid
        .replace('    kind: check\n', '    kind: check\n    timout: 5s\n')
        .replace('-n {{namespace}}', '-n {{namespce}}')
        .replace('  - id: pods\n', '  - id: pods\n    title: 42\n    when: { findings: [ghost] }\n')
        .replace('    title: Pods\n', ''),
    );
    // Step 0 has a wrong type: it is not read, but its id and finding still count (the scenario's outputs and findings resolve).
    expect(p).toEqual([
      '9:12 steps[0].title: Invalid input: expected string, received number',
      '12:5 steps[0].timout: unknown field "timout" (did you mean "timeout"?)',
    ]);
    const typo = problems(
      valid.replace('    kind: check\n', '    kind: check\n    timout: 5s\n').replace('-n {{namespace}}', '-n {{namespce}}'),
    );
    expect(typo).toEqual([
      '10:5 steps[0].timout: unknown field "timout" (did you mean "timeout"?)',
      '12:30 steps[0].run: template variable {{namespce}} is never defined: declare it under inputs (did you mean "namespace"?)',
    ]);
  });

  it('a section that cannot be read is not checked against: no "never defined" for every variable when inputs is a list', () => {
    const p = problems(valid.replace('inputs:\n  namespace:\n    default: bud-system\n', 'inputs: [namespace]\n'));
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/^4:9 inputs: /);
  });

  it('flags template variables that are never defined, pointing inside the command', () => {
    const p = problems(valid.replace('-n {{namespace}}', '-n {{namespce}}'));
    expect(p).toEqual([
      '11:30 steps[0].run: template variable {{namespce}} is never defined: declare it under inputs (did you mean "namespace"?)',
    ]);
  });

  it('flags duplicate step ids and references to unknown runbooks', () => {
    const dup =
      valid.replace(
        'causes:\n  - id: bad\n    title: Bad thing\n',
        'causes:\n  - id: bad\n    title: Bad thing\n    runbook: databse-failure\n',
      ) + '';
    const p = problems(
      dup.replace('steps:\n', 'steps:\n  - id: pods\n    kind: manual\n    title: again\n    instructions: x\n'),
      new Set(['demo', 'database-failure']),
    );
    expect(p.some((x) => x.includes('duplicate step id "pods"'))).toBe(true);
    expect(p.some((x) => x.includes('no runbook with id "databse-failure" (did you mean "database-failure"?)'))).toBe(true);
  });

  it('formats diagnostics with the source line underlined', () => {
    const r = loadRunbook('rb.yaml', valid.replace('    kind: check\n', '    kind: check\n    timout: 5s\n'));
    const lines = formatDiagnostics(r.diagnostics);
    expect(lines[0]).toBe('rb.yaml:10:5: error: steps[0].timout: unknown field "timout" (did you mean "timeout"?)');
    expect(lines[1]).toBe('  10 |     timout: 5s');
    expect(lines[2]).toBe('           ^^^^^^');
  });

  it('survives an alias bomb with a diagnostic instead of a crash', () => {
    const bomb =
      'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n';
    const r = loadRunbook('bomb.yaml', bomb);
    expect(r.loaded).toBeUndefined();
    expect(r.diagnostics.length).toBeGreaterThan(0);
  });
});

describe('text cut by a YAML comment ( #) is caught', () => {
  const withManual = (lines: string) => valid.replace('causes:\n', `  - id: ack\n    kind: manual\n    title: Ack\n${lines}causes:\n`);

  it('names file:line, the field, the kept text and the lost text, and suggests quoting', () => {
    const r = loadRunbook('rb.yaml', withManual('    instructions: Acknowledge the page (and react in #incidents on Slack) now.\n'));
    const cut = r.diagnostics.filter((d) => d.message.startsWith('text cut'));
    expect(cut).toHaveLength(1);
    const d = cut[0]!;
    expect(d.severity).toBe('error');
    expect(`${d.file}:${d.line} ${d.field}`).toBe('rb.yaml:18 steps[1].instructions');
    expect(d.message).toContain('the value is only "Acknowledge the page (and react in"');
    expect(d.message).toContain('"#incidents on Slack) now."');
    expect(d.message).toContain('instructions: "Acknowledge the page (and react in #incidents on Slack) now."');
    expect(r.loaded).toBeUndefined();
  });

  it('does not flag a comment on its own line, after a quoted value, or a # inside a block scalar', () => {
    const r = loadRunbook(
      'rb.yaml',
      withManual(
        '    # a comment on its own line\n' +
          '    instructions: "react in #incidents"  # after a quoted value\n' +
          "    copy: 'in #incidents' # single-quoted\n" +
          '    question: |\n      Several alerts (PagerDuty / #incidents)?\n' +
          '    finding: { id: f, message: "a #x" }\n',
      ),
    );
    expect(r.diagnostics).toEqual([]);
  });

  it('no shipped runbook, checklist or policy has text cut by a comment', () => {
    const files = ['runbooks', 'runbooks/checklists', 'runbooks/policy'].flatMap((dir) =>
      readdirSync(dir)
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => join(dir, f)),
    );
    const cut = files.flatMap((f) => new YamlSource(f, readFileSync(f, 'utf8')).cutTextDiagnostics());
    expect(formatDiagnostics(cut)).toEqual([]);
  });

  it('a bare value followed by "# note" is a warning (maybe a deliberate comment), not an error', () => {
    const r = loadRunbook('rb.yaml', valid.replace('    default: bud-system\n', '    default: bud-system # the usual one\n'));
    expect(r.diagnostics.map((d) => [d.severity, d.field])).toEqual([['warning', 'inputs.namespace.default']]);
    expect(r.loaded).toBeDefined();
  });
});

describe('a placeholder that cannot be known at the step that shows it', () => {
  it('is an error naming file:line, the placeholder and the step that asks it later', () => {
    const text = valid
      .replace('  namespace:\n', '  service: { pattern: "[a-z]+" }\n  namespace:\n')
      .replace(
        'causes:\n',
        '  - { id: dash, kind: manual, title: Dashboard, instructions: "Grafana for {{service}}" }\n' +
          '  - { id: ask, kind: prompt, title: Which service?, input: service }\n' +
          '  - { id: after, kind: manual, title: "Logs of {{service}}", instructions: ok }\ncauses:\n',
      );
    const r = loadRunbook('rb.yaml', text);
    const late = r.diagnostics.filter((d) => d.message.includes('earlier answer'));
    expect(late.map((d) => `${d.file}:${d.line} ${d.field}: ${d.message}`)).toEqual([
      `rb.yaml:16 steps[1].instructions: {{service}} in step "dash"'s instructions: no input default, config value or earlier answer provides it (step "ask" asks it later); move that prompt before it, or give the input a default`,
    ]);
  });
});

describe('consent is decided at load by what each command runs', () => {
  const rb = (steps: string, mitigations = '') => `id: h
title: H
summary: s
steps:
${steps}${mitigations ? `\nmitigations:\n${mitigations}` : ''}
`;
  it('refuses a shell anywhere, with its position', () => {
    for (const run of [`sh -c 'kubectl delete pod x; echo ok'`, 'bash -lc true', 'kubectl exec p -- sh -c "rm -rf /"', 'timeout 5 bash']) {
      const r = loadRunbook('h.yaml', rb(`  - { id: a, kind: check, title: A, run: ${JSON.stringify(run)} }`));
      expect(r.loaded, run).toBeUndefined();
      expect(formatDiagnostics(r.diagnostics).join('\n'), run).toMatch(/h\.yaml:5:\d+: error: steps\[0\]\.run: runs a shell/);
    }
    const m = loadRunbook(
      'h.yaml',
      rb(
        '  - { id: a, kind: mitigation, title: A, mitigation: m }',
        `  - { id: m, title: M, run: "sh -c 'x'", requires: { finding: [f] } }`,
      ),
    );
    expect(m.diagnostics.map((d) => d.message).join('\n')).toMatch(/runs a shell/);
  });

  it('a readOnly declaration cannot cover a known change; it is not needed for a known read', () => {
    const bad = loadRunbook('h.yaml', rb('  - { id: a, kind: check, title: A, run: "kubectl delete pod x", readOnly: "it is fine" }'));
    expect(bad.loaded).toBeUndefined();
    expect(bad.diagnostics[0]).toMatchObject({
      field: 'steps[0].readOnly',
      message: expect.stringMatching(/cannot cover.*kubectl delete/),
    });
    const extra = loadRunbook('h.yaml', rb('  - { id: a, kind: check, title: A, run: "kubectl get pods", readOnly: "it reads" }'));
    expect(extra.diagnostics[0]).toMatchObject({ severity: 'warning', message: expect.stringMatching(/not needed/) });
    const ok = loadRunbook(
      'h.yaml',
      rb('  - { id: a, kind: check, title: A, run: "kubectl exec p -- psql -c \\"select 1\\"", readOnly: "one SELECT" }'),
    );
    expect(ok.diagnostics).toEqual([]);
  });

  it('a mitigation that changes the system needs a precondition even when it says changesSystem: false', () => {
    const r = loadRunbook(
      'h.yaml',
      rb(
        '  - { id: a, kind: mitigation, title: A, mitigation: m }',
        '  - { id: m, title: M, run: "kubectl delete namespace bud-data", changesSystem: false }',
      ),
    );
    expect(r.loaded).toBeUndefined();
    expect(r.diagnostics.map((d) => `${d.severity}: ${d.message}`)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^warning: changesSystem: false is ignored/),
        expect.stringMatching(/^error: .*add requires/),
      ]),
    );
  });
});

describe('a runbook file that cannot be read is named when its id is asked for', () => {
  it('run <id> of a file with a YAML syntax error says which file and where, not "unknown runbook"', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rb-'));
    writeFileSync(join(dir, 'atk-b.yaml'), 'id: atk-b\ntitle: x\nsteps: [\n  - bad\n');
    const cat = loadCatalog([{ dir, origin: '--runbooks-dir' }]);
    expect(() => requireRunbook(cat, 'atk-b')).toThrow(/runbook "atk-b" \(.*atk-b\.yaml\) cannot be read/);
  });
});
