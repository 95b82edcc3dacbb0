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

export async function loadRunbookForRun(
  ctx: Context,
  id: string,
): Promise<{ loaded: LoadedRunbook; titleOf: (id: string) => string | undefined }> {
  const index = await readCatalogIndex(dirsOf(ctx), join(stateHome(ctx.env), 'cache', 'runbooks.json'), packageVersion());
  // The last directory wins for an id, as in the catalogue.
  const match = index.summaries.filter((s) => s.id === id).at(-1);
  if (match?.notRead) throw new UserError(`runbook "${id}": ${match.notRead}`);
  const runbook = match?.valid ? index.runbooks[match.file] : undefined;
  if (match && runbook) {
    return {
      loaded: { runbook, file: match.file, commands: commandsOf(runbook) },
      titleOf: (other) => index.summaries.find((s) => s.id === other && s.valid)?.title,
    };
  }
  const { catalog } = await import('./catalog-of.js');
  const { requireRunbook } = await import('../runbook/catalog.js');
  const cat = catalog(ctx);
  return { loaded: requireRunbook(cat, id), titleOf: (other) => cat.entries.get(other)?.loaded?.runbook.title };
}
