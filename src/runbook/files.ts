/**
 * Finding runbook files: cheap (file system only), so listing stays fast. A file over the size
 * limit is refused from its size alone, before a byte of it is read: one stray 100 MB file in a
 * runbook directory must not cost every `run` half a minute and gigabytes of memory.
 */
import { readdirSync, statSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { UserError, errorCode, errorMessage } from '../errors.js';

export function runbookDirs(
  shipped: string,
  env: NodeJS.ProcessEnv,
  configured: readonly string[],
  flags: readonly string[],
  cwd: string,
): Array<{ dir: string; origin: string }> {
  const dirs = [{ dir: shipped, origin: 'shipped' }];
  for (const d of (env.BUD_INCIDENT_RUNBOOKS ?? '').split(delimiter).filter(Boolean))
    dirs.push({ dir: resolve(cwd, d), origin: '$BUD_INCIDENT_RUNBOOKS' });
  for (const d of configured) dirs.push({ dir: resolve(cwd, d), origin: 'config' });
  for (const d of flags) dirs.push({ dir: resolve(cwd, d), origin: '--runbooks-dir' });
  return dirs;
}

export function listYamlFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') throw new UserError(`runbook directory ${dir} does not exist`);
    throw new UserError(`cannot read runbook directory ${dir}: ${errorMessage(error)}`);
  }
  return names
    .filter((n) => /\.ya?ml$/.test(n))
    .sort()
    .map((n) => join(dir, n))
    .filter((p) => statSync(p).isFile());
}

/** The largest runbook, policy or checklist file read. The shipped runbooks are all under 25 KiB. */
export const MAX_RUNBOOK_BYTES = 1024 * 1024;

const size = (n: number) =>
  n >= 1024 * 1024 ? `${(n / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MiB` : n >= 1024 ? `${Math.round(n / 1024)} KiB` : `${n} bytes`;

/** Why this file is too large to read (its name, its size and the limit), or undefined. Only stats it. */
export function tooLarge(file: string): string | undefined {
  let bytes: number;
  try {
    bytes = statSync(file).size;
  } catch {
    return undefined; // The read that follows reports a missing or unreadable file.
  }
  if (bytes <= MAX_RUNBOOK_BYTES) return undefined;
  return `${file} is ${size(bytes)} (${bytes} bytes), over the ${size(MAX_RUNBOOK_BYTES)} limit for a runbook file; it was not read (the shipped runbooks are under 25 KiB: is it really a runbook?)`;
}
