/**
 * Which processes a command left behind, found without cgroups or native code (Node cannot make
 * us a child subreaper). Every command runs with an environment tag, `BUD_INCIDENT_RUN=<run>/<step>`,
 * which its children inherit wherever they go: into the background, into a new session with
 * setsid, re-parented to pid 1. The tag is found by reading /proc/<pid>/environ, as Jenkins' process
 * tree killer does with BUILD_ID; the process group catches a child that cleared its environment.
 * A process is identified by pid *and* its start time (field 22 of /proc/<pid>/stat, in clock ticks
 * since boot) with the boot id, so a reused pid is never mistaken for ours. Linux only: elsewhere
 * nothing is found and only the process group is killed, as before.
 */
import { readdirSync, readFileSync } from 'node:fs';

export const TAG_VARIABLE = 'BUD_INCIDENT_RUN';

/** The tag of a step's commands: every process they start carries it. */
export function processTag(runId: string, stepId: string): string {
  return `${runId}/${stepId}`;
}

export interface ProcessInfo {
  pid: number;
  ppid: number;
  pgid: number;
  sid: number;
  /** Clock ticks after boot when it started (with bootId: which process this pid is). */
  startTime: number;
  state: string;
  /** Its command line (arguments joined by spaces), or its name when that cannot be read. */
  command: string;
}

/** One process's /proc record, or undefined when it is gone (or /proc is not there). */
export function processInfo(pid: number): ProcessInfo | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The name in parentheses may itself hold spaces and parentheses: the fields follow the last ")".
  const close = stat.lastIndexOf(')');
  const name = stat.slice(stat.indexOf('(') + 1, close);
  const f = stat.slice(close + 2).split(' ');
  const [state = ''] = f; // split gives at least one piece
  let command = name;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0+$/, '').replace(/\0/g, ' ');
    if (cmdline) command = cmdline;
  } catch {
    // Gone, or not ours to read: the name will do.
  }
  return {
    pid,
    state,
    ppid: Number(f[1]),
    pgid: Number(f[2]),
    sid: Number(f[3]),
    startTime: Number(f[19]),
    command,
  };
}

/** This boot's id (pids and start times are only comparable within one boot). */
export function bootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return undefined;
  }
}

function allPids(): number[] {
  try {
    return readdirSync('/proc')
      .filter((n) => /^\d+$/.test(n))
      .map(Number);
  } catch {
    return [];
  }
}

function alive(p: ProcessInfo | undefined): p is ProcessInfo {
  return p !== undefined && p.state !== 'Z' && p.state !== 'X';
}

function hasTag(pid: number, needle: Buffer): boolean {
  let env: Buffer;
  try {
    env = readFileSync(`/proc/${pid}/environ`);
  } catch {
    return false; // gone, or another user's: not started by us
  }
  const at = env.indexOf(needle);
  return at === 0 || (at > 0 && env[at - 1] === 0);
}

/**
 * Live processes carrying the tag (`prefix` true: any tag starting with it, e.g. a whole run's
 * `<runId>/`) or in one of `groups`. Never this process or its ancestors.
 */
export function findProcesses(match: { tag?: string; prefix?: boolean; groups?: number[] }): ProcessInfo[] {
  const needle = match.tag === undefined ? undefined : Buffer.from(`${TAG_VARIABLE}=${match.tag}${match.prefix ? '' : '\0'}`);
  const groups = new Set(match.groups ?? []);
  const found: ProcessInfo[] = [];
  for (const pid of allPids()) {
    if (pid === process.pid) continue;
    const p = processInfo(pid);
    if (!alive(p)) continue;
    if (groups.has(p.pgid) || (needle && hasTag(pid, needle))) found.push(p);
  }
  return found;
}

/** Is the recorded process (pid + start time in this boot) still running? */
export function stillRunning(pid: number, startTime: number, boot: string | undefined): ProcessInfo | undefined {
  if (boot !== undefined && boot !== bootId()) return undefined;
  const p = processInfo(pid);
  return alive(p) && p.startTime === startTime ? p : undefined;
}

function signal(pids: number[], sig: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch {
      // Already gone.
    }
  }
}

/** Kills at once, without waiting (for the last moments of the process: an `exit` handler). */
export function killNow(processes: ProcessInfo[]): void {
  signal(
    processes.map((p) => p.pid),
    'SIGKILL',
  );
}

/**
 * Ends what `find` finds: SIGTERM, then SIGKILL to what is still there after `graceMs`. Returns
 * what was found at first (what was left behind).
 */
export async function endProcesses(find: () => ProcessInfo[], graceMs: number): Promise<ProcessInfo[]> {
  const first = find();
  if (first.length === 0) return [];
  signal(
    first.map((p) => p.pid),
    'SIGTERM',
  );
  const deadline = Date.now() + graceMs;
  let left = first;
  while (left.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    left = find();
  }
  killNow(left);
  return first;
}
