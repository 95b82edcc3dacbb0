/**
 * The template pass of loading a runbook: every `{{name}}` a well-formed item uses is defined (an
 * input, a config value, or a variable of its context such as a finding's {{lines}}), and a value
 * asked by a prompt step is not shown or run before that step asks it.
 */
import { commandVariables, parseCommand } from './command.js';
import { suggest, type Path } from '../diagnostics.js';
import type { Checking } from './load-parts.js';
import type { RunbookStep } from './schema.js';
import { templateNames } from './template.js';
import { isKnownConfigKey } from '../config/defaults.js';

/** Variables a finding message may use besides inputs. */
export const FINDING_VARIABLES = ['lines', 'exitCode', 'value', 'command', 'step', 'count', 'stderr', 'reason'];

/** One field that holds placeholders: the names it uses, and those its context defines besides inputs. */
interface TemplateUse {
  path: Path;
  names: readonly string[];
  extra?: readonly string[];
}

/** The variables of a command (a command that cannot be parsed: the placeholders in its text). */
function commandNames(run: string): string[] {
  const parsed = parseCommand(run);
  return parsed.ok ? commandVariables(parsed.command) : templateNames(run);
}

function stepUses(base: Path, step: RunbookStep): TemplateUse[] {
  const text = (field: string, value: string | undefined, extra?: readonly string[]): TemplateUse[] =>
    value === undefined ? [] : [{ path: [...base, field], names: templateNames(value), extra }];
  if (step.kind === 'manual') return [...text('instructions', step.instructions), ...text('copy', step.copy || undefined)];
  if (step.kind !== 'check') return [];
  const uses: TemplateUse[] = [];
  if (step.run !== undefined) uses.push({ path: [...base, 'run'], names: commandNames(step.run) });
  for (const key of ['namespace', 'selector', 'deployment', 'url'] as const) {
    const value = step.native?.[key];
    if (value !== undefined) uses.push({ path: [...base, 'native', key], names: templateNames(value) });
  }
  uses.push(...text('cluster', step.cluster || undefined));
  (step.expect ?? []).forEach((e, ei) =>
    uses.push({ path: [...base, 'expect', ei, 'finding', 'message'], names: templateNames(e.finding.message), extra: FINDING_VARIABLES }),
  );
  return uses;
}

/** Every field of the well-formed items whose placeholders must be defined. */
function templateUses(c: Checking): TemplateUse[] {
  const uses: TemplateUse[] = [];
  for (const [name, input] of c.parts.inputs) {
    const within = input.fromDiagnosis?.within;
    if (within) uses.push({ path: ['inputs', name, 'fromDiagnosis', 'within'], names: templateNames(within) });
    if (input.default) uses.push({ path: ['inputs', name, 'default'], names: templateNames(input.default) });
  }
  for (const { at, def } of c.parts.steps) uses.push(...stepUses(['steps', at], def));
  for (const { at, def: m } of c.parts.mitigations) {
    // What the precondition proved is usable in the command: {{evidence.<fact>}}.
    const extra = (m.requires?.facts ?? []).map((f) => `evidence.${f}`);
    const base: Path = ['mitigations', at];
    if (m.requires?.subject) uses.push({ path: [...base, 'requires', 'subject'], names: templateNames(m.requires.subject) });
    if (m.run) uses.push({ path: [...base, 'run'], names: commandNames(m.run), extra });
    if (m.instructions) uses.push({ path: [...base, 'instructions'], names: templateNames(m.instructions), extra });
  }
  return uses;
}

/** A placeholder whose input has no default must be asked by a prompt step before a step shows or runs it. */
function checkAskedBeforeUse(c: Checking): void {
  for (const { at: si, def: step } of c.parts.steps) {
    const texts: Array<[string, string | undefined]> = [
      ['title', step.title],
      ['instructions', step.kind === 'manual' ? step.instructions : undefined],
      ['copy', step.kind === 'manual' ? step.copy : undefined],
      ['question', step.kind === 'manual' ? step.question : undefined],
      ['run', step.kind === 'check' ? step.run : undefined],
    ];
    for (const [field, text] of texts) {
      for (const name of new Set(templateNames(text ?? ''))) {
        const input = c.parts.inputs.get(name);
        if (!input || input.default !== undefined || input.fromDiagnosis) continue;
        const asking = c.outline.steps?.find((s) => s.kind === 'prompt' && s.input === name);
        if (!asking || asking.at < si) continue;
        c.out.push(
          c.source.diagnosticInValue(
            ['steps', si, field],
            `{{${name}`,
            `{{${name}}} in step "${step.id}"'s ${field}: no input default, config value or earlier answer provides it ` +
              `(${asking.at === si ? 'this step asks it' : `step "${asking.id}" asks it later`}); move that prompt before it, or give the input a default`,
          ),
        );
      }
    }
  }
}

/**
 * Template pass: placeholders that are never defined (skipped when the inputs cannot be read), and
 * values used before the prompt step that asks them.
 */
export function templateChecks(c: Checking): void {
  const inputNames = c.outline.inputNames;
  if (inputNames) {
    for (const { path, names, extra = [] } of templateUses(c)) {
      for (const name of names) {
        if (inputNames.includes(name) || extra.includes(name) || isKnownConfigKey(name)) continue;
        const hint = suggest(name, [...inputNames, ...extra]);
        c.out.push(
          c.source.diagnosticInValue(path, `{{${name}`, `template variable {{${name}}} is never defined: declare it under inputs${hint}`),
        );
      }
    }
  }
  checkAskedBeforeUse(c);
}
