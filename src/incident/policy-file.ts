/** Where the policy file is (file system only). */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';

/** The policy file: the last --runbooks-dir that has policy/policy.yaml, else the shipped one. */
export function policyFile(dirs: ReadonlyArray<{ dir: string }>): string {
  let file = '';
  for (const { dir } of dirs) {
    const candidate = join(dir, 'policy', 'policy.yaml');
    if (existsSync(candidate)) file = candidate;
  }
  if (!file) throw new UserError('no policy file found (runbooks/policy/policy.yaml is missing from the installation)');
  return file;
}
