/** Property-based fuzzing of the YAML loaders: never a crash, always a positioned diagnostic. */
import fc from 'fast-check';
import { loadRunbook } from '../../src/runbook/load.js';
import { parseChecklist } from '../../src/incident/checklist.js';
import { parsePolicy } from '../../src/incident/policy.js';
import { YamlSource } from '../../src/runbook/diagnostics.js';

const yamlish = fc.oneof(
  fc.string({ maxLength: 400 }),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.jsonValue({ maxDepth: 6 }).map((v) => JSON.stringify(v)),
  fc
    .array(
      fc.constantFrom(
        'id: x\n',
        'steps:\n',
        '  - id: a\n',
        '    kind: check\n',
        '    run: kubectl get pods | grep x\n',
        '    run: a; b\n',
        'title: {{x}}\n',
        '  - [',
        ': :\n',
        '\t',
        '&a [*a]\n',
        '*b\n',
        '!!binary x\n',
        '- ',
        'summary: |\n  text\n',
        'expect: [{notMatches: "(", finding: {id: x, message: y}}]\n',
      ),
      { maxLength: 40 },
    )
    .map((a) => a.join('')),
  fc.integer({ min: 1, max: 200 }).map((d) => '['.repeat(d) + ']'.repeat(d)),
  fc.integer({ min: 1, max: 120 }).map((d) => Array.from({ length: d }, (_, i) => ' '.repeat(i) + 'a:').join('\n')),
);

export interface FuzzReport {
  inputs: number;
  crashes: string[];
  unpositioned: number;
}

/** Runs `runs` random inputs through the runbook, checklist and policy loaders. */
export function fuzzLoaders(runs: number, seed?: number): FuzzReport {
  const report: FuzzReport = { inputs: 0, crashes: [], unpositioned: 0 };
  fc.assert(
    fc.property(yamlish, (text) => {
      report.inputs++;
      try {
        const r = loadRunbook('fuzz.yaml', text, new Set(['platform-outage']));
        if (!r.loaded && r.diagnostics.length === 0) report.unpositioned++;
        for (const d of r.diagnostics) if (!(d.line >= 1 && d.col >= 1)) report.unpositioned++;
        parseChecklist(new YamlSource('c.yaml', text));
        parsePolicy(new YamlSource('p.yaml', text));
      } catch (error) {
        report.crashes.push(`${(error as Error).message} on ${JSON.stringify(text).slice(0, 200)}`);
      }
      return true;
    }),
    { numRuns: runs, ...(seed !== undefined ? { seed } : {}) },
  );
  return report;
}

/** The billion-laughs and a huge file: bounded, positioned. */
export function hostileDocuments(): Array<{ name: string; text: string }> {
  let bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
  for (let i = 0; i < 8; i++)
    bomb += `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9)
      .fill(`*${String.fromCharCode(97 + i)}`)
      .join(',')}]\n`;
  const huge =
    'id: huge\ntitle: Huge\nsummary: s\nsteps:\n' +
    Array.from({ length: 20000 }, (_, i) => `  - { id: s${i}, kind: manual, title: T, instructions: I }\n`).join('');
  const deep = 'id: deep\n' + 'x:\n'.padEnd(0) + Array.from({ length: 500 }, (_, i) => ' '.repeat(i + 1) + 'a:').join('\n');
  return [
    { name: 'alias bomb', text: bomb },
    { name: '20,000 steps', text: huge },
    { name: '500 levels deep', text: deep },
    { name: 'unicode', text: 'id: ünïcødé\ntitle: "🚨\u202e"\nsummary: "\u0000"\nsteps: []\n' },
  ];
}
