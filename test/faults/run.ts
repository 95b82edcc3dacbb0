// The long fault runs, with figures (docs/reliability.md quotes them).
//   node --import tsx test/faults/run.ts            200 kills, 4 × 2,000 concurrent events, 5,000 fuzzed inputs, 500 MB of output
//   node --import tsx test/faults/run.ts --quick    the size CI runs
import { concurrentWriters, FAULT_RUNBOOKS, killDrill, processesOf, uniqueToken } from '../support/faults.js';
import { fuzzLoaders, hostileDocuments } from '../support/fuzz.js';
import { jsonLines, sandbox } from '../support/cli.js';
import { loadRunbook } from '../../src/runbook/load.js';

const quick = process.argv.includes('--quick');
const size = {
  kills: quick ? 30 : 200,
  writers: 4,
  each: quick ? 500 : 2000,
  fuzz: quick ? 1000 : 5000,
  floodBytes: quick ? 100_000_000 : 500_000_000,
};
let failures = 0;
const line = (ok: boolean, text: string) => {
  if (!ok) failures++;
  console.log(`${ok ? 'PASS' : 'FAIL'}  ${text}`);
};

let t = Date.now();
const kill = await killDrill(size.kills);
line(
  kill.verifyFailures.length === 0 && kill.duplicateSteps.length === 0 && kill.missingSteps.length === 0 && kill.finished,
  `kill -9: ${kill.kills} kills at random moments; timeline verified after every one (${kill.verifyFailures.length} failures, ${kill.tornLinesSeen} torn last lines seen); resumed run finished with ${kill.duplicateSteps.length} steps recorded twice and ${kill.missingSteps.length} lost; ${kill.events} events (${((Date.now() - t) / 1000).toFixed(0)} s)`,
);
for (const f of kill.verifyFailures.slice(0, 5)) console.log(`      ${f}`);

t = Date.now();
const cw = await concurrentWriters(size.writers, size.each);
line(
  cw.ok && cw.missing === 0 && cw.perWriterInOrder && cw.events === 1 + size.writers * size.each,
  `concurrent writers: ${size.writers} processes × ${size.each} events = ${size.writers * size.each} written at once; ${cw.missing} lost, order per writer kept: ${cw.perWriterInOrder}, chain verifies: ${cw.ok} (${cw.events} events, ${((Date.now() - t) / 1000).toFixed(1)} s)`,
);

t = Date.now();
const fz = fuzzLoaders(size.fuzz);
const hostile = hostileDocuments().map((d) => {
  const t0 = Date.now();
  const r = loadRunbook('h.yaml', d.text);
  return { name: d.name, ms: Date.now() - t0, ok: Boolean(r.loaded) || r.diagnostics.length > 0 };
});
line(
  fz.crashes.length === 0 && fz.unpositioned === 0 && hostile.every((h) => h.ok),
  `loaders: ${fz.inputs} fuzzed inputs + ${hostile.length} hostile documents (${hostile.map((h) => `${h.name} ${h.ms} ms`).join(', ')}); ${fz.crashes.length} crashes, ${fz.unpositioned} diagnostics without a position (${((Date.now() - t) / 1000).toFixed(1)} s)`,
);

t = Date.now();
const box = sandbox();
const token = uniqueToken();
const r = await box.run(
  ['run', 'noisy', '--yes', '--json', '--runbooks-dir', FAULT_RUNBOOKS, '--var', `bytes=${size.floodBytes}`, '--var', `token=${token}`],
  { timeoutMs: 300_000 },
);
const events = jsonLines(r.stdout);
const flood = events.find((e) => e.type === 'step.finished' && e.stepId === 'floods');
const mark = events.find((e) => e.type === 'step.output.truncated' && e.stepId === 'floods');
const left = processesOf(token);
line(
  flood?.stdout?.truncated === true &&
    flood.stdout.totalBytes === size.floodBytes &&
    mark?.totalBytes === size.floodBytes &&
    left.length === 0,
  `noisy commands: SIGTERM ignored → killed at its timeout; forked children, a background child and a setsid daemon → ended (${left.length ? `LEFT BEHIND: ${left.join(', ')}` : 'none left'}); ${(size.floodBytes / 1e6).toFixed(0)} MB of output → ${(flood?.stdout?.bytes ?? 0) / 1048576} MiB artifact and ${(mark?.shownBytes ?? 0) / 1048576} MiB printed by --json, truncated and recorded (${((Date.now() - t) / 1000).toFixed(1)} s)`,
);

console.log(`\n${failures === 0 ? 'all fault runs passed' : `${failures} fault run(s) FAILED`}`);
process.exit(failures ? 1 : 0);
