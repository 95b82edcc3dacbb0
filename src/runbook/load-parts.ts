/**
 * The schema pass of loading a runbook, and what the later passes read. A file with a schema
 * error is still checked for meaning: the whole runbook is validated first (every schema problem,
 * with its position); when that fails, each input, step, cause, mitigation and scenario is
 * validated on its own, so one bad step does not hide the problems of the others. The meaning
 * checks then read the well-formed items (`RunbookParts`) and, for references, the ids of every
 * item, well-formed or not (`Outline`), so a reference to a step with a typo in another field is
 * not reported as a reference to nothing.
 */
import type { z } from 'zod';
import type { Diagnostic, Path, YamlSource } from '../diagnostics.js';
import {
  Cause,
  Input,
  Mitigation,
  RUNBOOK_FIELD_NAMES,
  RunbookSchema,
  Scenario,
  Step,
  type CauseDef,
  type InputDef,
  type MitigationDef,
  type Runbook,
  type RunbookStep,
  type ScenarioDef,
} from './schema.js';

/** A well-formed item of a list, with its index in the file's list (for positions). */
export interface Item<T> {
  at: number;
  def: T;
}

/** The well-formed parts of a runbook: what the meaning checks can read. */
export interface RunbookParts {
  inputs: Map<string, InputDef>;
  steps: Array<Item<RunbookStep>>;
  causes: Array<Item<CauseDef>>;
  mitigations: Array<Item<MitigationDef>>;
  scenarios: Array<Item<ScenarioDef>>;
}

/** An item of a list that has a readable id, well-formed or not. */
export interface Named {
  at: number;
  id: string;
}

export interface StepOutline extends Named {
  kind?: string;
  /** The input a prompt step asks. */
  input?: string;
  /** A check that runs native: { resource: diagnosis }. */
  diagnosis: boolean;
}

/**
 * The names every item declares, read leniently from the file as written. A section that is not a
 * list (or, for inputs, a mapping) is undefined: references into it cannot be decided and are not
 * checked. An absent section is empty.
 */
export interface Outline {
  inputNames?: string[];
  steps?: StepOutline[];
  causes?: Named[];
  mitigations?: Named[];
  scenarios?: Named[];
  /** Finding ids in file order, with where each is declared. */
  findings: Array<{ id: string; path: Path }>;
}

/** What every meaning pass reads, and where it writes its problems. */
export interface Checking {
  source: YamlSource;
  parts: RunbookParts;
  outline: Outline;
  /** Ids of every runbook of the catalogue; undefined skips the references between runbooks. */
  knownRunbooks?: ReadonlySet<string>;
  out: Diagnostic[];
}

export interface SchemaResult {
  /** The runbook, when the whole file is well-formed. */
  runbook?: Runbook;
  parts: RunbookParts;
  outline: Outline;
  diagnostics: Diagnostic[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const textOf = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The items of a list section: empty when absent, undefined when it is not a list. */
function listOf(v: unknown): unknown[] | undefined {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : undefined;
}

function named(items: unknown[] | undefined): Named[] | undefined {
  return items?.flatMap((item, at) => {
    const id = isRecord(item) ? textOf(item.id) : undefined;
    return id === undefined ? [] : [{ at, id }];
  });
}

function outlineOf(value: Record<string, unknown>): Outline {
  const steps = listOf(value.steps);
  const findings: Outline['findings'] = [];
  steps?.forEach((step, si) => {
    if (!isRecord(step)) return;
    const own = isRecord(step.finding) ? textOf(step.finding.id) : undefined;
    if (own !== undefined) findings.push({ id: own, path: ['steps', si, 'finding', 'id'] });
    (listOf(step.expect) ?? []).forEach((e, ei) => {
      const id = isRecord(e) && isRecord(e.finding) ? textOf(e.finding.id) : undefined;
      if (id !== undefined) findings.push({ id, path: ['steps', si, 'expect', ei, 'finding', 'id'] });
    });
  });
  const inputs = value.inputs === undefined ? {} : value.inputs;
  return {
    inputNames: isRecord(inputs) ? Object.keys(inputs) : undefined,
    steps: named(steps)?.map(({ at, id }) => {
      const raw = steps?.[at];
      const step = isRecord(raw) ? raw : {};
      const kind = textOf(step.kind);
      const native = isRecord(step.native) ? step.native : {};
      return { at, id, kind, input: textOf(step.input), diagnosis: kind === 'check' && native.resource === 'diagnosis' };
    }),
    causes: named(listOf(value.causes)),
    mitigations: named(listOf(value.mitigations)),
    scenarios: named(listOf(value.scenarios)),
    findings,
  };
}

function items<T>(list: readonly T[]): Array<Item<T>> {
  return list.map((def, at) => ({ at, def }));
}

/** The value with the keys `keys` removed from the mapping at `path`. */
function omitKeys(value: unknown, path: readonly PropertyKey[], keys: readonly string[]): unknown {
  const [head, ...rest] = path;
  const list: unknown[] | undefined = Array.isArray(value) ? value : undefined;
  if (list) return typeof head === 'number' ? list.map((v, i) => (i === head ? omitKeys(v, rest, keys) : v)) : value;
  if (!isRecord(value)) return value;
  if (head === undefined) return Object.fromEntries(Object.entries(value).filter(([k]) => !keys.includes(k)));
  return typeof head === 'string' ? { ...value, [head]: omitKeys(value[head], rest, keys) } : value;
}

/**
 * One item checked against its schema. An item whose only problems are unknown keys (a typo such
 * as `timout:`) is read without them, so the meaning of the rest of it is still checked.
 */
export function parseItem<T>(schema: z.ZodType<T>, raw: unknown): T | undefined {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues;
  if (!issues.every((i) => i.code === 'unrecognized_keys')) return undefined;
  const cleaned = issues.reduce((v, i) => omitKeys(v, i.path, i.keys), raw);
  const again = schema.safeParse(cleaned);
  return again.success ? again.data : undefined;
}

/** The items of a list section that pass their own schema (or do without their unknown keys). */
function wellFormed<T>(schema: z.ZodType<T>, list: unknown[] | undefined): Array<Item<T>> {
  const out: Array<Item<T>> = [];
  list?.forEach((raw, at) => {
    const def = parseItem(schema, raw);
    if (def !== undefined) out.push({ at, def });
  });
  return out;
}

/**
 * Schema pass: validates the runbook against its schema. Every schema problem is reported; when
 * there is one, the well-formed items are still returned for the meaning checks.
 */
export function schemaPass(source: YamlSource, value: Record<string, unknown>): SchemaResult {
  const outline = outlineOf(value);
  const parsed = RunbookSchema.safeParse(value);
  if (parsed.success) {
    const runbook = parsed.data;
    const parts: RunbookParts = {
      inputs: new Map(Object.entries(runbook.inputs)),
      steps: items(runbook.steps),
      causes: items(runbook.causes),
      mitigations: items(runbook.mitigations),
      scenarios: items(runbook.scenarios),
    };
    return { runbook, parts, outline, diagnostics: [] };
  }
  const inputs = new Map<string, InputDef>();
  if (isRecord(value.inputs)) {
    for (const [name, raw] of Object.entries(value.inputs)) {
      const input = parseItem(Input, raw);
      if (input !== undefined) inputs.set(name, input);
    }
  }
  const parts: RunbookParts = {
    inputs,
    steps: wellFormed(Step, listOf(value.steps)),
    causes: wellFormed(Cause, listOf(value.causes)),
    mitigations: wellFormed(Mitigation, listOf(value.mitigations)),
    scenarios: wellFormed(Scenario, listOf(value.scenarios)),
  };
  return { parts, outline, diagnostics: source.schemaDiagnostics(parsed.error.issues, RUNBOOK_FIELD_NAMES) };
}
