/** `bud-incident runbooks list`: fast, from a cached summary (see runbook/listing.ts). */
import { join } from 'node:path';
import { listRunbookSummaries } from '../runbook/listing.js';
import { packageVersion, stateHome } from '../paths.js';
import { dirsOf, writeJson, type Context } from './context.js';

export async function listRunbooks(ctx: Context, opts: { json?: boolean }): Promise<number> {
  const rows = (await listRunbookSummaries(dirsOf(ctx), join(stateHome(ctx.env), 'cache', 'runbooks.json'), packageVersion())).sort(
    (a, b) => a.id.localeCompare(b.id),
  );
  if (opts.json) {
    writeJson(ctx, rows);
    return rows.every((r) => r.valid) ? 0 : 1;
  }
  const c = ctx.term.color;
  const w = Math.max(4, ...rows.map((r) => r.id.length));
  ctx.term.out.write(c.bold(`${'ID'.padEnd(w)}  SEV   ${'TITLE'.padEnd(36)} PLAYBOOK`) + '\n');
  for (const r of rows) {
    const line = `${r.id.padEnd(w)}  ${(r.severity || '-').padEnd(4)}  ${r.title.slice(0, 36).padEnd(36)} ${r.playbook}${r.origin !== 'shipped' ? c.dim(` [${r.origin}]`) : ''}`;
    const why = r.notRead ? `(skipped: ${r.notRead})` : `(invalid: run "bud-incident runbooks validate ${r.file}")`;
    ctx.term.out.write((r.valid ? line : c.red(`${line}  ${why}`)) + '\n');
  }
  ctx.term.out.write(c.dim(`\nRun one: bud-incident run <id>   Rehearse: bud-incident run <id> --simulate healthy\n`));
  return rows.every((r) => r.valid) ? 0 : 1;
}
