/**
 * Start-up laziness rail: no heavy package is loaded before a command asks for it.
 *
 * The Kubernetes client costs ~310 ms to import, execa ~61, @inquirer/prompts ~43, zod ~39 and
 * yaml ~20 (docs: /work/shared/design/stack-notes.md), against ~50 ms for a bare `node`. The CLI
 * keeps them behind `import()`: main.ts loads each command's module with `import()`, and the
 * adapters load the client, execa and the prompts on first use. One static `import` in the wrong
 * file undoes that for every command that reaches it, so this test walks the static imports of
 * the built bundle (dist/meta.json, the esbuild metafile) and names the chain that reaches a heavy
 * package.
 *
 * Lean: main.ts (`--help`, `--version`, and what runs before every command) and every command
 * module main.ts loads with import() (today: incident.ts for status, declare, update…,
 * checklist.ts, timeline.ts, postmortem.ts, run.ts, triage.ts, config.ts, runbooks-list.ts…), so
 * a new command is lean unless it is listed in HEAVY_ALLOWED with why.
 */
import { describe, expect, it } from 'vitest';
import { loadGraph, packageOf, showChain, staticChain } from '../support/import-graph.js';

const HEAVY = ['@kubernetes/client-node', 'zod', 'yaml', '@inquirer/prompts', 'execa', 'pg'];

/** Command modules that may load some heavy packages as soon as they are loaded, and why. */
const HEAVY_ALLOWED: Record<string, { packages: string[]; why: string }> = {
  'src/cli/runbooks.ts': {
    packages: ['zod', 'yaml'],
    why: '`runbooks validate/show/test/schema` parse runbooks and print the JSON Schema (`runbooks list` has its own lean module)',
  },
};

const ENTRY = 'src/main.ts';
const graph = loadGraph();

/**
 * The command modules: what main.ts, or a module it imports statically (a command table), loads
 * with import() from src/cli/. Found from the graph, so a new or renamed command is checked too.
 */
function findCommandModules(): string[] {
  const loadedAtStart = new Set([ENTRY]);
  const queue = [ENTRY];
  const found = new Set<string>();
  while (queue.length) {
    for (const edge of graph.get(queue.shift()!) ?? []) {
      if (edge.dynamic) {
        if (edge.to.startsWith('src/cli/')) found.add(edge.to);
      } else if (!loadedAtStart.has(edge.to)) {
        loadedAtStart.add(edge.to);
        queue.push(edge.to);
      }
    }
  }
  return [...found].sort();
}
const commandModules = findCommandModules();

function heavyChains(from: string, allowed: string[] = []): string[] {
  const chains: string[] = [];
  for (const heavy of HEAVY.filter((h) => !allowed.includes(h))) {
    const chain = staticChain(graph, from, (p) => packageOf(p) === heavy);
    if (chain) chains.push(showChain(chain));
  }
  return chains;
}

describe('start-up stays lean (static imports of the built bundle)', () => {
  it('finds the entry point and the command modules it loads with import()', () => {
    expect(graph.has(ENTRY)).toBe(true);
    // If this drops, main.ts stopped loading commands lazily and the walk below would check little.
    expect(commandModules.length, `command modules loaded with import(): ${commandModules.join(', ')}`).toBeGreaterThanOrEqual(5);
    for (const allowed of Object.keys(HEAVY_ALLOWED))
      expect(commandModules, `HEAVY_ALLOWED names ${allowed}, which main.ts no longer loads: remove it`).toContain(allowed);
  });

  it('--help, --version and the set-up of every command (main.ts) load no heavy package', () => {
    const chains = heavyChains(ENTRY);
    expect(chains, `main.ts reaches a heavy package through static imports; make the last link an import():\n${chains.join('\n')}`).toEqual(
      [],
    );
  });

  it('each command module loads heavy packages only through import(), unless listed with a reason', () => {
    const problems = commandModules.flatMap((m) => heavyChains(m, HEAVY_ALLOWED[m]?.packages));
    expect(
      problems,
      `a command module reaches a heavy package through static imports (status, declare, update, checklist, timeline… would pay for it at start-up); make a link an import() or list the module in HEAVY_ALLOWED with why:\n${problems.join('\n')}`,
    ).toEqual([]);
  });
});
