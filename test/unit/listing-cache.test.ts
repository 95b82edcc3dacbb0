/** The `runbooks list` cache: a file this build wrote under the same key is used; anything else is rebuilt from the runbooks. */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCatalogIndex } from '../../src/runbook/listing.js';

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'rb-cache-'));
  copyFileSync(join('runbooks', 'auth-failure.yaml'), join(dir, 'auth-failure.yaml'));
  return { dirs: [{ dir, origin: 'test' }], cachePath: join(dir, 'state', 'catalog.json') };
}
const titleOf = (index: { summaries: Array<{ id: string; title: string }> }) => index.summaries.find((s) => s.id === 'auth-failure')?.title;

describe('runbook catalogue cache', () => {
  it('uses a cache written under the same key', async () => {
    const { dirs, cachePath } = setup();
    const real = titleOf(await readCatalogIndex(dirs, cachePath, '1.0.0'));
    expect(real).toBeTruthy();
    const cache = JSON.parse(readFileSync(cachePath, 'utf8'));
    cache.summaries[0].title = 'from the cache';
    writeFileSync(cachePath, JSON.stringify(cache));
    expect(titleOf(await readCatalogIndex(dirs, cachePath, '1.0.0'))).toBe('from the cache');
    // Another version: a different key, so the files are read again.
    expect(titleOf(await readCatalogIndex(dirs, cachePath, '1.0.1'))).toBe(real);
  });

  it('rebuilds from the runbooks when a cache with the right key lacks its summaries', async () => {
    const { dirs, cachePath } = setup();
    const real = titleOf(await readCatalogIndex(dirs, cachePath, '1.0.0'));
    const cache = JSON.parse(readFileSync(cachePath, 'utf8'));
    delete cache.summaries;
    writeFileSync(cachePath, JSON.stringify(cache));
    expect(titleOf(await readCatalogIndex(dirs, cachePath, '1.0.0'))).toBe(real);
  });
});
