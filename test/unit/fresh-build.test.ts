/**
 * The globalSetup that keeps integration tests off an old build (test/support/fresh-build.ts):
 * when does it say dist/ must be rebuilt? On a throwaway tree with set modification times.
 */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { staleReason } from '../support/fresh-build.js';

function tree(): { root: string; at: (path: string, seconds: number) => void } {
  const root = mkdtempSync(join(tmpdir(), 'bud-fresh-build-'));
  for (const dir of ['src/cli', 'scripts', 'dist']) mkdirSync(join(root, dir), { recursive: true });
  for (const file of ['src/main.ts', 'src/cli/run.ts', 'scripts/build.mjs', 'package.json', 'tsconfig.json'])
    writeFileSync(join(root, file), '');
  const at = (path: string, seconds: number) => utimesSync(join(root, path), seconds, seconds);
  for (const path of ['src/main.ts', 'src/cli/run.ts', 'src/cli', 'src', 'scripts/build.mjs', 'scripts', 'package.json', 'tsconfig.json'])
    at(path, 1_000);
  return { root, at };
}

describe('fresh-build globalSetup: is dist/ older than what it is built from?', () => {
  it('dist/ built after every input is fresh', () => {
    const { root, at } = tree();
    writeFileSync(join(root, 'dist/meta.json'), '{}');
    at('dist/meta.json', 2_000);
    expect(staleReason(root)).toBeUndefined();
    rmSync(root, { recursive: true });
  });

  it('no build at all must be built', () => {
    const { root } = tree();
    expect(staleReason(root)).toBe('dist/meta.json is missing');
    rmSync(root, { recursive: true });
  });

  it('a source edited after the build names the file', () => {
    const { root, at } = tree();
    writeFileSync(join(root, 'dist/meta.json'), '{}');
    at('dist/meta.json', 2_000);
    at('src/cli/run.ts', 3_000);
    expect(staleReason(root)).toBe('src/cli/run.ts is newer than dist/meta.json');
    rmSync(root, { recursive: true });
  });

  it('a source deleted after the build (its folder changed) and a changed build script count too', () => {
    const { root, at } = tree();
    writeFileSync(join(root, 'dist/meta.json'), '{}');
    at('dist/meta.json', 2_000);
    at('src/cli', 3_000);
    expect(staleReason(root)).toBe('src/cli is newer than dist/meta.json');
    at('src/cli', 1_000);
    at('scripts/build.mjs', 3_000);
    expect(staleReason(root)).toBe('scripts/build.mjs is newer than dist/meta.json');
    rmSync(root, { recursive: true });
  });
});
