/**
 * The layering rules of eslint.config.js, checked on deliberately bad imports: so a change to the
 * config (a renamed folder, a widened pattern) cannot switch the rails off without a test failing.
 * Runs the project's own config with only the import rule, and without type information (the rule
 * needs none), on source text given as if it were a file of that folder.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';

const eslint = new ESLint({
  cwd: ROOT,
  overrideConfig: [{ languageOptions: { parserOptions: { projectService: false, project: null } } }],
  ruleFilter: ({ ruleId }) => ruleId === '@typescript-eslint/no-restricted-imports',
});

async function problems(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${ROOT}/${file}` });
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
}

describe('layering rules (eslint.config.js)', () => {
  const core = ['engine', 'incident', 'timeline', 'runbook', 'diagnosis', 'config', 'secrets', 'postmortem'];

  it.each(core)('src/%s never imports the command line or the views, not even a type', async (folder) => {
    for (const bad of [
      "import { runCommand } from '../cli/run.js';\nvoid runCommand;\n",
      "import type { Context } from '../cli/context.js';\nexport type C = Context;\n",
      "import { processTerminal } from '../render/terminal.js';\nvoid processTerminal;\n",
    ]) {
      const found = await problems(`src/${folder}/rail-probe.ts`, bad);
      expect(found, bad).toEqual([expect.stringMatching(/no-restricted-imports: .*never imports the command line/)]);
    }
  });

  it('the modules at the top of src/ (errors, duration, paths...) are core too; main.ts is not', async () => {
    const bad = "import { processTerminal } from './render/terminal.js';\nvoid processTerminal;\n";
    expect(await problems('src/rail-probe.ts', bad)).toHaveLength(1);
    expect(await problems('src/main.ts', bad)).toEqual([]);
  });

  it('src/render imports no module with side effects, but may name their types', async () => {
    for (const bad of [
      "import { systemClock } from '../adapters/clock.js';\nvoid systemClock;\n",
      "import { TIMELINE_FILE } from '../timeline/store.js';\nvoid TIMELINE_FILE;\n",
      "import { readFileSync } from 'node:fs';\nvoid readFileSync;\n",
      "import { execa } from 'execa';\nvoid execa;\n",
      "import { prepareConfig } from '../cli/context.js';\nvoid prepareConfig;\n",
    ]) {
      expect(await problems('src/render/rail-probe.ts', bad), bad).toHaveLength(1);
    }
    const fine = [
      "import type { Clock } from '../adapters/clock.js';",
      "import type { EngineEvent } from '../engine/events.js';",
      "import { formatDuration } from '../duration.js';",
      "import { guardedWriter } from './closed-output.js';",
      'export const x: [Clock?, EngineEvent?] = [];',
      'void formatDuration;',
      'void guardedWriter;',
    ].join('\n');
    expect(await problems('src/render/rail-probe.ts', fine)).toEqual([]);
  });

  it('the core may import the core', async () => {
    const fine =
      "import { formatDuration } from '../duration.js';\nimport type { Runbook } from '../runbook/schema.js';\nexport type R = Runbook;\nvoid formatDuration;\n";
    expect(await problems('src/engine/rail-probe.ts', fine)).toEqual([]);
  });
});
