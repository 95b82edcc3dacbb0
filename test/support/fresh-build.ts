/**
 * vitest globalSetup: the tests never run an old build. Integration tests run the built CLI
 * (dist/), so after an edit `npx vitest run test/integration/x.test.ts` would silently test the
 * code as it was at the last `npm run build`. Before any test file runs (once per vitest run,
 * whatever the number of workers), this compares the build's inputs with dist/meta.json (the
 * last file the build writes in dist/) and builds when an input is newer or dist/ is missing.
 * When dist/ is fresh it only reads modification times (a few ms); `npm test` builds first, so
 * it never builds twice.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from './cli.js';

/** What the build reads: the sources, the build scripts and what configures them. */
const INPUTS = ['src', 'scripts', 'package.json', 'tsconfig.json'];
const STAMP = join('dist', 'meta.json');

function newest(path: string): { path: string; ms: number } | undefined {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return undefined;
  }
  // A directory's own time changes when a file in it is added, renamed or deleted.
  let best = { path, ms: stat.mtimeMs };
  if (stat.isDirectory())
    for (const name of readdirSync(path)) {
      const found = newest(join(path, name));
      if (found && found.ms > best.ms) best = found;
    }
  return best;
}

/** Why dist/ under `root` must be rebuilt ("src/cli/run.ts is newer than dist/meta.json"), or undefined when it is fresh. */
export function staleReason(root: string): string | undefined {
  let built: number;
  try {
    built = statSync(join(root, STAMP)).mtimeMs;
  } catch {
    return `${STAMP} is missing`;
  }
  for (const input of INPUTS) {
    const found = newest(join(root, input));
    if (found && found.ms > built) return `${relative(root, found.path)} is newer than ${STAMP}`;
  }
  return undefined;
}

export default function setup(): void {
  const reason = staleReason(ROOT);
  if (!reason) return;
  process.stderr.write(`[fresh-build] ${reason}: building dist/ (npm run build) before the tests\n`);
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0)
    throw new Error(
      `[fresh-build] "npm run build" failed (exit ${build.status ?? build.signal}): no test ran (they would have run an old build, or none). Fix the build error above.`,
    );
  const still = staleReason(ROOT);
  if (still) throw new Error(`[fresh-build] dist/ is still older than its inputs after building (${still}); is the clock right?`);
}
