/**
 * The per-item pass of loading a runbook: what each well-formed input, step and mitigation says on
 * its own, without looking at the rest of the file. Commands are parsed here (a shell anywhere is
 * refused; a check that changes the system is flagged; a pipeline stage must be a known filter),
 * regular expressions compiled, and the fields that must go together checked.
 */
import { parseCommand, stageProgram, type ParsedCommand } from './command.js';
import type { Path } from '../diagnostics.js';
import { effectOfParsed, identityRefusal, wordsOf } from './effects.js';
import { parseFilter } from './filters.js';
import type { Checking, Item } from './load-parts.js';
import type { CheckStepDef, ManualStepDef, MitigationDef, RunbookStep } from './schema.js';
import { errorMessage } from '../errors.js';

function checkRegex(c: Checking, path: Path, pattern: string): void {
  try {
    new RegExp(pattern);
  } catch (error) {
    c.out.push(c.source.diagnosticAt(path, `invalid regular expression: ${errorMessage(error)}`));
  }
}

/** Parses a command, reporting where it cannot be parsed and any pipeline stage that is not a known filter. */
function checkCommand(c: Checking, path: Path, run: string): ParsedCommand | undefined {
  const result = parseCommand(run);
  if (!result.ok) {
    c.out.push(c.source.diagnosticInValue(path, run.slice(result.error.offset, result.error.offset + 1), result.error.message));
    return undefined;
  }
  result.command.stages.slice(1).forEach((stage) => {
    const program = stageProgram(stage);
    if (!program) {
      c.out.push(c.source.diagnosticAt(path, 'a pipeline stage must start with a plain program name'));
      return;
    }
    const literalArgs = stage.map((w) => w.map((p) => (p.kind === 'text' ? p.text : 'x')).join(''));
    const filter = parseFilter(literalArgs);
    if (!filter.ok && !('external' in filter)) c.out.push(c.source.diagnosticInValue(path, program, filter.message));
  });
  return result.command;
}

/** A shell anywhere is refused; otherwise what the command does to the system, for the checks that follow. */
function effectAt(c: Checking, path: Path, command: ParsedCommand, declared?: string) {
  const identity = identityRefusal(wordsOf(command));
  if (identity) c.out.push(c.source.diagnosticAt(path, identity));
  const effect = effectOfParsed(command, declared);
  if (!effect.readOnly && effect.why.startsWith('runs a shell')) {
    c.out.push(c.source.diagnosticAt(path, effect.why));
    return undefined;
  }
  return effect;
}

function checkStepRun(c: Checking, base: Path, step: CheckStepDef, run: string): ParsedCommand | undefined {
  const command = checkCommand(c, [...base, 'run'], run);
  const effect = command && effectAt(c, [...base, 'run'], command, step.readOnly);
  const plain = command && effectOfParsed(command);
  if (effect && !effect.readOnly && step.readOnly !== undefined)
    c.out.push(c.source.diagnosticAt([...base, 'readOnly'], `readOnly cannot cover this command: ${effect.why}`));
  else if (effect && !effect.readOnly)
    c.out.push(
      c.source.diagnosticAt(
        [...base, 'run'],
        `check "${step.id}" does not only look (${effect.why}): it will run only after an explicit yes, like a mitigation; a check should only read, and a change belongs in a mitigation`,
        'warning',
      ),
    );
  else if (plain?.readOnly && step.readOnly !== undefined)
    c.out.push(c.source.diagnosticAt([...base, 'readOnly'], 'readOnly is not needed: this command is known to be read-only', 'warning'));
  return command;
}

function checkNative(c: Checking, base: Path, step: CheckStepDef): void {
  const n = step.native;
  if (!n) return;
  const at = (path: Path, message: string) => c.out.push(c.source.diagnosticAt([...base, ...path], message));
  if ((n.resource === 'tls' || n.resource === 'clock') && n.url === undefined) at(['native'], `a native ${n.resource} check needs a url`);
  if (n.include && n.resource !== 'diagnosis') at(['native', 'include'], 'include is for a native diagnosis check');
  if (n.resource === 'diagnosis' && (step.expect ?? []).some((e) => e.cause === undefined))
    at(['expect'], 'a diagnosis check is judged by cause expectations (expect: - cause: [...])');
  if (n.resource !== 'diagnosis' && (step.expect ?? []).some((e) => e.cause !== undefined))
    at(['expect'], 'cause expectations judge a native diagnosis check only');
  if (!['nodes', 'tls', 'clock', 'diagnosis'].includes(n.resource) && n.namespace === undefined)
    at(['native'], `a native ${n.resource} check needs a namespace`);
  if (n.resource === 'rollout' && n.deployment === undefined) at(['native'], 'a native rollout check needs a deployment');
}

function checkCheckStep(c: Checking, base: Path, step: CheckStepDef): ParsedCommand | undefined {
  if ((step.run === undefined) === (step.native === undefined))
    c.out.push(c.source.diagnosticAt(base, 'a check needs exactly one of "run" (a command) or "native" (a Kubernetes API check)'));
  let command: ParsedCommand | undefined;
  if (step.run !== undefined) command = checkStepRun(c, base, step, step.run);
  else if (step.readOnly !== undefined)
    c.out.push(c.source.diagnosticAt([...base, 'readOnly'], 'readOnly declares a command read-only: this check has no run'));
  checkNative(c, base, step);
  (step.expect ?? []).forEach((e, ei) => {
    const ep: Path = [...base, 'expect', ei];
    if (e.matches) checkRegex(c, [...ep, 'matches'], e.matches);
    if (e.notMatches) checkRegex(c, [...ep, 'notMatches'], e.notMatches);
    if (e.number) checkRegex(c, [...ep, 'number', 'match'], e.number.match);
    if (e.number && e.number.above === undefined && e.number.below === undefined)
      c.out.push(c.source.diagnosticAt([...ep, 'number'], 'a number expectation needs "above" or "below"'));
  });
  return command;
}

function checkManualStep(c: Checking, base: Path, step: ManualStepDef): void {
  if ((step.question === undefined) !== (step.finding === undefined))
    c.out.push(
      c.source.diagnosticAt(base, 'a manual step with a question needs a finding (raised on "yes"), and a finding needs a question'),
    );
}

function checkStep(c: Checking, { at, def: step }: Item<RunbookStep>): ParsedCommand | undefined {
  const base: Path = ['steps', at];
  if (step.parallel && step.kind !== 'check')
    c.out.push(
      c.source.diagnosticAt([...base, 'parallel'], `only check steps can run in parallel; a ${step.kind} step needs the responder`),
    );
  if (step.kind === 'check') return checkCheckStep(c, base, step);
  if (step.kind === 'manual') checkManualStep(c, base, step);
  return undefined;
}

function checkMitigation(c: Checking, { at, def: m }: Item<MitigationDef>): ParsedCommand | undefined {
  const base: Path = ['mitigations', at];
  if (m.requires?.facts && !m.requires.cause)
    c.out.push(c.source.diagnosticAt([...base, 'requires', 'facts'], 'facts are those of a diagnosed cause: add cause'));
  const parsed = m.run !== undefined ? parseCommand(m.run) : undefined;
  const effect = parsed?.ok ? effectOfParsed(parsed.command) : undefined;
  const changes = m.changesSystem || (effect !== undefined && !effect.readOnly);
  if (effect && !effect.readOnly && !m.changesSystem)
    c.out.push(
      c.source.diagnosticAt(
        [...base, 'changesSystem'],
        `changesSystem: false is ignored: ${effect.why}; it will run only after an explicit yes`,
        'warning',
      ),
    );
  if (m.run && changes && !m.requires)
    c.out.push(
      c.source.diagnosticAt(
        base,
        `mitigation "${m.id}" changes the system but says no precondition: add requires (cause: [...] from a diagnosis, or finding: [...]) so it is offered only when the evidence is there`,
      ),
    );
  if (!m.run) return undefined;
  const command = checkCommand(c, [...base, 'run'], m.run);
  if (command) effectAt(c, [...base, 'run'], command);
  return command;
}

/**
 * Per-item pass: checks each well-formed input, step and mitigation on its own. Returns the parsed
 * commands by step or mitigation id (a mitigation's replaces a step's of the same id, which the
 * cross-reference pass reports).
 */
export function itemChecks(c: Checking): Map<string, ParsedCommand> {
  const commands = new Map<string, ParsedCommand>();
  for (const [name, input] of c.parts.inputs) if (input.pattern) checkRegex(c, ['inputs', name, 'pattern'], input.pattern);
  for (const step of c.parts.steps) {
    const command = checkStep(c, step);
    if (command) commands.set(step.def.id, command);
  }
  for (const mitigation of c.parts.mitigations) {
    const command = checkMitigation(c, mitigation);
    if (command) commands.set(mitigation.def.id, command);
  }
  return commands;
}
