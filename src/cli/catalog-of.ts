/** The runbook catalogue for a command (parses and validates every runbook: not for fast paths). */
import { loadCatalog, type Catalog } from '../runbook/catalog.js';
import { dirsOf, type Context } from './context.js';

const cache = new WeakMap<Context, Catalog>();

export function catalog(ctx: Context, extraFiles: readonly string[] = []): Catalog {
  if (extraFiles.length) return loadCatalog(dirsOf(ctx), extraFiles);
  let c = cache.get(ctx);
  if (!c) cache.set(ctx, (c = loadCatalog(dirsOf(ctx))));
  return c;
}
