/**
 * A cached summary of the runbook catalogue for `runbooks list`. Parsing YAML (scenarios carry
 * pages of recorded output) and validating every runbook costs over 100 ms; a responder who asks
 * "which runbooks are there?" should get the answer at once. The cache is keyed by every file's
 * path, size and modification time and by the tool's version, so any edit, added or removed file
 * or upgrade rebuilds it; it is a convenience, never a source of truth (`run` and `validate`
 * always read the files).
 */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isRecord } from '../guards.js';
import { listYamlFiles } from './files.js';
import type { Runbook } from './schema.js';

export interface RunbookSummary {
  id: string;
  title: string;
  severity: string;
  playbook: string;
  steps: number;
  scenarios: string[];
  origin: string;
  file: string;
  valid: boolean;
  /** The runbook of the same id this one replaces. */
  overrides?: { file: string; origin: string };
  /** Why the file was not even read (too large), when it was not. */
  notRead?: string;
}

interface CacheFile {
  version: string;
  key: string;
  summaries: RunbookSummary[];
  /** The validated runbooks by file, so `run` can start without parsing YAML or loading the schema. */
  runbooks: Record<string, Runbook>;
}

/**
 * A cache file this build wrote for these files: the key (version, build, every file's size and
 * time) matches and the two tables are there. Their contents are what this build wrote under
 * that key, so they are not checked one by one; anything else is rebuilt.
 */
function isCacheFor(value: unknown, key: string): value is CacheFile {
  return isRecord(value) && value.key === key && Array.isArray(value.summaries) && isRecord(value.runbooks);
}

export interface CatalogIndex {
  summaries: RunbookSummary[];
  runbooks: Record<string, Runbook>;
}

function catalogKey(dirs: ReadonlyArray<{ dir: string; origin: string }>, version: string): string {
  // The build is part of the key: validation rules change with the code, not only with the version.
  const parts = [version, String(statSync(fileURLToPath(import.meta.url)).mtimeMs)];
  for (const { dir, origin } of dirs) {
    for (const file of listYamlFiles(dir)) {
      const st = statSync(file);
      parts.push(`${origin}\t${file}\t${st.size}\t${st.mtimeMs}`);
    }
  }
  return parts.join('\n');
}

export async function listRunbookSummaries(
  dirs: ReadonlyArray<{ dir: string; origin: string }>,
  cachePath: string | undefined,
  version: string,
): Promise<RunbookSummary[]> {
  return (await readCatalogIndex(dirs, cachePath, version)).summaries;
}

export async function readCatalogIndex(
  dirs: ReadonlyArray<{ dir: string; origin: string }>,
  cachePath: string | undefined,
  version: string,
): Promise<CatalogIndex> {
  const key = catalogKey(dirs, version);
  if (cachePath) {
    try {
      const cached: unknown = JSON.parse(readFileSync(cachePath, 'utf8'));
      if (isCacheFor(cached, key)) return cached;
    } catch {
      // No cache yet, or unreadable: rebuild.
    }
  }
  const { loadCatalog } = await import('./catalog.js');
  const catalog = loadCatalog(dirs);
  const summaries: RunbookSummary[] = [...catalog.entries.values()].map((e) => ({
    id: e.id,
    title: e.loaded?.runbook.title ?? '(invalid)',
    severity: e.loaded?.runbook.severity ?? '',
    playbook: e.loaded?.runbook.playbook ?? '',
    steps: e.loaded?.runbook.steps.length ?? 0,
    scenarios: e.loaded?.runbook.scenarios.map((s) => s.id) ?? [],
    origin: e.origin,
    file: e.file,
    valid: Boolean(e.loaded),
    ...(e.overrides ? { overrides: e.overrides } : {}),
  }));
  for (const d of catalog.diagnostics) {
    const big = catalog.tooLarge.find((t) => t.file === d.file);
    summaries.push({
      id: basename(d.file).replace(/\.ya?ml$/, ''),
      title: '(invalid)',
      severity: '',
      playbook: '',
      steps: 0,
      scenarios: [],
      origin: 'file',
      file: d.file,
      valid: false,
      ...(big ? { notRead: big.problem } : {}),
    });
  }
  const runbooks: Record<string, Runbook> = {};
  for (const e of catalog.entries.values()) if (e.loaded) runbooks[e.file] = e.loaded.runbook;
  if (cachePath) {
    try {
      mkdirSync(dirname(cachePath), { recursive: true, mode: 0o700 });
      const tmp = `${cachePath}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify({ version, key, summaries, runbooks } satisfies CacheFile), { mode: 0o600 });
      renameSync(tmp, cachePath);
    } catch {
      // A read-only or full state directory only costs speed here.
    }
  }
  return { summaries, runbooks };
}
