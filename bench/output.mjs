#!/usr/bin/env node
// Memory and time of `bud-incident run` on a flood of output, against a baseline measured in the
// same run: the same bytes read by `cat > /dev/null` (the cost of the bytes themselves).
//
//   node bench/output.mjs                 1 GB (1000 MB) per check
//   node bench/output.mjs --mb 100        the size CI runs
//   node bench/output.mjs --only tail,sort
//   node bench/output.mjs --mb 200 --only tail,cat,jq   a stage that is its own process, streamed into
//
// Checks: the flood alone, `| tail -5`, `| grep -c on`, `| sort` (a stage that must hold its input:
// capped, and said), `| cat` and `| jq -R -c .` (their own processes: the whole flood streamed
// into their standard input, only what they print kept, 4 Mi characters), each with --json (every output chunk printed, up to the cap) and the human
// view in a pipe. Peak RSS is the CLI's (GNU time's maximum resident set size). Bounded means it
// does not grow with the size: run with --mb 100 and --mb 1000 and compare.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'bud-incident.js');
const mbArg = process.argv.indexOf('--mb');
const mb = mbArg > 0 ? Number(process.argv[mbArg + 1]) : 1000;
const bytes = mb * 1_000_000;
const work = mkdtempSync(join(tmpdir(), 'bud-incident-bench-output-'));
const fixtures = join(root, 'test', 'fixtures', 'bin');
const env = {
  ...process.env,
  PATH: `${fixtures}:${process.env.PATH}`,
  BUD_INCIDENT_HOME: join(work, 'state'),
  NO_COLOR: '1',
  BUD_INCIDENT_ACTOR: 'bench',
};
const all = { alone: '', tail: ' | tail -5', grep: ' | grep -c on', sort: ' | sort', cat: ' | cat', jq: ' | jq -R -c .' };
// --only tail,sort: some of them (a 1 GB run of all twelve takes minutes).
const onlyArg = process.argv.indexOf('--only');
const pipelines = Object.fromEntries(
  Object.entries(all).filter(([id]) => onlyArg < 0 || process.argv[onlyArg + 1].split(',').includes(id)),
);
mkdirSync(join(work, 'runbooks'));
for (const [id, pipe] of Object.entries(pipelines))
  writeFileSync(
    join(work, 'runbooks', `flood-${id}.yaml`),
    `id: flood-${id}\ntitle: flood ${id}\nsummary: bench\nsteps:\n  - id: flood\n    kind: check\n    title: flood\n    run: noisy-flood ${bytes}${pipe}\n    readOnly: a bench fixture that prints text\n    timeout: 600s\n`,
  );

function measure(args) {
  const start = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, ...args], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const s = Number(process.hrtime.bigint() - start) / 1e9;
  const lines = r.stderr.toString().trim().split('\n');
  return { s, rssMiB: Number(lines[lines.length - 1]) / 1024, status: r.status };
}

const base = (() => {
  const start = process.hrtime.bigint();
  spawnSync('sh', ['-c', `noisy-flood ${bytes} > /dev/null`], { env });
  return Number(process.hrtime.bigint() - start) / 1e9;
})();
console.log(`${mb} MB of output per check; baseline: the same bytes to /dev/null in ${base.toFixed(2)} s\n`);
console.log('pipeline            mode    peak RSS   time     time / baseline   exit');
// A run that did not pass measured something else (a refused check, a crash): the figures would lie.
const failed = [];
for (const id of Object.keys(pipelines)) {
  for (const mode of ['--json', 'human']) {
    const args = [bin, 'run', `flood-${id}`, '--yes', '--runbooks-dir', join(work, 'runbooks'), ...(mode === '--json' ? ['--json'] : [])];
    const m = measure(args);
    if (m.status !== 0) failed.push(`flood${pipelines[id]} ${mode}: exit ${m.status}`);
    console.log(
      `${`flood${pipelines[id]}`.padEnd(20)}${mode.padEnd(8)}${`${m.rssMiB.toFixed(0)} MiB`.padStart(8)}  ${`${m.s.toFixed(1)} s`.padStart(7)}   ${`${(m.s / base).toFixed(1)}×`.padStart(8)}          ${m.status}`,
    );
  }
}
rmSync(work, { recursive: true, force: true });
if (failed.length) {
  console.log(`\nFAILED: every run must pass (exit 0): ${failed.join('; ')}`);
  process.exit(1);
}
