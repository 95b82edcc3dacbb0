/**
 * The module graph of the built CLI, read from the esbuild metafile `npm run build` writes
 * (dist/meta.json), for the rails that keep start-up lean and the folders free of new cycles.
 *
 * A static edge is an `import … from` (or a bundled `require()`): it is loaded as soon as the
 * importer is. A dynamic edge is an `import()`: it is loaded only when the code asks for it.
 * Paths are as esbuild writes them, relative to the package root (`src/cli/run.ts`); a file of a
 * dependency keeps its node_modules path (through the symlink in a worktree: `../main/node_modules/…`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Metafile } from 'esbuild';
import { ROOT } from './cli.js';

export const META_FILE = join(ROOT, 'dist', 'meta.json');

export interface Edge {
  to: string;
  dynamic: boolean;
}

export type Graph = Map<string, Edge[]>;

/** The graph of dist/meta.json; throws, naming the command to run, when there is none. */
export function loadGraph(file = META_FILE): Graph {
  if (!existsSync(file)) throw new Error(`${file} is missing: run "npm run build" (it writes the esbuild metafile)`);
  const meta = JSON.parse(readFileSync(file, 'utf8')) as Metafile;
  const graph: Graph = new Map();
  for (const [path, input] of Object.entries(meta.inputs)) {
    graph.set(
      path,
      input.imports.filter((i) => !i.external).map((i) => ({ to: i.path, dynamic: i.kind === 'dynamic-import' })),
    );
  }
  return graph;
}

/** The npm package a bundled file belongs to (`@kubernetes/client-node`, `zod`), or undefined for our own code. */
export function packageOf(path: string): string | undefined {
  const at = path.lastIndexOf('node_modules/');
  if (at < 0) return undefined;
  const [scope, name] = path.slice(at + 'node_modules/'.length).split('/');
  return scope?.startsWith('@') ? `${scope}/${name}` : scope;
}

/**
 * The shortest chain of static imports from `from` to a file that `stop` picks, or undefined.
 * The chain starts with `from` and ends with the picked file; the walk does not go through a
 * picked file (the first heavy package on the way is the one to name).
 */
export function staticChain(graph: Graph, from: string, stop: (path: string) => boolean): string[] | undefined {
  const previous = new Map<string, string | null>([[from, null]]);
  const queue = [from];
  while (queue.length) {
    const at = queue.shift()!;
    if (at !== from && stop(at)) {
      const chain = [at];
      for (let p = previous.get(at); p; p = previous.get(p)) chain.unshift(p);
      return chain;
    }
    for (const edge of graph.get(at) ?? []) {
      if (edge.dynamic || previous.has(edge.to)) continue;
      previous.set(edge.to, at);
      queue.push(edge.to);
    }
  }
  return undefined;
}

/** A chain as a reader follows it: `src/cli/incident.ts → src/cli/docs.ts → zod`. */
export function showChain(chain: string[]): string {
  return chain.map((p) => packageOf(p) ?? p).join(' → ');
}

/** The folder of src/ a file is in (`engine`), `main` for src/main.ts, `(top)` for the other files at the top of src/. */
export function folderOf(path: string): string | undefined {
  if (!path.startsWith('src/')) return undefined;
  const parts = path.slice('src/'.length).split('/');
  if (parts.length > 1) return parts[0];
  return parts[0] === 'main.ts' ? 'main' : '(top)';
}

/**
 * Which folder imports which, static and import() alike (a cycle through import() still ties the
 * folders together), each edge with the file imports that make it (`src/a/x.ts → src/b/y.ts`).
 * Type-only imports are not in the bundle, so they are not seen here.
 */
export function folderGraph(graph: Graph): Map<string, Map<string, string[]>> {
  const folders = new Map<string, Map<string, string[]>>();
  for (const [path, edges] of graph) {
    const from = folderOf(path);
    if (!from) continue;
    const out = folders.get(from) ?? new Map<string, string[]>();
    folders.set(from, out);
    for (const edge of edges) {
      const to = folderOf(edge.to);
      if (!to || to === from) continue;
      const why = out.get(to) ?? [];
      why.push(`${path} → ${edge.to}${edge.dynamic ? ' (import())' : ''}`);
      out.set(to, why);
    }
  }
  return folders;
}

/**
 * The cycles between folders: for each edge that lies on one, the shortest cycle through it, as
 * `engine → runbook → engine`. Each cycle is given once (from its alphabetically first folder).
 */
export function folderCycles(folders: Map<string, Map<string, string[]>>): string[][] {
  const cycles = new Map<string, string[]>();
  for (const [from, out] of folders) {
    for (const to of out.keys()) {
      const path = shortestPath(folders, to, from);
      if (!path) continue;
      const cycle = [from, ...path];
      const ring = cycle.slice(0, -1);
      const start = ring.indexOf([...ring].sort()[0]!);
      const canonical = [...ring.slice(start), ...ring.slice(0, start), ring[start]!];
      cycles.set(canonical.join(' → '), canonical);
    }
  }
  return [...cycles.values()].sort((a, b) => a.length - b.length || a.join().localeCompare(b.join()));
}

function shortestPath(folders: Map<string, Map<string, string[]>>, from: string, to: string): string[] | undefined {
  const previous = new Map<string, string | null>([[from, null]]);
  const queue = [from];
  while (queue.length) {
    const at = queue.shift()!;
    if (at === to) {
      const path = [at];
      for (let p = previous.get(at); p; p = previous.get(p)) path.unshift(p);
      return path;
    }
    for (const next of folders.get(at)?.keys() ?? []) {
      if (previous.has(next)) continue;
      previous.set(next, at);
      queue.push(next);
    }
  }
  return undefined;
}
