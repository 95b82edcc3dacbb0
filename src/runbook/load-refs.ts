/**
 * The cross-reference pass of loading a runbook: ids are unique, and every id a runbook names (a
 * step, finding, cause, mitigation, input, scenario or another runbook) exists. Names are read
 * from the outline, so an item with a schema error still counts as declared; a section that
 * cannot be read at all is not checked against.
 */
import { suggest, type Path } from '../diagnostics.js';
import type { Checking, Named } from './load-parts.js';
import type { FindingDef, RunbookStep, ScenarioDef } from './schema.js';

type Ref = (path: Path, id: string, known: readonly string[] | undefined, what: string) => void;

const idsOf = (list: readonly Named[] | undefined) => list?.map((n) => n.id);

function checkUnique(c: Checking, list: readonly Named[] | undefined, base: string, what: string): void {
  const seen = new Map<string, number>();
  for (const { at, id } of list ?? []) {
    const first = seen.get(id);
    if (first !== undefined)
      c.out.push(c.source.diagnosticAt([base, at, 'id'], `duplicate ${what} id "${id}" (first used at ${base}[${first}])`));
    else seen.set(id, at);
  }
}

function checkRunbookRef(c: Checking, path: Path, id: string): void {
  if (c.knownRunbooks && !c.knownRunbooks.has(id))
    c.out.push(c.source.diagnosticAt(path, `no runbook with id "${id}"${suggest(id, [...c.knownRunbooks])}`));
}

/** The names of the runbook, as lists to check references against. */
function namesOf(c: Checking) {
  const steps = c.outline.steps;
  return {
    stepIds: idsOf(steps),
    checkIds: idsOf(steps?.filter((s) => s.kind === 'check')),
    manualIds: idsOf(steps?.filter((s) => s.kind === 'manual')),
    causeIds: idsOf(c.outline.causes),
    mitigationIds: idsOf(c.outline.mitigations),
    scenarioIds: idsOf(c.outline.scenarios),
    findingIds: c.outline.findings.map((f) => f.id),
    inputNames: c.outline.inputNames,
    /** Undefined when the steps cannot be read. */
    hasDiagnosis: steps?.some((s) => s.diagnosis),
  };
}
type Names = ReturnType<typeof namesOf>;

function checkFinding(c: Checking, ref: Ref, names: Names, base: Path, finding: FindingDef | undefined): void {
  if (finding?.cause) ref([...base, 'cause'], finding.cause, names.causeIds, 'cause');
  finding?.next?.forEach((n, i) => {
    const colon = n.indexOf(':');
    const kind = n.slice(0, colon);
    const id = n.slice(colon + 1);
    if (kind === 'mitigation') ref([...base, 'next', i], id, names.mitigationIds, 'mitigation');
    else if (kind === 'step') ref([...base, 'next', i], id, names.stepIds, 'step');
    else if (kind === 'runbook') checkRunbookRef(c, [...base, 'next', i], id);
  });
}

function checkStepRefs(c: Checking, ref: Ref, names: Names, base: Path, step: RunbookStep): void {
  const when = step.when;
  when?.findings?.forEach((f, i) => ref([...base, 'when', 'findings', i], f, names.findingIds, 'finding'));
  when?.causes?.forEach((id, i) => ref([...base, 'when', 'causes', i], id, names.causeIds, 'cause'));
  when?.unlessFindings?.forEach((f, i) => ref([...base, 'when', 'unlessFindings', i], f, names.findingIds, 'finding'));
  when?.unlessCauses?.forEach((id, i) => ref([...base, 'when', 'unlessCauses', i], id, names.causeIds, 'cause'));
  if (step.kind === 'check')
    (step.expect ?? []).forEach((e, ei) => checkFinding(c, ref, names, [...base, 'expect', ei, 'finding'], e.finding));
  else if (step.kind === 'manual') checkFinding(c, ref, names, [...base, 'finding'], step.finding);
  else if (step.kind === 'prompt') ref([...base, 'input'], step.input, names.inputNames, 'input');
  else ref([...base, 'mitigation'], step.mitigation, names.mitigationIds, 'mitigation');
}

function checkScenario(c: Checking, ref: Ref, names: Names, at: number, scenario: ScenarioDef): void {
  const base: Path = ['scenarios', at];
  const scenarios = c.parts.scenarios.map((s) => s.def);
  if (scenario.extends) {
    ref([...base, 'extends'], scenario.extends, names.scenarioIds, 'scenario');
    // Cycles would make replay loop forever.
    const seen = new Set<string>([scenario.id]);
    let parent = scenarios.find((s) => s.id === scenario.extends);
    while (parent?.extends) {
      if (seen.has(parent.id)) {
        c.out.push(c.source.diagnosticAt([...base, 'extends'], `scenario "${scenario.id}" extends itself through "${parent.id}"`));
        break;
      }
      seen.add(parent.id);
      const next = parent.extends;
      parent = scenarios.find((s) => s.id === next);
    }
  }
  const keys = (path: string, record: object | undefined, known: readonly string[] | undefined, what: (key: string) => string) => {
    if (!known) return;
    for (const key of Object.keys(record ?? {}))
      if (!known.includes(key)) c.out.push(c.source.diagnosticAtKey([...base, path], key, `${what(key)}${suggest(key, known)}`));
  };
  const { checkIds, mitigationIds, manualIds, inputNames } = names;
  keys(
    'outputs',
    scenario.outputs,
    checkIds && mitigationIds && [...checkIds, ...mitigationIds],
    (k) => `no check step or mitigation with id "${k}"`,
  );
  keys('answers', scenario.answers, manualIds, (k) => `no manual step with id "${k}"`);
  keys('vars', scenario.vars, inputNames, (k) => `no input named "${k}"`);
  // A check without an exitCode expectation raises "<step>-failed" when its command fails.
  const autoFindings = checkIds?.map((id) => `${id}-failed`);
  const findings = autoFindings && [...names.findingIds, ...autoFindings];
  scenario.expectFindings.forEach((f, i) => ref([...base, 'expectFindings', i], f, findings, 'finding'));
}

/**
 * Cross-reference pass: duplicate ids, and every reference of the well-formed items checked
 * against the names of the whole runbook.
 */
export function crossReferenceChecks(c: Checking): void {
  const { source, outline, parts, out } = c;
  const names = namesOf(c);
  const ref: Ref = (path, id, known, what) => {
    if (known && !known.includes(id)) out.push(source.diagnosticAt(path, `no ${what} with id "${id}"${suggest(id, known)}`));
  };
  checkUnique(c, outline.steps, 'steps', 'step');
  checkUnique(c, outline.causes, 'causes', 'cause');
  checkUnique(c, outline.mitigations, 'mitigations', 'mitigation');
  checkUnique(c, outline.scenarios, 'scenarios', 'scenario');
  // Findings: unique across the runbook, so scenarios can name them.
  const findingIds = new Set<string>();
  for (const { id, path } of outline.findings) {
    if (findingIds.has(id)) out.push(source.diagnosticAt(path, `duplicate finding id "${id}"`));
    findingIds.add(id);
  }

  for (const [name, input] of parts.inputs)
    if (input.fromDiagnosis && names.hasDiagnosis === false)
      out.push(
        source.diagnosticAt(['inputs', name, 'fromDiagnosis'], 'fromDiagnosis needs a step that runs native: { resource: diagnosis }'),
      );
  for (const { at, def } of parts.steps) checkStepRefs(c, ref, names, ['steps', at], def);
  for (const { at, def: cause } of parts.causes) {
    if (cause.runbook) checkRunbookRef(c, ['causes', at, 'runbook'], cause.runbook);
    cause.mitigations?.forEach((m, i) => ref(['causes', at, 'mitigations', i], m, names.mitigationIds, 'mitigation'));
  }
  for (const { at, def: m } of parts.mitigations) {
    m.requires?.finding?.forEach((f, i) => ref(['mitigations', at, 'requires', 'finding', i], f, names.findingIds, 'finding'));
    if (m.requires?.cause && names.hasDiagnosis === false)
      out.push(
        source.diagnosticAt(
          ['mitigations', at, 'requires', 'cause'],
          'requires a diagnosed cause, but no step runs native: { resource: diagnosis }',
        ),
      );
    if (m.run && names.stepIds?.includes(m.id))
      out.push(
        source.diagnosticAt(
          ['mitigations', at, 'id'],
          `mitigation id "${m.id}" is also a step id; they share recorded outputs, so make them differ`,
        ),
      );
    if (m.verify) ref(['mitigations', at, 'verify'], m.verify, names.checkIds, 'check step');
  }
  for (const { at, def } of parts.scenarios) checkScenario(c, ref, names, at, def);
  if (names.scenarioIds?.length && !names.scenarioIds.includes('healthy'))
    out.push(
      source.diagnosticAt(
        ['scenarios'],
        'every runbook with scenarios needs one named "healthy" (the baseline the others extend)',
        'warning',
      ),
    );
}
