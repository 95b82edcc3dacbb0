/**
 * Fault drills shared by the fast tests (`npm test`) and the long runs (`test/faults/run.ts`):
 * kill -9 at random moments, concurrent writers, hung and noisy commands.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { readFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, ROOT, sandbox, type Sandbox } from './cli.js';
import { verifyTimeline, readEvents } from '../../src/timeline/store.js';

export const FAULT_RUNBOOKS = join(ROOT, 'test', 'fixtures', 'faults');

/** A number that makes a test's fixture processes (`sleep 301.<token>`) its own on a shared machine. */
/** Whether tests may mount a small tmpfs (root, and mount allowed): the full-disk and read-only-disk tests need it. */
export function canMount(): boolean {
  if (process.getuid?.() !== 0) return false;
  const probe = `/tmp/bud-incident-mount-probe-${process.pid}`;
  mkdirSync(probe, { recursive: true });
  const ok = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe]).status === 0;
  if (ok) spawnSync('umount', [probe]);
  return ok;
}

export function uniqueToken(): string {
  return String(randomInt(100_000_000, 999_999_999));
}

/** The processes still running whose command line carries `token` (as `pgrep -af` lists them). */
export function processesOf(token: string): string[] {
  const r = spawnSync('pgrep', ['-af', token], { encoding: 'utf8' });
  return r.stdout.split('\n').filter((l) => l.trim() !== '' && !l.includes('bud-incident.js') && !/^\d+ pgrep /.test(l));
}

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
  /** Runs started over the drill (a new one after each that completed). */
  runs: number;
}

/**
 * Kills `run fault-drill` at random points `kills` times, checking after each kill that the
 * timeline verifies; then resumes until the run finishes and checks no step was recorded twice or lost.
 */
export async function killDrill(kills: number, random: () => number = Math.random): Promise<KillReport> {
  const box = sandbox();
  const base = ['run', 'fault-drill', '--simulate', 'healthy', '--yes', '--make-current', '--runbooks-dir', FAULT_RUNBOOKS];
  const report: KillReport = {
    kills: 0,
    verifyFailures: [],
    tornLinesSeen: 0,
    duplicateSteps: [],
    missingSteps: [],
    finished: false,
    events: 0,
    runs: 0,
  };
  /** Is there a run that was interrupted (started or resumed, not finished)? */
  const interrupted = () => {
    const tl = currentTimeline(box);
    if (!tl) return false;
    let open = false;
    for (const e of readEvents(tl)) {
      if (e.type === 'run.started' || e.type === 'run.resumed') open = true;
      if (e.type === 'run.finished') open = false;
    }
    return open;
  };
  for (let i = 0; i < kills; i++) {
    // Resume the interrupted run if there is one, else start a new one; kill it between 40 and
    // 900 ms in: before the first event, during start-up, and across the steps.
    await runAndKill(box, interrupted() ? [...base, '--resume'] : base, 40 + Math.floor(random() * 860));
    report.kills++;
    const path = currentTimeline(box);
    if (!path) continue;
    const v = verifyTimeline(path);
    if (!v.ok) report.verifyFailures.push(`kill ${i}: line ${v.firstBad?.line}: ${v.firstBad?.reason}`);
    if (v.torn) report.tornLinesSeen++;
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
  const runs = new Map<string, { finished: boolean; steps: string[] }>();
  for (const e of events) {
    const d = e.data as { runId?: string; stepId?: string; status?: string };
    if (!d.runId) continue;
    const r = runs.get(d.runId) ?? { finished: false, steps: [] };
    runs.set(d.runId, r);
    if (e.type === 'step.finished' && d.status !== 'cancelled') r.steps.push(d.stepId!);
    if (e.type === 'run.finished') r.finished = true;
  }
  report.runs = runs.size;
  for (const [runId, r] of runs) {
    const seen = new Set<string>();
    for (const s of r.steps) {
      if (seen.has(s)) report.duplicateSteps.push(`${runId}/${s}`);
      seen.add(s);
    }
    if (r.finished) for (let i = 1; i <= 12; i++) if (!seen.has(`s${i}`)) report.missingSteps.push(`${runId}/s${i}`);
  }
  report.finished = [...runs.values()].every((r) => r.finished);
  return report;
}

/** `writers` processes append `each` notes at once to one incident through the CLI's store. */
export async function concurrentWriters(
  writers: number,
  each: number,
): Promise<{ events: number; ok: boolean; reason?: string; perWriterInOrder: boolean; missing: number }> {
  const { dir } = await declared();
  const running = startWriters(dir, writers, each);
  await Promise.all(running.map((w) => w.done));
  return checkWriters(dir, writers, each);
}

async function declared(): Promise<{ box: Sandbox; dir: string }> {
  const box = sandbox();
  const r = await box.run(['declare', '--title', 'concurrent', '--severity', 'SEV2']);
  if (r.code !== 0) throw new Error(r.stderr);
  return { box, dir: join(box.home, 'incidents', readFileSync(join(box.home, 'current'), 'utf8').trim()) };
}

interface Writer {
  child: ChildProcess;
  stderr: () => string;
  done: Promise<void>;
}

function startWriters(dir: string, writers: number, each: number): Writer[] {
  const script = join(ROOT, 'test', 'faults', 'append-worker.ts');
  return Array.from({ length: writers }, (_, w) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, dir, `w${w}`, String(each)], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const done = new Promise<void>((resolve, reject) =>
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`writer ${w} exited ${code}: ${err}`)))),
    );
    return { child, stderr: () => err, done };
  });
}

function checkWriters(
  dir: string,
  writers: number,
  each: number,
): { events: number; ok: boolean; reason?: string; perWriterInOrder: boolean; missing: number; seqs1ToN: boolean } {
  const path = join(dir, 'timeline.jsonl');
  const v = verifyTimeline(path);
  const all = [...readEvents(path)];
  const events = all.filter((e) => e.type === 'note.added');
  let inOrder = true;
  let missing = 0;
  for (let w = 0; w < writers; w++) {
    const mine = events.filter((e) => e.actor === `w${w}`).map((e) => Number((e.data as { text: string }).text));
    missing += each - mine.length;
    if (mine.some((n, i) => n !== i)) inOrder = false;
  }
  return {
    events: v.events,
    ok: v.ok,
    ...(v.firstBad ? { reason: `line ${v.firstBad.line}: ${v.firstBad.reason}` } : {}),
    perWriterInOrder: inOrder,
    missing,
    seqs1ToN: all.every((e, i) => e.seq === i + 1),
  };
}

export interface StalledReport {
  events: number;
  ok: boolean;
  reason?: string;
  perWriterInOrder: boolean;
  missing: number;
  seqs1ToN: boolean;
  /** The writer stopped while it held the lock, and for how long. */
  stoppedPid: number;
  stoppedMs: number;
  /** How many of the other writers told the user who held the lock while they waited. */
  told: number;
}

/**
 * `writers` processes append `each` notes to one incident; one of them is stopped (SIGSTOP, as by
 * Ctrl-Z or a paused VM) while it holds the timeline lock, for `stopMs`, then continued.
 */
export async function stalledLockHolder(writers: number, each: number, stopMs: number): Promise<StalledReport> {
  const { dir } = await declared();
  const running = startWriters(dir, writers, each);
  const byPid = new Map(running.map((w) => [w.child.pid!, w]));
  const lock = join(dir, 'timeline.lock');
  const holder = () => {
    try {
      return Number(readFileSync(lock, 'utf8').split('\n')[0]);
    } catch {
      return 0;
    }
  };
  let stopped = 0;
  const failed: unknown[] = [];
  for (const w of running) w.done.catch((e: unknown) => failed.push(e));
  // Stop whichever writer holds the lock; keep it stopped only if it still held it when stopped.
  for (let tries = 0; !stopped && tries < 10_000 && failed.length === 0; tries++) {
    const pid = holder();
    if (byPid.has(pid)) {
      process.kill(pid, 'SIGSTOP');
      if (holder() === pid) stopped = pid;
      else process.kill(pid, 'SIGCONT');
    }
    if (!stopped) await new Promise((r) => setTimeout(r, 1));
  }
  if (!stopped) throw new Error(`never caught a writer holding the lock ${failed.map(String).join('; ')}`);
  const t0 = Date.now();
  await new Promise((r) => setTimeout(r, stopMs));
  process.kill(stopped, 'SIGCONT');
  const stoppedMs = Date.now() - t0;
  await Promise.all(running.map((w) => w.done));
  const told = running.filter((w) => w.child.pid !== stopped && w.stderr().includes(`held by pid ${stopped}`)).length;
  return { ...checkWriters(dir, writers, each), stoppedPid: stopped, stoppedMs, told };
}
