/**
 * What a responder reads is the playbook, filled in: every step of every shipped runbook, replayed
 * in every scenario (and planned as `--dry-run` shows it), has no placeholder left as `{{…}}`, no
 * `@name` to fill by hand, and no sentence cut short (a line ending in " in", " the", " to", " at",
 * what a ` #channel` read as a YAML comment leaves behind).
 */
import { systemClock } from '../../src/adapters/clock.js';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExecaShell, type Shell } from '../../src/adapters/shell.js';
import { configTemplateValues, defaultConfig } from '../../src/config/defaults.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { Interrupts } from '../../src/engine/interrupts.js';
import { RunbookEngine } from '../../src/engine/run.js';
import { loadRunbook, type LoadedRunbook } from '../../src/runbook/load.js';
import { testRunbook } from '../../src/engine/test-scenarios.js';
import { Redactor } from '../../src/secrets/redact.js';

const files = readdirSync('runbooks')
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => join('runbooks', f));
const loadedAll = () => {
  const ids = new Set(files.map((f) => /^id:\s*(\S+)/m.exec(readFileSync(f, 'utf8'))![1]!));
  return files.map((f) => {
    const r = loadRunbook(f, readFileSync(f, 'utf8'), ids);
    if (!r.loaded) throw new Error(`${f}: ${JSON.stringify(r.diagnostics)}`);
    return r.loaded;
  });
};

/** A simulation never runs a process: a call is a test failure. */
const noShell: Shell = { run: () => Promise.reject(new Error('a simulation ran a process')) };

/** The incident as `run` fills it in (src/cli/run.ts): no commander or tech lead assigned yet. */
const configValues = {
  ...configTemplateValues(defaultConfig()),
  'incident.id': '2026-12-01-001',
  'incident.channel': '#inc-2026-12-01-platform-down',
  'incident.title': 'Platform down',
  'incident.severity': 'SEV1',
  'incident.openedAt': '2026-12-01T10:00:00Z',
  'incident.commander': '<commander: bud-incident assign commander NAME>',
  'incident.techLead': '<tech lead: bud-incident assign tech-lead NAME>',
};

/** What is wrong with one text a responder reads, or undefined. */
function problem(text: string): string | undefined {
  if (/\{\{/.test(text)) return 'a placeholder left unfilled';
  if (/(^|\s)@name\b/.test(text)) return '"@name" left to fill by hand';
  // A comment cuts the rest of the value: what is left ends on the word before it, with no stop.
  // Checked at the end of each paragraph (a block of text wraps its lines anywhere).
  for (const paragraph of text.split(/\n\s*\n/)) {
    if (/\s(in|the|to|at)\s*$/i.test(paragraph)) return `a sentence cut short: "…${paragraph.trim().slice(-60)}"`;
  }
  return undefined;
}

/** The texts of the events a responder reads (step output is the system's, not the runbook's). */
function shownTexts(events: readonly EngineEvent[]): Array<{ where: string; text: string }> {
  const out: Array<{ where: string; text: string }> = [];
  for (const e of events) {
    if (e.type === 'step.output') continue;
    const step = 'stepId' in e ? e.stepId : '';
    for (const key of ['title', 'instructions', 'copy', 'question', 'message', 'because', 'reason'] as const) {
      const v = (e as Record<string, unknown>)[key];
      if (typeof v === 'string') out.push({ where: `${e.type} ${step} ${key}`, text: v });
    }
  }
  return out;
}

/** An engine that only plans and shows text (a shell that runs nothing), for one loaded runbook. */
function planner(loaded: LoadedRunbook, runId: string): RunbookEngine {
  return new RunbookEngine(
    { loaded, runId, vars: {}, configValues, cluster: () => undefined, interactive: false, allowMitigations: false },
    {
      shell: noShell,
      emit: () => Promise.resolve(),
      show: () => undefined,
      artifacts: { open: () => ({ write: () => undefined, close: () => undefined }) },
      redactor: new Redactor(),
      interrupts: new Interrupts(),
      env: {},
      now: () => 0,
      clock: systemClock,
    },
  );
}
describe('every step of every shipped runbook reads as the playbook, filled in', () => {
  it('in every scenario: titles, instructions, text to copy, questions, findings and mitigations', async () => {
    const problems: string[] = [];
    let manualShown = 0;
    for (const loaded of loadedAll()) {
      // Filters after a recorded output (grep, head, jq) run as `runbooks test` runs them.
      await testRunbook(loaded, new ExecaShell(), configValues, {}, (scenario, events) => {
        for (const e of events) {
          if (e.type !== 'step.started' || e.kind !== 'manual') continue;
          const step = loaded.runbook.steps.find((s) => s.id === e.stepId)!;
          if (step.kind !== 'manual') continue;
          manualShown++;
          if (!e.instructions) problems.push(`${loaded.runbook.id}/${scenario} ${e.stepId}: shown without its instructions`);
          if (step.copy && !e.copy) problems.push(`${loaded.runbook.id}/${scenario} ${e.stepId}: shown without its text to copy`);
        }
        for (const { where, text } of shownTexts(events)) {
          const p = problem(text);
          if (p) problems.push(`${loaded.runbook.id}/${scenario} ${where}: ${p}: ${JSON.stringify(text.slice(0, 200))}`);
        }
      });
    }
    expect(manualShown).toBeGreaterThan(20);
    expect(problems).toEqual([]);
  });

  it('planned as --dry-run shows it, with no --var given: a value known later is a stand-in', () => {
    const problems: string[] = [];
    for (const loaded of loadedAll()) {
      const engine = planner(loaded, 'dry-run');
      engine.plan();
      for (const step of loaded.runbook.steps) {
        const texts = [step.title, ...(step.kind === 'manual' ? [step.instructions, step.copy ?? ''] : [])];
        for (const text of texts) {
          const p = problem(engine.shown(text));
          if (p) problems.push(`${loaded.runbook.id} ${step.id}: ${p}: ${engine.shown(text).slice(0, 200)}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('a value known only later reads as what will give it; the commander as how to record one', () => {
    const sev2 = loadedAll().find((l) => l.runbook.id === 'sev2-response')!;
    const engine = planner(sev2, 'x');
    expect(engine.shown('Apply fix: roll back {{service}}')).toBe('Apply fix: roll back <service: asked at "Which service is affected?">');
    expect(engine.shown('Commander: {{incident.commander}}')).toBe('Commander: <commander: bud-incident assign commander NAME>');
  });
});
