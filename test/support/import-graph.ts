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
