/**
 * The policy and the checklists for a command, loaded before it runs: from the document cache
 * when nothing changed (no YAML parser, no schema library), else parsed and validated (and
 * cached). A broken file is reported when a command that needs it asks for it, not before.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readCachedDoc, writeCachedDoc } from '../doc-cache.js';
import type { Checklist } from '../incident/checklist.js';
import type { Policy } from '../incident/policy.js';
import { policyFile } from '../incident/policy-file.js';
import { listYamlFiles } from '../runbook/files.js';
import { packageVersion, stateHome } from '../paths.js';
import { dirsOf, type Context } from './context.js';

export interface Docs {
  policy: Policy | Error;
  checklists: Map<string, Checklist> | Error;
}

const loaded = new WeakMap<Context, Docs>();

export async function prepareDocs(ctx: Context): Promise<void> {
  const cacheDir = join(stateHome(ctx.env), 'cache');
  const version = packageVersion();
  let policy: Policy | Error;
  try {
    const file = policyFile(dirsOf(ctx));
    const cached = readCachedDoc(cacheDir, 'policy', file, version);
    if (cached) policy = cached;
    else {
      const { loadPolicy } = await import('../incident/policy.js');
      policy = loadPolicy(file);
      writeCachedDoc(cacheDir, 'policy', file, version, policy);
    }
  } catch (error) {
    policy = error instanceof Error ? error : new Error(String(error));
  }
  let checklists: Map<string, Checklist> | Error = new Map();
  try {
    for (const { dir } of dirsOf(ctx)) {
      const folder = join(dir, 'checklists');
      if (!existsSync(folder)) continue;
      for (const file of listYamlFiles(folder)) {
        let c = readCachedDoc(cacheDir, 'checklist', file, version);
        if (!c) {
          const { loadChecklist } = await import('../incident/checklist.js');
          const { readSourceFile } = await import('../runbook/catalog.js');
          c = loadChecklist(readSourceFile(file));
          writeCachedDoc(cacheDir, 'checklist', file, version, c);
        }
        checklists.set(c.id, c);
      }
    }
  } catch (error) {
    checklists = error instanceof Error ? error : new Error(String(error));
  }
  loaded.set(ctx, { policy, checklists });
}

function docs(ctx: Context): Docs {
  const d = loaded.get(ctx);
  if (!d) throw new Error('documents not prepared');
  return d;
}

export function policyOf(ctx: Context): Policy {
  const p = docs(ctx).policy;
  if (p instanceof Error) throw p;
  return p;
}

export function checklists(ctx: Context): Map<string, Checklist> {
  const c = docs(ctx).checklists;
  if (c instanceof Error) throw c;
  return c;
}
