/**
 * Which typescript-eslint set applies where (eslint.config.js): the strict set over src/, the
 * recommended one over test/. Checked with rules of the strict set that need no type information,
 * on source text given as if it were a file of that folder, so a config edit that drops src/ back
 * to the recommended set fails here.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.js';

const STRICT_ONLY = ['@typescript-eslint/no-non-null-assertion', '@typescript-eslint/no-dynamic-delete'];

const eslint = new ESLint({
  cwd: ROOT,
  overrideConfig: [{ languageOptions: { parserOptions: { projectService: false, project: null } } }],
  ruleFilter: ({ ruleId }) => STRICT_ONLY.includes(ruleId),
});

async function rules(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${ROOT}/${file}` });
  return (result?.messages ?? []).map((m) => m.ruleId ?? `parse: ${m.message}`);
}

const code = [
  'const seen = new Map<string, number>();',
  "export const n = seen.get('a')!;",
  'const o: Record<string, number> = {};',
  'export function drop(k: string): void { delete o[k]; }',
  '',
].join('\n');

describe('strictTypeChecked over src/, recommendedTypeChecked over test/ (eslint.config.js)', () => {
  it.each(['src/incident/strict-probe.ts', 'src/cli/strict-probe.ts', 'src/strict-probe.ts'])(
    '%s gets the strict rules: a non-null assertion and a dynamic delete are reported',
    async (file) => {
      expect(await rules(file, code)).toEqual(STRICT_ONLY);
    },
  );

  it('tests keep the recommended set: they read untyped JSON and CLI output', async () => {
    expect(await rules('test/unit/strict-probe.test.ts', code)).toEqual([]);
  });
});
