/**
 * Loading and validating runbook files. Every problem in a file is collected and reported with its
 * position, sorted by position: YAML syntax, schema (unknown keys, wrong types, missing fields), and
 * meaning (duplicate ids, references to steps, findings, causes, mitigations, inputs or runbooks that
 * do not exist, template variables that are never defined, commands that would need a shell).
 *
 * A file is read in passes, each in its own module: parse (here) → schema (load-parts.ts) → per-item
 * checks (load-items.ts) → cross-reference checks (load-refs.ts) → template checks
 * (load-templates.ts). A schema error does not stop the meaning checks: they run on every part of
 * the file that is well-formed.
 */
import type { ParsedCommand } from './command.js';
import { byPosition, YamlSource, type Diagnostic } from '../diagnostics.js';
import { itemChecks } from './load-items.js';
import { schemaPass, type Checking } from './load-parts.js';
import { crossReferenceChecks } from './load-refs.js';
import { templateChecks } from './load-templates.js';
import type { Runbook } from './schema.js';

export { FINDING_VARIABLES } from './load-templates.js';

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

/**
 * Parse pass: the YAML document as a mapping, or the problems that leave nothing to check (a
 * syntax error, an alias bomb, a document that is not a mapping).
 */
function parsePass(source: YamlSource): { value: Record<string, unknown> } | { diagnostics: Diagnostic[] } {
  const value = source.toJS();
  if (source.parseDiagnostics.some((d) => d.severity === 'error')) return { diagnostics: source.parseDiagnostics };
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return { diagnostics: [source.diagnosticAt([], 'a runbook must be a YAML mapping (id, title, steps, ...)')] };
  return { value: Object.fromEntries(Object.entries(value)) };
}

/**
 * Parses and validates one runbook file. `knownRunbooks` are the ids of every runbook in the
 * catalogue (for references between runbooks); pass undefined to skip that check.
 */
export function loadRunbook(file: string, text: string, knownRunbooks?: ReadonlySet<string>): LoadResult {
  return loadRunbookSource(new YamlSource(file, text), knownRunbooks);
}

export function loadRunbookSource(source: YamlSource, knownRunbooks?: ReadonlySet<string>): LoadResult {
  const parsed = parsePass(source);
  if ('diagnostics' in parsed) return parsed;
  const schema = schemaPass(source, parsed.value);
  const checking: Checking = { source, parts: schema.parts, outline: schema.outline, knownRunbooks, out: [] };
  const commands = itemChecks(checking);
  crossReferenceChecks(checking);
  templateChecks(checking);
  const diagnostics = byPosition([...source.parseDiagnostics, ...source.cutTextDiagnostics(), ...schema.diagnostics, ...checking.out]);
  const runbook = diagnostics.some((d) => d.severity === 'error') ? undefined : schema.runbook;
  return { loaded: runbook && { runbook, file: source.file, commands }, diagnostics };
}
