/**
 * Compares text with a reviewed document kept in git (a file snapshot). vitest's
 * `toMatchFileSnapshot` writes a missing file and passes, so deleting a reviewed document would
 * silently re-create it from whatever the code now prints: here a missing file fails unless the
 * run updates snapshots on purpose (`vitest run -u`).
 */
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { expect } from 'vitest';
import { ROOT } from './cli.js';

export async function expectReviewedSnapshot(actual: string, path: string): Promise<void> {
  const updating = expect.getState().snapshotState.snapshotUpdateState === 'all';
  if (!existsSync(path) && !updating)
    throw new Error(
      `the reviewed snapshot ${relative(ROOT, path)} is missing: restore it from git (git checkout -- ${relative(ROOT, path)}), or run vitest with -u to write it anew and review the diff`,
    );
  await expect(actual).toMatchFileSnapshot(path);
}
