/**
 * The set of runbooks a user can run: the shipped ones, then those in extra directories
 * (`$BUD_INCIDENT_RUNBOOKS`, the config's runbookDirs, `--runbooks-dir`), where a later directory
 * overrides an earlier one's runbook of the same id.
 */
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { listYamlFiles, tooLarge } from './files.js';
import { UserError, errorCode, errorMessage } from '../errors.js';
export { listYamlFiles, runbookDirs } from './files.js';
import { YamlSource, formatDiagnostics, suggest, type Diagnostic } from '../diagnostics.js';
import { loadRunbookSource, type LoadedRunbook } from './load.js';

export interface CatalogEntry {
  id: string;
  file: string;
  /** Where it came from: "shipped" or the extra directory. */
  origin: string;
  loaded?: LoadedRunbook;
  diagnostics: Diagnostic[];
  /** The runbook it replaced, when a later directory overrode one of the same id. */
  overrides?: { file: string; origin: string };
}

export interface Catalog {
  entries: Map<string, CatalogEntry>;
  /** Problems with files that could not even be identified (no id, too large to read) or directories that could not be read. */
  diagnostics: Diagnostic[];
  /** Files over the size limit, left unread: their ids are unknown, so they are named by file. */
  tooLarge: Array<{ file: string; problem: string }>;
}

/** Reads one YAML file, turning I/O errors and oversized files into user errors that name the file. */
export function readSourceFile(file: string): YamlSource {
  const problem = tooLarge(file);
  if (problem) throw new UserError(problem);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UserError(`cannot read ${file}: ${errorCode(error) === 'ENOENT' ? 'no such file' : errorMessage(error)}`);
  }
  return new YamlSource(file, text);
}

function idOf(source: YamlSource): string | undefined {
  const value = source.toJS();
  if (value && typeof value === 'object' && 'id' in value && typeof value.id === 'string') return value.id;
  return undefined;
}

/** Loads every runbook in the directories, validating each with cross-references to the others. */
export function loadCatalog(dirs: ReadonlyArray<{ dir: string; origin: string }>, extraFiles: readonly string[] = []): Catalog {
  const sources: Array<{ source: YamlSource; origin: string }> = [];
  const diagnostics: Diagnostic[] = [];
  const oversized: Catalog['tooLarge'] = [];
  const add = (file: string, origin: string) => {
    const problem = tooLarge(file);
    if (problem) {
      oversized.push({ file, problem });
      diagnostics.push({ file, line: 1, col: 1, field: '', message: problem, severity: 'error' });
    } else sources.push({ source: readSourceFile(file), origin });
  };
  for (const { dir, origin } of dirs) for (const file of listYamlFiles(dir)) add(file, origin);
  for (const file of extraFiles) add(file, 'file');

  const entries = new Map<string, CatalogEntry>();
  const identified: Array<{ id: string; source: YamlSource; origin: string }> = [];
  for (const { source, origin } of sources) {
    const id = idOf(source);
    if (id === undefined) {
      const errors = source.parseDiagnostics.length ? source.parseDiagnostics : [source.diagnosticAt([], 'a runbook needs an "id"')];
      diagnostics.push(...errors);
      continue;
    }
    identified.push({ id, source, origin });
  }
  const known = new Set(identified.map((i) => i.id));
  for (const { id, source, origin } of identified) {
    const result = loadRunbookSource(source, known);
    const found = entries.get(id);
    // The same file reached twice (`runbooks validate runbooks/*.yaml` beside the shipped directory) replaces nothing.
    const previous = found && resolve(found.file) !== resolve(source.file) ? found : undefined;
    // Replacing a runbook by id is allowed (a site's own version) but never silent.
    const diagnostics = previous
      ? [
          ...result.diagnostics,
          source.diagnosticAt(
            ['id'],
            `replaces the ${previous.origin} runbook "${id}" (${previous.file}); \`run ${id}\` runs this file`,
            'warning',
          ),
        ]
      : result.diagnostics;
    entries.set(id, {
      id,
      file: source.file,
      origin,
      loaded: result.loaded,
      diagnostics,
      ...(previous ? { overrides: { file: previous.file, origin: previous.origin } } : {}),
    });
  }
  return { entries, diagnostics, tooLarge: oversized };
}

/** The runbook with this id, or a user error that lists what exists and suggests the nearest. */
export function requireRunbook(catalog: Catalog, id: string): LoadedRunbook {
  return requireEntry(catalog, id).loaded;
}

/** The catalogue entry of this id, which loaded (where it came from, what it overrides); else requireRunbook's errors. */
export function requireEntry(catalog: Catalog, id: string): CatalogEntry & { loaded: LoadedRunbook } {
  const entry = catalog.entries.get(id);
  if (!entry) {
    // A file too large to read is named by its file name, the likeliest id it holds.
    const big = catalog.tooLarge.find((t) => basename(t.file).replace(/\.ya?ml$/, '') === id);
    if (big) throw new UserError(`runbook "${id}": ${big.problem}`);
    // A file that could not even be identified (a YAML syntax error before its id) is named by its file name too.
    const broken = catalog.diagnostics.filter((d) => basename(d.file).replace(/\.ya?ml$/, '') === id);
    const [firstBroken] = broken;
    if (firstBroken) throw new UserError(`runbook "${id}" (${firstBroken.file}) cannot be read:`, 2, formatDiagnostics(broken));
    const ids = [...catalog.entries.keys()].sort();
    const unread = catalog.tooLarge.length ? ` (not read, too large: ${catalog.tooLarge.map((t) => t.file).join(', ')})` : '';
    throw new UserError(`unknown runbook "${id}"${suggest(id, ids)}. Available: ${ids.join(', ')}${unread}`);
  }
  if (!entry.loaded) {
    throw new UserError(
      `runbook "${id}" (${entry.file}) has errors:`,
      2,
      formatDiagnostics(entry.diagnostics.filter((d) => d.severity === 'error')),
    );
  }
  return { ...entry, loaded: entry.loaded };
}
