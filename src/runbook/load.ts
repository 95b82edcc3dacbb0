/**
 * Loading and validating runbook files. Every problem in a file is collected and reported with its
 * position: YAML syntax, schema (unknown keys, wrong types, missing fields), and meaning (duplicate
 * ids, references to steps, findings, causes, mitigations, inputs or runbooks that do not exist,
 * template variables that are never defined, commands that would need a shell).
 */
import { commandVariables, parseCommand, stageProgram, type ParsedCommand } from './command.js';
import { YamlSource, suggest, type Diagnostic, type Path } from './diagnostics.js';
import { parseFilter } from './filters.js';
import { effectOfParsed, identityRefusal, wordsOf } from './effects.js';
import { RUNBOOK_FIELD_NAMES, RunbookSchema, type Runbook } from './schema.js';
import { isKnownConfigKey } from '../config/defaults.js';

/** Variables a finding message may use besides inputs. */
export const FINDING_VARIABLES = ['lines', 'exitCode', 'value', 'command', 'step', 'count', 'stderr', 'reason'];

export interface LoadedRunbook {
  runbook: Runbook;
  file: string;
  /** Parsed commands by step or mitigation id. */
  commands: Map<string, ParsedCommand>;
}

export interface LoadResult {
  loaded?: LoadedRunbook;
  diagnostics: Diagnostic[];
}

function checkRegex(source: YamlSource, path: Path, pattern: string, out: Diagnostic[]): void {
  try {
    new RegExp(pattern);
  } catch (error) {
    out.push(source.diagnosticAt(path, `invalid regular expression: ${(error as Error).message}`));
  }
}

/**
 * Parses and validates one runbook file. `knownRunbooks` are the ids of every runbook in the
 * catalogue (for references between runbooks); pass undefined to skip that check.
 */
export function loadRunbook(file: string, text: string, knownRunbooks?: ReadonlySet<string>): LoadResult {
  return loadRunbookSource(new YamlSource(file, text), knownRunbooks);
}

export function loadRunbookSource(source: YamlSource, knownRunbooks?: ReadonlySet<string>): LoadResult {
  const file = source.file;
  const value = source.toJS();
  if (source.parseDiagnostics.some((d) => d.severity === 'error')) return { diagnostics: source.parseDiagnostics };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { diagnostics: [source.diagnosticAt([], 'a runbook must be a YAML mapping (id, title, steps, ...)')] };
  }
  const parsed = RunbookSchema.safeParse(value);
  if (!parsed.success) return { diagnostics: source.schemaDiagnostics(parsed.error.issues, RUNBOOK_FIELD_NAMES) };
  const runbook = parsed.data;
  const diagnostics: Diagnostic[] = [...source.parseDiagnostics, ...source.cutTextDiagnostics()];
  const commands = new Map<string, ParsedCommand>();

  const unique = (items: Array<{ id: string }>, base: string, what: string) => {
    const seen = new Map<string, number>();
    items.forEach((item, i) => {
      const first = seen.get(item.id);
      if (first !== undefined)
        diagnostics.push(source.diagnosticAt([base, i, 'id'], `duplicate ${what} id "${item.id}" (first used at ${base}[${first}])`));
      else seen.set(item.id, i);
    });
  };
  unique(runbook.steps, 'steps', 'step');
  unique(runbook.causes, 'causes', 'cause');
  unique(runbook.mitigations, 'mitigations', 'mitigation');
  unique(runbook.scenarios, 'scenarios', 'scenario');

  const stepIds = runbook.steps.map((s) => s.id);
  const checkIds = runbook.steps.filter((s) => s.kind === 'check').map((s) => s.id);
  const causeIds = runbook.causes.map((c) => c.id);
  const mitigationIds = runbook.mitigations.map((m) => m.id);
  const inputNames = Object.keys(runbook.inputs);

  // Findings: unique across the runbook, so scenarios can name them.
  const findingIds: string[] = [];
  const findingPaths = new Map<string, Path>();
  runbook.steps.forEach((step, si) => {
    if (step.kind === 'manual' && step.finding) {
      if (findingPaths.has(step.finding.id))
        diagnostics.push(source.diagnosticAt(['steps', si, 'finding', 'id'], `duplicate finding id "${step.finding.id}"`));
      findingPaths.set(step.finding.id, ['steps', si, 'finding', 'id']);
      findingIds.push(step.finding.id);
    }
    if (step.kind !== 'check') return;
    (step.expect ?? []).forEach((e, ei) => {
      const path: Path = ['steps', si, 'expect', ei, 'finding', 'id'];
      if (findingPaths.has(e.finding.id)) diagnostics.push(source.diagnosticAt(path, `duplicate finding id "${e.finding.id}"`));
      findingPaths.set(e.finding.id, path);
      findingIds.push(e.finding.id);
    });
  });

  const ref = (path: Path, id: string, known: readonly string[], what: string) => {
    if (!known.includes(id)) diagnostics.push(source.diagnosticAt(path, `no ${what} with id "${id}"${suggest(id, known)}`));
  };
  const checkNext = (path: Path, next: readonly string[] | undefined) => {
    next?.forEach((n, i) => {
      const [kind, id] = n.split(':') as [string, string];
      if (kind === 'mitigation') ref([...path, i], id, mitigationIds, 'mitigation');
      else if (kind === 'step') ref([...path, i], id, stepIds, 'step');
      else if (kind === 'runbook' && knownRunbooks && !knownRunbooks.has(id)) {
        diagnostics.push(source.diagnosticAt([...path, i], `no runbook with id "${id}"${suggest(id, [...knownRunbooks])}`));
      }
    });
  };

  const checkTemplates = (path: Path, names: readonly string[], extra: readonly string[] = []) => {
    for (const name of names) {
      if (inputNames.includes(name) || extra.includes(name) || isKnownConfigKey(name)) continue;
      const hint = suggest(name, [...inputNames, ...extra]);
      diagnostics.push(
        source.diagnosticInValue(path, `{{${name}`, `template variable {{${name}}} is never defined: declare it under inputs${hint}`),
      );
    }
  };
  const templateNames = (text: string) => [...text.matchAll(/\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}/g)].map((m) => m[1]!);

  const checkCommand = (path: Path, id: string, run: string, extra: readonly string[] = []): ParsedCommand | undefined => {
    const result = parseCommand(run);
    if (!result.ok) {
      const d = source.diagnosticInValue(path, run.slice(result.error.offset, result.error.offset + 1), result.error.message);
      diagnostics.push(d);
      checkTemplates(path, templateNames(run), extra);
      return undefined;
    }
    commands.set(id, result.command);
    checkTemplates(path, commandVariables(result.command), extra);
    result.command.stages.slice(1).forEach((stage) => {
      const program = stageProgram(stage);
      if (!program) {
        diagnostics.push(source.diagnosticAt(path, 'a pipeline stage must start with a plain program name'));
        return;
      }
      const literalArgs = stage.map((w) => w.map((p) => (p.kind === 'text' ? p.text : 'x')).join(''));
      const filter = parseFilter(literalArgs);
      if (!filter.ok && !('external' in filter)) diagnostics.push(source.diagnosticInValue(path, program, filter.message));
    });
    return result.command;
  };
  /** A shell anywhere is refused; otherwise what the command does to the system, for the checks below. */
  const effectAt = (path: Path, command: ParsedCommand, declared?: string) => {
    const identity = identityRefusal(wordsOf(command));
    if (identity) diagnostics.push(source.diagnosticAt(path, identity));
    const effect = effectOfParsed(command, declared);
    if (!effect.readOnly && effect.why.startsWith('runs a shell')) {
      diagnostics.push(source.diagnosticAt(path, effect.why));
      return undefined;
    }
    return effect;
  };

  for (const [name, input] of Object.entries(runbook.inputs)) {
    if (input.fromDiagnosis && !runbook.steps.some((s) => s.kind === 'check' && s.native?.resource === 'diagnosis'))
      diagnostics.push(
        source.diagnosticAt(['inputs', name, 'fromDiagnosis'], 'fromDiagnosis needs a step that runs native: { resource: diagnosis }'),
      );
    if (input.fromDiagnosis?.within) checkTemplates(['inputs', name, 'fromDiagnosis', 'within'], templateNames(input.fromDiagnosis.within));
    if (input.pattern) checkRegex(source, ['inputs', name, 'pattern'], input.pattern, diagnostics);
    if (input.default) checkTemplates(['inputs', name, 'default'], templateNames(input.default));
  }

  runbook.steps.forEach((step, si) => {
    const base: Path = ['steps', si];
    if (step.parallel && step.kind !== 'check') {
      diagnostics.push(
        source.diagnosticAt([...base, 'parallel'], `only check steps can run in parallel; a ${step.kind} step needs the responder`),
      );
    }
    if (step.when) {
      step.when.findings?.forEach((f, i) => ref([...base, 'when', 'findings', i], f, findingIds, 'finding'));
      step.when.causes?.forEach((c, i) => ref([...base, 'when', 'causes', i], c, causeIds, 'cause'));
      step.when.unlessFindings?.forEach((f, i) => ref([...base, 'when', 'unlessFindings', i], f, findingIds, 'finding'));
      step.when.unlessCauses?.forEach((c, i) => ref([...base, 'when', 'unlessCauses', i], c, causeIds, 'cause'));
    }
    switch (step.kind) {
      case 'check':
        if ((step.run === undefined) === (step.native === undefined)) {
          diagnostics.push(
            source.diagnosticAt(base, 'a check needs exactly one of "run" (a command) or "native" (a Kubernetes API check)'),
          );
        }
        if (step.run !== undefined) {
          const command = checkCommand([...base, 'run'], step.id, step.run);
          const effect = command && effectAt([...base, 'run'], command, step.readOnly);
          const plain = command && effectOfParsed(command);
          if (effect && !effect.readOnly && step.readOnly !== undefined)
            diagnostics.push(source.diagnosticAt([...base, 'readOnly'], `readOnly cannot cover this command: ${effect.why}`));
          else if (effect && !effect.readOnly)
            diagnostics.push(
              source.diagnosticAt(
                [...base, 'run'],
                `check "${step.id}" does not only look (${effect.why}): it will run only after an explicit yes, like a mitigation; a check should only read, and a change belongs in a mitigation`,
                'warning',
              ),
            );
          else if (plain?.readOnly && step.readOnly !== undefined)
            diagnostics.push(
              source.diagnosticAt([...base, 'readOnly'], 'readOnly is not needed: this command is known to be read-only', 'warning'),
            );
        } else if (step.readOnly !== undefined)
          diagnostics.push(source.diagnosticAt([...base, 'readOnly'], 'readOnly declares a command read-only: this check has no run'));
        if (step.native) {
          const n = step.native;
          for (const key of ['namespace', 'selector', 'deployment', 'url'] as const) {
            const v = n[key];
            if (v !== undefined) checkTemplates([...base, 'native', key], templateNames(v));
          }
          if ((n.resource === 'tls' || n.resource === 'clock') && n.url === undefined)
            diagnostics.push(source.diagnosticAt([...base, 'native'], `a native ${n.resource} check needs a url`));
          if (n.include && n.resource !== 'diagnosis')
            diagnostics.push(source.diagnosticAt([...base, 'native', 'include'], 'include is for a native diagnosis check'));
          if (n.resource === 'diagnosis' && (step.expect ?? []).some((e) => e.cause === undefined))
            diagnostics.push(
              source.diagnosticAt([...base, 'expect'], 'a diagnosis check is judged by cause expectations (expect: - cause: [...])'),
            );
          if (n.resource !== 'diagnosis' && (step.expect ?? []).some((e) => e.cause !== undefined))
            diagnostics.push(source.diagnosticAt([...base, 'expect'], 'cause expectations judge a native diagnosis check only'));
          if (!['nodes', 'tls', 'clock', 'diagnosis'].includes(n.resource) && n.namespace === undefined)
            diagnostics.push(source.diagnosticAt([...base, 'native'], `a native ${n.resource} check needs a namespace`));
          if (n.resource === 'rollout' && n.deployment === undefined)
            diagnostics.push(source.diagnosticAt([...base, 'native'], 'a native rollout check needs a deployment'));
        }
        if (step.cluster) checkTemplates([...base, 'cluster'], templateNames(step.cluster));
        (step.expect ?? []).forEach((e, ei) => {
          const ep: Path = [...base, 'expect', ei];
          if (e.matches) checkRegex(source, [...ep, 'matches'], e.matches, diagnostics);
          if (e.notMatches) checkRegex(source, [...ep, 'notMatches'], e.notMatches, diagnostics);
          if (e.number) checkRegex(source, [...ep, 'number', 'match'], e.number.match, diagnostics);
          if (e.number && e.number.above === undefined && e.number.below === undefined) {
            diagnostics.push(source.diagnosticAt([...ep, 'number'], 'a number expectation needs "above" or "below"'));
          }
          if (e.finding.cause) ref([...ep, 'finding', 'cause'], e.finding.cause, causeIds, 'cause');
          checkNext([...ep, 'finding', 'next'], e.finding.next);
          checkTemplates([...ep, 'finding', 'message'], templateNames(e.finding.message), FINDING_VARIABLES);
        });
        break;
      case 'manual':
        checkTemplates([...base, 'instructions'], templateNames(step.instructions));
        if (step.copy) checkTemplates([...base, 'copy'], templateNames(step.copy));
        if ((step.question === undefined) !== (step.finding === undefined)) {
          diagnostics.push(
            source.diagnosticAt(base, 'a manual step with a question needs a finding (raised on "yes"), and a finding needs a question'),
          );
        }
        if (step.finding?.cause) ref([...base, 'finding', 'cause'], step.finding.cause, causeIds, 'cause');
        checkNext([...base, 'finding', 'next'], step.finding?.next);
        break;
      case 'prompt':
        ref([...base, 'input'], step.input, inputNames, 'input');
        break;
      case 'mitigation':
        ref([...base, 'mitigation'], step.mitigation, mitigationIds, 'mitigation');
        break;
    }
  });

  // A value asked by a prompt step is known from that step on: a step before it that shows or runs
  // it would read a stand-in (or a run would stop) whenever no --var gave it.
  runbook.steps.forEach((step, si) => {
    const texts: Array<[string, string | undefined]> = [
      ['title', step.title],
      ['instructions', step.kind === 'manual' ? step.instructions : undefined],
      ['copy', step.kind === 'manual' ? step.copy : undefined],
      ['question', step.kind === 'manual' ? step.question : undefined],
      ['run', step.kind === 'check' ? step.run : undefined],
    ];
    for (const [field, text] of texts) {
      for (const name of new Set(templateNames(text ?? ''))) {
        const input = runbook.inputs[name];
        if (!input || input.default !== undefined || input.fromDiagnosis) continue;
        const askedAt = runbook.steps.findIndex((s) => s.kind === 'prompt' && s.input === name);
        if (askedAt < si) continue;
        diagnostics.push(
          source.diagnosticInValue(
            ['steps', si, field],
            `{{${name}`,
            `{{${name}}} in step "${step.id}"'s ${field}: no input default, config value or earlier answer provides it ` +
              `(${askedAt === si ? 'this step asks it' : `step "${runbook.steps[askedAt]!.id}" asks it later`}); move that prompt before it, or give the input a default`,
          ),
        );
      }
    }
  });

  runbook.causes.forEach((cause, ci) => {
    if (cause.runbook && knownRunbooks && !knownRunbooks.has(cause.runbook)) {
      diagnostics.push(
        source.diagnosticAt(
          ['causes', ci, 'runbook'],
          `no runbook with id "${cause.runbook}"${suggest(cause.runbook, [...knownRunbooks])}`,
        ),
      );
    }
    cause.mitigations?.forEach((m, i) => ref(['causes', ci, 'mitigations', i], m, mitigationIds, 'mitigation'));
  });

  runbook.mitigations.forEach((m, mi) => {
    // What the precondition proved is usable in the command: {{evidence.<fact>}}.
    const evidenceVars = (m.requires?.facts ?? []).map((f) => `evidence.${f}`);
    if (m.requires?.facts && !m.requires.cause)
      diagnostics.push(source.diagnosticAt(['mitigations', mi, 'requires', 'facts'], 'facts are those of a diagnosed cause: add cause'));
    if (m.requires?.subject) checkTemplates(['mitigations', mi, 'requires', 'subject'], templateNames(m.requires.subject));
    m.requires?.finding?.forEach((f, i) => ref(['mitigations', mi, 'requires', 'finding', i], f, findingIds, 'finding'));
    const mCommand = m.run !== undefined ? parseCommand(m.run) : undefined;
    const mEffect = mCommand?.ok ? effectOfParsed(mCommand.command) : undefined;
    const changes = m.changesSystem || (mEffect !== undefined && !mEffect.readOnly);
    if (mEffect && !mEffect.readOnly && !m.changesSystem)
      diagnostics.push(
        source.diagnosticAt(
          ['mitigations', mi, 'changesSystem'],
          `changesSystem: false is ignored: ${mEffect.why}; it will run only after an explicit yes`,
          'warning',
        ),
      );
    if (m.run && changes && !m.requires)
      diagnostics.push(
        source.diagnosticAt(
          ['mitigations', mi],
          `mitigation "${m.id}" changes the system but says no precondition: add requires (cause: [...] from a diagnosis, or finding: [...]) so it is offered only when the evidence is there`,
        ),
      );
    if (m.requires?.cause && !runbook.steps.some((s) => s.kind === 'check' && s.native?.resource === 'diagnosis'))
      diagnostics.push(
        source.diagnosticAt(
          ['mitigations', mi, 'requires', 'cause'],
          'requires a diagnosed cause, but no step runs native: { resource: diagnosis }',
        ),
      );
    if (m.run) {
      if (stepIds.includes(m.id))
        diagnostics.push(
          source.diagnosticAt(
            ['mitigations', mi, 'id'],
            `mitigation id "${m.id}" is also a step id; they share recorded outputs, so make them differ`,
          ),
        );
      const command = checkCommand(['mitigations', mi, 'run'], m.id, m.run, evidenceVars);
      if (command) effectAt(['mitigations', mi, 'run'], command);
    }
    if (m.instructions) checkTemplates(['mitigations', mi, 'instructions'], templateNames(m.instructions), evidenceVars);
    if (m.verify) ref(['mitigations', mi, 'verify'], m.verify, checkIds, 'check step');
  });

  const scenarioIds = runbook.scenarios.map((s) => s.id);
  runbook.scenarios.forEach((scenario, si) => {
    const base: Path = ['scenarios', si];
    if (scenario.extends) {
      ref([...base, 'extends'], scenario.extends, scenarioIds, 'scenario');
      // Cycles would make replay loop forever.
      const seen = new Set<string>([scenario.id]);
      let parent = runbook.scenarios.find((s) => s.id === scenario.extends);
      while (parent?.extends) {
        if (seen.has(parent.id)) {
          diagnostics.push(source.diagnosticAt([...base, 'extends'], `scenario "${scenario.id}" extends itself through "${parent.id}"`));
          break;
        }
        seen.add(parent.id);
        const next = parent.extends;
        parent = runbook.scenarios.find((s) => s.id === next);
      }
    }
    for (const key of Object.keys(scenario.outputs ?? {})) {
      if (!checkIds.includes(key) && !mitigationIds.includes(key)) {
        diagnostics.push(
          source.diagnosticAtKey(
            [...base, 'outputs'],
            key,
            `no check step or mitigation with id "${key}"${suggest(key, [...checkIds, ...mitigationIds])}`,
          ),
        );
      }
    }
    const manualIds = runbook.steps.filter((s) => s.kind === 'manual').map((s) => s.id);
    for (const key of Object.keys(scenario.answers ?? {})) {
      if (!manualIds.includes(key))
        diagnostics.push(source.diagnosticAtKey([...base, 'answers'], key, `no manual step with id "${key}"${suggest(key, manualIds)}`));
    }
    for (const key of Object.keys(scenario.vars ?? {})) {
      if (!inputNames.includes(key))
        diagnostics.push(source.diagnosticAtKey([...base, 'vars'], key, `no input named "${key}"${suggest(key, inputNames)}`));
    }
    // A check without an exitCode expectation raises "<step>-failed" when its command fails.
    const autoFindings = checkIds.map((id) => `${id}-failed`);
    scenario.expectFindings.forEach((f, i) => ref([...base, 'expectFindings', i], f, [...findingIds, ...autoFindings], 'finding'));
  });
  if (runbook.scenarios.length > 0 && !scenarioIds.includes('healthy')) {
    diagnostics.push(
      source.diagnosticAt(
        ['scenarios'],
        'every runbook with scenarios needs one named "healthy" (the baseline the others extend)',
        'warning',
      ),
    );
  }

  const errors = diagnostics.filter((d) => d.severity === 'error');
  return { loaded: errors.length ? undefined : { runbook, file, commands }, diagnostics };
}
