/** Finding runbook files: cheap (file system only), so listing stays fast. */
import { readdirSync, statSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { UserError, errorCode } from '../errors.js';

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
    throw new UserError(`cannot read runbook directory ${dir}: ${(error as Error).message}`);
  }
  return names
    .filter((n) => /\.ya?ml$/.test(n))
    .sort()
    .map((n) => join(dir, n))
    .filter((p) => statSync(p).isFile());
}
