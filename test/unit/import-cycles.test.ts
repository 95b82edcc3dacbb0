/**
 * No new import cycle between the folders of src/, read from the esbuild metafile (dist/meta.json).
 *
 * A cycle between folders means neither can be understood, tested or moved without the other.
 * The cycles that exist today are allowed by naming the one folder import that closes each of
 * them (ALLOWED, with why), so they can be removed one at a time: remove the import, then its
 * line here (the test fails on an entry that no longer closes anything, so the list only shrinks).
 */
import { describe, expect, it } from 'vitest';
import { folderCycles, folderGraph, loadGraph } from '../support/import-graph.js';

/** Folder imports that close today's cycles: `from → to`, and why they exist. */
// None left: a new cycle fails; add an entry here only with the reason it cannot be avoided yet.
const ALLOWED: Record<string, string> = {};

const folders = folderGraph(loadGraph());
const exists = (edge: string) => {
  const [from, to] = edge.split(' → ');
  return Boolean(folders.get(from!)?.has(to!));
};
const withoutAllowed = new Map(
  [...folders].map(([from, out]) => [from, new Map([...out].filter(([to]) => !(`${from} → ${to}` in ALLOWED)))]),
);

function explain(cycle: string[]): string {
  const hops = cycle.slice(0, -1).map((from, i) => `    ${folders.get(from)!.get(cycle[i + 1]!)![0]}`);
  return `${cycle.join(' → ')}\n${hops.join('\n')}`;
}

describe('import cycles between folders of src/ (esbuild metafile)', () => {
  it('sees the folders', () => {
    expect([...folders.keys()]).toEqual(expect.arrayContaining(['cli', 'engine', 'runbook', 'incident', 'timeline']));
  });

  it('has no cycle besides the ones closed by an allowed import', () => {
    const cycles = folderCycles(withoutAllowed).map(explain);
    expect(
      cycles,
      `a new import cycle between folders (each hop with one import that makes it); make the lower folder not import the higher one:\n${cycles.join('\n')}`,
    ).toEqual([]);
  });

  it('every allowed import still exists and still closes a cycle (else remove it from ALLOWED)', () => {
    const stale = Object.keys(ALLOWED).filter((edge) => {
      if (!exists(edge)) return true;
      const [from, to] = edge.split(' → ');
      return !folderCycles(folders).some((c) => c.some((f, i) => f === from && c[i + 1] === to));
    });
    expect(stale, 'these allowed imports no longer close a cycle: remove them from ALLOWED').toEqual([]);
  });
});
