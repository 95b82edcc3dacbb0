// Scale benchmark: a timeline of 100,000 events (a long incident: a chatty scribe, many runs with
// findings and large artifacts) is verified, folded and rendered into its post-mortem by the CLI.
//   node --import tsx bench/postmortem.ts [--events N]
// Target: under 2 s and under 200 MB for `postmortem generate` (verify + fold + render + write),
// with memory not growing with artifact sizes. Baseline in the same run: reading and JSON-parsing
// every line in a bare node process.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, writeSync, closeSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeLongIncident } from './long-incident.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = process.argv.indexOf('--events');
const N = arg > 0 ? Number(process.argv[arg + 1]) : 100_000;
const work = mkdtempSync(join(tmpdir(), 'bud-incident-scale-'));
const id = '2026-11-28-long-incident';
const dir = join(work, 'state', 'incidents', id);
mkdirSync(join(dir, 'artifacts', 'r-1'), { recursive: true });
writeFileSync(join(work, 'state', 'current'), id + '\n');

// Artifacts: 8 files of 16 MiB each (128 MiB of command output the post-mortem must not load).
const chunk = Buffer.alloc(1024 * 1024, 'kubectl output line that nobody reads in full\n');
for (let a = 0; a < 8; a++) {
  const fd = openSync(join(dir, 'artifacts', 'r-1', `step-${a}.stdout.txt`), 'w');
  for (let i = 0; i < 16; i++) writeSync(fd, chunk);
  closeSync(fd);
}

// The events: the mix of bench/long-incident.ts (shared with bench/team.ts).
const size = writeLongIncident(join(work, 'state'), id, N);
const env = { ...process.env, BUD_INCIDENT_HOME: join(work, 'state'), NO_COLOR: '1' };
const bin = join(root, 'bin', 'bud-incident.js');
const hasTime = existsSync('/usr/bin/time');

function measure(args: string[]): { s: number; mb: number | undefined } {
  if (hasTime) {
    const r = spawnSync('/usr/bin/time', ['-f', '%e %M', ...args], { env, encoding: 'utf8' });
    const [s, kb] = r.stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
    return { s: s!, mb: kb! / 1024 };
  }
  const start = performance.now();
  execFileSync(args[0]!, args.slice(1), { env, stdio: 'ignore' });
  return { s: (performance.now() - start) / 1000, mb: undefined };
}
const fmt = (m: { s: number; mb: number | undefined }) =>
  `${m.s.toFixed(2)} s, ${m.mb === undefined ? '? (no /usr/bin/time)' : `${m.mb.toFixed(0)} MB peak`}`;

const baseline = measure([
  process.execPath,
  '-e',
  `const fs=require('fs');let n=0;for(const l of fs.readFileSync(${JSON.stringify(join(dir, 'timeline.jsonl'))},'utf8').split('\\n'))if(l)JSON.parse(l),n++;`,
]);
const verify = measure([process.execPath, bin, 'timeline', 'verify']);
const pm = measure([process.execPath, bin, 'postmortem', 'generate', '-o', join(work, 'pm.md')]);
const ok = pm.s < 2 && (pm.mb === undefined || pm.mb < 200);
console.log(`Scale: ${N.toLocaleString('en')} events (${(size / 1048576).toFixed(0)} MiB timeline), 128 MiB of artifacts`);
console.log(`  baseline: read + JSON.parse every line (bare node)   ${fmt(baseline)}`);
console.log(`  bud-incident timeline verify                         ${fmt(verify)}`);
console.log(`  bud-incident postmortem generate (verify+fold+render) ${fmt(pm)}   target < 2 s and < 200 MB  ${ok ? 'PASS' : 'MISS'}`);
console.log(`  post-mortem written: ${(statSync(join(work, 'pm.md')).size / 1048576).toFixed(1)} MiB`);
