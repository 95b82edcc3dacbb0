/**
 * A pipeline into a process streams as a shell's does (src/engine/pipeline.ts): real processes,
 * no shell. jq reads a 20 MiB JSON array whole (not the 4 MiB kept to judge); a stage that stops
 * reading early (`head -c`, jq on bad input) ends nothing badly; the command's own failure is the
 * step's; a timeout or a Ctrl-C ends every process of the pipeline; a drill's replayed output goes
 * through jq the same way. Tests needing jq are skipped, saying so, when it is not installed.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExecaShell } from '../../src/adapters/shell.js';
import { findProcesses } from '../../src/adapters/proctree.js';
import { runPipeline, type PipelineRun } from '../../src/engine/pipeline.js';
import { loadRunbook } from '../../src/runbook/load.js';
import { testRunbook } from '../../src/engine/test-scenarios.js';
import { auditExport } from '../support/audit-api.js';
import type { EngineEvent } from '../../src/engine/events.js';

const hasJq = spawnSync('jq', ['--version']).status === 0;
const MiB = 1024 * 1024;
const shell = new ExecaShell();

/** A program printing a JSON array of `n` entries of ~1 KiB (its last one a bulk export), as fast as its reader takes it. */
const jsonArray = (n: number) => [
  process.execPath,
  '-e',
  `const n=${n};let i=0;process.stdout.write('[');const w=()=>{while(i<n){const s=(i?',\\n':'')+JSON.stringify({action:i===n-1?'bulk_export':'read',pad:'x'.repeat(1000)});i++;if(!process.stdout.write(s))return process.stdout.once('drain',w);}process.stdout.write(']\\n');};w();`,
];

let runs = 0;
/** Runs a pipeline as the engine does; each stage tagged (proctree.ts) so what is left running is found. */
async function pipeline(
  argv: string[][],
  options: { timeoutMs?: number; signal?: AbortSignal; onFirstOutput?: () => void } = {},
): Promise<PipelineRun & { recorded: number; tag: string }> {
  const tag = `pipeline-test-${process.pid}-${++runs}/`;
  const timeoutMs = options.timeoutMs ?? 60_000;
  let recorded = 0;
  const run = await runPipeline(argv, {
    first: (onOutput) => shell.run({ argv: argv[0]!, timeoutMs, signal: options.signal, onOutput, tag: `${tag}step` }),
    process: (stage) =>
      shell.run({
        argv: stage.argv,
        stdin: stage.stdin,
        onOutput: stage.onOutput,
        timeoutMs: stage.timeoutMs,
        signal: options.signal ? AbortSignal.any([options.signal, stage.signal]) : stage.signal,
        tag: `${tag}step|${stage.index}`,
      }),
    onOutput: (stream, chunk) => {
      if (stream !== 'stdout') return;
      if (recorded === 0) options.onFirstOutput?.();
      recorded += Buffer.byteLength(chunk);
    },
    timeoutMs,
  });
  return { ...run, recorded, tag };
}

const leftOf = (tag: string) => findProcesses({ tag, prefix: true });

describe('a pipeline into a process', () => {
  it.skipIf(!hasJq)(
    '20 MiB of JSON array | jq -c: jq reads all of it (its last entry is judged), nothing cut (skipped without jq)',
    async () => {
      const r = await pipeline([jsonArray(21_000), ['jq', '-c', '.[] | {action}']]);
      expect(r.recorded).toBeGreaterThan(20 * MiB); // the command's own output, as recorded
      expect(r.result.outcome).toEqual({ kind: 'exited', exitCode: 0 });
      expect(r.filterError).toBeUndefined();
      expect(r.notes).toEqual([]);
      const lines = r.stdout.trim().split('\n');
      expect(lines).toHaveLength(21_000);
      expect(lines.at(-1)).toBe('{"action":"bulk_export"}');
    },
    60_000,
  );

  it.skipIf(!hasJq)(
    'in-process filters between stream too: cmd | grep | jq | tail -1 (skipped without jq)',
    async () => {
      const r = await pipeline([
        jsonArray(21_000),
        ['grep', 'action'],
        ['jq', '-R', '-c', 'ltrimstr("[") | rtrimstr(",") | rtrimstr("]") | fromjson | .action'],
        ['tail', '-1'],
      ]);
      expect(r.filterError).toBeUndefined();
      expect(r.stdout).toBe('"bulk_export"\n');
    },
    60_000,
  );

  it('only what the last stage prints is bounded: 20 MiB through `| cat` is judged as its first 4 Mi characters, said in a note', async () => {
    const r = await pipeline([jsonArray(21_000), ['cat']]);
    expect(r.stdout.length).toBe(4 * MiB);
    expect(r.notes).toEqual([
      expect.stringMatching(/^the check judged the first 4194304 characters of its filtered output \(\d+ more were not judged\)$/),
    ]);
  }, 60_000);

  it('a stage that stops reading early (`| /usr/bin/head -c 10`): no crash, no hang; the command is still read to its end', async () => {
    const r = await pipeline([jsonArray(21_000), ['/usr/bin/head', '-c', '10']]);
    expect(r.result.outcome).toEqual({ kind: 'exited', exitCode: 0 });
    expect(r.filterError).toBeUndefined();
    expect(r.stdout).toBe('[{"action"');
    expect(r.recorded).toBeGreaterThan(20 * MiB);
    expect(leftOf(r.tag)).toEqual([]);
  }, 60_000);

  it.skipIf(!hasJq)(
    'a middle stage whose reader stopped early (`| jq -c .[] | /usr/bin/head -c 5`) is not a failure (skipped without jq)',
    async () => {
      const r = await pipeline([jsonArray(21_000), ['jq', '-c', '.[]'], ['/usr/bin/head', '-c', '5']]);
      expect(r.result.outcome).toEqual({ kind: 'exited', exitCode: 0 });
      expect(r.filterError).toBeUndefined();
      expect(r.stdout).toBe('{"act');
      expect(leftOf(r.tag)).toEqual([]);
    },
    60_000,
  );

  it.skipIf(!hasJq)(
    'jq on invalid input exits at once: reported as jq failing, no crash, no hang (skipped without jq)',
    async () => {
      const r = await pipeline([
        [process.execPath, '-e', 'process.stdout.write("{not json ".repeat(2e6))'],
        ['jq', '.'],
      ]);
      expect(r.result.outcome).toEqual({ kind: 'exited', exitCode: 0 });
      expect(r.filterError).toMatch(/^jq \(in the pipeline\) .*parse error/);
      expect(r.recorded).toBe(20_000_000);
    },
    60_000,
  );

  it.skipIf(!hasJq)(
    'the command fails part-way (curl -f: exit 22): its failure is reported, not jq choking on the cut JSON (skipped without jq)',
    async () => {
      const r = await pipeline([
        ['sh', '-c', 'printf "[{\\"action\\":\\"read\\"},"; exit 22'],
        ['jq', '-c', '.[]'],
      ]);
      expect(r.result.outcome).toEqual({ kind: 'exited', exitCode: 22 });
      expect(r.filterError).toBeUndefined();
      expect(r.notes).toEqual([expect.stringMatching(/^also: jq \(in the pipeline\) /)]);
    },
  );

  it('a stage that is not installed is named', async () => {
    const r = await pipeline([['echo', '[]'], ['no-such-filter-program']]);
    expect(r.filterError).toBe("no-such-filter-program is not installed (not found on PATH); it is needed by this step's pipeline");
  });

  it('a timeout (shared by the whole pipeline) ends every process of it, a stage that never reads its input while the command floods included', async () => {
    const flood = [
      process.execPath,
      '-e',
      'const b=Buffer.alloc(1<<16,120);const w=()=>{while(process.stdout.write(b));process.stdout.once("drain",w)};w()',
    ];
    const r = await pipeline([flood, ['sleep', '30'], ['cat']], { timeoutMs: 1500 });
    expect(r.result.outcome).toEqual({ kind: 'timeout', timeoutMs: 1500 });
    expect(leftOf(r.tag)).toEqual([]);
  }, 30_000);

  it('a stage that outlives the command times out: the step times out, nothing left running', async () => {
    const r = await pipeline(
      [
        ['echo', 'x'],
        ['sleep', '30'],
      ],
      { timeoutMs: 1000 },
    );
    expect(r.result.outcome).toEqual({ kind: 'timeout', timeoutMs: 1000 });
    expect(leftOf(r.tag)).toEqual([]);
  }, 30_000);

  it('Ctrl-C ends every process of the pipeline: cancelled', async () => {
    const abort = new AbortController();
    const r = await pipeline([['sh', '-c', 'echo start; exec sleep 30'], ['cat'], ['sleep', '30']], {
      signal: abort.signal,
      onFirstOutput: () => abort.abort(),
    });
    expect(r.result.outcome).toEqual({ kind: 'cancelled' });
    expect(leftOf(r.tag)).toEqual([]);
  }, 30_000);
});

describe.skipIf(!hasJq)('a drill replays into jq the same way (skipped without jq)', () => {
  it('security-incident with a recorded ~20 MiB export whose last entry is a bulk export: data-exfiltration is raised', async () => {
    const files = readdirSync('runbooks').filter((f) => f.endsWith('.yaml'));
    const ids = new Set(files.map((f) => /^id:\s*(\S+)/m.exec(readFileSync(join('runbooks', f), 'utf8'))![1]!));
    const file = join('runbooks', 'security-incident.yaml');
    const loaded = loadRunbook(file, readFileSync(file, 'utf8'), ids).loaded!;
    const big = auditExport({ mib: 20, detail: 900, last: 'bulk_export' }).toString();
    loaded.runbook.scenarios = [
      loaded.runbook.scenarios.find((s) => s.id === 'healthy')!,
      {
        id: 'big-export',
        extends: 'healthy',
        outputs: { investigate: { stdout: big } },
        expectFindings: ['account-active', 'data-exfiltration', 'failed-logins'],
      },
    ];
    const results = await testRunbook(loaded, shell, {}, {});
    const r = results.find((x) => x.scenario === 'big-export')!;
    expect(r.stepErrors).toEqual([]);
    expect(r.raised.sort()).toEqual(['account-active', 'data-exfiltration', 'failed-logins']);
  }, 60_000);
});

describe('a check judged on part of its output', () => {
  const RUNBOOK = `id: big
title: Big output
summary: a check whose output is larger than what is kept to judge it
steps:
  - id: scan
    kind: check
    title: Scan the log
    run: "log-dump | grep -v DEBUG"
    readOnly: a test program
    expect:
      - notMatches: ERROR
        finding: { id: errors, message: "{{count}} errors: {{lines}}" }
`;
  const load = (stdout: string) => {
    const loaded = loadRunbook('big.yaml', RUNBOOK).loaded!;
    loaded.runbook.scenarios = [{ id: 'case', outputs: { scan: { stdout } }, expectFindings: [] }];
    return loaded;
  };

  it('finds nothing in the first 4 MiB of 6 MiB: could not check (the rest was not judged), never passed', async () => {
    const quiet = 'INFO all good\n'.repeat((6 * MiB) / 14);
    const [r] = await testRunbook(load(quiet), shell, {}, {});
    expect(r!.unchecked).toEqual(['scan']);
    expect(r!.raised).toEqual([]);
    // An error within the judged part is a finding, whatever lies beyond.
    const [e] = await testRunbook(load(`ERROR disk full\n${quiet}`), shell, {}, {});
    expect(e!.raised).toEqual(['errors']);
  }, 60_000);

  it('{{count}} counts every matching line, not only the ones quoted', async () => {
    const errors = Array.from({ length: 57 }, (_, i) => `ERROR request ${i} failed\n`).join('');
    const loaded = load(errors);
    let events: readonly EngineEvent[] = [];
    await testRunbook(loaded, shell, {}, {}, (_s, e) => void (events = e));
    const finding = events.find((e) => e.type === 'finding.raised') as { message?: string } | undefined;
    expect(finding?.message).toMatch(/^57 errors: /);
  }, 60_000);
});
