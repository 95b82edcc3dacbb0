/**
 * Fault drills shared by the fast tests (`npm test`) and the long runs (`test/faults/run.ts`):
 * kill -9 at random moments, concurrent writers, hung and noisy commands.
 */
import { spawn } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, ROOT, sandbox, type Sandbox } from './cli.js';
import { verifyTimeline, readEvents } from '../../src/timeline/store.js';

export const FAULT_RUNBOOKS = join(ROOT, 'test', 'fixtures', 'faults');

function currentTimeline(box: Sandbox): string | undefined {
  const cur = join(box.home, 'current');
  if (!existsSync(cur)) return undefined;
  return join(box.home, 'incidents', readFileSync(cur, 'utf8').trim(), 'timeline.jsonl');
}

/** Starts a simulated run and kills it with SIGKILL after `afterMs`. */
async function runAndKill(box: Sandbox, args: string[], afterMs: number): Promise<void> {
  const child = spawn(process.execPath, [BIN, ...args], { env: box.env, cwd: box.dir, stdio: 'ignore' });
  // Listen first: the run may finish before the kill.
  const closed = new Promise((r) => child.on('close', r));
  await Promise.race([new Promise((r) => setTimeout(r, afterMs)), closed]);
  child.kill('SIGKILL');
  await closed;
}

export interface KillReport {
  kills: number;
  verifyFailures: string[];
  tornLinesSeen: number;
  duplicateSteps: string[];
  missingSteps: string[];
  finished: boolean;
  events: number;
}

/**
 * Kills `run fault-drill` at random points `kills` times, checking after each kill that the
 * timeline verifies; then resumes until the run finishes and checks no step was recorded twice or lost.
 */
export async function killDrill(kills: number, random: () => number = Math.random): Promise<KillReport> {
  const box = sandbox();
  const base = ['run', 'fault-drill', '--simulate', 'healthy', '--yes', '--runbooks-dir', FAULT_RUNBOOKS];
  const report: KillReport = {
    kills: 0,
    verifyFailures: [],
    tornLinesSeen: 0,
    duplicateSteps: [],
    missingSteps: [],
    finished: false,
    events: 0,
  };
  for (let i = 0; i < kills; i++) {
    const tl = currentTimeline(box);
    const resumable = tl ? [...readEvents(tl)].some((e) => e.type === 'run.started') : false;
    // Between 40 and 900 ms: before the first event, during start-up, and across the steps.
    await runAndKill(box, resumable ? [...base, '--resume'] : base, 40 + Math.floor(random() * 860));
    report.kills++;
    const path = currentTimeline(box);
    if (!path) continue;
    const v = verifyTimeline(path);
    if (!v.ok) report.verifyFailures.push(`kill ${i}: line ${v.firstBad?.line}: ${v.firstBad?.reason}`);
    if (v.torn) report.tornLinesSeen++;
    // A run that finished before the kill: start the next kill on a fresh run in the same incident.
    const events = [...readEvents(path)];
    if (events.at(-1)?.type === 'run.finished' && i < kills - 1) continue;
  }
  // Finish: resume until the last run completes.
  for (let attempt = 0; attempt < 5; attempt++) {
    const path = currentTimeline(box);
    const events = path ? [...readEvents(path)] : [];
    const last = [...events]
      .reverse()
      .find((e) => e.type === 'run.started' || e.type === 'run.finished' || e.type === 'run.aborted' || e.type === 'run.resumed');
    if (last?.type === 'run.finished') break;
    const r = await box.run(events.some((e) => e.type === 'run.started') ? [...base, '--resume'] : base);
    if (r.code === 2) await box.run(base);
  }
  const path = currentTimeline(box)!;
  const v = verifyTimeline(path);
  if (!v.ok) report.verifyFailures.push(`final: line ${v.firstBad?.line}: ${v.firstBad?.reason}`);
  const events = [...readEvents(path)];
  report.events = events.length;
  const lastStart = [...events].reverse().find((e) => e.type === 'run.started')!;
  const runId = (lastStart.data as { runId: string }).runId;
  const finished = events
    .filter(
      (e) =>
        e.type === 'step.finished' &&
        (e.data as { runId: string }).runId === runId &&
        (e.data as { status: string }).status !== 'cancelled',
    )
    .map((e) => (e.data as { stepId: string }).stepId);
  const seen = new Set<string>();
  for (const s of finished) {
    if (seen.has(s)) report.duplicateSteps.push(s);
    seen.add(s);
  }
  for (let i = 1; i <= 12; i++) if (!seen.has(`s${i}`)) report.missingSteps.push(`s${i}`);
  report.finished = events.some((e) => e.type === 'run.finished' && (e.data as { runId: string }).runId === runId);
  return report;
}

/** `writers` processes append `each` notes at once to one incident through the CLI's store. */
export async function concurrentWriters(
  writers: number,
  each: number,
): Promise<{ events: number; ok: boolean; reason?: string; perWriterInOrder: boolean; missing: number }> {
  const box = sandbox();
  const r = await box.run(['declare', '--title', 'concurrent', '--severity', 'SEV2']);
  if (r.code !== 0) throw new Error(r.stderr);
  const dir = join(box.home, 'incidents', readFileSync(join(box.home, 'current'), 'utf8').trim());
  const script = join(ROOT, 'test', 'faults', 'append-worker.ts');
  await Promise.all(
    Array.from(
      { length: writers },
      (_, w) =>
        new Promise<void>((resolve, reject) => {
          const child = spawn(process.execPath, ['--import', 'tsx', script, dir, `w${w}`, String(each)], {
            cwd: ROOT,
            stdio: ['ignore', 'ignore', 'inherit'],
          });
          child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`writer ${w} exited ${code}`))));
        }),
    ),
  );
  const path = join(dir, 'timeline.jsonl');
  const v = verifyTimeline(path);
  const events = [...readEvents(path)].filter((e) => e.type === 'note.added');
  let inOrder = true;
  let missing = 0;
  for (let w = 0; w < writers; w++) {
    const mine = events.filter((e) => e.actor === `w${w}`).map((e) => Number((e.data as { text: string }).text));
    missing += each - mine.length;
    if (mine.some((n, i) => n !== i)) inOrder = false;
  }
  return { events: v.events, ok: v.ok, ...(v.firstBad ? { reason: v.firstBad.reason } : {}), perWriterInOrder: inOrder, missing };
}
