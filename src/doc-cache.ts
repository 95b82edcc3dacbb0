/**
 * A cache of validated YAML documents (policy, checklists), keyed by the file's path, size,
 * modification time and the tool's version. `status` and the incident commands read the JSON
 * instead of loading the YAML parser and the schema library at every start; any edit rebuilds
 * the entry. A convenience only: a missing or unwritable cache just costs speed.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { field, stringField } from './guards.js';
import type { Checklist } from './incident/checklist.js';
import type { Policy } from './incident/policy.js';

/** The kinds of document cached, and what each value is: what its loader returned when it was written. */
interface CachedDocs {
  policy: Policy;
  checklist: Checklist;
}

function keyOf(file: string, version: string): string {
  const st = statSync(file);
  return `${version}\n${file}\n${st.size}\n${st.mtimeMs}`;
}

function pathOf(dir: string, kind: string, file: string): string {
  return join(dir, `${kind}-${createHash('sha256').update(file).digest('hex').slice(0, 16)}.json`);
}

export function readCachedDoc<K extends keyof CachedDocs>(dir: string, kind: K, file: string, version: string): CachedDocs[K] | undefined {
  try {
    const cached: unknown = JSON.parse(readFileSync(pathOf(dir, kind, file), 'utf8'));
    if (stringField(cached, 'key') !== keyOf(file, version)) return undefined;
    // Written by writeCachedDoc from a document of this kind its loader validated, for this very file and version.
    return field(cached, 'value') as CachedDocs[K];
  } catch {
    return undefined;
  }
}

export function writeCachedDoc<K extends keyof CachedDocs>(
  dir: string,
  kind: K,
  file: string,
  version: string,
  value: CachedDocs[K],
): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const target = pathOf(dir, kind, file);
    const tmp = `${target}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ key: keyOf(file, version), value }), { mode: 0o600 });
    renameSync(tmp, target);
  } catch {
    // Speed only.
  }
}
