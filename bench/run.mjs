#!/usr/bin/env node
// Benchmarks for bud-incident. Every figure is compared with a baseline measured in the same run,
// on the same machine, so the ratios mean something on a loaded or slow box.
//
//   node bench/run.mjs            full run
//   node bench/run.mjs --quick    fewer repetitions (what CI runs)
//
// 1. Start-up: `bud-incident --help` and `bud-incident runbooks list` against a bare `node -e 0`.
//    Target: within 2x of bare node (median of N runs each, interleaved).
// 2. Concurrency: a runbook of 5 independent checks that each take 300 ms, run by the whole
//    `bud-incident run` process, against the same 5 commands run one after another by a shell
//    script. Target: under 0.45 s for bud-incident, at least 3x faster than the script.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'bud-incident.js');
const quick = process.argv.includes('--quick');
const N = quick ? 7 : 21;
const work = mkdtempSync(join(tmpdir(), 'bud-incident-bench-'));
const env = { ...process.env, BUD_INCIDENT_HOME: join(work, 'state'), NO_COLOR: '1', BUD_INCIDENT_ACTOR: 'bench' };

function time(cmd, args, options = {}) {
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'], ...options });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0 && !options.allowFail) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (ms) => `${ms.toFixed(1)} ms`;
const verdict = (ok) => (ok ? 'PASS' : 'MISS');
const results = [];

// --- 1. start-up ----------------------------------------------------------------------------
// `status` needs an incident: declare one (a drill, so a simulated run records in it) first.
spawnSync(process.execPath, [bin, 'declare', '--title', 'bench', '--severity', 'SEV1', '--drill', '--make-current'], {
  env,
  stdio: 'ignore',
});
spawnSync(process.execPath, [bin, 'run', 'platform-outage', '--simulate', 'database-failure', '--yes'], { env, stdio: 'ignore' });
const cases = {
  'node -e 0': [process.execPath, ['-e', '0']],
  'bud-incident --help': [process.execPath, [bin, '--help']],
  'bud-incident runbooks list': [process.execPath, [bin, 'runbooks', 'list']],
  'bud-incident status': [process.execPath, [bin, 'status']],
};
// Warm the file cache and the runbook summary cache once, as any second invocation would find it.
for (const [cmd, args] of Object.values(cases)) time(cmd, args);
const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let i = 0; i < N; i++) for (const [name, [cmd, args]] of Object.entries(cases)) samples[name].push(time(cmd, args));
const bare = median(samples['node -e 0']);
console.log(`Start-up (median of ${N}, interleaved)`);
for (const [name, xs] of Object.entries(samples)) {
  const m = median(xs);
  const ratio = m / bare;
  const line = `  ${name.padEnd(28)} ${fmt(m).padStart(10)}   ${ratio.toFixed(2)}x bare node`;
  if (name === 'node -e 0') console.log(line + '   (baseline)');
  else {
    // The issue's target covers --help and runbooks list; status is reported (the product page asks for "tens of ms").
    const targeted = name !== 'bud-incident status';
    console.log(targeted ? `${line}   target <= 2.00x  ${verdict(ratio <= 2)}` : `${line}   (informative)`);
    if (targeted) results.push({ name, ok: ratio <= 2 });
  }
}

// --- 2. concurrency ---------------------------------------------------------------------------
const rbDir = join(work, 'runbooks');
mkdirSync(rbDir);
const checks = [1, 2, 3, 4, 5].map(
  (i) =>
    `  - { id: c${i}, kind: check, title: "Check ${i}", run: "sleep 0.3", parallel: true, expect: [{ exitCode: 0, finding: { id: f${i}, message: "failed" } }] }`,
);
writeFileSync(
  join(rbDir, 'bench-concurrency.yaml'),
  `id: bench-concurrency\ntitle: Five independent checks\nsummary: Benchmark\nsteps:\n${checks.join('\n')}\n`,
);
const script = join(work, 'sequential.sh');
writeFileSync(script, '#!/bin/sh\nsleep 0.3\nsleep 0.3\nsleep 0.3\nsleep 0.3\nsleep 0.3\n');
const runArgs = [bin, 'run', 'bench-concurrency', '--yes', '--runbooks-dir', rbDir];
time(process.execPath, runArgs);
const engineSamples = [];
const scriptSamples = [];
for (let i = 0; i < (quick ? 3 : 7); i++) {
  engineSamples.push(time(process.execPath, runArgs));
  scriptSamples.push(time('/bin/sh', [script]));
}
const engineMs = median(engineSamples);
const scriptMs = median(scriptSamples);
const speedup = scriptMs / engineMs;
console.log(`\nConcurrency: 5 checks of 300 ms each (median of ${engineSamples.length})`);
console.log(`  sequential shell script       ${fmt(scriptMs).padStart(10)}   (baseline)`);
console.log(`  bud-incident run (whole proc) ${fmt(engineMs).padStart(10)}   target < 450 ms  ${verdict(engineMs < 450)}`);
console.log(`  speed-up                      ${speedup.toFixed(2).padStart(7)}x     target >= 3x     ${verdict(speedup >= 3)}`);
results.push({ name: 'concurrency wall time', ok: engineMs < 450 }, { name: 'concurrency speed-up', ok: speedup >= 3 });

rmSync(work, { recursive: true, force: true });
const missed = results.filter((r) => !r.ok);
console.log(
  `\n${results.length - missed.length} of ${results.length} targets met${missed.length ? `; missed: ${missed.map((r) => r.name).join(', ')}` : ''}`,
);
// Figures are informative; pass --strict to fail on a missed target.
process.exit(process.argv.includes('--strict') && missed.length ? 1 : 0);
