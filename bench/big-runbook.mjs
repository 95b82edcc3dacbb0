#!/usr/bin/env node
// A stray 100 MB file in a runbook directory (issue 10, item 9b): what it costs `run` and
// `runbooks list`, against the same commands with only a small runbook in that directory,
// measured in the same run. Every command starts with a cold listing cache (its own state
// directory), which is the worst case: the first run after the file appeared.
//
//   npm run build && node bench/big-runbook.mjs
//
// The 100 MB file is a real one (not sparse), written of YAML lines, so a loader that reads it
// pays for it. Target: within 1.5x of the baseline (a size check costs a stat).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'bud-incident.js');
const work = mkdtempSync(join(tmpdir(), 'bud-incident-bench-big-'));
const small = join(work, 'small');
const big = join(work, 'big');
for (const d of [small, big]) {
  mkdirSync(d);
  copyFileSync(join(root, 'test', 'fixtures', 'faults', 'echo-input.yaml'), join(d, 'echo-input.yaml'));
}
const line = `  # ${'x'.repeat(95)}\n`;
writeFileSync(join(big, 'huge.yaml'), 'id: huge\ntitle: Huge\nsteps:\n' + line.repeat(Math.ceil((100 * 1024 * 1024) / line.length)));

let n = 0;
function measure(dir, args) {
  const env = { ...process.env, BUD_INCIDENT_HOME: join(work, `state-${n++}`), NO_COLOR: '1', BUD_INCIDENT_ACTOR: 'bench' };
  const start = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, bin, '--runbooks-dir', dir, ...args], { env, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const rssKb = Number(r.stderr.trim().split('\n').at(-1));
  return { ms, rssMb: rssKb / 1024, code: r.status };
}

const cases = [
  ['run echo-input --dry-run', ['run', 'echo-input', '--dry-run', '--var', 'value=x']],
  ['runbooks list', ['runbooks', 'list']],
  ['run huge', ['run', 'huge']],
];
for (const [name, args] of cases) {
  const base = measure(small, args);
  const with100 = measure(big, args);
  const ratio = with100.ms / base.ms;
  console.log(
    `${name.padEnd(26)} with a 100 MB runbook: ${with100.ms.toFixed(0)} ms, ${with100.rssMb.toFixed(0)} MB (exit ${with100.code}); ` +
      `without: ${base.ms.toFixed(0)} ms, ${base.rssMb.toFixed(0)} MB (exit ${base.code}) = ${ratio.toFixed(2)}x ${ratio <= 1.5 ? 'PASS' : 'MISS'}`,
  );
}
rmSync(work, { recursive: true, force: true });
