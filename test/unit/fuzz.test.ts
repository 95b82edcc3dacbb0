import { describe, expect, it } from 'vitest';
import { loadRunbook } from '../../src/runbook/load.js';
import { fuzzLoaders, hostileDocuments } from '../support/fuzz.js';

describe('hostile input to the loaders', () => {
  it('random YAML-ish input: no crash, every problem positioned (600 inputs)', () => {
    const r = fuzzLoaders(600);
    expect(r.crashes).toEqual([]);
    expect(r.unpositioned).toBe(0);
    expect(r.inputs).toBe(600);
  });

  it.each(hostileDocuments().map((d) => [d.name, d.text]))('%s: bounded, with a diagnostic or a result', (_name, text) => {
    // Bounded in time by the test's own timeout; how long a huge runbook takes is bench/big-runbook.mjs's figure
    // (a wall-clock assertion here fails on a busy machine, not on slow code).
    const r = loadRunbook('hostile.yaml', text);
    expect(Boolean(r.loaded) || r.diagnostics.length > 0).toBe(true);
    for (const d of r.diagnostics) expect(d.line).toBeGreaterThanOrEqual(1);
  });
});
