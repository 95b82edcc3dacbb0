// The long fault runs, with figures (docs/reliability.md quotes them).
//   node --import tsx test/faults/run.ts            200 kills, 4 × 2,000 concurrent events, 16 writers with the lock holder
//                                                   stopped 30 s, 5,000 fuzzed inputs, 500 MB of output
//   node --import tsx test/faults/run.ts --quick    the size CI runs (the lock holder stopped 5 s)
//   --only NAME[,NAME]                              run only some: kill, writers, stall, fuzz, noisy
//   --stall-seconds N --stall-writers N --stall-each N   the size of the stalled-lock-holder run
import { concurrentWriters, FAULT_RUNBOOKS, killDrill, processesOf, stalledLockHolder, uniqueToken } from '../support/faults.js';
import { fuzzLoaders, hostileDocuments } from '../support/fuzz.js';
import { jsonLines, sandbox } from '../support/cli.js';
import { loadRunbook } from '../../src/runbook/load.js';

const quick = process.argv.includes('--quick');
const flag = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const only = flag('--only')?.split(',');
const runs = (name: string) => !only || only.includes(name);
const size = {
  kills: quick ? 30 : 200,
  writers: 4,
  each: quick ? 500 : 2000,
  stallWriters: Number(flag('--stall-writers') ?? 16),
  stallEach: Number(flag('--stall-each') ?? (quick ? 50 : 200)),
  stallMs: Number(flag('--stall-seconds') ?? (quick ? 5 : 30)) * 1000,
  fuzz: quick ? 1000 : 5000,
  floodBytes: quick ? 100_000_000 : 500_000_000,
};
let failures = 0;
const line = (ok: boolean, text: string) => {
  if (!ok) failures++;
  console.log(`${ok ? 'PASS' : 'FAIL'}  ${text}`);
};

let t = Date.now();
if (runs('kill')) {
  const kill = await killDrill(size.kills);
  line(
    kill.verifyFailures.length === 0 && kill.duplicateSteps.length === 0 && kill.missingSteps.length === 0 && kill.finished,
    `kill -9: ${kill.kills} kills at random moments; timeline verified after every one (${kill.verifyFailures.length} failures, ${kill.tornLinesSeen} torn last lines seen); resumed run finished with ${kill.duplicateSteps.length} steps recorded twice and ${kill.missingSteps.length} lost; ${kill.events} events (${((Date.now() - t) / 1000).toFixed(0)} s)`,
  );
  for (const f of kill.verifyFailures.slice(0, 5)) console.log(`      ${f}`);
}

t = Date.now();
if (runs('writers')) {
  const cw = await concurrentWriters(size.writers, size.each);
  line(
    cw.ok && cw.missing === 0 && cw.perWriterInOrder && cw.events === 1 + size.writers * size.each,
    `concurrent writers: ${size.writers} processes × ${size.each} events = ${size.writers * size.each} written at once; ${cw.missing} lost, order per writer kept: ${cw.perWriterInOrder}, chain verifies: ${cw.ok} (${cw.events} events, ${((Date.now() - t) / 1000).toFixed(1)} s)`,
  );
}

t = Date.now();
if (runs('stall')) {
  const st = await stalledLockHolder(size.stallWriters, size.stallEach, size.stallMs);
  const expected = 1 + size.stallWriters * size.stallEach;
  line(
    st.ok && st.missing === 0 && st.perWriterInOrder && st.seqs1ToN && st.events === expected,
    `stalled lock holder: ${size.stallWriters} processes × ${size.stallEach} events, writer pid ${st.stoppedPid} stopped (SIGSTOP) ${(st.stoppedMs / 1000).toFixed(1)} s while holding the lock, then continued; ${st.missing} lost, seq 1..n without duplicates: ${st.seqs1ToN}, order per writer kept: ${st.perWriterInOrder}, chain verifies: ${st.ok}${st.reason ? ` (${st.reason})` : ''}; ${st.told} of ${size.stallWriters - 1} waiting writers told who held the lock (${st.events} events, ${((Date.now() - t) / 1000).toFixed(1)} s)`,
  );
}

t = Date.now();
if (runs('fuzz')) {
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
}

t = Date.now();
if (runs('noisy')) {
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
}

console.log(`\n${failures === 0 ? 'all fault runs passed' : `${failures} fault run(s) FAILED`}`);
process.exit(failures ? 1 : 0);
