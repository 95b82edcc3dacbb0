/**
 * One runbook, validated, plus the titles of the others: what `run` needs. Comes from the
 * catalogue index (runbook/listing.ts: validated runbooks cached by file size and modification
 * time), so starting a run does not parse YAML or load the schema when nothing changed; falls
 * back to loading the whole catalogue, which also gives the precise errors.
 */
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { readCatalogIndex } from '../runbook/listing.js';
import { commandsOf } from '../runbook/commands-of.js';
import type { LoadedRunbook } from '../runbook/load.js';
import { packageVersion, stateHome } from '../paths.js';
import { dirsOf, type Context } from './context.js';

export async function loadRunbookForRun(ctx: Context, id: string): Promise<RunbookForRun> {
  const index = await readCatalogIndex(dirsOf(ctx), join(stateHome(ctx.env), 'cache', 'runbooks.json'), packageVersion());
  // The last directory wins for an id, as in the catalogue.
  const match = index.summaries.filter((s) => s.id === id).at(-1);
  if (match?.notRead) throw new UserError(`runbook "${id}": ${match.notRead}`);
  const runbook = match?.valid ? index.runbooks[match.file] : undefined;
  if (match && runbook) {
    return {
      loaded: { runbook, file: match.file, commands: commandsOf(runbook) },
      titleOf: (other) => index.summaries.find((s) => s.id === other && s.valid)?.title,
      origin: match.origin,
      ...(match.overrides ? { replaces: match.overrides } : {}),
    };
  }
  const { catalog } = await import('./catalog-of.js');
  const { requireEntry } = await import('../runbook/catalog.js');
  const cat = catalog(ctx);
  const entry = requireEntry(cat, id);
  return {
    loaded: entry.loaded,
    titleOf: (other) => cat.entries.get(other)?.loaded?.runbook.title,
    origin: entry.origin,
    ...(entry.overrides ? { replaces: entry.overrides } : {}),
  };
}

export interface RunbookForRun {
  loaded: LoadedRunbook;
  titleOf: (id: string) => string | undefined;
  /** "shipped", or the directory setting it came from ($BUD_INCIDENT_RUNBOOKS, config, --runbooks-dir). */
  origin: string;
  /** The runbook of the same id it replaces. */
  replaces?: { file: string; origin: string };
}

/** Said before a run of a runbook that is not the shipped one: where it comes from, and what it replaces. */
export function runbookOriginNotice(id: string, r: RunbookForRun): string | undefined {
  if (r.origin === 'shipped' && !r.replaces) return undefined;
  const replaces = r.replaces ? `; it REPLACES the ${r.replaces.origin} runbook ${r.replaces.file}` : '';
  return `runbook "${id}" comes from ${r.loaded.file} (${r.origin})${replaces}`;
}
