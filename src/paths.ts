/** Where the package's own files (shipped runbooks, schema) and the user's state live. */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringField } from './guards.js';

let root: string | undefined;

/** The package root: the nearest directory above this module with bud-incident's package.json. */
export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      try {
        const pkg: unknown = JSON.parse(readFileSync(candidate, 'utf8'));
        if (stringField(pkg, 'name') === 'bud-incident') return (root = dir);
      } catch {
        /* keep looking */
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the bud-incident package root');
    dir = parent;
  }
}

export function shippedRunbookDir(): string {
  return join(packageRoot(), 'runbooks');
}

export function packageVersion(): string {
  const file = join(packageRoot(), 'package.json');
  const pkg: unknown = JSON.parse(readFileSync(file, 'utf8'));
  const version = stringField(pkg, 'version');
  if (version === undefined) throw new Error(`${file} has no version`); // a broken install, not a user's error
  return version;
}

/** `$BUD_INCIDENT_HOME`, else `$XDG_STATE_HOME/bud-incident`, else `~/.local/state/bud-incident`. */
export function stateHome(env: NodeJS.ProcessEnv): string {
  if (env.BUD_INCIDENT_HOME) return env.BUD_INCIDENT_HOME;
  const xdg = env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state');
  return join(xdg, 'bud-incident');
}
